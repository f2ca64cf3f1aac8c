import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CouponService } from '../coupon/coupon.service';
import { isDuplicateKeyError } from '../common/exception.filter';
import { dbDate, execute, insertId, rows } from '../database/sql';
import { newDeliverCode } from './order-code';
import { OrderStatus } from './order-status';
import { sourcesOf } from './order.state';

export interface Actor {
  type: 'admin' | 'user' | 'system' | 'provider';
  id: number | null;
}

const inList = (xs: readonly number[]) => xs.join(',');

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
    const orders = await rows<{ id: number; group_buying_id: number; shop_id: number; qty: number; deliver_type: number; status: number; tenant_id: number }>(
      em,
      `SELECT id, group_buying_id, shop_id, qty, deliver_type, status, tenant_id FROM group_buying_order WHERE checkout_id = ? AND status IN (${inList(from)}) ORDER BY group_buying_id, id`,
      [checkoutId],
    );
    for (const o of orders) {
      // the deal row lock serializes sequence numbers: no gaps, no repeats
      await execute(em, 'UPDATE group_buying SET last_sequence = last_sequence + 1, payed_count = payed_count + ? WHERE id = ?', [o.qty, o.group_buying_id]);
      const [{ last_sequence }] = await rows<{ last_sequence: number }>(em, 'SELECT last_sequence FROM group_buying WHERE id = ?', [o.group_buying_id]);
      await this.payOrderRow(em, o, Number(last_sequence), payTime, from);
      await this.log(em, { tenantId: o.tenant_id, orderId: o.id, shopId: o.shop_id, action: 'pay', actor, from: o.status, to: OrderStatus.PAID });
    }
  }

  private async payOrderRow(em: EntityManager, o: { id: number; shop_id: number; deliver_type: number }, sequence: number, payTime: Date, from: number[]): Promise<void> {
    if (o.deliver_type !== 1) {
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
    const orders = await rows<{ id: number; group_buying_id: number; shop_id: number; qty: number; status: number; tenant_id: number }>(
      em,
      `SELECT id, group_buying_id, shop_id, qty, status, tenant_id FROM group_buying_order WHERE checkout_id = ? AND status IN (${inList(from)}) ORDER BY group_buying_id, id`,
      [checkoutId],
    );
    await execute(em, `UPDATE group_buying_order SET status = ?, update_time = CURRENT_TIMESTAMP WHERE checkout_id = ? AND status IN (${inList(from)})`, [to, checkoutId]);
    for (const o of orders) {
      await execute(em, 'UPDATE group_buying SET stock = stock + ?, order_count = order_count - 1 WHERE id = ?', [o.qty, o.group_buying_id]);
      await this.log(em, { tenantId: o.tenant_id, orderId: o.id, shopId: o.shop_id, action: to === 5 ? 'expire' : 'cancel', actor, from: o.status, to });
    }
    await this.coupons.returnInTx(em, checkout.pay_no);
    return true;
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
