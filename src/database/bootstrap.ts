import { DataSource } from 'typeorm';
import { pinUtcSessions, runMigrationsLocked } from './data-source';

/** Runs `fn` while holding a MySQL named lock (no-op lock on SQLite, which has one writer anyway). */
export async function withStartupLock<T>(ds: DataSource, fn: () => Promise<T>): Promise<T> {
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

/** At start: UTC sessions, then migrations under the startup lock (safe when several instances start at once). */
export async function prepareDatabase(ds: DataSource): Promise<void> {
  pinUtcSessions(ds);
  await runMigrationsLocked(ds);
}
