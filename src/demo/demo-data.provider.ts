import { Logger, Provider } from '@nestjs/common';
import { User } from '../auth/user.entity';
import { DataSource } from 'typeorm';
import { formatDate } from '../common/time';
import { AppConfig } from '../config/app-config';
import { CouponAdminService } from '../coupon/coupon-admin.service';
import { withStartupLock } from '../database/bootstrap';
import { GroupBuyingService } from '../group-buying/group-buying.service';
import { MemberAdminService } from '../member/member-admin.service';
import { ShopService } from '../shop/shop.service';
import { PLATFORM_TENANT } from '../tenant/platform.provider';
import { TenantScope } from '../tenant/tenant-scope';

export const DEMO_DATA = Symbol('DEMO_DATA');

const DAY = 24 * 3600 * 1000;
/** the demo shopper: dev login with this openId finds 500 points and 50.00 balance in the platform tenant */
export const DEMO_OPEN_ID = 'demo-user';

/**
 * Demo data for the embedded default (SEED_DEMO): a shop, three deals and two coupons in the platform
 * tenant, created through the same services (and rules) as an admin's, once.
 */
export const demoDataProvider: Provider = {
  provide: DEMO_DATA,
  inject: [PLATFORM_TENANT, AppConfig, DataSource, ShopService, GroupBuyingService, CouponAdminService, MemberAdminService],
  useFactory: async (
    platformId: number,
    config: AppConfig,
    ds: DataSource,
    shops: ShopService,
    deals: GroupBuyingService,
    coupons: CouponAdminService,
    members: MemberAdminService,
  ) => {
    if (!config.seedDemo) return false;
    const scope = new TenantScope(platformId, null, 'demo');
    return withStartupLock(ds, async () => {
      if ((await shops.list(scope, { pageIndex: 1, pageSize: 1 })).totalCount > 0) return false;
      const shop = { name: '示例门店', address: '广东省广州市白云区新市二街 1003 号', phone: '020-12345678', lbs: '113.2644,23.1291' };
      const shopId = await shops.create(scope, shop);
      const now = Date.now();
      const window = { startTime: formatDate(new Date(now - DAY))!, endTime: formatDate(new Date(now + 30 * DAY))! };
      const base = { shopId, ...window, address: shop.address, lbs: shop.lbs, phone: shop.phone, inUse: true };
      await deals.create(scope, {
        ...base,
        name: '赣南脐橙 5 斤装',
        description: '当季现摘，门店自提',
        deliverType: 1,
        productId: 11,
        productName: '赣南脐橙',
        productCode: 'FRUIT-001',
        imagePath: '/images/orange.jpg',
        price: '29.90',
        spec: '5斤/箱',
        stock: 100,
      });
      await deals.create(scope, {
        ...base,
        name: '五常大米 10kg',
        description: '快递到家',
        deliverType: 2,
        productId: 12,
        productName: '五常大米',
        productCode: 'RICE-010',
        imagePath: '/images/rice.jpg',
        price: '89.00',
        spec: '10kg/袋',
        stock: 50,
        deliverFee: '8.00',
        limitPerUser: 5,
      });
      await deals.create(scope, {
        ...base,
        name: '土鸡蛋 30 枚',
        description: '限购 2 份',
        deliverType: 1,
        productId: 13,
        productName: '土鸡蛋',
        productCode: 'EGG-030',
        imagePath: '/images/eggs.jpg',
        price: '35.50',
        spec: '30枚/盒',
        stock: 200,
        limitPerUser: 2,
      });
      // 预售: a deposit now, the balance from the end of the deposit window until 7 days after it (§10)
      await deals.create(scope, {
        ...base,
        name: '阳山水蜜桃 预售 6 枚',
        description: '预售：先付定金 10 元（抵 15 元），采摘后付尾款，门店自提',
        deliverType: 1,
        productId: 14,
        productName: '阳山水蜜桃',
        productCode: 'PEACH-006',
        imagePath: '/images/peach.jpg',
        price: '68.00',
        spec: '6枚/盒',
        stock: 80,
        limitPerUser: 2,
        preSale: true,
        deposit: '10.00',
        depositValue: '15.00',
        tailEndTime: formatDate(new Date(now + 37 * DAY))!,
      });
      await coupons.create(scope, {
        name: '满100减10',
        couponMethod: 1,
        enough: '100',
        deduct: '10',
        useType: 0,
        timeLimit: 0,
        timeDays: 30,
        total: -1,
        getMax: 1,
        inUse: true,
      });
      await coupons.create(scope, {
        name: '全场9折',
        couponMethod: 2,
        enough: '50',
        discount: '9',
        useType: 0,
        timeLimit: 1,
        timeStart: window.startTime,
        timeEnd: window.endTime,
        total: 1000,
        getMax: 2,
        inUse: true,
      });
      // a shopper with a wallet, through the admin's adjust (so the ledger has its entries)
      const users = ds.getRepository(User);
      const demoUser =
        (await users.findOne({ where: { openId: DEMO_OPEN_ID } })) ??
        (await users.save(users.create({ openId: DEMO_OPEN_ID, unionId: null, nickname: '示例用户', avatar: '' })));
      await members.adjust(scope, { userId: demoUser.id, kind: 'point', amount: 500, remark: '示例数据' });
      await members.adjust(scope, { userId: demoUser.id, kind: 'balance', amount: '50.00', remark: '示例数据' });
      new Logger('DemoData').log(
        `demo data created: a shop, 4 deals (one pre-sale), 2 coupons and a shopper (openId ${DEMO_OPEN_ID}) with 500 points and 50.00 balance in the platform tenant`,
      );
      return true;
    });
  },
};
