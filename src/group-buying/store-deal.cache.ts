import { Injectable } from '@nestjs/common';
import type { StoreDealView } from './group-buying.view';

/** How long this instance serves a storefront deal view (or its 404) from memory. */
export const STORE_DEAL_TTL_MS = 1000;
/** Above this many deals the expired ones are dropped (unknown ids must not grow it without bound). */
const MAX_ENTRIES = 10_000;

type Entry = { view: StoreDealView | null; until: number } | { loading: Promise<StoreDealView | null> };

/**
 * A short-lived per-instance cache of the storefront deal view: a hot deal is read once per second
 * instead of once per view, and concurrent misses share one read. `null` is a deal that is unknown or
 * deleted (a 404, cached as briefly). Admin writes in this instance invalidate at once; other
 * instances see them within the TTL.
 */
@Injectable()
export class StoreDealCache {
  private readonly entries = new Map<number, Entry>();

  get(id: number, load: () => Promise<StoreDealView | null>): Promise<StoreDealView | null> {
    const e = this.entries.get(id);
    if (e) {
      if ('loading' in e) return e.loading;
      if (e.until > Date.now()) return Promise.resolve(e.view);
    }
    if (!e && this.entries.size >= MAX_ENTRIES) this.prune();
    const entry: Entry = {
      loading: load().then(
        (view) => {
          // an invalidation during the read wins: its result is not kept
          if (this.entries.get(id) === entry) this.entries.set(id, { view, until: Date.now() + STORE_DEAL_TTL_MS });
          return view;
        },
        (err: unknown) => {
          if (this.entries.get(id) === entry) this.entries.delete(id);
          throw err;
        },
      ),
    };
    this.entries.set(id, entry);
    return entry.loading;
  }

  invalidate(id: number): void {
    this.entries.delete(id);
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, e] of this.entries) if ('until' in e && e.until <= now) this.entries.delete(id);
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
  }
}
