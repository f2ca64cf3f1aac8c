import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { dbDate, execute, forUpdate, marks, rows, runTx } from '../database/sql';
import { OrderRollupRepository, ROLLUP_COLUMNS, RollupSource } from './order-rollup.repository';
import { OrderStatus } from './order-status';
import type { PreSaleOrderRow } from './presale.view';

/** A pre-sale order as the balance paths read it. */
export interface PreSaleOrder extends PreSaleOrderRow {
  id: number;
  code: string;
  pay_no: string;
  checkout_id: number;
  tenant_id: number;
  shop_id: number;
  group_buying_id: number;
  user_id: number;
  deliver_type: number;
  qty: number;
  money: string;
  product_name: string;
  refund_status: string;
  team_id: number | null;
  tail_pay_no: string | null;
  tail_prepay_id: string | null;
  tail_transaction_id: string | null;
}

const COLUMNS =
  'id, code, pay_no, checkout_id, tenant_id, shop_id, group_buying_id, user_id, status, deliver_type, qty, money, product_name, ' +
  'refund_status, team_id, deposit_money, tail_money, deposit_pay_time, tail_pay_time, tail_start_time, tail_end_time, tail_pay_no, ' +
  'tail_prepay_id, tail_transaction_id';

/**
 * The pre-sale writes to group_buying_order (contract §10): the deposit paid, the balance's own
 * out_trade_no, its prepay and its payment, the deadline close. Every change is conditional on the
 * status (and on the balance not being claimed yet), so one worker wins.
 */
@Injectable()
export class PreSaleRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly rollup: OrderRollupRepository,
  ) {}

  /** Locks the order and returns what the order rollup needs of it (every status or money change records itself there). */
  private async locked(em: EntityManager, id: number): Promise<RollupSource | undefined> {
    const [o] = await rows<RollupSource>(em, `SELECT ${ROLLUP_COLUMNS} FROM group_buying_order WHERE id = ?${forUpdate(em)}`, [id]);
    return o;
  }

  find(db: DataSource | EntityManager, id: number): Promise<PreSaleOrder | undefined> {
    return rows<PreSaleOrder>(db, `SELECT ${COLUMNS} FROM group_buying_order WHERE id = ? AND deposit_money IS NOT NULL`, [id]).then(
      (r) => r[0],
    );
  }

  findByTailPayNo(tailPayNo: string): Promise<PreSaleOrder | undefined> {
    return rows<PreSaleOrder>(this.ds, `SELECT ${COLUMNS} FROM group_buying_order WHERE tail_pay_no = ?`, [tailPayNo]).then((r) => r[0]);
  }

  /** unpaid → 已付定金 (9): no sequence and no pickup code yet. */
  async markDepositPaid(em: EntityManager, id: number, from: number[], payTime: Date): Promise<boolean> {
    const o = await this.locked(em, id);
    const n = await execute(
      em,
      `UPDATE group_buying_order SET status = ?, deposit_pay_time = ?, update_time = CURRENT_TIMESTAMP WHERE id = ? AND status IN (${marks(from.length)})`,
      [OrderStatus.DEPOSIT_PAID, dbDate(em, payTime), id, ...from],
    );
    if (n === 1 && o) await this.rollup.moved(em, o, OrderStatus.DEPOSIT_PAID);
    return n === 1;
  }

  /** The balance's out_trade_no, drawn once: false when the order already has one. */
  async setTailPayNo(id: number, tailPayNo: string): Promise<boolean> {
    const n = await runTx(this.ds, (em) =>
      execute(em, 'UPDATE group_buying_order SET tail_pay_no = ? WHERE id = ? AND tail_pay_no IS NULL', [tailPayNo, id]),
    );
    return n === 1;
  }

  /** A prepay recorded only while the balance is due: from then on the sweep asks the provider before closing it. */
  async setTailPrepay(em: EntityManager, id: number, prepayId: string): Promise<boolean> {
    const n = await execute(em, 'UPDATE group_buying_order SET tail_prepay_id = ? WHERE id = ? AND status = ?', [
      prepayId.slice(0, 64),
      id,
      OrderStatus.DEPOSIT_PAID,
    ]);
    return n === 1;
  }

  /**
   * Claims the balance payment of an order in `from` (9 due, or 6 closed at the deadline): the
   * transaction id, pay time and `money` = deposit + balance, once. `deadline`: only while the
   * balance window is open at that instant (payOrder), so a payment and the deadline close end in one state.
   * `settles`: the balance pays for the goods, so not while a refund of the order is under way (a
   * balance that is to be given back is claimed with `settles` false).
   */
  async claimBalance(
    em: EntityManager,
    id: number,
    from: number,
    payTime: Date,
    transactionId: string,
    paid: string,
    deadline: Date | null,
    settles = true,
  ): Promise<boolean> {
    const o = await this.locked(em, id);
    const params: unknown[] = [transactionId.slice(0, 64), dbDate(em, payTime), paid, id, from];
    if (deadline) params.push(dbDate(em, deadline));
    const n = await execute(
      em,
      'UPDATE group_buying_order SET tail_transaction_id = ?, tail_pay_time = ?, money = ?, update_time = CURRENT_TIMESTAMP ' +
        `WHERE id = ? AND status = ? AND deposit_pay_time IS NOT NULL AND tail_transaction_id IS NULL${settles ? " AND refund_status IN ('none', 'failed')" : ''}` +
        `${deadline ? ' AND tail_end_time > ?' : ''}`,
      params,
    );
    if (n === 1 && o) {
      // money = what has been paid so far: the rollup's money moves with it
      await this.rollup.record(em, o, -1);
      await this.rollup.record(em, { ...o, money: paid }, 1);
    }
    return n === 1;
  }

  /** 9 → 6 once the balance deadline has passed. */
  async closeOverdue(em: EntityManager, id: number, now: Date): Promise<boolean> {
    const o = await this.locked(em, id);
    const n = await execute(
      em,
      'UPDATE group_buying_order SET status = ?, update_time = CURRENT_TIMESTAMP WHERE id = ? AND status = ? AND tail_end_time <= ? AND tail_transaction_id IS NULL',
      [OrderStatus.CLOSED, id, OrderStatus.DEPOSIT_PAID, dbDate(em, now)],
    );
    if (n === 1 && o) await this.rollup.moved(em, o, OrderStatus.CLOSED);
    return n === 1;
  }

  /** Orders whose balance is due past its deadline, oldest deadline first (idx_order_tail_sweep). */
  overdue(now: Date, afterId: number, limit: number, tenantId?: number): Promise<PreSaleOrder[]> {
    return rows<PreSaleOrder>(
      this.ds,
      `SELECT ${COLUMNS} FROM group_buying_order WHERE status = ? AND tail_end_time <= ? AND id > ?${tenantId ? ' AND tenant_id = ?' : ''} ` +
        `ORDER BY id LIMIT ${Number(limit)}`,
      [OrderStatus.DEPOSIT_PAID, dbDate(this.ds, now), afterId, ...(tenantId ? [tenantId] : [])],
    );
  }

  /** Balances sent to the provider and still due in their window: their notify may be lost. */
  pendingAtProvider(now: Date, afterId: number, limit: number, tenantId?: number): Promise<PreSaleOrder[]> {
    return rows<PreSaleOrder>(
      this.ds,
      `SELECT ${COLUMNS} FROM group_buying_order WHERE status = ? AND tail_end_time > ? AND tail_prepay_id IS NOT NULL AND id > ?` +
        `${tenantId ? ' AND tenant_id = ?' : ''} ORDER BY id LIMIT ${Number(limit)}`,
      [OrderStatus.DEPOSIT_PAID, dbDate(this.ds, now), afterId, ...(tenantId ? [tenantId] : [])],
    );
  }
}
