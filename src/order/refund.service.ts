import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/errors';
import { money } from '../common/money';
import { runTx } from '../database/sql';
import { DealStockService } from '../group-buying/deal-stock.service';
import { PaymentRecordService } from '../payment/payment-record.service';
import { PAYMENT_PROVIDER, PaymentProvider, RefundOutcome } from '../payment/payment-provider';
import { TeamService } from '../team/team.service';
import { TenantScope } from '../tenant/tenant-scope';
import { CheckoutRepository } from './checkout.repository';
import { Actor, OrderLogService } from './order-log.service';
import { OrderRepository } from './order.repository';
import type { RefundStatus } from './order.entity';
import { OrderStatus } from './order-status';
import { assertTransition, sourcesOf } from './order.state';

/**
 * Refunds through the payment provider (contract §4 refundorder, §6): refundStatus `processing`
 * first (so two clicks never refund twice), then on the provider's success status 2, stock back to
 * the deal, payedCount down. A failed refund leaves the status as it was, `failed`, to be retried.
 */
@Injectable()
export class RefundService {
  private readonly logger = new Logger(RefundService.name);
  constructor(
    private readonly ds: DataSource,
    private readonly orders: OrderRepository,
    private readonly checkouts: CheckoutRepository,
    private readonly deals: DealStockService,
    private readonly teams: TeamService,
    private readonly payments: PaymentRecordService,
    private readonly audit: OrderLogService,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
  ) {}

  /** refundorder: the admin's tenant only (another tenant's order is a 404). */
  async refund(scope: TenantScope, id: number): Promise<{ refundStatus: RefundStatus; message: string }> {
    const order = Number.isSafeInteger(id) && id > 0 ? await this.orders.find(this.ds, id) : undefined;
    if (!order || Number(order.tenant_id) !== scope.tenantId) throw DomainError.notFound('订单');
    // a late payment whose automatic refund failed is sent again from here; it stays expired
    const lateRetry = Number(order.status) === OrderStatus.EXPIRED && order.refund_status === 'failed';
    if (!lateRetry) assertTransition(Number(order.status), OrderStatus.REFUNDED);
    return this.refundOrder(scope.tenantId, Number(order.id), { type: 'admin', id: scope.adminId }, '商家退款');
  }

  /**
   * Refunds one order in full through the provider. An expired order (a payment that came too late,
   * §6) is refunded in full and stays expired.
   */
  async refundOrder(tenantId: number, orderId: number, actor: Actor, reason: string): Promise<{ refundStatus: RefundStatus; message: string }> {
    const order = await this.orders.find(this.ds, orderId);
    if (!order || Number(order.tenant_id) !== tenantId) throw DomainError.notFound('订单');
    const from = Number(order.status) === OrderStatus.EXPIRED ? [OrderStatus.EXPIRED] : sourcesOf(OrderStatus.REFUNDED);
    const outRefundNo = `${order.code}R${Date.now().toString(36)}`.slice(0, 64);
    const amount = money(String(order.money));
    await runTx(this.ds, async (em) => {
      if (!(await this.orders.claimRefund(em, order.id, from))) {
        const fresh = (await this.orders.find(em, order.id))!;
        if (fresh.refund_status === 'processing') throw DomainError.conflict('退款处理中 (a refund of this order is processing)');
        assertTransition(Number(fresh.status), OrderStatus.REFUNDED);
        throw DomainError.conflict('订单状态已变化，请刷新 (order changed meanwhile)');
      }
      await this.payments.recordRefund(em, { tenantId, orderId: order.id, payNo: order.pay_no, outRefundNo, amount, reason });
      await this.audit.log(em, { tenantId, orderId: order.id, shopId: order.shop_id, action: 'refund', actor, from: order.status, detail: outRefundNo });
    });
    const checkout = (await this.checkouts.find(this.ds, Number(order.checkout_id)))!;
    let outcome: RefundOutcome;
    try {
      outcome = await this.provider.refund({ payNo: order.pay_no, outRefundNo, amount, checkoutTotal: money(String(checkout.total_price)), reason });
    } catch (e) {
      this.logger.warn(`refund ${outRefundNo} failed at the provider: ${(e as Error).message}`);
      outcome = { status: 'failed', message: (e as Error).message };
    }
    await this.applyOutcome(outRefundNo, outcome, actor);
    const message = outcome.status === 'success' ? '' : outcome.status === 'processing' ? '退款处理中' : `退款失败，可重试 (${outcome.message ?? 'provider refused'})`;
    return { refundStatus: outcome.status, message };
  }

  /** Sends a refund already recorded as processing (e.g. a late payment given back) and applies the answer. */
  async sendRecorded(outRefundNo: string, actor: Actor): Promise<RefundOutcome> {
    const r = await this.payments.findRefund(outRefundNo);
    if (!r || r.status !== 'processing') return { status: 'processing' };
    const checkout = await this.checkouts.findByPayNo(r.payNo);
    let outcome: RefundOutcome;
    try {
      outcome = await this.provider.refund({ payNo: r.payNo, outRefundNo, amount: r.amount, checkoutTotal: money(String(checkout?.total_price ?? 0)), reason: r.reason });
    } catch (e) {
      outcome = { status: 'failed', message: (e as Error).message };
    }
    await this.applyOutcome(outRefundNo, outcome, actor);
    return outcome;
  }

  /** Settles a refund once (the route, a provider notify or a query): conditional on the record still processing. */
  async applyOutcome(outRefundNo: string, outcome: RefundOutcome, actor: Actor): Promise<boolean> {
    if (outcome.status === 'processing') return false;
    return runTx(this.ds, async (em) => {
      const r = await this.payments.findRefund(outRefundNo, em);
      if (!r) return false;
      if (!(await this.payments.settleRefund(em, outRefundNo, outcome.status as 'success' | 'failed', outcome.providerRefundId ?? null))) return false;
      const o = (await this.orders.find(em, r.orderId))!;
      if (outcome.status === 'failed') {
        await this.orders.setRefundStatus(em, o.id, 'failed', 'processing');
        await this.audit.log(em, { tenantId: r.tenantId, orderId: o.id, shopId: o.shop_id, action: 'refund_failed', actor, detail: (outcome.message ?? '').slice(0, 400) });
        return true;
      }
      if (Number(o.status) === OrderStatus.EXPIRED) {
        // a late payment given back: the order stays expired, its stock was never taken
        await this.orders.setRefundStatus(em, o.id, 'success', 'processing');
        await this.audit.log(em, { tenantId: r.tenantId, orderId: o.id, shopId: o.shop_id, action: 'refund_success', actor, from: o.status, to: o.status });
        return true;
      }
      const done = await this.orders.markRefunded(em, o.id, sourcesOf(OrderStatus.REFUNDED));
      if (done) {
        // a refunded seat of a forming team is given back (team row before the deal row)
        if (o.team_id !== null) await this.teams.seatRefunded(em, Number(o.team_id), o.id);
        // goods back on sale; the refunded units leave payedCount (orderCount still counts the order)
        await this.deals.giveBackRefunded(em, Number(o.group_buying_id), Number(o.qty));
        await this.audit.log(em, { tenantId: r.tenantId, orderId: o.id, shopId: o.shop_id, action: 'refund_success', actor, from: o.status, to: OrderStatus.REFUNDED });
      }
      return done;
    });
  }
}
