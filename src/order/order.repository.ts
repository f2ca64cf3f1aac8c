import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { DataSource, EntityManager } from 'typeorm';
import { retryOnDuplicate } from '../common/db-errors';
import { dbDate, execute, forUpdate, insertId, marks, rows } from '../database/sql';
import { newDeliverCode } from './order-code';
import { OrderRollupRepository, ROLLUP_COLUMNS, RollupSource } from './order-rollup.repository';
import { DEAD_STATUSES, LIMIT_FREE_STATUSES, OrderStatus, PAID_STATUSES } from './order-status';

/** An order row as the settlement paths read it. */
export interface OrderRow {
  id: number;
  code: string;
  pay_no: string;
  checkout_id: number;
  tenant_id: number;
  shop_id: number;
  group_buying_id: number;
  user_id: number;
  status: number;
  deliver_type: number;
  qty: number;
  money: string;
  deliver_code: string | null;
  refund_status: string;
  team_id: number | null;
  /** pre-sale (§10): the deposit and the balance; null on other orders */
  deposit_money: string | null;
  tail_money: string | null;
  tail_pay_no: string | null;
  tail_transaction_id: string | null;
  deposit_pay_time: Date | string | null;
}

export interface NewOrderRow {
  code: string;
  payNo: string;
  checkoutId: number;
  tenantId: number;
  shopId: number;
  groupBuyingId: number;
  userId: number;
  deliverType: number;
  price: string;
  qty: number;
  goodsMoney: string;
  couponMoney: string;
  deliverFee: string;
  money: string;
  expireTime: Date;
  address: string;
  lbs: string;
  phone: string;
  remark: string;
  productName: string;
  spec: string;
  imagePath: string;
  teamId: number | null;
  /** pre-sale (§10) only */
  depositMoney?: string;
  tailMoney?: string;
  tailStartTime?: Date;
  tailEndTime?: Date;
}

const COLUMNS =
  'id, code, pay_no, checkout_id, tenant_id, shop_id, group_buying_id, user_id, status, deliver_type, qty, money, deliver_code, refund_status, team_id, ' +
  'deposit_money, tail_money, tail_pay_no, tail_transaction_id, deposit_pay_time';

/**
 * Every write to the order tables (group_buying_order, order_log, order_review) and the reads the
 * money paths make under their locks. Status changes are conditional on the statuses the state
 * machine allows (`WHERE status IN (…)`), so a lost race changes nothing.
 */
@Injectable()
export class OrderRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly rollup: OrderRollupRepository,
  ) {}

  /** New unpaid orders; create_time is set here so the rollup knows their day without reading them back. */
  async insertAll(em: EntityManager, list: NewOrderRow[]): Promise<void> {
    const cols = `(${marks(29)})`;
    const now = new Date();
    const createTime = dbDate(em, now);
    const params = list.flatMap((o) => [
      createTime,
      o.code,
      o.payNo,
      o.checkoutId,
      o.tenantId,
      o.shopId,
      o.groupBuyingId,
      o.userId,
      OrderStatus.UNPAID,
      o.deliverType,
      o.price,
      o.qty,
      o.goodsMoney,
      o.couponMoney,
      o.deliverFee,
      o.money,
      dbDate(em, o.expireTime),
      o.address,
      o.lbs,
      o.phone,
      o.remark,
      o.productName,
      o.spec,
      o.imagePath,
      o.teamId,
      o.depositMoney ?? null,
      o.tailMoney ?? null,
      o.tailStartTime ? dbDate(em, o.tailStartTime) : null,
      o.tailEndTime ? dbDate(em, o.tailEndTime) : null,
    ]);
    await execute(
      em,
      `INSERT INTO group_buying_order (create_time, code, pay_no, checkout_id, tenant_id, shop_id, group_buying_id, user_id, status, deliver_type, price, qty, goods_money, coupon_money, deliver_fee, money, expire_time, address, lbs, phone, remark, product_name, spec, image_path, team_id, deposit_money, tail_money, tail_start_time, tail_end_time) VALUES ${list.map(() => cols).join(', ')}`,
      params,
    );
    for (const o of list) {
      const src: RollupSource = {
        tenant_id: o.tenantId,
        create_time: now,
        shop_id: o.shopId,
        group_buying_id: o.groupBuyingId,
        status: OrderStatus.UNPAID,
        deliver_type: o.deliverType,
        qty: o.qty,
        money: o.money,
      };
      await this.rollup.record(em, src, 1);
    }
  }

  /**
   * Locks the orders a status change is about to move (the same WHERE as its UPDATE) and returns what
   * the rollup needs of them; `done` records the move once the UPDATE changed exactly those rows.
   */
  private async moving(em: EntityManager, where: string, params: unknown[]) {
    const found = await rows<RollupSource>(em, `SELECT ${ROLLUP_COLUMNS} FROM group_buying_order WHERE ${where}${forUpdate(em)}`, params);
    return async (affected: number, to: number): Promise<void> => {
      if (affected === 0) return;
      if (affected !== found.length) throw new Error(`order rollup: ${affected} orders moved, ${found.length} locked`);
      for (const o of found) await this.rollup.moved(em, o, to);
    };
  }

  async find(db: DataSource | EntityManager, id: number): Promise<OrderRow | undefined> {
    const [o] = await rows<OrderRow>(db, `SELECT ${COLUMNS} FROM group_buying_order WHERE id = ?`, [id]);
    return o;
  }

  async findByCode(db: DataSource | EntityManager, code: string): Promise<OrderRow | undefined> {
    const [o] = await rows<OrderRow>(db, `SELECT ${COLUMNS} FROM group_buying_order WHERE code = ?`, [code]);
    return o;
  }

  /** A checkout's orders in one of `statuses`, in deal-id order (the lock order of every path). */
  ofCheckout(em: DataSource | EntityManager, checkoutId: number, statuses: number[]): Promise<OrderRow[]> {
    return rows<OrderRow>(
      em,
      `SELECT ${COLUMNS} FROM group_buying_order WHERE checkout_id = ? AND status IN (${marks(statuses.length)}) ORDER BY group_buying_id, id`,
      [checkoutId, ...statuses],
    );
  }

  /** The orders of many checkouts in one of `statuses`, in deal-id order. */
  ofCheckouts(em: EntityManager, checkoutIds: number[], statuses: number[]): Promise<OrderRow[]> {
    return rows<OrderRow>(
      em,
      `SELECT ${COLUMNS} FROM group_buying_order WHERE checkout_id IN (${marks(checkoutIds.length)}) AND status IN (${marks(statuses.length)}) ORDER BY group_buying_id, id`,
      [...checkoutIds, ...statuses],
    );
  }

  async byIds(db: DataSource | EntityManager, ids: number[]): Promise<OrderRow[]> {
    if (!ids.length) return [];
    return rows<OrderRow>(db, `SELECT ${COLUMNS} FROM group_buying_order WHERE id IN (${marks(ids.length)}) ORDER BY id`, ids);
  }

  /** Units of the user's orders of the deal that count against its per-user limit. */
  async unitsBought(db: DataSource | EntityManager, userId: number, dealId: number): Promise<number> {
    const [{ n }] = await rows<{ n: number | string | null }>(
      db,
      `SELECT COALESCE(SUM(qty), 0) AS n FROM group_buying_order WHERE user_id = ? AND group_buying_id = ? AND status NOT IN (${marks(LIMIT_FREE_STATUSES.length)})`,
      [userId, dealId, ...LIMIT_FREE_STATUSES],
    );
    return Number(n);
  }

  /** unitsBought for several users of one deal, in one query (users with none are absent). */
  async unitsBoughtByUsers(em: EntityManager, userIds: number[], dealId: number): Promise<Map<number, number>> {
    const found = await rows<{ user_id: number; n: number | string | null }>(
      em,
      `SELECT user_id, COALESCE(SUM(qty), 0) AS n FROM group_buying_order WHERE group_buying_id = ? AND user_id IN (${marks(userIds.length)}) AND status NOT IN (${marks(LIMIT_FREE_STATUSES.length)}) GROUP BY user_id`,
      [dealId, ...userIds, ...LIMIT_FREE_STATUSES],
    );
    return new Map(found.map((r) => [Number(r.user_id), Number(r.n)]));
  }

  /** from → paid with its sequence number; a pickup order also gets its 8-digit code, unique among the shop's open orders. */
  async markPaid(em: EntityManager, id: number, from: number[], payTime: Date, sequence: number, withCode: boolean): Promise<void> {
    const done = await this.moving(em, `id = ? AND status IN (${marks(from.length)})`, [id, ...from]);
    if (!withCode) {
      const n = await execute(
        em,
        `UPDATE group_buying_order SET status = ?, pay_time = ?, sequence = ?, update_time = CURRENT_TIMESTAMP WHERE id = ? AND status IN (${marks(from.length)})`,
        [OrderStatus.PAID, dbDate(em, payTime), sequence, id, ...from],
      );
      await done(n, OrderStatus.PAID);
      return;
    }
    const n = await retryOnDuplicate(async () => {
      const code = newDeliverCode();
      return execute(
        em,
        `UPDATE group_buying_order SET status = ?, pay_time = ?, sequence = ?, deliver_code = ?, open_deliver_code = ?, update_time = CURRENT_TIMESTAMP WHERE id = ? AND status IN (${marks(from.length)})`,
        [OrderStatus.PAID, dbDate(em, payTime), sequence, code, code, id, ...from],
      );
    });
    await done(n, OrderStatus.PAID);
  }

  /** A pickup code for a paid order that has none (a team order when its team forms). */
  async assignDeliverCode(em: EntityManager, id: number): Promise<void> {
    await retryOnDuplicate(async () => {
      const code = newDeliverCode();
      await execute(
        em,
        'UPDATE group_buying_order SET deliver_code = ?, open_deliver_code = ?, update_time = CURRENT_TIMESTAMP WHERE id = ? AND deliver_code IS NULL',
        [code, code, id],
      );
    });
  }

  /** Paid pickup orders among `ids` still without a code. */
  async needingCode(em: EntityManager, ids: number[]): Promise<number[]> {
    if (!ids.length) return [];
    const found = await rows<{ id: number }>(
      em,
      `SELECT id FROM group_buying_order WHERE id IN (${marks(ids.length)}) AND status IN (?, ?) AND deliver_type = 1 AND deliver_code IS NULL ORDER BY id`,
      [...ids, OrderStatus.PAID, OrderStatus.CONFIRMED],
    );
    return found.map((r) => Number(r.id));
  }

  /** A checkout's orders in `from` → `to`. */
  async moveCheckoutOrders(em: EntityManager, checkoutId: number, from: number[], to: number): Promise<void> {
    const done = await this.moving(em, `checkout_id = ? AND status IN (${marks(from.length)})`, [checkoutId, ...from]);
    const n = await execute(
      em,
      `UPDATE group_buying_order SET status = ?, update_time = CURRENT_TIMESTAMP WHERE checkout_id = ? AND status IN (${marks(from.length)})`,
      [to, checkoutId, ...from],
    );
    await done(n, to);
  }

  /** The orders of many checkouts in `from` → `to`, one statement; how many moved. */
  async moveOrdersOfCheckouts(em: EntityManager, checkoutIds: number[], from: number[], to: number): Promise<number> {
    const where = `checkout_id IN (${marks(checkoutIds.length)}) AND status IN (${marks(from.length)})`;
    const done = await this.moving(em, where, [...checkoutIds, ...from]);
    const n = await execute(em, `UPDATE group_buying_order SET status = ?, update_time = CURRENT_TIMESTAMP WHERE ${where}`, [
      to,
      ...checkoutIds,
      ...from,
    ]);
    await done(n, to);
    return n;
  }

  /**
   * One order from `from` → `to` with optional column changes; the pickup code leaves the open-code
   * index when the order can no longer be picked up. True when this call moved it.
   */
  async move(
    em: EntityManager,
    id: number,
    from: number[],
    to: number,
    set: { trackingNo?: string; closeCode?: boolean; tenantId?: number } = {},
  ): Promise<boolean> {
    const cols = ['status = ?'];
    const params: unknown[] = [to];
    if (set.trackingNo !== undefined) {
      cols.push('tracking_no = ?');
      params.push(set.trackingNo);
    }
    if (set.closeCode) cols.push('open_deliver_code = NULL');
    const where = [id, ...from];
    let cond = '';
    if (set.tenantId !== undefined) {
      cond = ' AND tenant_id = ?';
      where.push(set.tenantId);
    }
    params.push(...where);
    const done = await this.moving(em, `id = ? AND status IN (${marks(from.length)})${cond}`, where);
    const n = await execute(
      em,
      `UPDATE group_buying_order SET ${cols.join(', ')}, update_time = CURRENT_TIMESTAMP WHERE id = ? AND status IN (${marks(from.length)})${cond}`,
      params,
    );
    await done(n, to);
    return n === 1;
  }

  /** refundStatus → processing, only from `none`/`failed` and while the order is in `from`. */
  async claimRefund(em: EntityManager, id: number, from: number[]): Promise<boolean> {
    const n = await execute(
      em,
      `UPDATE group_buying_order SET refund_status = 'processing', update_time = CURRENT_TIMESTAMP WHERE id = ? AND status IN (${marks(from.length)}) AND refund_status IN ('none', 'failed')`,
      [id, ...from],
    );
    return n === 1;
  }

  async setRefundStatus(
    em: EntityManager,
    id: number,
    to: 'processing' | 'success' | 'failed' | 'abnormal',
    onlyFrom?: 'processing',
  ): Promise<void> {
    await execute(
      em,
      `UPDATE group_buying_order SET refund_status = ?, update_time = CURRENT_TIMESTAMP WHERE id = ?${onlyFrom ? ' AND refund_status = ?' : ''}`,
      [to, id, ...(onlyFrom ? [onlyFrom] : [])],
    );
  }

  /** Refunded: status 2, refund success, the pickup code closed; only from `from` while processing. */
  async markRefunded(em: EntityManager, id: number, from: number[]): Promise<boolean> {
    const done = await this.moving(em, `id = ? AND status IN (${marks(from.length)}) AND refund_status = 'processing'`, [id, ...from]);
    const n = await execute(
      em,
      `UPDATE group_buying_order SET status = ?, refund_status = 'success', open_deliver_code = NULL, update_time = CURRENT_TIMESTAMP WHERE id = ? AND status IN (${marks(from.length)}) AND refund_status = 'processing'`,
      [OrderStatus.REFUNDED, id, ...from],
    );
    await done(n, OrderStatus.REFUNDED);
    return n === 1;
  }

  async markReviewed(em: EntityManager, id: number, userId: number, score: number, content: string): Promise<boolean> {
    const n = await execute(
      em,
      'UPDATE group_buying_order SET reviewed = 1, update_time = CURRENT_TIMESTAMP WHERE id = ? AND status = ? AND reviewed = 0',
      [id, OrderStatus.COMPLETED],
    );
    if (n !== 1) return false;
    await insertId(em, 'INSERT INTO order_review (order_id, user_id, score, content) VALUES (?, ?, ?, ?)', [id, userId, score, content]);
    return true;
  }

  /** The deals of these checkouts' orders (by pay_no, which orders are indexed by). */
  async dealsOfPayNos(payNos: string[]): Promise<number[]> {
    if (!payNos.length) return [];
    const found = await rows<{ group_buying_id: number }>(
      this.ds,
      `SELECT DISTINCT group_buying_id FROM group_buying_order WHERE pay_no IN (${marks(payNos.length)})`,
      payNos,
    );
    return found.map((r) => Number(r.group_buying_id));
  }

  /** A deal's counters from its orders: payedCount (units of paid statuses) and orderCount (orders not expired or closed). */
  async countsOfDeal(em: EntityManager, dealId: number): Promise<{ payedCount: number; orderCount: number }> {
    const [paid] = await rows<{ n: number | string | null }>(
      em,
      `SELECT COALESCE(SUM(qty), 0) AS n FROM group_buying_order WHERE group_buying_id = ? AND status IN (${marks(PAID_STATUSES.length)})`,
      [dealId, ...PAID_STATUSES],
    );
    const [live] = await rows<{ n: number | string }>(
      em,
      `SELECT COUNT(*) AS n FROM group_buying_order WHERE group_buying_id = ? AND status NOT IN (${marks(DEAD_STATUSES.length)})`,
      [dealId, ...DEAD_STATUSES],
    );
    return { payedCount: Number(paid.n ?? 0), orderCount: Number(live.n) };
  }

  /** An open pickup order with this code in the shop. */
  async byOpenCode(tenantId: number, shopId: number, code: string): Promise<OrderRow | undefined> {
    const [o] = await rows<OrderRow>(
      this.ds,
      `SELECT ${COLUMNS} FROM group_buying_order WHERE tenant_id = ? AND shop_id = ? AND open_deliver_code = ? AND deliver_type = 1`,
      [tenantId, shopId, code],
    );
    return o;
  }

  /** Each order's share of its checkout's points and balance (§11), in createOrder's transaction. */
  async setDeductionShares(em: EntityManager, shares: { code: string; amount: Big }[]): Promise<void> {
    for (const s of shares)
      await execute(em, 'UPDATE group_buying_order SET deduction_money = ? WHERE code = ?', [s.amount.toFixed(2), s.code]);
  }
}
