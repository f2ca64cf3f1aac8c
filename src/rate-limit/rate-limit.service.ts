import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { isLockError } from '../common/db-errors';
import { isMysql, runTx } from '../database/sql';

export interface RateLimitHit {
  /** true while this hit is within the limit */
  allowed: boolean;
  /** hits in the current window, this one included */
  count: number;
}

const KEY_LENGTH = 191;
const CLEANUP_EVERY_MS = 10 * 60_000;
/** Rows of one counting statement; a longer queue goes in several. */
const MAX_ROWS = 500;

interface Waiter {
  resolve: (count: number) => void;
  reject: (e: unknown) => void;
}

/** The hits of one key waiting for the next counting statement, in arrival order. */
interface Queued {
  windowSeconds: number;
  waiters: Waiter[];
}

/**
 * Fixed-window counters in the database (table `rate_limit_counter`), so every instance shares one
 * count: login attempts per IP, wrong passwords per admin username, createOrder calls per user and
 * pickup-code guesses per shop and admin.
 *
 * Hits that arrive while a counting statement is on its way are counted together by the next one: one
 * `INSERT … ON DUPLICATE KEY UPDATE … RETURNING` for all their keys (in key order, so two instances never
 * deadlock), which hands back every key's new shared count. Each caller still learns its own count (the
 * n hits of one key in a statement get count − n + 1 … count in arrival order), so no more than `limit`
 * hits of a window are ever allowed, whichever instance they reach. A lone hit is one statement, as before;
 * under a flash sale one statement counts the hits of every request that arrived while the previous ran.
 */
@Injectable()
export class RateLimitService {
  private readonly logger = new Logger(RateLimitService.name);
  private nextCleanup = 0;
  private queue = new Map<string, Queued>();
  private flying: Promise<void> | null = null;

  constructor(private readonly ds: DataSource) {}

  /** Counts one hit on `key`; the window (`windowSeconds`) starts at the first hit after the previous one ended. */
  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitHit> {
    const count = await new Promise<number>((resolve, reject) => {
      this.enqueue(storedKey(key), windowSeconds).waiters.push({ resolve, reject });
      this.flush();
    });
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

  private enqueue(k: string, windowSeconds: number): Queued {
    let q = this.queue.get(k);
    if (!q) this.queue.set(k, (q = { windowSeconds, waiters: [] }));
    return q;
  }

  /** Sends what is queued unless a statement is on its way: then it goes when that one is back. */
  private flush(): void {
    if (this.flying || !this.queue.size) return;
    const batch = this.queue;
    this.queue = new Map();
    this.flying = this.count(batch).finally(() => {
      this.flying = null;
      this.flush();
    });
  }

  private async count(batch: Map<string, Queued>): Promise<void> {
    const keys = [...batch.keys()].sort();
    for (let i = 0; i < keys.length; i += MAX_ROWS) {
      const part = keys.slice(i, i + MAX_ROWS);
      let counts: Map<string, number>;
      try {
        counts = await this.countRows(part.map((k) => ({ k, q: batch.get(k) as Queued })));
      } catch (e) {
        this.logger.warn(`could not count ${part.length} rate limit key(s): ${(e as Error).message}`);
        for (const k of part) for (const w of (batch.get(k) as Queued).waiters) w.reject(e);
        continue;
      }
      for (const k of part) {
        const q = batch.get(k) as Queued;
        const c = counts.get(k);
        if (c === undefined) {
          for (const w of q.waiters) w.reject(new Error(`rate limit counter ${k} was not counted`));
          continue;
        }
        // this key's hits of the statement end at c: the callers' counts in arrival order
        const n = q.waiters.length;
        q.waiters.forEach((w, j) => w.resolve(c - n + j + 1));
      }
    }
  }

  /** One statement: each key's hits added (or a new window begun), every key's new count read back. */
  private async countRows(part: { k: string; q: Queued }[]): Promise<Map<string, number>> {
    const now = Date.now();
    await this.cleanupIfDue(now);
    const out = new Map<string, number>();
    if (isMysql(this.ds)) {
      const params: unknown[] = [];
      for (const { k, q } of part) params.push(k, q.waiters.length, now + q.windowSeconds * 1000);
      params.push(now, now);
      const sql = `INSERT INTO rate_limit_counter (counter_key, hits, expires_at) VALUES ${part.map(() => '(?, ?, ?)').join(', ')}
         ON DUPLICATE KEY UPDATE hits = IF(expires_at > ?, hits + VALUES(hits), VALUES(hits)),
           expires_at = IF(expires_at > ?, expires_at, VALUES(expires_at))
         RETURNING hits`;
      for (let attempt = 1; ; attempt++) {
        try {
          // one row per VALUES tuple, in their order (keys equal under the collation but not as text are
          // two tuples of one counter: each gets the count after its own hits)
          const rows = (await this.ds.query(sql, params)) as { hits: number | string }[];
          if (rows.length !== part.length) throw new Error(`counted ${part.length} keys, ${rows.length} rows came back`);
          part.forEach(({ k }, i) => out.set(k, Number(rows[i].hits)));
          return out;
        } catch (e) {
          // the statement was undone whole: counting it again counts each hit once
          if (attempt >= 3 || !isLockError(e)) throw e;
        }
      }
    }
    await runTx(this.ds, async (em) => {
      for (const { k, q } of part) {
        const rows = (await em.query(
          `INSERT INTO rate_limit_counter (counter_key, hits, expires_at) VALUES (?, ?, ?)
           ON CONFLICT (counter_key) DO UPDATE SET
             hits = CASE WHEN rate_limit_counter.expires_at > ? THEN rate_limit_counter.hits + excluded.hits ELSE excluded.hits END,
             expires_at = CASE WHEN rate_limit_counter.expires_at > ? THEN rate_limit_counter.expires_at ELSE excluded.expires_at END
           RETURNING hits`,
          [k, q.waiters.length, now + q.windowSeconds * 1000, now, now],
        )) as { hits: number | string }[];
        out.set(k, Number(rows[0].hits));
      }
    });
    return out;
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
