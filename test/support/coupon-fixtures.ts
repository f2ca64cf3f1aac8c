import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Big from 'big.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/app-config';
import { GroupBuying } from '../../src/group-buying/group-buying.entity';
import { ADMIN_PASSWORD, ADMIN_USERNAME, TEST_JWT_SECRET, TestApp } from './app';

/** A deal row written straight through the GroupBuying repository (the deal module is built elsewhere). */
export async function insertDeal(t: TestApp, tenantId: number, shopId: number, over: Partial<GroupBuying> = {}): Promise<number> {
  const repo = t.ds.getRepository(GroupBuying);
  const row = await repo.save(
    repo.create({
      tenantId,
      shopId,
      name: '测试团购',
      productName: '测试商品',
      price: new Big('20.00'),
      startTime: new Date(Date.now() - 86_400_000),
      endTime: new Date(Date.now() + 30 * 86_400_000),
      deliverType: 1,
      stock: 100,
      ...over,
    }),
  );
  return row.id;
}

/** A coupon body as the admin UI sends it (1 满减, 30 days after receiving). */
export function couponBody(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: '满100减10', couponMethod: 1, enough: 100, deduct: 10, useType: 0, timeLimit: 0, timeDays: 30, total: -1, getMax: 1, inUse: true, ...over };
}

export async function createCoupon(t: TestApp, token: string, over: Record<string, unknown> = {}): Promise<number> {
  const res = await t.http.post('/api/marketing/coupon/create').set('Authorization', `Bearer ${token}`).send(couponBody(over));
  if (res.status !== 200) throw new Error(`coupon create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as number;
}

export interface Instance {
  app: NestFastifyApplication;
  http: ReturnType<typeof request>;
  close(): Promise<void>;
}

/** Another app instance on the same MariaDB database as `t` (what two production replicas look like). */
export async function secondInstance(t: TestApp, env: Record<string, string> = {}): Promise<Instance> {
  if (!t.db) throw new Error('secondInstance needs a MariaDB-backed TestApp');
  const dataDir = mkdtempSync(join(tmpdir(), 'gb-e2e-2-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    ADMIN_USERNAME,
    ADMIN_PASSWORD,
    JOBS_ENABLED: 'false',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    DATABASE_URL: t.db.url,
    ...env,
  });
  const app = await createApp(config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    http: request(app.getHttpServer()),
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
