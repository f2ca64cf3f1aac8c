import { Logger } from '@nestjs/common';
import Big from 'big.js';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AdminUser } from '../auth/admin-user.entity';
import { hashPassword } from '../auth/password';
import { AppConfig } from '../config/app-config';
import { Coupon } from '../coupon/coupon.entity';
import { GroupBuying } from '../group-buying/group-buying.entity';
import { Shop } from '../shop/shop.entity';
import { Tenant } from '../tenant/tenant.entity';
import { pinUtcSessions, runMigrationsLocked } from './data-source';

const logger = new Logger('Bootstrap');

/** Runs `fn` while holding a MySQL named lock (no-op lock on SQLite, which has one writer anyway). */
async function withStartupLock<T>(ds: DataSource, fn: () => Promise<T>): Promise<T> {
  if (ds.options.type !== 'mysql') return fn();
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    const [row] = await qr.query(`SELECT GET_LOCK('groupbuy_bootstrap', 120) AS got`);
    if (Number(row?.got) !== 1) throw new Error('could not take the bootstrap lock within 120 s');
    try {
      return await fn();
    } finally {
      await qr.query(`SELECT RELEASE_LOCK('groupbuy_bootstrap')`);
    }
  } finally {
    await qr.release();
  }
}

/**
 * At start: migrations (MySQL), then the platform tenant and the super-admin when no admin exists,
 * then demo data when asked (the embedded default). Safe when several instances start at once.
 */
export async function prepareDatabase(ds: DataSource, config: AppConfig): Promise<void> {
  pinUtcSessions(ds);
  await runMigrationsLocked(ds);
  await withStartupLock(ds, async () => {
    await ds.transaction(async (em) => {
      const platform = await ensurePlatform(em, config);
      if (config.seedDemo) await seedDemo(em, platform);
    });
  });
}

async function ensurePlatform(em: EntityManager, config: AppConfig): Promise<Tenant> {
  let platform = await em.findOne(Tenant, { where: { platform: true }, order: { id: 'ASC' } });
  if (!platform) platform = await em.save(em.create(Tenant, { name: '平台', platform: true }));
  const admins = await em.count(AdminUser);
  if (admins === 0) {
    const generated = config.adminPassword === undefined;
    const password = config.adminPassword ?? randomBytes(12).toString('base64url');
    await em.save(
      em.create(AdminUser, { tenantId: platform.id, username: config.adminUsername, passwordHash: await hashPassword(password), role: 'super' }),
    );
    if (generated) {
      // Printed once, on the first start only; it is never stored in clear or logged again.
      process.stdout.write(`\n  Super-admin created: username "${config.adminUsername}", password "${password}" (set ADMIN_PASSWORD to choose it)\n\n`);
    } else {
      logger.log(`super-admin "${config.adminUsername}" created from ADMIN_USERNAME/ADMIN_PASSWORD`);
    }
  }
  return platform;
}

async function seedDemo(em: EntityManager, platform: Tenant): Promise<void> {
  if ((await em.count(Shop, { where: { tenantId: platform.id } })) > 0) return;
  const shop = await em.save(
    em.create(Shop, { tenantId: platform.id, name: '示例门店', address: '广东省广州市白云区新市二街 1003 号', phone: '020-12345678', lbs: '113.2644,23.1291' }),
  );
  const now = Date.now();
  const start = new Date(now - 24 * 3600 * 1000);
  const end = new Date(now + 30 * 24 * 3600 * 1000);
  const base = {
    tenantId: platform.id,
    shopId: shop.id,
    startTime: start,
    endTime: end,
    address: shop.address,
    lbs: shop.lbs,
    phone: shop.phone,
    inUse: true,
    userName: 'demo',
  };
  await em.save([
    em.create(GroupBuying, {
      ...base,
      name: '赣南脐橙 5 斤装',
      description: '当季现摘，门店自提',
      deliverType: 1,
      productId: 11,
      productName: '赣南脐橙',
      productCode: 'FRUIT-001',
      imagePath: '/images/orange.jpg',
      price: new Big('29.90'),
      spec: '5斤/箱',
      stock: 100,
    }),
    em.create(GroupBuying, {
      ...base,
      name: '五常大米 10kg',
      description: '快递到家',
      deliverType: 2,
      productId: 12,
      productName: '五常大米',
      productCode: 'RICE-010',
      imagePath: '/images/rice.jpg',
      price: new Big('89.00'),
      spec: '10kg/袋',
      stock: 50,
      deliverFee: new Big('8.00'),
      limitPerUser: 5,
    }),
    em.create(GroupBuying, {
      ...base,
      name: '土鸡蛋 30 枚',
      description: '限购 2 份',
      deliverType: 1,
      productId: 13,
      productName: '土鸡蛋',
      productCode: 'EGG-030',
      imagePath: '/images/eggs.jpg',
      price: new Big('35.50'),
      spec: '30枚/盒',
      stock: 200,
      limitPerUser: 2,
    }),
  ]);
  await em.save([
    em.create(Coupon, {
      tenantId: platform.id,
      name: '满100减10',
      couponMethod: 1,
      enough: new Big('100'),
      deduct: new Big('10'),
      discount: new Big(0),
      useType: 0,
      timeLimit: 0,
      timeDays: 30,
      total: -1,
      getMax: 1,
      inUse: true,
    }),
    em.create(Coupon, {
      tenantId: platform.id,
      name: '全场9折',
      couponMethod: 2,
      enough: new Big('50'),
      deduct: new Big(0),
      discount: new Big('9'),
      useType: 0,
      timeLimit: 1,
      timeStart: start,
      timeEnd: end,
      total: 1000,
      getMax: 2,
      inUse: true,
    }),
  ]);
  logger.log('demo data created: a shop, 3 deals and 2 coupons in the platform tenant');
}
