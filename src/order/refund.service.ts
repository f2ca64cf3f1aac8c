import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/errors';
import Big from 'big.js';
import { money } from '../common/money';
import { runTx } from '../database/sql';
import { DealStockService } from '../group-buying/deal-stock.service';
import { PaymentRecordService } from '../payment/payment-record.service';
import { PAYMENT_PROVIDER, PaymentProvider, RefundOutcome } from '../payment/payment-provider';
import { TeamService } from '../team/team.service';
import { TenantScope } from '../tenant/tenant-scope';
import { CheckoutDeductions } from './checkout-deductions';
import { CheckoutRepository } from './checkout.repository';
import { Actor, OrderLogService } from './order-log.service';
import { OrderRepository, OrderRow } from './order.repository';
import type { RefundStatus } from './order.entity';
import { OrderStatus } from './order-status';
import { assertTransition, sourcesOf } from './order.state';
import { isPreSaleOrder } from './presale.view';

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
    private readonly deductions: CheckoutDeductions,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
  ) {}

  /** refundorder: the admin's tenant only (another tenant's order is a 404). */
  async refund(scope: TenantScope, id: number): Promise<{ refundStatus: RefundStatus; message: string }> {
    const order = Number.isSafeInteger(id) && id > 0 ? await this.orders.find(this.ds, id) : undefined;
    if (!order || Number(order.tenant_id) !== scope.tenantId) throw DomainError.notFound('订单');
    // a late payment whose automatic refund failed is sent again from here; its order stays expired/closed
    if (!isLateRefund(order)) assertTransition(Number(order.status), OrderStatus.REFUNDED);
    else if (isPreSaleOrder(order) && !order.tail_transaction_id)
      throw DomainError.conflict('尾款逾期，定金不退 (the deposit of a closed pre-sale order is kept)');
    return this.refundOrder(scope.tenantId, Number(order.id), { type: 'admin', id: scope.adminId }, '商家退款');
  }

  /**
   * Refunds one order in full through the provider. An order keeps one out_refund_no across every
   * retry (the provider treats a repeat as the same refund, so it can never pay twice); a refund still
   * processing or abnormal is not asked again (409). An order of a late payment (§6) stays as it is.
   */
  async refundOrder(
    tenantId: number,
    orderId: number,
    actor: Actor,
    reason: string,
  ): Promise<{ refundStatus: RefundStatus; message: string }> {
    const order = await this.orders.find(this.ds, orderId);
    if (!order || Number(order.tenant_id) !== tenantId) throw DomainError.notFound('订单');
    const from = isLateRefund(order) ? [Number(order.status)] : sourcesOf(OrderStatus.REFUNDED);
    const previous = await this.payments.latestOf(order.id);
    const checkout = (await this.checkouts.find(this.ds, Number(order.checkout_id)))!;
    const paid = money(String(checkout.total_price));
    // one refund per payment: a pre-sale order paid twice is refunded twice, each against its own transaction
    const parts: RefundPart[] = isPreSaleOrder(order)
      ? preSaleRefundParts(order, paid)
      : [
          {
            payNo: order.pay_no,
            outRefundNo: previous?.outRefundNo ?? orderRefundNo(order.code),
            amount: money(String(order.money)),
            total: paid,
          },
        ];
    const sent: RefundPart[] = [];
    await runTx(this.ds, async (em) => {
      if (!(await this.orders.claimRefund(em, order.id, from))) {
        const fresh = (await this.orders.find(em, order.id))!;
        refusedRefund(fresh.refund_status);
        assertTransition(Number(fresh.status), OrderStatus.REFUNDED);
        throw DomainError.conflict('订单状态已变化，请刷新 (order changed meanwhile)');
      }
      for (const { payNo, outRefundNo, amount, total } of parts) {
        // a part already given back (the other one failed and is retried) is not asked again
        if (isPreSaleOrder(order) && (await this.payments.findRefund(outRefundNo, em))?.status === 'success') continue;
        // never more than was paid, whatever happened to the other orders of the checkout
        if ((await this.payments.committedOf(em, payNo)).plus(amount).gt(total)) {
          throw DomainError.conflict('退款金额超过实付金额 (refunds would exceed what was paid)');
        }
        if (!(await this.payments.openRefund(em, { tenantId, orderId: order.id, payNo, outRefundNo, amount, reason }))) {
          throw DomainError.conflict('退款处理中 (a refund of this order is processing)');
        }
        sent.push({ payNo, outRefundNo, amount, total });
      }
      await this.audit.log(em, {
        tenantId,
        orderId: order.id,
        shopId: order.shop_id,
        action: 'refund',
        actor,
        from: order.status,
        detail: sent.map((p) => p.outRefundNo).join(','),
      });
    });
    let outcome: RefundOutcome = { status: 'success' };
    for (const p of sent) {
      const one = await this.send({ payNo: p.payNo, outRefundNo: p.outRefundNo, amount: p.amount, checkoutTotal: p.total, reason });
      await this.applyOutcome(p.outRefundNo, one, actor);
      // the order's answer is its least settled part
      if (RANK[one.status] > RANK[outcome.status]) outcome = one;
    }
    const message =
      outcome.status === 'success'
        ? ''
        : outcome.status === 'processing'
          ? '退款处理中'
          : outcome.status === 'abnormal'
            ? '退款异常，需人工处理 (abnormal at the provider)'
            : `退款失败，可重试 (${outcome.message ?? 'provider refused'})`;
    return { refundStatus: outcome.status, message };
  }

  /** One call to the provider; an exception is an answer we did not get (processing: asked about later). */
  private async send(req: { payNo: string; outRefundNo: string; amount: Big; checkoutTotal: Big; reason: string }): Promise<RefundOutcome> {
    // an order paid wholly by points and balance has no money to send back (they come back in applyOutcome)
    if (req.amount.eq(0)) return { status: 'success' };
    try {
      return await this.provider.refund(req);
    } catch (e) {
      this.logger.warn(`refund ${req.outRefundNo}: no answer from the provider (${(e as Error).message})`);
      return { status: 'processing', message: (e as Error).message };
    }
  }

  /**
   * A refund still processing, asked about at the provider: settled when it has an answer; sent again
   * (same number) when the provider never received it. Returns what became of it.
   */
  async reconcile(outRefundNo: string, actor: Actor): Promise<{ status: RefundOutcome['status'] | 'unknown'; sent: boolean }> {
    const q = await this.provider.queryRefund(outRefundNo);
    if (q.status === 'unknown') return { status: 'unknown', sent: false };
    if (q.status === 'missing') return { status: (await this.sendRecorded(outRefundNo, actor)).status, sent: true };
    await this.applyOutcome(outRefundNo, q, actor);
    return { status: q.status, sent: false };
  }

  /** Sends a refund already recorded as processing (e.g. a late payment given back) and applies the answer. */
  async sendRecorded(outRefundNo: string, actor: Actor): Promise<RefundOutcome> {
    const r = await this.payments.findRefund(outRefundNo);
    if (!r || r.status !== 'processing') return { status: 'processing' };
    const checkout = await this.checkouts.findByPayNo(r.payNo);
    // a pre-sale balance was paid under its own out_trade_no, for the balance alone
    const total = checkout ? checkout.total_price : (await this.orders.find(this.ds, r.orderId))?.tail_money;
    const outcome = await this.send({
      payNo: r.payNo,
      outRefundNo,
      amount: r.amount,
      checkoutTotal: money(String(total ?? 0)),
      reason: r.reason,
    });
    await this.applyOutcome(outRefundNo, outcome, actor);
    return outcome;
  }

  /** Settles a refund once (the route, a provider notify or a query): conditional on the record still processing. */
  async applyOutcome(outRefundNo: string, outcome: RefundOutcome, actor: Actor): Promise<boolean> {
    if (outcome.status === 'processing') return false;
    return runTx(this.ds, async (em) => {
      const r = await this.payments.findRefund(outRefundNo, em);
      if (!r) return false;
      if (
        !(await this.payments.settleRefund(
          em,
          outRefundNo,
          outcome.status as 'success' | 'failed' | 'abnormal',
          outcome.providerRefundId ?? null,
        ))
      )
        return false;
      const o = (await this.orders.find(em, r.orderId))!;
      if (outcome.status === 'failed' || outcome.status === 'abnormal') {
        await this.orders.setRefundStatus(em, o.id, outcome.status, 'processing');
        const action = outcome.status === 'failed' ? 'refund_failed' : 'refund_abnormal';
        await this.audit.log(em, {
          tenantId: r.tenantId,
          orderId: o.id,
          shopId: o.shop_id,
          action,
          actor,
          detail: (outcome.message ?? '').slice(0, 400),
        });
        return true;
      }
      // a pre-sale order refunded in two parts changes once neither is still processing
      if (isPreSaleOrder(o) && (await this.payments.processingCountOf(em, o.id)) > 0) return true;
      if (isLateRefund(o)) {
        // a late payment given back: the order stays expired (or closed), its stock was never taken
        await this.orders.setRefundStatus(em, o.id, 'success', 'processing');
        await this.audit.log(em, {
          tenantId: r.tenantId,
          orderId: o.id,
          shopId: o.shop_id,
          action: 'refund_success',
          actor,
          from: o.status,
          to: o.status,
        });
        return true;
      }
      const done = await this.orders.markRefunded(em, o.id, sourcesOf(OrderStatus.REFUNDED));
      if (done) {
        // a refunded seat of a forming team is given back (team row before the deal row)
        if (o.team_id !== null) await this.teams.seatRefunded(em, Number(o.team_id), o.id);
        // goods back on sale; the refunded units leave payedCount (orderCount still counts the order)
        if (Number(o.status) === OrderStatus.DEPOSIT_PAID) await this.deals.giveBackDeposit(em, Number(o.group_buying_id), Number(o.qty));
        else await this.deals.giveBackRefunded(em, Number(o.group_buying_id), Number(o.qty));
        // its share of the points and balance back, its reward points taken back (§11)
        await this.deductions.refunded(em, o);
        await this.audit.log(em, {
          tenantId: r.tenantId,
          orderId: o.id,
          shopId: o.shop_id,
          action: 'refund_success',
          actor,
          from: o.status,
          to: OrderStatus.REFUNDED,
        });
      }
      return done;
    });
  }
}

interface RefundPart {
  payNo: string;
  outRefundNo: string;
  amount: Big;
  /** what that payment took: the ceiling of its refunds */
  total: Big;
}

const RANK: Record<RefundOutcome['status'], number> = { success: 0, processing: 1, failed: 2, abnormal: 3 };

/**
 * A pre-sale order's refunds (§10): the deposit against the checkout's transaction (`…R`), and the
 * balance, once paid, against its own (`…TR`). Each keeps its number across every retry.
 */
function preSaleRefundParts(o: OrderRow, checkoutTotal: Big): RefundPart[] {
  const parts: RefundPart[] = [];
  if (o.deposit_pay_time || o.tail_transaction_id)
    parts.push({ payNo: o.pay_no, outRefundNo: orderRefundNo(o.code), amount: money(String(o.deposit_money)), total: checkoutTotal });
  if (o.tail_transaction_id && o.tail_pay_no) {
    const tail = money(String(o.tail_money));
    parts.push({ payNo: o.tail_pay_no, outRefundNo: tailRefundNo(o.code), amount: tail, total: tail });
  }
  return parts;
}

/** out_refund_no of an order's refund: one per order, kept across every retry. */
export const orderRefundNo = (orderCode: string) => `${orderCode}R`;
/** out_refund_no of the refund of a pre-sale order's balance (§10): one per order, kept across retries. */
export const tailRefundNo = (orderCode: string) => `${orderCode}TR`;

/** An order whose payment came after it was expired or cancelled (§6): refunded in full, its status kept. */
const isLateRefund = (o: { status: number }) => Number(o.status) === OrderStatus.EXPIRED || Number(o.status) === OrderStatus.CLOSED;

function refusedRefund(refundStatus: string): void {
  if (refundStatus === 'processing') throw DomainError.conflict('退款处理中 (a refund of this order is processing)');
  if (refundStatus === 'abnormal')
    throw DomainError.conflict('退款异常，需人工处理，不能重试 (the refund is abnormal at the provider and needs a person)');
}
