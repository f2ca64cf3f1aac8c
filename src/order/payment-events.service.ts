import { Inject, Injectable, Logger } from '@nestjs/common';
import Big from 'big.js';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/errors';
import { money } from '../common/money';
import { runTx } from '../database/sql';
import { PaymentRecordService } from '../payment/payment-record.service';
import { NotifyEvent, NotifyHeaders, PAYMENT_PROVIDER, PaymentProvider } from '../payment/payment-provider';
import { CheckoutRepository } from './checkout.repository';
import { Actor, SYSTEM } from './order-log.service';
import { OrderStatus } from './order-status';
import { PreSaleService } from './presale.service';
import { RefundService } from './refund.service';
import { SettlementService } from './settlement.service';

const PROVIDER: Actor = { type: 'provider', id: null };

/**
 * What verified payments mean for orders (contract §6). The provider verifies and opens a notify;
 * this service checks it against the checkout and applies it once. Duplicates and out-of-order
 * notifies are harmless: every effect is a conditional update.
 */
@Injectable()
export class PaymentEventsService {
  private readonly logger = new Logger(PaymentEventsService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly checkouts: CheckoutRepository,
    private readonly settlement: SettlementService,
    private readonly refunds: RefundService,
    private readonly records: PaymentRecordService,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    private readonly preSale: PreSaleService,
  ) {}

  /** A notify, as received: verified by the provider (refusals throw), applied, then recorded. */
  async onNotify(headers: NotifyHeaders, raw: string): Promise<void> {
    const event = this.provider.verifyNotify(headers, raw);
    if (event.kind === 'paid') await this.onPaid(event);
    else if (event.kind === 'refund') await this.onRefund(event);
    await this.records.recordNotify(event.id, event.type, event.kind === 'paid' ? event.payNo : event.outTradeNo, event.raw);
  }

  private async onPaid(e: Extract<NotifyEvent, { kind: 'paid' }>): Promise<void> {
    const c = await this.checkouts.findByPayNo(e.payNo);
    if (!c && e.tradeState === 'SUCCESS') {
      // a pre-sale balance has its own out_trade_no (§10)
      const balance = await this.preSale.orderOfTailPayNo(e.payNo);
      if (
        balance &&
        e.amount &&
        (await this.preSale.settleReported(balance, e.transactionId, e.amount, e.successTime ?? new Date())) !== 'mismatch'
      )
        return;
    }
    const mismatch = !c
      ? 'out_trade_no'
      : !e.amount || !e.amount.eq(money(c.total_price))
        ? 'amount'
        : e.tradeState !== 'SUCCESS'
          ? 'trade_state'
          : null;
    if (mismatch) {
      this.logger.warn(`notify rejected: ${mismatch} does not match (out_trade_no ${e.payNo})`);
      throw new DomainError(400, 400, `${mismatch} does not match`);
    }
    await this.settle(Number(c!.id), e.transactionId, e.successTime ?? new Date());
  }

  private async onRefund(e: Extract<NotifyEvent, { kind: 'refund' }>): Promise<void> {
    if (!(await this.records.findRefund(e.outRefundNo))) throw new DomainError(400, 400, 'out_refund_no does not match');
    if (e.status === 'SUCCESS' || e.status === 'CLOSED' || e.status === 'ABNORMAL') {
      const status = e.status === 'SUCCESS' ? 'success' : e.status === 'ABNORMAL' ? 'abnormal' : 'failed';
      await this.refunds.applyOutcome(e.outRefundNo, { status, providerRefundId: e.providerRefundId, message: e.status }, PROVIDER);
    }
  }

  /**
   * A payment a provider's query reports: settled only when its amount is the checkout's (§12), else
   * left alone and logged for a person ('mismatch').
   */
  async settleReported(
    checkoutId: number,
    transactionId: string,
    amount: Big,
    payTime = new Date(),
  ): Promise<'paid' | 'already' | 'refunded' | 'mismatch'> {
    const c = await this.checkouts.find(this.ds, checkoutId);
    if (!c || !amount.eq(money(String(c.total_price)))) {
      this.logger.error({
        msg: 'provider reports a payment whose amount does not match the checkout; left for a person',
        checkoutId,
        payNo: c?.pay_no,
        amount: amount.toFixed(2),
      });
      return 'mismatch';
    }
    return this.settle(checkoutId, transactionId, payTime);
  }

  /** A verified payment of the checkout's amount: settle, or re-take stock after expiry or cancel, or refund at once. */
  private async settle(checkoutId: number, transactionId: string, payTime: Date): Promise<'paid' | 'already' | 'refunded'> {
    const outcome = await runTx(this.ds, async (em) => {
      if (await this.settlement.settle(em, checkoutId, payTime, PROVIDER, { transactionId, enforceExpiry: false })) return 'paid' as const;
      const c = await this.checkouts.find(em, checkoutId);
      if (c && (Number(c.status) === OrderStatus.EXPIRED || Number(c.status) === OrderStatus.CLOSED)) {
        const late = await this.settlement.settleLate(em, checkoutId, new Date(), PROVIDER, transactionId);
        if (late === 'paid') return 'paid' as const;
        if (late === 'refund') return 'refund' as const;
      }
      return 'already' as const;
    });
    if (outcome === 'refund') {
      await this.refundWholeCheckout(checkoutId);
      return 'refunded';
    }
    return outcome;
  }

  /** Money arrived for goods we no longer have: send the refunds settleLate recorded, order by order. */
  private async refundWholeCheckout(checkoutId: number): Promise<void> {
    const orders = await this.settlement.ordersOf(checkoutId, [OrderStatus.EXPIRED, OrderStatus.CLOSED]);
    for (const r of await this.records.processingOf(orders.map((o) => Number(o.id)))) {
      try {
        await this.refunds.sendRecorded(r.outRefundNo, SYSTEM);
      } catch (e) {
        this.logger.error(`late-payment refund ${r.outRefundNo} failed: ${(e as Error).message}`);
      }
    }
  }
}
