import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { runTx } from '../database/sql';
import { CartDealRow, DealRepository } from './deal.repository';
import { unbuyableReason } from './deal.rules';

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
  constructor(
    private readonly ds: DataSource,
    private readonly deals: DealRepository,
  ) {}

  /** The cart's deals with their shop names, in one query (read before the transaction). */
  loadForCart(ids: number[]): Promise<CartDealRow[]> {
    return this.deals.loadForCart(ids);
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
    if (await this.deals.takeStock(em, dealId, qty, now)) return { taken: true };
    const fresh = await this.deals.window(em, dealId);
    return { taken: false, reason: fresh ? unbuyableReason(fresh, now) : '已删除' };
  }

  /** A late payment's units taken again if the deal still has them (its window does not matter). */
  retake(em: EntityManager, dealId: number, qty: number): Promise<boolean> {
    return this.deals.retakeStock(em, dealId, qty);
  }

  /** Units of an unpaid order that was given up (expiry, cancel). */
  giveBack(em: EntityManager, dealId: number, qty: number): Promise<void> {
    return this.deals.returnStock(em, dealId, qty);
  }

  /** Units of a paid order that was refunded. */
  giveBackRefunded(em: EntityManager, dealId: number, qty: number): Promise<void> {
    return this.deals.refundUnits(em, dealId, qty);
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

  names(ids: number[]): Promise<Map<number, string>> {
    return this.deals.names([...new Set(ids)]);
  }
}
