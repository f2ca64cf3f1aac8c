import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { isMysql, marks, runTx } from '../database/sql';

export interface RateLimitHit {
  /** true while this hit is within the limit */
  allowed: boolean;
  /** hits in the current window, this one included */
  count: number;
}

interface QueuedHit {
  key: string;
  windowMs: number;
  resolve: (count: number) => void;
  reject: (e: unknown) => void;
}

const KEY_LENGTH = 191;
/** At most this many hits are counted by one statement. */
const MAX_HITS_PER_FLUSH = 200;
const CLEANUP_EVERY_MS = 10 * 60_000;

/**
 * Fixed-window counters in the database (table `rate_limit_counter`), so every instance shares one
 * count: login attempts per IP, wrong passwords per admin username, and later createOrder calls per
 * user and pickup-code guesses per shop. Each hit is counted atomically (on MySQL the hits that arrive
 * together are counted by one upsert, see flush); under concurrency no more
 * than `limit` hits of a window are ever allowed.
 */
@Injectable()
export class RateLimitService {
  private readonly logger = new Logger(RateLimitService.name);
  private nextCleanup = 0;
  private readonly queued: QueuedHit[] = [];
  private flushing = false;

  constructor(private readonly ds: DataSource) {}

  /** Counts one hit on `key`; the window (`windowSeconds`) starts at the first hit after the previous one ended. */
  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitHit> {
    const now = Date.now();
    await this.cleanupIfDue(now);
    const k = storedKey(key);
    let count: number;
    if (isMysql(this.ds)) {
      count = await new Promise<number>((resolve, reject) => {
        this.queued.push({ key: k, windowMs: windowSeconds * 1000, resolve, reject });
        if (!this.flushing) void this.flush();
      });
    } else {
      const fresh = now + windowSeconds * 1000;
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

  /** One hit alone: LAST_INSERT_ID(expr) hands the new count back in the statement's own result (one round trip, no read race). */
  private async hitOne(key: string, windowMs: number): Promise<number> {
    const now = Date.now();
    const fresh = now + windowMs;
    const res = (await this.ds.query(
      `INSERT INTO rate_limit_counter (counter_key, hits, expires_at) VALUES (?, LAST_INSERT_ID(1), ?)
       ON DUPLICATE KEY UPDATE hits = LAST_INSERT_ID(IF(expires_at > ?, hits + 1, 1)), expires_at = IF(expires_at > ?, expires_at, ?)`,
      [key, fresh, now, now, fresh],
    )) as { insertId: number | string };
    return Number(res.insertId);
  }

  /**
   * The hits that arrived while the previous ones were being counted, counted together (MySQL): one
   * multi-row upsert in key order (two instances lock the same keys in the same order) and one read of
   * the new counts under the rows' locks, in one transaction. A key hit k times ending at count c gave
   * its hits c−k+1 … c in arrival order, exactly as k single upserts would.
   */
  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queued.length) {
        const batch = this.queued.splice(0, MAX_HITS_PER_FLUSH);
        try {
          if (batch.length === 1) {
            batch[0].resolve(await this.hitOne(batch[0].key, batch[0].windowMs));
            continue;
          }
          const counts = await runTx(this.ds, async (em) => {
            const now = Date.now();
            const sorted = [...batch].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
            await em.query(
              `INSERT INTO rate_limit_counter (counter_key, hits, expires_at) VALUES ${sorted.map(() => '(?, 1, ?)').join(', ')}
               ON DUPLICATE KEY UPDATE hits = IF(expires_at > ?, hits + 1, 1), expires_at = IF(expires_at > ?, expires_at, VALUES(expires_at))`,
              [...sorted.flatMap((h) => [h.key, now + h.windowMs]), now, now],
            );
            const keys = [...new Set(sorted.map((h) => h.key))];
            const found = (await em.query(
              `SELECT counter_key, hits FROM rate_limit_counter WHERE counter_key IN (${marks(keys.length)})`,
              keys,
            )) as {
              counter_key: string;
              hits: number | string;
            }[];
            return new Map(found.map((r) => [r.counter_key, Number(r.hits)]));
          });
          const hitsOf = new Map<string, number>();
          for (const h of batch) hitsOf.set(h.key, (hitsOf.get(h.key) ?? 0) + 1);
          const seen = new Map<string, number>();
          for (const h of batch) {
            const i = seen.get(h.key) ?? 0;
            seen.set(h.key, i + 1);
            h.resolve(counts.get(h.key)! - hitsOf.get(h.key)! + 1 + i);
          }
        } catch (e) {
          for (const h of batch) h.reject(e);
        }
      }
    } finally {
      this.flushing = false;
    }
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
