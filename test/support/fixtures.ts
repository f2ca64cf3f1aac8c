import Big from 'big.js';
import { Coupon } from '../../src/coupon/coupon.entity';
import { MemberCoupon } from '../../src/coupon/member-coupon.entity';
import { GroupBuying } from '../../src/group-buying/group-buying.entity';
import type { TestApp } from './app';

const DAY = 24 * 3600 * 1000;

/** Builders for rows the e2e suites need, written straight through the repositories. */
export async function makeDeal(t: TestApp, tenantId: number, shopId: number, over: Partial<GroupBuying> = {}): Promise<GroupBuying> {
  const repo = t.ds.getRepository(GroupBuying);
  return repo.save(
    repo.create({
      tenantId,
      shopId,
      name: over.name ?? '测试团购',
      description: '',
      startTime: new Date(Date.now() - DAY),
      endTime: new Date(Date.now() + 30 * DAY),
      deliverType: 1,
      inUse: true,
      productId: 1,
      productName: over.productName ?? over.name ?? '商品',
      productCode: 'P-1',
      price: new Big('10.00'),
      spec: '1份',
      stock: 100,
      ...over,
    }),
  );
}

export async function makeCoupon(t: TestApp, tenantId: number, over: Partial<Coupon> = {}): Promise<Coupon> {
  const repo = t.ds.getRepository(Coupon);
  return repo.save(
    repo.create({
      tenantId,
      name: '满100减10',
      couponMethod: 1,
      enough: new Big('100'),
      deduct: new Big('10'),
      discount: new Big('0'),
      useType: 0,
      groupBuyingIds: null,
      timeLimit: 0,
      timeDays: 30,
      total: -1,
      getMax: 5,
      inUse: true,
      ...over,
    }),
  );
}

/** A member coupon handed to `userId` directly (valid from yesterday for 30 days unless told otherwise). */
export async function giveCoupon(t: TestApp, coupon: Coupon, userId: number, over: Partial<MemberCoupon> = {}): Promise<MemberCoupon> {
  const repo = t.ds.getRepository(MemberCoupon);
  const mc = await repo.save(
    repo.create({
      tenantId: coupon.tenantId,
      couponId: coupon.id,
      userId,
      used: false,
      getTime: new Date(),
      timeStart: new Date(Date.now() - DAY),
      timeEnd: new Date(Date.now() + 30 * DAY),
      ...over,
    }),
  );
  await t.ds.getRepository(Coupon).increment({ id: coupon.id }, 'receivedCount', 1);
  return mc;
}

export async function loginUser(t: TestApp, openId: string): Promise<{ token: string; id: number }> {
  const res = await t.http.post('/api/group/auth/login').send({ openId, nickname: openId });
  if (res.status !== 200) throw new Error(`login failed ${res.status}`);
  return { token: res.body.data.token, id: res.body.data.user.id };
}

export const ADDRESS = { mobile: '150132454657', username: '收货人', province: '广东省', city: '广州市', district: '白云区', street: '黄石街道', address: '新市二街 1003 号' };
