import Big from 'big.js';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { moneyColumn } from '../common/money';

/**
 * Order totals per tenant, day (the order's create day in APP_TZ), shop, deal, status and deliver
 * type: what the admin order lists' `totalCount` and `sumData` read instead of every matching order.
 * Written only by the order module, in the transaction of every insert and status change of
 * group_buying_order (see OrderRollupRepository); generic in status.
 */
@Entity('order_rollup')
@Index('idx_rollup_deal', ['tenantId', 'groupBuyingId', 'day'])
export class OrderRollup {
  @PrimaryColumn({ type: 'int' })
  tenantId: number;

  /** YYYY-MM-DD: the orders' create day in APP_TZ */
  @PrimaryColumn({ type: 'date' })
  day: string;

  @PrimaryColumn({ type: 'int' })
  shopId: number;

  @PrimaryColumn({ type: 'int' })
  groupBuyingId: number;

  @PrimaryColumn({ type: 'tinyint' })
  status: number;

  @PrimaryColumn({ type: 'tinyint' })
  deliverType: number;

  @Column({ type: 'int', default: 0 })
  orderCount: number;

  @Column({ type: 'bigint', default: 0 })
  qty: number;

  @Column({ ...moneyColumn, default: 0 })
  money: Big;
}
