import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DEAD_STATUSES, PAID_STATUSES } from '../order/order-status';

/**
 * Recomputes deals' counters from their orders: `payedCount` = units in orders of status 1, 3, 4, 8;
 * `orderCount` = orders not expired or closed (status other than 5, 6). Absolute values, so running it
 * twice or concurrently is harmless.
 *
 * One UPDATE per deal, on purpose: a single-row UPDATE takes the deal's row lock before its subqueries
 * read, and every change to a deal's orders (pay, expire, cancel, refund) holds that same row lock, so the
 * counts are never read from before a concurrent change. A multi-row UPDATE would read later rows'
 * subqueries from a snapshot taken before their locks were granted, and could write stale counts.
 */
@Injectable()
export class DealCounterService {
  constructor(private readonly ds: DataSource) {}

  private readonly sql =
    `UPDATE group_buying SET ` +
    `payed_count = (SELECT COALESCE(SUM(o.qty), 0) FROM group_buying_order o WHERE o.group_buying_id = group_buying.id AND o.status IN (${PAID_STATUSES.map(Number).join(', ')})), ` +
    `order_count = (SELECT COUNT(*) FROM group_buying_order o WHERE o.group_buying_id = group_buying.id AND o.status NOT IN (${DEAD_STATUSES.map(Number).join(', ')})) ` +
    `WHERE group_buying.id = ?`;

  /** The given deals, or every deal when no ids are given. */
  async recompute(dealIds?: number[]): Promise<void> {
    const ids =
      dealIds === undefined
        ? ((await this.ds.query('SELECT id FROM group_buying')) as { id: number }[]).map((r) => Number(r.id))
        : [...new Set(dealIds.filter((id) => Number.isSafeInteger(id) && id > 0))];
    for (const id of ids) await this.ds.query(this.sql, [id]);
  }
}
