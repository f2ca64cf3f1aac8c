import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DEAD_STATUSES, PAID_STATUSES } from '../order/order-status';

const CHUNK = 500;

/**
 * Recomputes a deal's counters from its orders: `payedCount` = units in orders of status 1, 3, 4, 8;
 * `orderCount` = orders not expired or closed (status other than 5, 6). One set-based UPDATE with
 * correlated subqueries (MySQL and SQLite); absolute values, so running it twice or concurrently is harmless.
 */
@Injectable()
export class DealCounterService {
  constructor(private readonly ds: DataSource) {}

  async recompute(dealIds?: number[]): Promise<void> {
    const paid = PAID_STATUSES.map(Number).join(', ');
    const dead = DEAD_STATUSES.map(Number).join(', ');
    const sql =
      `UPDATE group_buying SET ` +
      `payed_count = (SELECT COALESCE(SUM(o.qty), 0) FROM group_buying_order o WHERE o.group_buying_id = group_buying.id AND o.status IN (${paid})), ` +
      `order_count = (SELECT COUNT(*) FROM group_buying_order o WHERE o.group_buying_id = group_buying.id AND o.status NOT IN (${dead}))`;
    if (dealIds === undefined) {
      await this.ds.query(sql);
      return;
    }
    const ids = [...new Set(dealIds.filter((id) => Number.isSafeInteger(id) && id > 0))];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      await this.ds.query(`${sql} WHERE group_buying.id IN (${chunk.map(() => '?').join(', ')})`, chunk);
    }
  }
}
