import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { money } from '../common/money';
import { CouponService } from '../coupon/coupon.service';
import { DealStockService } from '../group-buying/deal-stock.service';
import { MemberWalletService } from '../member/member-wallet.service';
import { PaymentRecordService } from '../payment/payment-record.service';
import { TeamService } from '../team/team.service';
import { CheckoutRepository } from './checkout.repository';
import { Actor, OrderLogService } from './order-log.service';
import { OrderRepository, OrderRow } from './order.repository';
import { OrderStatus } from './order-status';
import { sourcesOf } from './order.state';
import { PreSaleRepository } from './presale.repository';
import { isPreSaleOrder } from './presale.view';

export type { Actor } from './order-log.service';

/** What a late payment (§6) came to: paid after all, to be refunded in full, or nothing to do. */
export type LateSettlement = 'paid' | 'refund' | 'noop';

/** out_refund_no of the refund of a late payment for one order: deterministic, so a retry never refunds twice. */
export const lateRefundNo = (orderCode: string) => `${orderCode}LR`;

/**
 * Checkout state changes shared by payOrder, cancel, the sweep and notifies, all inside the caller's
 * transaction. Each starts with a conditional update on the checkout row (`WHERE status IN (…)`), so
 * whoever wins does the side effects exactly once and everyone else sees `false`. Lock order: checkout
 * row → team row → deal row.
 */
@Injectable()
export class SettlementService {
  constructor(
    private readonly ds: DataSource,
    private readonly checkouts: CheckoutRepository,
    private readonly orders: OrderRepository,
    private readonly deals: DealStockService,
    private readonly coupons: CouponService,
    private readonly teams: TeamService,
    private readonly payments: PaymentRecordService,
    private readonly audit: OrderLogService,
    private readonly wallets: MemberWalletService,
    private readonly preSale: PreSaleRepository,
  ) {}

  /**
   * Unpaid (0/7) → paid: payTime, gap-free per-deal sequence, pickup code, payedCount.
   * `enforceExpiry` (default): refuse when the checkout's expire_time has passed, so a payment at the
   * same instant as the sweep ends in exactly one state.
   */
  async settle(
    em: EntityManager,
    checkoutId: number,
    payTime: Date,
    actor: Actor,
    opts: { transactionId?: string; enforceExpiry?: boolean } = {},
  ): Promise<boolean> {
    // only an unpaid checkout is paid here; one expired or cancelled meanwhile is settleLate's
    const from = sourcesOf(OrderStatus.PAID).filter(
      (s) => s !== OrderStatus.EXPIRED && s !== OrderStatus.CLOSED && s !== OrderStatus.DEPOSIT_PAID,
    );
    if (!(await this.checkouts.markPaid(em, checkoutId, from, payTime, opts.transactionId ?? null, opts.enforceExpiry !== false)))
      return false;
    await this.markOrdersPaid(em, checkoutId, payTime, from, actor);
    return true;
  }

  private async markOrdersPaid(em: EntityManager, checkoutId: number, payTime: Date, from: number[], actor: Actor): Promise<void> {
    const orders = await this.orders.ofCheckout(em, checkoutId, from);
    // team rows before deal rows (the lock order of createOrder): concurrent last seats form the team once
    const teamIds = [...new Set(orders.filter((o) => o.team_id !== null).map((o) => Number(o.team_id)))].sort((a, b) => a - b);
    for (const id of teamIds) await this.teams.lock(em, id);
    for (const o of orders) {
      // a pre-sale deposit (§10): 9, no sequence or pickup code until the balance is paid
      if (isPreSaleOrder(o) && (await this.preSale.markDepositPaid(em, o.id, from, payTime))) {
        await this.audit.log(em, {
          tenantId: o.tenant_id,
          orderId: o.id,
          shopId: o.shop_id,
          action: 'pay_deposit',
          actor,
          from: o.status,
          to: OrderStatus.DEPOSIT_PAID,
        });
        continue;
      }
      // the deal row lock serializes sequence numbers: no gaps, no repeats
      const sequence = await this.deals.nextSequence(em, Number(o.group_buying_id), Number(o.qty));
      // a team order gets its pickup code only when the team forms (§7)
      await this.orders.markPaid(em, Number(o.id), from, payTime, sequence, Number(o.deliver_type) === 1 && o.team_id === null);
      await this.audit.log(em, {
        tenantId: o.tenant_id,
        orderId: o.id,
        shopId: o.shop_id,
        action: 'pay',
        actor,
        from: o.status,
        to: OrderStatus.PAID,
      });
      if (o.team_id !== null) await this.seatPaid(em, o, actor);
    }
  }

  private async seatPaid(em: EntityManager, o: OrderRow, actor: Actor): Promise<void> {
    const teamId = Number(o.team_id);
    const r = await this.teams.seatPaid(em, teamId, Number(o.id));
    if (r === 'formed' || r === 'joined_formed') await this.giveTeamCodes(em, teamId);
    if (r === 'formed')
      await this.audit.log(em, {
        tenantId: o.tenant_id,
        orderId: o.id,
        shopId: o.shop_id,
        action: 'team_formed',
        actor,
        detail: `team ${teamId}`,
      });
  }

  /** Every paid pickup order of a formed team without a code gets one. */
  async giveTeamCodes(em: EntityManager, teamId: number): Promise<void> {
    const due = await this.orders.needingCode(em, await this.teams.formedOrderIds(em, teamId));
    for (const id of due) await this.orders.assignDeliverCode(em, id);
  }

  /**
   * Unpaid (0/7) → expired (5) or closed (6): stock back to each deal, orderCount down, the coupon
   * back to its owner. `onlyIfExpired`: the sweep only releases checkouts past their expire_time.
   */
  async release(
    em: EntityManager,
    checkoutId: number,
    to: 5 | 6,
    actor: Actor,
    opts: { now?: Date; onlyIfExpired?: boolean } = {},
  ): Promise<boolean> {
    const from = sourcesOf(to).filter((s) => s !== OrderStatus.DEPOSIT_PAID);
    if (!(await this.checkouts.release(em, checkoutId, from, to, opts.onlyIfExpired ? (opts.now ?? new Date()) : undefined))) return false;
    const checkout = await this.checkouts.find(em, checkoutId);
    const orders = await this.orders.ofCheckout(em, checkoutId, from);
    await this.orders.moveCheckoutOrders(em, checkoutId, from, to);
    // the unpaid seat is freed (team row before the deal rows below)
    for (const o of orders) if (o.team_id !== null) await this.teams.seatReleased(em, Number(o.team_id), Number(o.id));
    for (const o of orders) {
      await this.deals.giveBack(em, Number(o.group_buying_id), Number(o.qty));
      await this.audit.log(em, {
        tenantId: o.tenant_id,
        orderId: o.id,
        shopId: o.shop_id,
        action: to === OrderStatus.EXPIRED ? 'expire' : 'cancel',
        actor,
        from: o.status,
        to,
      });
    }
    await this.coupons.returnInTx(em, checkout!.pay_no);
    await this.wallets.returnForCheckouts(em, [checkoutId]);
    return true;
  }

  /**
   * A payment that landed after its checkout expired or was cancelled (5|6 → 1, contract §6). In deal-id order the stock
   * is taken again; when every line gets it, the checkout and its orders are paid exactly as settle()
   * does (the coupon returned at expiry stays returned: the money paid covers it). When a line can't,
   * the lines taken here are put back, everything stays 5 and the full amount is recorded to be
   * refunded (one refund per order with money, refundStatus processing, an order_log 'late_refund');
   * the caller sends the refunds. `transaction_id` set on the expired checkout marks it handled, so a
   * second call (another instance, a duplicate notify) is a 'noop'.
   */
  async settleLate(em: EntityManager, checkoutId: number, payTime: Date, actor: Actor, transactionId: string): Promise<LateSettlement> {
    const c = await this.checkouts.lock(em, checkoutId);
    const status = Number(c?.status);
    if (!c || (status !== OrderStatus.EXPIRED && status !== OrderStatus.CLOSED) || c.transaction_id) return 'noop';
    const orders = await this.orders.ofCheckout(em, checkoutId, [status]);
    if (!orders.length) return 'noop';
    const taken: OrderRow[] = [];
    // a team place was freed when its checkout expired and may be taken since: a late team payment is refunded,
    // and so is a late pre-sale deposit (its deposit window may be over)
    const team = orders.some((o) => o.team_id !== null || isPreSaleOrder(o));
    for (const o of team ? [] : orders) {
      if (!(await this.deals.retake(em, Number(o.group_buying_id), Number(o.qty)))) break;
      taken.push(o);
    }
    // the points and balance given back at expiry are taken again; if they are gone, the payment is refunded
    if (!team && taken.length === orders.length && (await this.wallets.retakeForCheckout(em, checkoutId))) {
      if (await this.checkouts.markPaid(em, checkoutId, [status], payTime, transactionId, false)) {
        await this.markOrdersPaid(em, checkoutId, payTime, [status], actor);
        return 'paid';
      }
      await this.wallets.returnForCheckouts(em, [checkoutId]);
    }
    for (const o of taken) await this.deals.giveBack(em, Number(o.group_buying_id), Number(o.qty));
    if (!(await this.checkouts.claimLatePayment(em, checkoutId, status, transactionId))) return 'noop';
    for (const o of orders) {
      const amount = money(String(o.money));
      const outRefundNo = lateRefundNo(o.code);
      if (amount.gt(0)) {
        await this.payments.recordRefund(em, {
          tenantId: o.tenant_id,
          orderId: o.id,
          payNo: o.pay_no,
          outRefundNo,
          amount,
          reason:
            status === OrderStatus.EXPIRED
              ? '支付超时且库存不足，全额退款 (late payment, sold out)'
              : '订单已取消且库存不足，全额退款 (paid after cancel, sold out)',
        });
        await this.orders.setRefundStatus(em, Number(o.id), 'processing');
      }
      await this.audit.log(em, {
        tenantId: o.tenant_id,
        orderId: o.id,
        shopId: o.shop_id,
        action: 'late_refund',
        actor,
        from: status,
        to: status,
        detail: `transaction_id=${transactionId} amount=${amount.toFixed(2)} out_refund_no=${amount.gt(0) ? outRefundNo : '-'}`,
      });
    }
    return 'refund';
  }

  /** A checkout's orders in `statuses` (outside any transaction). */
  ordersOf(checkoutId: number, statuses: number[]): Promise<OrderRow[]> {
    return this.orders.ofCheckout(this.ds, checkoutId, statuses);
  }
}
