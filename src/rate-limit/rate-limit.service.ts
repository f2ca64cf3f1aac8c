import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { isMysql, runTx } from '../database/sql';

export interface RateLimitHit {
  /** true while this hit is within the limit */
  allowed: boolean;
  /** hits in the current window, this one included */
  count: number;
}

const KEY_LENGTH = 191;
const CLEANUP_EVERY_MS = 10 * 60_000;

/**
 * Fixed-window counters in the database (table `rate_limit_counter`), so every instance shares one
 * count: login attempts per IP, wrong passwords per admin username, and later createOrder calls per
 * user and pickup-code guesses per shop. Each hit is one atomic statement; under concurrency no more
 * than `limit` hits of a window are ever allowed.
 */
@Injectable()
export class RateLimitService {
  private readonly logger = new Logger(RateLimitService.name);
  private nextCleanup = 0;

  constructor(private readonly ds: DataSource) {}

  /** Counts one hit on `key`; the window (`windowSeconds`) starts at the first hit after the previous one ended. */
  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitHit> {
    const now = Date.now();
    await this.cleanupIfDue(now);
    const k = storedKey(key);
    const fresh = now + windowSeconds * 1000;
    let count: number;
    if (isMysql(this.ds)) {
      // LAST_INSERT_ID(expr) hands the new count back in this statement's own result: one round trip, no read race
      const res = (await this.ds.query(
        `INSERT INTO rate_limit_counter (counter_key, hits, expires_at) VALUES (?, LAST_INSERT_ID(1), ?)
         ON DUPLICATE KEY UPDATE hits = LAST_INSERT_ID(IF(expires_at > ?, hits + 1, 1)), expires_at = IF(expires_at > ?, expires_at, ?)`,
        [k, fresh, now, now, fresh],
      )) as { insertId: number | string };
      count = Number(res.insertId);
    } else {
      const rows = await runTx(this.ds, (em) =>
        em.query(
          `INSERT INTO rate_limit_counter (counter_key, hits, expires_at) VALUES (?, 1, ?)
           ON CONFLICT (counter_key) DO UPDATE SET
             hits = CASE WHEN rate_limit_counter.expires_at > ? THEN rate_limit_counter.hits + 1 ELSE 1 END,
             expires_at = CASE WHEN rate_limit_counter.expires_at > ? THEN rate_limit_counter.expires_at ELSE ? END
           RETURNING hits`,
          [k, fresh, now, now, fresh],
        ),
      );
      count = Number((rows as { hits: number }[])[0].hits);
    }
    return { allowed: count <= limit, count };
  }

  /** Hits counted on `key` in its current window (0 when none), without counting one. */
  async current(key: string): Promise<number> {
    const rows = (await this.ds.query('SELECT hits FROM rate_limit_counter WHERE counter_key = ? AND expires_at > ?', [
      storedKey(key),
      Date.now(),
    ])) as {
      hits: number | string;
    }[];
    return rows.length ? Number(rows[0].hits) : 0;
  }

  /** Keeps the key's current count until `seconds` from now (e.g. a lockout that starts at the last allowed hit). */
  async holdFor(key: string, seconds: number): Promise<void> {
    await this.write('UPDATE rate_limit_counter SET expires_at = ? WHERE counter_key = ?', [Date.now() + seconds * 1000, storedKey(key)]);
  }

  /** Forgets the key's count (e.g. a correct password clears the wrong-password count). */
  async reset(key: string): Promise<void> {
    await this.write('DELETE FROM rate_limit_counter WHERE counter_key = ?', [storedKey(key)]);
  }

  private async write(sql: string, params: unknown[]): Promise<void> {
    if (isMysql(this.ds)) await this.ds.query(sql, params);
    else await runTx(this.ds, (em) => em.query(sql, params));
  }

  // Counters keyed by IP would otherwise pile up; expired ones are dropped now and then by whichever instance counts.
  private async cleanupIfDue(now: number): Promise<void> {
    if (now < this.nextCleanup) return;
    this.nextCleanup = now + CLEANUP_EVERY_MS;
    try {
      await this.write('DELETE FROM rate_limit_counter WHERE expires_at < ?', [now - 60_000]);
    } catch (e) {
      this.logger.warn(`could not drop expired rate limit counters: ${(e as Error).message}`);
    }
  }
}

/** Keys longer than the column are stored as their hash. */
function storedKey(key: string): string {
  return key.length <= KEY_LENGTH ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}
