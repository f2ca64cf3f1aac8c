import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CouponService } from '../coupon/coupon.service';
import { isDuplicateKeyError } from '../common/exception.filter';
import { money } from '../common/money';
import { dbDate, execute, forUpdate, insertId, rows } from '../database/sql';
import { newDeliverCode } from './order-code';
import { OrderStatus } from './order-status';
import { sourcesOf } from './order.state';
import { lockTeam, memberLeft, memberPaid } from '../team/team.seats';

export interface Actor {
  type: 'admin' | 'user' | 'system' | 'provider';
  id: number | null;
}

const inList = (xs: readonly number[]) => xs.join(',');

/** What a late payment (§6) came to: paid after all, to be refunded in full, or nothing to do. */
export type LateSettlement = 'paid' | 'refund' | 'noop';

/** out_refund_no of the refund of a late payment for one order: deterministic, so a retry never refunds twice. */
export const lateRefundNo = (orderCode: string) => `${orderCode}LR`;

/**
 * Checkout state changes shared by payOrder, cancel, the sweep and notifies. Each is a conditional
 * update on the checkout row (`WHERE status IN (…)`), so whoever wins does the side effects exactly
 * once and everyone else sees `false`.
 */
@Injectable()
export class SettlementService {
  private readonly logger = new Logger(SettlementService.name);
  constructor(private readonly coupons: CouponService) {}

  /**
   * Unpaid (0/7) → paid: payTime, gap-free per-deal sequence, pickup code, payedCount.
   * `notAfter`: refuse when the checkout's expire_time has passed (a payment at the same instant as
   * the sweep ends in exactly one state).
   */
  async settle(em: EntityManager, checkoutId: number, payTime: Date, actor: Actor, opts: { transactionId?: string; enforceExpiry?: boolean } = {}): Promise<boolean> {
    const from = sourcesOf(OrderStatus.PAID).filter((s) => s !== OrderStatus.EXPIRED);
    const expiry = opts.enforceExpiry === false ? '' : ' AND expire_time > ?';
    const params: unknown[] = [dbDate(em, payTime), opts.transactionId ?? null, checkoutId];
    if (expiry) params.push(dbDate(em, payTime));
    const won = await execute(em, `UPDATE checkout SET status = 1, pay_time = ?, transaction_id = ?, update_time = CURRENT_TIMESTAMP WHERE id = ? AND status IN (${inList(from)})${expiry}`, params);
    if (won !== 1) return false;
    await this.markOrdersPaid(em, checkoutId, payTime, from, actor);
    return true;
  }

  private async markOrdersPaid(em: EntityManager, checkoutId: number, payTime: Date, from: number[], actor: Actor): Promise<void> {
    const orders = await rows<{ id: number; group_buying_id: number; shop_id: number; qty: number; deliver_type: number; status: number; tenant_id: number; team_id: number | null }>(
      em,
      `SELECT id, group_buying_id, shop_id, qty, deliver_type, status, tenant_id, team_id FROM group_buying_order WHERE checkout_id = ? AND status IN (${inList(from)}) ORDER BY group_buying_id, id`,
      [checkoutId],
    );
    // team rows before deal rows (the lock order of createOrder): concurrent last seats form the team once
    const teamIds = [...new Set(orders.filter((o) => o.team_id !== null).map((o) => Number(o.team_id)))].sort((a, b) => a - b);
    for (const id of teamIds) await lockTeam(em, id);
    for (const o of orders) {
      // the deal row lock serializes sequence numbers: no gaps, no repeats
      await execute(em, 'UPDATE group_buying SET last_sequence = last_sequence + 1, payed_count = payed_count + ? WHERE id = ?', [o.qty, o.group_buying_id]);
      const [{ last_sequence }] = await rows<{ last_sequence: number }>(em, 'SELECT last_sequence FROM group_buying WHERE id = ?', [o.group_buying_id]);
      await this.payOrderRow(em, o, Number(last_sequence), payTime, from);
      await this.log(em, { tenantId: o.tenant_id, orderId: o.id, shopId: o.shop_id, action: 'pay', actor, from: o.status, to: OrderStatus.PAID });
      if (o.team_id !== null) {
        // no pickup code yet: the team hands them out when it forms (§7)
        const r = await memberPaid(em, Number(o.team_id), Number(o.id));
        if (r === 'formed') await this.log(em, { tenantId: o.tenant_id, orderId: o.id, shopId: o.shop_id, action: 'team_formed', actor, detail: `team ${o.team_id}` });
      }
    }
  }

  private async payOrderRow(em: EntityManager, o: { id: number; shop_id: number; deliver_type: number; team_id: number | null }, sequence: number, payTime: Date, from: number[]): Promise<void> {
    if (o.deliver_type !== 1 || o.team_id !== null) {
      await execute(em, `UPDATE group_buying_order SET status = 1, pay_time = ?, sequence = ?, update_time = CURRENT_TIMESTAMP WHERE id = ? AND status IN (${inList(from)})`, [
        dbDate(em, payTime),
        sequence,
        o.id,
      ]);
      return;
    }
    // 8-digit pickup code, unique among the shop's open orders (unique index on shop_id + open_deliver_code)
    for (let attempt = 0; ; attempt++) {
      const code = newDeliverCode();
      try {
        await execute(
          em,
          `UPDATE group_buying_order SET status = 1, pay_time = ?, sequence = ?, deliver_code = ?, open_deliver_code = ?, update_time = CURRENT_TIMESTAMP WHERE id = ? AND status IN (${inList(from)})`,
          [dbDate(em, payTime), sequence, code, code, o.id],
        );
        return;
      } catch (e) {
        if (!isDuplicateKeyError(e) || attempt >= 20) throw e;
      }
    }
  }

  /**
   * Unpaid (0/7) → expired (5) or closed (6): stock back to each deal, orderCount down, the coupon
   * back to its owner. `onlyIfExpired`: the sweep only releases checkouts past their expire_time.
   */
  async release(em: EntityManager, checkoutId: number, to: 5 | 6, actor: Actor, opts: { now?: Date; onlyIfExpired?: boolean } = {}): Promise<boolean> {
    const from = sourcesOf(to);
    const params: unknown[] = [to, checkoutId];
    let cond = '';
    if (opts.onlyIfExpired) {
      cond = ' AND expire_time <= ?';
      params.push(dbDate(em, opts.now ?? new Date()));
    }
    const won = await execute(em, `UPDATE checkout SET status = ?, update_time = CURRENT_TIMESTAMP WHERE id = ? AND status IN (${inList(from)})${cond}`, params);
    if (won !== 1) return false;
    const [checkout] = await rows<{ pay_no: string }>(em, 'SELECT pay_no FROM checkout WHERE id = ?', [checkoutId]);
    const orders = await rows<{ id: number; group_buying_id: number; shop_id: number; qty: number; status: number; tenant_id: number; team_id: number | null }>(
      em,
      `SELECT id, group_buying_id, shop_id, qty, status, tenant_id, team_id FROM group_buying_order WHERE checkout_id = ? AND status IN (${inList(from)}) ORDER BY group_buying_id, id`,
      [checkoutId],
    );
    await execute(em, `UPDATE group_buying_order SET status = ?, update_time = CURRENT_TIMESTAMP WHERE checkout_id = ? AND status IN (${inList(from)})`, [to, checkoutId]);
    // the unpaid place is freed (team row before the deal rows below)
    for (const o of orders) if (o.team_id !== null) await memberLeft(em, Number(o.team_id), Number(o.id));
    for (const o of orders) {
      await execute(em, 'UPDATE group_buying SET stock = stock + ?, order_count = order_count - 1 WHERE id = ?', [o.qty, o.group_buying_id]);
      await this.log(em, { tenantId: o.tenant_id, orderId: o.id, shopId: o.shop_id, action: to === 5 ? 'expire' : 'cancel', actor, from: o.status, to });
    }
    await this.coupons.returnInTx(em, checkout.pay_no);
    return true;
  }

  /**
   * A payment that landed after its checkout expired (5 → 1, contract §6). In deal-id order the stock
   * is taken again with conditional updates; when every line gets it, the checkout and its orders are
   * paid exactly as settle() does (the coupon returned at expiry stays returned: the money paid covers
   * it). When a line can't, the lines taken here are put back, everything stays 5 and the full amount
   * is recorded to be refunded (one payment_refund per order with money, refundStatus processing, an
   * order_log 'late_refund'); the caller sends the refunds. `transaction_id` set on the expired
   * checkout marks it handled, so a second call (another instance, a duplicate notify) is a 'noop'.
   */
  async settleLate(em: EntityManager, checkoutId: number, payTime: Date, actor: Actor, transactionId: string): Promise<LateSettlement> {
    const [c] = await rows<{ status: number; transaction_id: string | null }>(em, `SELECT status, transaction_id FROM checkout WHERE id = ?${forUpdate(em)}`, [checkoutId]);
    if (!c || Number(c.status) !== OrderStatus.EXPIRED || c.transaction_id) return 'noop';
    const orders = await rows<{ id: number; code: string; pay_no: string; group_buying_id: number; shop_id: number; qty: number; tenant_id: number; money: string; team_id: number | null }>(
      em,
      `SELECT id, code, pay_no, group_buying_id, shop_id, qty, tenant_id, money, team_id FROM group_buying_order WHERE checkout_id = ? AND status = ${OrderStatus.EXPIRED} ORDER BY group_buying_id, id`,
      [checkoutId],
    );
    if (!orders.length) return 'noop';
    const taken: typeof orders = [];
    // a team place was freed when its checkout expired and may be taken since: a late team payment is refunded
    const team = orders.some((o) => o.team_id !== null);
    for (const o of team ? [] : orders) {
      const got = await execute(em, 'UPDATE group_buying SET stock = stock - ?, order_count = order_count + 1 WHERE id = ? AND stock >= ?', [o.qty, o.group_buying_id, o.qty]);
      if (got !== 1) break;
      taken.push(o);
    }
    if (!team && taken.length === orders.length) {
      const won = await execute(em, `UPDATE checkout SET status = 1, pay_time = ?, transaction_id = ?, update_time = CURRENT_TIMESTAMP WHERE id = ? AND status = ${OrderStatus.EXPIRED}`, [
        dbDate(em, payTime),
        transactionId,
        checkoutId,
      ]);
      if (won === 1) {
        await this.markOrdersPaid(em, checkoutId, payTime, [OrderStatus.EXPIRED], actor);
        return 'paid';
      }
    }
    for (const o of taken) {
      await execute(em, 'UPDATE group_buying SET stock = stock + ?, order_count = order_count - 1 WHERE id = ?', [o.qty, o.group_buying_id]);
    }
    const claimed = await execute(em, `UPDATE checkout SET transaction_id = ?, update_time = CURRENT_TIMESTAMP WHERE id = ? AND status = ${OrderStatus.EXPIRED} AND transaction_id IS NULL`, [
      transactionId,
      checkoutId,
    ]);
    if (claimed !== 1) return 'noop';
    for (const o of orders) {
      const amount = money(String(o.money));
      const outRefundNo = lateRefundNo(o.code);
      if (amount.gt(0)) {
        await insertId(em, "INSERT INTO payment_refund (tenant_id, order_id, pay_no, out_refund_no, amount, status, reason) VALUES (?, ?, ?, ?, ?, 'processing', ?)", [
          o.tenant_id,
          o.id,
          o.pay_no,
          outRefundNo,
          amount.toFixed(2),
          '支付超时且库存不足，全额退款 (late payment, sold out)',
        ]);
        await execute(em, "UPDATE group_buying_order SET refund_status = 'processing', update_time = CURRENT_TIMESTAMP WHERE id = ?", [o.id]);
      }
      await this.log(em, {
        tenantId: o.tenant_id,
        orderId: o.id,
        shopId: o.shop_id,
        action: 'late_refund',
        actor,
        from: OrderStatus.EXPIRED,
        to: OrderStatus.EXPIRED,
        detail: `transaction_id=${transactionId} amount=${amount.toFixed(2)} out_refund_no=${amount.gt(0) ? outRefundNo : '-'}`,
      });
    }
    return 'refund';
  }

  async log(
    em: EntityManager,
    e: { tenantId: number; orderId: number | null; shopId: number | null; action: string; actor: Actor; from?: number | null; to?: number | null; detail?: string },
  ): Promise<void> {
    await insertId(
      em,
      'INSERT INTO order_log (tenant_id, order_id, shop_id, action, actor_type, actor_id, from_status, to_status, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [e.tenantId, e.orderId, e.shopId, e.action, e.actor.type, e.actor.id, e.from ?? null, e.to ?? null, (e.detail ?? '').slice(0, 500)],
    );
  }
}
