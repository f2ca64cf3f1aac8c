import { Injectable, OnModuleInit } from '@nestjs/common';
import {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import type { DealWindowRow } from './deal.repository';
import { unbuyableReason } from './deal.rules';

/** How long this instance answers "sold out" from memory after it saw a deal short of stock. */
export const SOLD_OUT_TTL_MS = 1000;
/** Above this many remembered deals the stale ones are dropped (a forgotten flag only costs a database read). */
const MAX_ENTRIES = 10_000;
/** A clear is remembered this long so that a read which started before it cannot set the flag again. */
const CLEAR_MEMORY_MS = 30_000;

interface Entry {
  /** the deal as last seen short (absent after a clear) */
  row?: DealWindowRow;
  /** the flag holds until then (epoch ms) */
  until: number;
  /** `stamp()` of the last clear: reads stamped before it are too old to set the flag */
  clearedAt: number;
  touched: number;
}

class NoEntity {}

/**
 * Per-instance memory of deals just seen sold out, so a sold-out storm is answered 1002 without a
 * database round trip. A flag records the stock seen and lives SOLD_OUT_TTL_MS, so a request for
 * no more than that stock is never refused and another instance's stale flag expires on its own.
 * Stock coming back in this instance clears the flag at once, and again when the transaction that
 * returned it commits (a read between the two saw the old stock).
 */
@Injectable()
export class SoldOutRegistry implements OnModuleInit, EntitySubscriberInterface {
  private readonly entries = new Map<number, Entry>();
  private readonly pending = new WeakMap<QueryRunner, Set<number>>();
  private tick = 0;

  constructor(private readonly ds: DataSource) {}

  onModuleInit(): void {
    this.ds.subscribers.push(this);
  }

  /** Entity events are not of interest: only transaction ends. */
  listenTo(): typeof NoEntity {
    return NoEntity;
  }

  /** Taken before a read of stock, handed to `seen` with what the read found. */
  stamp(): number {
    return ++this.tick;
  }

  /** `row.stock` units were left, too few for the request; ignored when stock came back after `stamp`. */
  seen(row: DealWindowRow, stamp: number, now = Date.now()): void {
    const id = Number(row.id);
    const e = this.entries.get(id);
    if (e && e.clearedAt > stamp) return;
    if (!e && this.entries.size >= MAX_ENTRIES) this.prune(now);
    const { name, stock, in_use, deleted_at, start_time, end_time } = row;
    this.entries.set(id, {
      row: { id, name, stock: Number(stock), in_use, deleted_at, start_time, end_time },
      until: now + SOLD_OUT_TTL_MS,
      clearedAt: e?.clearedAt ?? 0,
      touched: now,
    });
  }

  /**
   * The deal as last seen, when it had fewer than `qty` units moments ago and was otherwise on sale;
   * undefined means "ask the database".
   */
  short(dealId: number, qty: number, now: Date): DealWindowRow | undefined {
    const e = this.entries.get(dealId);
    if (!e?.row || e.until <= now.getTime() || qty <= Number(e.row.stock)) return undefined;
    // a deal that has since left its window gets its own reason (1001) from the database
    return unbuyableReason(e.row, now) ? undefined : e.row;
  }

  /** Stock of the deal came back (or may have): forgotten now and, inside a transaction, again at its commit. */
  cleared(dealId: number, em?: EntityManager): void {
    this.clear(dealId);
    const qr = em?.queryRunner;
    if (!qr?.isTransactionActive) return;
    let ids = this.pending.get(qr);
    if (!ids) this.pending.set(qr, (ids = new Set()));
    ids.add(dealId);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const ids = this.pending.get(event.queryRunner);
    if (!ids) return;
    this.pending.delete(event.queryRunner);
    for (const id of ids) this.clear(id);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    this.pending.delete(event.queryRunner);
  }

  private clear(dealId: number): void {
    const now = Date.now();
    if (!this.entries.has(dealId) && this.entries.size >= MAX_ENTRIES) this.prune(now);
    this.entries.set(dealId, { until: 0, clearedAt: this.stamp(), touched: now });
  }

  private prune(now: number): void {
    for (const [id, e] of this.entries) if (e.until <= now && e.touched < now - CLEAR_MEMORY_MS) this.entries.delete(id);
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
  }
}
