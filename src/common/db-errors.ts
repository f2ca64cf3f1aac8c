import { QueryFailedError } from 'typeorm';

type DriverError = { code?: string; errno?: number };

const driverError = (e: unknown): DriverError | undefined =>
  e instanceof QueryFailedError ? (e as QueryFailedError & { driverError?: DriverError }).driverError : undefined;

/** A unique index refused the row (MySQL ER_DUP_ENTRY, SQLite UNIQUE constraint). */
export function isDuplicateKeyError(e: unknown): boolean {
  if (!(e instanceof QueryFailedError)) return false;
  const d = driverError(e);
  return (
    d?.code === 'ER_DUP_ENTRY' || d?.errno === 1062 || d?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e.message)
  );
}

/** A deadlock victim or a lock wait timeout: the whole transaction may be run again. */
export function isLockError(e: unknown): boolean {
  const code = driverError(e)?.code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}

/**
 * Runs `fn` with a fresh random value until a unique index accepts it (order numbers, pickup codes):
 * the database decides uniqueness, a collision is drawn again, at most `attempts` times.
 */
export async function retryOnDuplicate<T>(fn: (attempt: number) => Promise<T>, attempts = 20): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!isDuplicateKeyError(e) || attempt >= attempts) throw e;
    }
  }
}
