import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { createTestDatabase, TestDatabase } from './db';
import { recorded } from './http-recorder';
import { loadOpenApi } from './openapi-check';

export const TEST_JWT_SECRET = 'e2e-secret-e2e-secret-e2e-secret-0123456789';
export const ADMIN_USERNAME = 'admin';
export const ADMIN_PASSWORD = 'admin-pass-123';

export type Http = ReturnType<typeof request>;

export interface TestApp {
  app: NestFastifyApplication;
  http: Http;
  ds: DataSource;
  db?: TestDatabase;
  dataDir: string;
  close(): Promise<void>;
}

export interface Instance {
  app: NestFastifyApplication;
  http: Http;
  close(): Promise<void>;
}

function testConfig(dataDir: string, databaseUrl: string | undefined, env: Record<string, string>): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    ADMIN_USERNAME,
    ADMIN_PASSWORD,
    JOBS_ENABLED: 'false',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    // the abuse limits (§12) stay out of the way of suites about something else; their own suite sets them low
    ORDER_RATE_LIMIT_PER_MINUTE: '1000000',
    MAX_UNPAID_CHECKOUTS: '1000000',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env,
  });
}

/**
 * Boots the real application. `sqlite: true` → the embedded default in a temp DATA_DIR; otherwise
 * a fresh MariaDB database for this suite (dropped on close).
 */
export async function bootApp(label: string, env: Record<string, string> = {}, opts: { sqlite?: boolean } = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gb-e2e-'));
  const db = opts.sqlite ? undefined : await createTestDatabase(label);
  const app = await createApp(testConfig(dataDir, db?.url, env));
  // a real listening socket: supertest would otherwise open one server per request
  await app.listen(0, '127.0.0.1');
  const ds = app.get(DataSource);
  const url = await app.getUrl();
  await loadOpenApi(url);
  return {
    app,
    http: recorded(request(url)),
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

/** Another app instance on the same MariaDB database as `t` (what two production replicas look like). */
export async function secondInstance(t: TestApp, env: Record<string, string> = {}): Promise<Instance> {
  if (!t.db) throw new Error('secondInstance needs a MariaDB-backed TestApp');
  const dataDir = mkdtempSync(join(tmpdir(), 'gb-e2e-2-'));
  const app = await createApp(testConfig(dataDir, t.db.url, env));
  // listening like bootApp: given the bare server, supertest listens per request and the first answer closes it under the others
  await app.listen(0, '127.0.0.1');
  return {
    app,
    http: recorded(request(await app.getUrl())),
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
