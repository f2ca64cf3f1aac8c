import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, DataSourceOptions, LoggerOptions } from 'typeorm';
import { SnakeNamingStrategy } from 'typeorm-naming-strategies';
import { CONNECT_TIMEOUT_MS } from './connect-error';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export interface DbSettings {
  databaseUrl?: string;
  dbPoolSize?: number;
  dataDir?: string;
  logging?: boolean;
}

export const isMysqlUrl = (url?: string) => !!url && url.startsWith('mysql://');

/**
 * MySQL/MariaDB (DATABASE_URL) with migrations, or the embedded SQLite file under DATA_DIR whose
 * schema is created from the entities. Dates are stored in UTC and shown in APP_TZ.
 */
export function buildDataSourceOptions(s: DbSettings): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    namingStrategy: new SnakeNamingStrategy(),
    logging: s.logging ? (['error', 'warn'] as LoggerOptions) : false,
  };
  if (isMysqlUrl(s.databaseUrl)) {
    return {
      ...common,
      type: 'mysql',
      url: s.databaseUrl,
      timezone: 'Z',
      charset: 'utf8mb4_unicode_ci',
      supportBigNumbers: true,
      bigNumberStrings: false,
      poolSize: s.dbPoolSize ?? 10,
      connectTimeout: CONNECT_TIMEOUT_MS,
      extra: { connectionLimit: s.dbPoolSize ?? 10, maxIdle: s.dbPoolSize ?? 10, enableKeepAlive: true },
      migrations: MIGRATIONS,
      migrationsRun: false,
      migrationsTableName: 'migrations',
      synchronize: false,
    };
  }
  const dir = s.dataDir ?? './data';
  mkdirSync(dir, { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: join(dir, 'groupbuy.sqlite'),
    enableWAL: true,
    synchronize: true,
    prepareDatabase: (db: { pragma: (s: string) => unknown }) => {
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
    },
  };
}

/**
 * Runs pending migrations under a named MySQL lock, so several instances starting at once on an
 * empty database run them exactly once.
 */
export async function runMigrationsLocked(ds: DataSource): Promise<void> {
  if (ds.options.type !== 'mysql') return;
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    const [row] = await qr.query(`SELECT GET_LOCK('groupbuy_migrations', 120) AS got`);
    if (Number(row?.got) !== 1) throw new Error('could not take the migration lock within 120 s');
    try {
      await ds.runMigrations({ transaction: 'each' });
    } finally {
      await qr.query(`SELECT RELEASE_LOCK('groupbuy_migrations')`);
    }
  } finally {
    await qr.release();
  }
}

/**
 * Every MySQL session in UTC and READ COMMITTED: DATETIME defaults (CURRENT_TIMESTAMP) and the UTC
 * values mysql2 binds (timezone 'Z') then agree whatever the server's own zone is, and a transaction
 * re-reads the latest commit after taking a row lock (no extra SET TRANSACTION round trip per
 * transaction). Runs once per pooled connection, queued before that connection's first query.
 */
export function pinUtcSessions(ds: DataSource): void {
  if (ds.options.type !== 'mysql') return;
  type Conn = { __utc?: boolean; query: (sql: string, cb: (err: unknown) => void) => unknown };
  const driver = ds.driver as unknown as { prepareDbConnection: (c: Conn) => unknown };
  const original = driver.prepareDbConnection.bind(driver);
  driver.prepareDbConnection = (c: Conn) => {
    if (!c.__utc) {
      c.__utc = true;
      const fail = (err: unknown) => {
        if (err) process.stderr.write(`groupbuy: could not prepare a MySQL session: ${(err as Error).message}\n`);
      };
      c.query("SET time_zone = '+00:00'", fail);
      c.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', fail);
    }
    return original(c);
  };
}
