import type { Actor } from './order-log.service';

/** What one sweep run did (also its structured log line). */
export interface SweepCounts {
  /** checkouts expired (→ 5), stock and coupon returned */
  expired: number;
  /** checkouts the provider said were paid and that were settled (→ 1), late payments included */
  settled: number;
  /** late payments (§6) that could not get their stock again: refunds recorded */
  lateRefunds: number;
  /** refunds sent to the provider (late payments, failed teams, ones it never received) */
  refundsSent: number;
  /** refunds in doubt (processing) that the provider's answer settled */
  refundsSettled: number;
  /** checkouts left for the next run (provider answer unknown, close failed, lost to another worker) */
  skipped: number;
  errors: number;
  dealsRecomputed: number;
  teamsClosed: number;
  durationMs: number;
  /** true when the time budget ended the run before the backlog was done */
  partial: boolean;
}

export const emptyCounts = (): SweepCounts => ({
  expired: 0,
  settled: 0,
  lateRefunds: 0,
  refundsSent: 0,
  refundsSettled: 0,
  skipped: 0,
  errors: 0,
  dealsRecomputed: 0,
  teamsClosed: 0,
  durationMs: 0,
  partial: false,
});

export interface SweepOptions {
  /** only this tenant's checkouts (refreshorder) */
  tenantId?: number;
  /** only checkouts with an order of this deal (refreshorder) */
  dealId?: number;
  /** recompute every deal of the tenant (or `dealId`), not only the deals touched by this run */
  recomputeAll?: boolean;
  /** stop starting new batches after this many ms; the rest waits for the next run */
  budgetMs?: number;
  batchSize?: number;
  /** ask the provider about unpaid checkouts sent to it even when they are younger than a minute */
  queryAllPending?: boolean;
  actor?: Actor;
}

/** One run's shared state: its limits, what it counted, which deals it touched, and when to stop. */
export interface SweepRun {
  opts: SweepOptions;
  deadline: number;
  counts: SweepCounts;
  touched: Set<number>;
  /** true once the instance is shutting down: steps leave between checkouts */
  stopping: () => boolean;
}

export const DEFAULT_BATCH = 200;

export const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
