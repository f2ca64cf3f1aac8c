import { Injectable } from '@nestjs/common';
import { DealStockService } from '../group-buying/deal-stock.service';
import { OrderRepository } from './order.repository';

/**
 * Deals' counters recomputed from their orders (contract §4): `payedCount` = units in orders of
 * status 1, 3, 4, 8; `orderCount` = orders not expired or closed. Absolute values, each counted
 * under the deal's row lock, so running it twice or concurrently is harmless.
 */
@Injectable()
export class DealCountersService {
  constructor(
    private readonly deals: DealStockService,
    private readonly orders: OrderRepository,
  ) {}

  /** The given deals, or every deal when no ids are given; one deal per transaction. */
  async recompute(dealIds?: number[]): Promise<void> {
    const ids = dealIds === undefined ? await this.deals.idsOf() : [...new Set(dealIds.filter((id) => Number.isSafeInteger(id) && id > 0))];
    for (const id of ids) await this.recomputeOne(id);
  }

  recomputeOne(dealId: number): Promise<void> {
    return this.deals.recount(dealId, (em) => this.orders.countsOfDeal(em, dealId));
  }

  /** The tenant's deals (soft-deleted ones too when `withDeleted`). */
  idsOf(tenantId: number, withDeleted: boolean): Promise<number[]> {
    return this.deals.idsOf(tenantId, withDeleted);
  }
}
