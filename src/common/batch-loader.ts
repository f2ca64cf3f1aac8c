interface Waiter<V> {
  resolve: (v: V | undefined) => void;
  reject: (e: unknown) => void;
}

/**
 * Reads by key with at most one query in flight: the keys asked for while one runs are read together by
 * the next, in one query. Every caller's value is therefore read after it asked (never an answer that was
 * already on its way), and a crowd asking for the same rows costs one query per round trip, not one each.
 * Values are shared between the callers of one query: treat them as read-only.
 */
export class BatchLoader<K, V> {
  private queue = new Map<K, Waiter<V>[]>();
  private flying = false;

  constructor(
    private readonly loadMany: (keys: K[]) => Promise<Map<K, V>>,
    private readonly maxKeys = 500,
  ) {}

  /** The value of `key`, undefined when there is none. */
  load(key: K): Promise<V | undefined> {
    return new Promise<V | undefined>((resolve, reject) => {
      const waiting = this.queue.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else this.queue.set(key, [{ resolve, reject }]);
      this.flush();
    });
  }

  private flush(): void {
    if (this.flying || this.queue.size === 0) return;
    let batch = this.queue;
    if (batch.size > this.maxKeys) {
      // the first maxKeys keys now, the rest on the next round
      const rest = new Map(batch);
      batch = new Map();
      for (const [k, w] of rest) {
        if (batch.size >= this.maxKeys) break;
        batch.set(k, w);
        rest.delete(k);
      }
      this.queue = rest;
    } else this.queue = new Map();
    this.flying = true;
    this.loadMany([...batch.keys()])
      .then(
        (found) => {
          for (const [k, ws] of batch) for (const w of ws) w.resolve(found.get(k));
        },
        (e: unknown) => {
          for (const ws of batch.values()) for (const w of ws) w.reject(e);
        },
      )
      .finally(() => {
        this.flying = false;
        this.flush();
      });
  }
}

/** The key of one user's row in one tenant, for loaders that read per (tenant, user). */
export const tenantUserKey = (tenantId: number, userId: number): string => `${tenantId}:${userId}`;

/** `tenantUserKey` keys grouped by tenant: one `user_id IN (…)` query each. */
export function usersByTenant(keys: string[]): Map<number, number[]> {
  const byTenant = new Map<number, number[]>();
  for (const key of keys) {
    const [tenantId, userId] = key.split(':').map(Number);
    const users = byTenant.get(tenantId);
    if (users) users.push(userId);
    else byTenant.set(tenantId, [userId]);
  }
  return byTenant;
}
