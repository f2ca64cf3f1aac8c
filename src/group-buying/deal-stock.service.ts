import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { BatchLoader } from '../common/batch-loader';
import { runTx } from '../database/sql';
import { CartDealRow, DealRepository, DealSummaryRow, DealWindowRow } from './deal.repository';
import { unbuyableReason } from './deal.rules';
import { SoldOutRegistry } from './sold-out.registry';

/** What a deal's counters are, computed by the module that owns the orders. */
export interface DealCounts {
  payedCount: number;
  orderCount: number;
}

/**
 * What other modules need of the deal row: stock taken and returned, sequence numbers, counters.
 * Every method that takes an EntityManager runs inside the caller's transaction; only this module
 * writes the group_buying table.
 */
@Injectable()
export class DealStockService {
  /** Checkouts of a flash sale read their deal together: one query per round trip, however many wait. */
  private readonly carts = new BatchLoader<number, CartDealRow>(async (ids) => {
    const found = await this.deals.loadForCart(ids);
    return new Map(found.map((d) => [Number(d.id), Object.freeze(d)]));
  });

  constructor(
    private readonly ds: DataSource,
    private readonly deals: DealRepository,
    private readonly soldOut: SoldOutRegistry,
  ) {}

  /** The cart's deals with their shop names, in one query (read before the transaction). */
  async loadForCart(ids: number[]): Promise<CartDealRow[]> {
    const stamp = this.soldOut.stamp();
    const found = (await Promise.all(ids.map((id) => this.carts.load(id)))).filter((d): d is CartDealRow => d !== undefined);
    for (const d of found) if (Number(d.stock) <= 0) this.soldOut.seen(d, stamp);
    return found;
  }

  /**
   * The deal as this instance saw it moments ago when it had fewer than `qty` units and was on sale:
   * the caller may answer "sold out" without asking the database. Undefined when unknown or stale.
   */
  knownShort(dealId: number, qty: number, now: Date): DealWindowRow | undefined {
    return this.soldOut.short(dealId, qty, now);
  }

  /**
   * Takes `qty` units while the deal is on sale; otherwise says why not (the reason of §5, or null for
   * "not enough stock"). Holds the deal's row lock until the caller's transaction ends.
   */
  async take(
    em: EntityManager,
    dealId: number,
    qty: number,
    now: Date,
  ): Promise<{ taken: true } | { taken: false; reason: string | null }> {
    const stamp = this.soldOut.stamp();
    if (await this.deals.takeStock(em, dealId, qty, now)) return { taken: true };
    const fresh = await this.deals.window(em, dealId);
    const reason = fresh ? unbuyableReason(fresh, now) : '已删除';
    if (fresh && !reason) this.soldOut.seen(fresh, stamp);
    return { taken: false, reason };
  }

  /**
   * For a caller that takes stock for several checkouts at once: locks the deal row until the caller's
   * transaction ends and returns the units left, or why the deal is not on sale (the reason of §5).
   * `stamp` goes back to `seenShort` when some checkout found too few units.
   */
  async lockForTake(
    em: EntityManager,
    dealId: number,
    now: Date,
  ): Promise<{ row: DealWindowRow | undefined; stock: number; reason: string | null; stamp: number }> {
    const stamp = this.soldOut.stamp();
    const row = await this.deals.lockWindow(em, dealId);
    return { row, stock: row ? Number(row.stock) : 0, reason: row ? unbuyableReason(row, now) : '已删除', stamp };
  }

  /** `qty` units for `orders` orders, under the lock of lockForTake (still conditional); true when taken. */
  takeLocked(em: EntityManager, dealId: number, qty: number, orders: number, now: Date): Promise<boolean> {
    return this.deals.takeStock(em, dealId, qty, now, orders);
  }

  /** Only `left` units of the locked deal remained for a checkout: the sold-out flag of this instance. */
  seenShort(row: DealWindowRow, left: number, stamp: number): void {
    this.soldOut.seen({ ...row, stock: left }, stamp);
  }

  /**
   * A late payment's units taken again if the deal still has them (its window does not matter). Takes
   * stock, so no sold-out flag is cleared here; units it has to put back go through giveBack, which does.
   */
  retake(em: EntityManager, dealId: number, qty: number): Promise<boolean> {
    return this.deals.retakeStock(em, dealId, qty);
  }

  /** Units of an unpaid order that was given up (expiry, cancel). */
  async giveBack(em: EntityManager, dealId: number, qty: number): Promise<void> {
    await this.deals.returnStock(em, dealId, qty);
    this.soldOut.cleared(dealId, em);
  }

  /**
   * giveBack for many unpaid orders at once (the sweep's batches): per deal, in id order (the lock
   * order of every path), its summed units back and its orderCount down by its number of orders.
   */
  async giveBackMany(em: EntityManager, perDeal: Map<number, { qty: number; orders: number }>): Promise<void> {
    for (const id of [...perDeal.keys()].sort((a, b) => a - b)) {
      const { qty, orders } = perDeal.get(id)!;
      await this.deals.returnStockSum(em, id, qty, orders);
      this.soldOut.cleared(id, em);
    }
  }

  /** Units of a paid order that was refunded. */
  async giveBackRefunded(em: EntityManager, dealId: number, qty: number): Promise<void> {
    await this.deals.refundUnits(em, dealId, qty);
    this.soldOut.cleared(dealId, em);
  }

  /** Units of a pre-sale order refunded at its deposit (§10): back on sale; payedCount never counted them. */
  async giveBackDeposit(em: EntityManager, dealId: number, qty: number): Promise<void> {
    await this.deals.addStock(em, dealId, qty);
    this.soldOut.cleared(dealId, em);
  }

  /** The deal's next sequence number for an order of `qty` units being paid (gap-free under the row lock). */
  nextSequence(em: EntityManager, dealId: number, qty: number): Promise<number> {
    return this.deals.nextSequence(em, dealId, qty);
  }

  /**
   * Rewrites one deal's counters from `count`, which runs after the deal row is locked: every change
   * to a deal's orders holds that same lock, so the counts can't be read from before a concurrent change.
   */
  async recount(dealId: number, count: (em: EntityManager) => Promise<DealCounts>): Promise<void> {
    await runTx(
      this.ds,
      async (em) => {
        if (!(await this.deals.lock(em, dealId))) return;
        const c = await count(em);
        await this.deals.setCounters(em, dealId, c.payedCount, c.orderCount);
      },
      5,
    );
  }

  /** Every deal of the tenant (or of every tenant), ascending; soft-deleted ones too unless told otherwise. */
  idsOf(tenantId?: number, withDeleted = true): Promise<number[]> {
    return this.deals.idsOfTenant(tenantId, withDeleted);
  }

  virtualTeamFlags(ids: number[]): Promise<Map<number, boolean>> {
    return this.deals.virtualTeamFlags(ids);
  }

  /** What an order detail shows of its deal, deleted or not. */
  summary(id: number): Promise<DealSummaryRow | undefined> {
    return this.deals.summary(id);
  }

  names(ids: number[]): Promise<Map<number, string>> {
    return this.deals.names([...new Set(ids)]);
  }
}
