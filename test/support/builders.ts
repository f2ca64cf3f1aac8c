import Big from 'big.js';
import { Coupon } from '../../src/coupon/coupon.entity';
import { MemberCoupon } from '../../src/coupon/member-coupon.entity';
import { GroupBuying } from '../../src/group-buying/group-buying.entity';
import { ADMIN_PASSWORD, ADMIN_USERNAME, Http, TestApp } from './app';

/**
 * The one set of builders the e2e suites share. Rows the tests only need to exist are written
 * straight through the repositories (fast, any field settable); the HTTP routes are called only
 * where a test is about them.
 */

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** A whole-second instant `offsetMs` from now: the API answers times to the second. */
export const fromNow = (offsetMs: number): Date => new Date(Math.floor((Date.now() + offsetMs) / 1000) * 1000);

/** `YYYY-MM-DD HH:mm:ss` in Asia/Shanghai (APP_TZ of the tests: UTC+8, no DST), as the API takes and returns times. */
export const shanghai = (d: Date): string => new Date(d.getTime() + 8 * HOUR).toISOString().slice(0, 19).replace('T', ' ');

/** The instant a Shanghai wall-clock time `YYYY-MM-DD HH:mm:ss` stands for. */
export const shanghaiDate = (s: string): Date => new Date(`${s.replace(' ', 'T')}+08:00`);

// --- who is calling

/** Storefront routes read the seeds' `Authori-Zation` header. */
export const userAuth = (token: string) => ({ 'Authori-Zation': `Bearer ${token}` });
export const adminAuth = (token: string) => ({ Authorization: `Bearer ${token}` });

export async function adminToken(t: TestApp, username = ADMIN_USERNAME, password = ADMIN_PASSWORD): Promise<string> {
  const res = await t.http.post('/api/marketing/auth/login').send({ username, password });
  if (res.status !== 200) throw new Error(`admin login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.token as string;
}

export interface User {
  token: string;
  id: number;
}

/** A storefront user by dev login (created on first use); the nickname is the openId unless given. */
export async function loginUser(t: TestApp, openId: string, profile: { nickname?: string; avatar?: string } = {}): Promise<User> {
  const res = await t.http
    .post('/api/group/auth/login')
    .send({ openId, nickname: profile.nickname ?? openId, ...(profile.avatar !== undefined ? { avatar: profile.avatar } : {}) });
  if (res.status !== 200) throw new Error(`user login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { token: res.body.data.token as string, id: res.body.data.user.id as number };
}

// --- tenants and shops

export interface Tenant {
  tenantId: number;
  /** the tenant admin's token */
  token: string;
}

/** A new tenant with its own admin `<name>_admin` (lower case, word characters only). */
export async function newTenant(t: TestApp, superToken: string, name: string): Promise<Tenant> {
  const username = `${name.replace(/\W/g, '').toLowerCase()}_admin`;
  const res = await t.http
    .post('/api/marketing/tenant/create')
    .set(adminAuth(superToken))
    .send({ name, adminUsername: username, adminPassword: 'tenant-pass-123' });
  if (res.status !== 200) throw new Error(`tenant create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { tenantId: res.body.data as number, token: await adminToken(t, username, 'tenant-pass-123') };
}

export async function newShop(t: TestApp, token: string, name = '测试门店'): Promise<number> {
  const res = await t.http
    .post('/api/marketing/shop/create')
    .set(adminAuth(token))
    .send({ name, address: '广州市白云区', phone: '020-12345678', lbs: '113.26,23.13' });
  if (res.status !== 200) throw new Error(`shop create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as number;
}

/** A new tenant and one shop of it: where most suites start. */
export async function newTenantWithShop(
  t: TestApp,
  superToken: string,
  name: string,
  shopName?: string,
): Promise<Tenant & { shopId: number }> {
  const tenant = await newTenant(t, superToken, name);
  return { ...tenant, shopId: await newShop(t, tenant.token, shopName) };
}

// --- deals

/** A deal on sale since yesterday for 30 days: 10.00, 100 in stock, pickup. */
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

export interface DealCounters {
  stock: number;
  payed_count: number;
  order_count: number;
  last_sequence: number;
}

/** A deal's stock and counters as stored. */
export async function dealCounters(t: TestApp, id: number): Promise<DealCounters> {
  return (await t.ds.query('SELECT stock, payed_count, order_count, last_sequence FROM group_buying WHERE id = ?', [id]))[0];
}

// --- coupons

/** A coupon body as the admin UI sends it (1 满减 100 减 10, valid 30 days after receiving, one per user). */
export function couponBody(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: '满100减10',
    couponMethod: 1,
    enough: 100,
    deduct: 10,
    useType: 0,
    timeLimit: 0,
    timeDays: 30,
    total: -1,
    getMax: 1,
    inUse: true,
    ...over,
  };
}

/** The coupon row the admin create route stores for `couponBody()` with the same changes. */
export async function makeCoupon(t: TestApp, tenantId: number, over: Partial<Coupon> = {}): Promise<Coupon> {
  const method = over.couponMethod ?? 1;
  const timeLimit = over.timeLimit ?? 0;
  const repo = t.ds.getRepository(Coupon);
  return repo.save(
    repo.create({
      tenantId,
      name: '满100减10',
      couponMethod: method,
      enough: new Big('100'),
      // the other method's amount and the other time rule's days stay zero, as the admin routes store them
      deduct: new Big(method === 1 ? '10' : '0'),
      discount: new Big('0'),
      useType: 0,
      groupBuyingIds: null,
      timeLimit,
      timeDays: timeLimit === 0 ? 30 : 0,
      total: -1,
      getMax: 1,
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

// --- checkout and payment

export const ADDRESS = {
  mobile: '150132454657',
  username: '收货人',
  province: '广东省',
  city: '广州市',
  district: '白云区',
  street: '黄石街道',
  address: '新市二街 1003 号',
};

export interface Line {
  product_id: number;
  quantity: number;
}

/** POST createOrder as `token`; the answer is the test's to judge. */
export const createOrder = (t: TestApp, token: string, body: object, http: Http = t.http) =>
  http.post('/api/group/order/createOrder').set(userAuth(token)).send(body);

/** GET payOrder as `token` (the sandbox pays at once; WeChat answers a prepay). */
export const payOrder = (t: TestApp, token: string, code: string, http: Http = t.http) =>
  http.get(`/api/group/order/payOrder/${code}`).set(userAuth(token));

export interface Checkout {
  /** the checkout row's id */
  id: number;
  payNo: string;
  codes: string[];
  total: string;
}

/** A checkout that must be made (throws otherwise): createOrder with the given lines, coupon and address. */
export async function checkout(
  t: TestApp,
  token: string,
  goods: Line[],
  opts: { couponId?: number; address?: object; http?: Http } = {},
): Promise<Checkout> {
  const res = await createOrder(
    t,
    token,
    { goods, ...(opts.couponId ? { coupon_id: opts.couponId } : {}), ...(opts.address ? { address: opts.address } : {}) },
    opts.http,
  );
  if (res.status !== 200) throw new Error(`createOrder ${res.status} ${JSON.stringify(res.body)}`);
  const payNo = res.body.data.pay_no as string;
  const [row] = await t.ds.query('SELECT id FROM checkout WHERE pay_no = ?', [payNo]);
  return { id: Number(row.id), payNo, codes: res.body.data.orders.map((o: { code: string }) => o.code), total: res.body.data.total_price };
}
