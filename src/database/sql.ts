import { DataSource, EntityManager } from 'typeorm';
import { DateUtils } from 'typeorm/util/DateUtils';
import { isLockError } from '../common/db-errors';

/**
 * Thin helpers for the hot paths that use plain SQL (no ORM hydration): `?` placeholders work on
 * both mysql2 and better-sqlite3; dates are bound as Date on MySQL (timezone 'Z') and as TypeORM's
 * UTC text on SQLite, so both compare like the columns TypeORM writes.
 */
export const isMysql = (x: DataSource | EntityManager): boolean =>
  (x instanceof DataSource ? x.options.type : x.connection.options.type) === 'mysql';

export function dbDate(x: DataSource | EntityManager, d: Date): Date | string {
  return isMysql(x) ? d : (DateUtils.mixedDateToUtcDatetimeString(d) as string);
}

/** Runs a write and returns the affected row count. Needs a transactional manager (em.queryRunner). */
export async function execute(em: EntityManager, sql: string, params: unknown[] = []): Promise<number> {
  const qr = em.queryRunner;
  if (!qr) throw new Error('execute() needs a transactional EntityManager');
  const res = await qr.query(sql, params, true);
  return res.affected ?? 0;
}

/** Runs a write and returns the new row id (INSERT). */
export async function insertId(em: EntityManager, sql: string, params: unknown[] = []): Promise<number> {
  const qr = em.queryRunner;
  if (!qr) throw new Error('insertId() needs a transactional EntityManager');
  const res = await qr.query(sql, params, true);
  const raw = res.raw as { insertId?: number } | number | bigint;
  if (typeof raw === 'number' || typeof raw === 'bigint') return Number(raw);
  return Number(raw?.insertId);
}

/** A datetime column as read back by plain SQL: a Date on MySQL, UTC text on SQLite. */
export function readDate(v: Date | string): Date {
  return v instanceof Date ? v : new Date(`${String(v).replace(' ', 'T')}${String(v).endsWith('Z') ? '' : 'Z'}`);
}

/** `?, ?, ?` for an IN list of `n` values. */
export const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

export async function rows<T = Record<string, unknown>>(em: EntityManager | DataSource, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await em.query(sql, params)) as T[];
}

/** `FOR UPDATE` on MySQL; nothing on SQLite, where a write transaction already excludes the others. */
export const forUpdate = (x: DataSource | EntityManager): string => (isMysql(x) ? ' FOR UPDATE' : '');

// SQLite (the embedded default) has one connection and TypeORM hands every caller the same query
// runner, so transactions are queued here one at a time.
const sqliteQueues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * One transaction per use case: READ COMMITTED on MySQL (set once per session, see pinUtcSessions:
 * rows re-read after a lock see the latest commit), retried on deadlock; serialized on SQLite.
 */
export async function runTx<T>(ds: DataSource, fn: (em: EntityManager) => Promise<T>, attempts = 3): Promise<T> {
  if (!isMysql(ds)) {
    const prev = sqliteQueues.get(ds) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => ds.transaction((em) => fn(em)));
    sqliteQueues.set(
      ds,
      next.catch(() => undefined),
    );
    return next;
  }
  for (let i = 1; ; i++) {
    try {
      return await ds.transaction((em) => fn(em));
    } catch (e) {
      if (i >= attempts || !isLockError(e)) throw e;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * i));
    }
  }
}
