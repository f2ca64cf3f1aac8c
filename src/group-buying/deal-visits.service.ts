import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationShutdown, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DealRepository, VisitorCount } from './deal.repository';

export const VISIT_FLUSH_INTERVAL_MS = 1000;
/** Visitor rows per upsert statement (placeholders stay far below every driver's limit). */
const VISITOR_CHUNK = 500;

const visitorKey = (dealId: number, userId: number) => `${dealId}:${userId}`;

/**
 * Storefront views counted in memory and written about once a second, so the detail route never
 * writes (its row is the one checkout's stock update locks): one relative UPDATE per deal and one
 * upsert for the visitors, which several instances add up. What a failed write could not store is
 * kept for the next flush; a clean stop flushes what is left.
 */
@Injectable()
export class DealVisitsService implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(DealVisitsService.name);
  private visits = new Map<number, number>();
  private visitors = new Map<string, VisitorCount>();
  private timer?: NodeJS.Timeout;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly deals: DealRepository) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      this.flushVisits().catch((e: Error) => this.logger.warn(`visit counts kept for the next flush: ${e.message}`));
    }, VISIT_FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  // before the HTTP server closes, and again after it did (requests still in flight then counted too);
  // the database module stops last
  async beforeApplicationShutdown(): Promise<void> {
    await this.flushVisits().catch((e: Error) => this.logger.error(`visit counts not written at shutdown: ${e.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.beforeApplicationShutdown();
  }

  /** One storefront view of the deal, and of the user when logged in. */
  count(dealId: number, userId: number | undefined, at = new Date()): void {
    this.visits.set(dealId, (this.visits.get(dealId) ?? 0) + 1);
    if (userId === undefined) return;
    const key = visitorKey(dealId, userId);
    const v = this.visitors.get(key);
    if (v) {
      v.visits++;
      v.lastAt = at;
    } else this.visitors.set(key, { dealId, userId, visits: 1, firstAt: at, lastAt: at });
  }

  /** Writes what was counted so far, one flush at a time; rejects when a write failed (its counts are kept). */
  flushVisits(): Promise<void> {
    const run = this.queue.then(() => this.flushOnce());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async flushOnce(): Promise<void> {
    if (!this.visits.size && !this.visitors.size) return;
    const visits = this.visits;
    const visitors = this.visitors;
    this.visits = new Map();
    this.visitors = new Map();
    try {
      for (const [id, n] of visits) {
        await this.deals.addVisits(id, n);
        visits.delete(id);
      }
      const batch = [...visitors.values()];
      for (let i = 0; i < batch.length; i += VISITOR_CHUNK) {
        const chunk = batch.slice(i, i + VISITOR_CHUNK);
        await this.deals.addVisitors(chunk);
        for (const v of chunk) visitors.delete(visitorKey(v.dealId, v.userId));
      }
    } finally {
      // whatever was not written joins what came in meanwhile
      for (const [id, n] of visits) this.visits.set(id, (this.visits.get(id) ?? 0) + n);
      for (const [key, v] of visitors) {
        const now = this.visitors.get(key);
        if (!now) this.visitors.set(key, v);
        else {
          now.visits += v.visits;
          now.firstAt = v.firstAt;
        }
      }
    }
  }
}
