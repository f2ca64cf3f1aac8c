import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/app-config';
import { createTestDatabase, TestDatabase } from './db';

export const TEST_JWT_SECRET = 'e2e-secret-e2e-secret-e2e-secret-0123456789';
export const ADMIN_USERNAME = 'admin';
export const ADMIN_PASSWORD = 'admin-pass-123';

export interface TestApp {
  app: NestFastifyApplication;
  http: ReturnType<typeof request>;
  ds: DataSource;
  db?: TestDatabase;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * Boots the real application. `sqlite: true` → the embedded default in a temp DATA_DIR; otherwise
 * a fresh MariaDB database for this suite (dropped on close).
 */
export async function bootApp(label: string, env: Record<string, string> = {}, opts: { sqlite?: boolean } = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gb-e2e-'));
  const db = opts.sqlite ? undefined : await createTestDatabase(label);
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    ADMIN_USERNAME,
    ADMIN_PASSWORD,
    JOBS_ENABLED: 'false',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    ...(db ? { DATABASE_URL: db.url } : {}),
    ...env,
  });
  const app = await createApp(config);
  // a real listening socket: supertest would otherwise open one server per request
  await app.listen(0, '127.0.0.1');
  const ds = app.get(DataSource);
  return {
    app,
    http: request(await app.getUrl()),
    ds,
    db,
    dataDir,
    async close() {
      await app.close();
      if (db) await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function adminToken(t: TestApp, username = ADMIN_USERNAME, password = ADMIN_PASSWORD): Promise<string> {
  const res = await t.http.post('/api/marketing/auth/login').send({ username, password });
  if (res.status !== 200) throw new Error(`admin login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.token as string;
}

export async function userToken(t: TestApp, openId: string, nickname = openId): Promise<string> {
  const res = await t.http.post('/api/group/auth/login').send({ openId, nickname });
  if (res.status !== 200) throw new Error(`user login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.token as string;
}

/** A new tenant with its own admin; returns the tenant id and that admin's token. */
export async function newTenant(t: TestApp, superToken: string, name: string): Promise<{ tenantId: number; token: string }> {
  const username = `${name.replace(/\W/g, '').toLowerCase()}_admin`;
  const res = await t.http
    .post('/api/marketing/tenant/create')
    .set('Authorization', `Bearer ${superToken}`)
    .send({ name, adminUsername: username, adminPassword: 'tenant-pass-123' });
  if (res.status !== 200) throw new Error(`tenant create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { tenantId: res.body.data as number, token: await adminToken(t, username, 'tenant-pass-123') };
}

export async function newShop(t: TestApp, token: string, name = '测试门店'): Promise<number> {
  const res = await t.http
    .post('/api/marketing/shop/create')
    .set('Authorization', `Bearer ${token}`)
    .send({ name, address: '广州市白云区', phone: '020-12345678', lbs: '113.26,23.13' });
  if (res.status !== 200) throw new Error(`shop create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as number;
}
