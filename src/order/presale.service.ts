import { Inject, Injectable, Logger } from '@nestjs/common';
import Big from 'big.js';
import { DataSource, EntityManager } from 'typeorm';
import { User } from '../auth/user.entity';
import { isDuplicateKeyError } from '../common/db-errors';
import { DomainError } from '../common/errors';
import { money } from '../common/money';
import { readDate, runTx } from '../database/sql';
import { DealStockService } from '../group-buying/deal-stock.service';
import { PaymentRecordService } from '../payment/payment-record.service';
import { PAYMENT_PROVIDER, PaymentProvider, PayOutcome } from '../payment/payment-provider';
import { newOrderCode } from './order-code';
import { Actor, OrderLogService, SYSTEM } from './order-log.service';
import { OrderRepository } from './order.repository';
import { OrderStatus, PAID_STATUSES } from './order-status';
import { PreSaleOrder, PreSaleRepository } from './presale.repository';
import { orderRefundNo, RefundService, tailRefundNo } from './refund.service';
import { DEFAULT_BATCH, errText, SweepRun } from './sweep.types';

const PROVIDER: Actor = { type: 'provider', id: null };

export type BalanceOutcome = 'paid' | 'already' | 'refunded' | 'mismatch';

/**
 * Pre-sale (contract §10) after the deposit: the balance (尾款) paid under its own out_trade_no in
 * its window, honoured when the provider reports it late, and the deadline close by the sweep
 * (deposit kept, stock back). The deposit itself is an ordinary checkout (SettlementService).
 */
@Injectable()
export class PreSaleService {
  private readonly logger = new Logger(PreSaleService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly rows: PreSaleRepository,
    private readonly orders: OrderRepository,
    private readonly deals: DealStockService,
    private readonly records: PaymentRecordService,
    private readonly refunds: RefundService,
    private readonly audit: OrderLogService,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
  ) {}

  /** payOrder on a pre-sale order whose deposit is paid: the balance, in its window only. */
  async payBalance(userId: number, orderId: number): Promise<{ paid: boolean; pay_no: string } & Record<string, string | boolean>> {
    let o = (await this.rows.find(this.ds, orderId))!;
    const status = Number(o.status);
    if (PAID_STATUSES.includes(status)) return { paid: true, pay_no: o.tail_pay_no ?? o.pay_no };
    if (status === OrderStatus.REFUNDED) throw DomainError.conflict('订单已退款 (the order was refunded)');
    if (status !== OrderStatus.DEPOSIT_PAID) throw DomainError.payTimeout('尾款已截止，订单已关闭 (the balance deadline has passed)');
    if (o.refund_status === 'processing' || o.refund_status === 'abnormal')
      throw DomainError.conflict('定金退款处理中 (the deposit is being refunded)');
    const now = new Date();
    const start = readDate(o.tail_start_time!);
    const end = readDate(o.tail_end_time!);
    if (now < start) throw DomainError.cannotBuy('尾款未开始 (the balance can be paid from the end of the deposit window)');
    if (now >= end) throw DomainError.payTimeout('尾款已截止 (the balance deadline has passed)');
    if (!o.tail_pay_no) o = await this.drawTailPayNo(o);
    const tailPayNo = o.tail_pay_no!;
    const user = await this.ds.getRepository(User).findOne({ where: { id: userId } });
    let outcome: PayOutcome;
    try {
      outcome = await this.provider.pay({
        payNo: tailPayNo,
        total: money(String(o.tail_money)),
        description: `${o.product_name} 尾款`.slice(0, 127),
        expireTime: end,
        openId: user?.openId ?? '',
      });
    } catch (e) {
      this.logger.warn(`pay balance ${tailPayNo}: provider failed: ${(e as Error).message}`);
      throw new DomainError(503, 503, '支付服务暂不可用，请稍后再试 (payment provider unavailable)');
    }
    const actor: Actor = { type: 'user', id: userId };
    if (outcome.kind === 'pending') {
      if (await runTx(this.ds, (em) => this.rows.setTailPrepay(em, o.id, outcome.prepayId)))
        return { paid: false, pay_no: tailPayNo, ...outcome.clientParams };
      await this.provider
        .close(tailPayNo)
        .catch((e: Error) => this.logger.warn(`close ${tailPayNo} after a lost race failed: ${e.message}`));
    } else {
      const won = await runTx(this.ds, (em) => this.settleBalance(em, o, new Date(), actor, outcome.transactionId, end));
      if (won) return { paid: true, pay_no: tailPayNo };
    }
    const fresh = (await this.rows.find(this.ds, o.id))!;
    if (PAID_STATUSES.includes(Number(fresh.status))) return { paid: true, pay_no: tailPayNo };
    throw DomainError.payTimeout('尾款已截止 (the balance deadline has passed)');
  }

  private async drawTailPayNo(o: PreSaleOrder): Promise<PreSaleOrder> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.rows.setTailPayNo(o.id, newOrderCode());
        return (await this.rows.find(this.ds, o.id))!;
      } catch (e) {
        if (!isDuplicateKeyError(e) || attempt >= 3) throw e;
      }
    }
  }

  /**
   * 9 → 1 (or 6 → 1 for a balance honoured after the deadline close): claimed once on the order row,
   * then sequence, payedCount and the pickup code exactly as a plain payment. Lock order: order row → deal row.
   */
  private async settleBalance(
    em: EntityManager,
    o: PreSaleOrder,
    payTime: Date,
    actor: Actor,
    transactionId: string,
    deadline: Date | null,
    from: number = OrderStatus.DEPOSIT_PAID,
  ): Promise<boolean> {
    const paid = money(String(o.deposit_money))
      .plus(money(String(o.tail_money)))
      .toFixed(2);
    if (!(await this.rows.claimBalance(em, o.id, from, payTime, transactionId, paid, deadline ? new Date() : null))) return false;
    await this.markBalancePaid(em, o, payTime, from, actor);
    return true;
  }

  private async markBalancePaid(em: EntityManager, o: PreSaleOrder, payTime: Date, from: number, actor: Actor): Promise<void> {
    const sequence = await this.deals.nextSequence(em, Number(o.group_buying_id), Number(o.qty));
    await this.orders.markPaid(em, o.id, [from], payTime, sequence, Number(o.deliver_type) === 1);
    await this.audit.log(em, {
      tenantId: o.tenant_id,
      orderId: o.id,
      shopId: o.shop_id,
      action: 'pay_balance',
      actor,
      from,
      to: OrderStatus.PAID,
    });
  }

  /** Is `payNo` a balance's out_trade_no? */
  async orderOfTailPayNo(payNo: string): Promise<PreSaleOrder | undefined> {
    return payNo ? this.rows.findByTailPayNo(payNo) : undefined;
  }

  /**
   * A balance payment the provider reports (notify or query): its amount must be the balance. Due (9):
   * paid. Closed at the deadline (6) but paid before it: the stock is taken again (6 → 1) or, sold out,
   * both payments are refunded; paid after the deadline (the provider's time_expire prevents it): the
   * balance is refunded and the deposit kept.
   */
  async settleReported(o: PreSaleOrder, transactionId: string, amount: Big, payTime: Date): Promise<BalanceOutcome> {
    if (!amount.eq(money(String(o.tail_money)))) {
      this.logger.error({
        msg: 'balance payment amount does not match the order; left for a person',
        orderId: o.id,
        amount: amount.toFixed(2),
      });
      return 'mismatch';
    }
    const outcome = await runTx(this.ds, async (em) => {
      const fresh = (await this.rows.find(em, o.id))!;
      const status = Number(fresh.status);
      if (status === OrderStatus.DEPOSIT_PAID) {
        if (await this.settleBalance(em, fresh, payTime, PROVIDER, transactionId, null)) return 'paid';
        // the deposit is being refunded: the balance goes back too
        return (await this.recordLateRefunds(em, fresh, transactionId, payTime, false, status)) ? 'refund' : 'already';
      }
      if (fresh.tail_transaction_id || !fresh.deposit_pay_time) return 'already';
      // the deposit was refunded while the balance was being paid: the balance goes back too
      if (status === OrderStatus.REFUNDED)
        return (await this.recordLateRefunds(em, fresh, transactionId, payTime, false, status)) ? 'refund' : 'already';
      if (status !== OrderStatus.CLOSED) return 'already';
      const inTime = payTime < readDate(fresh.tail_end_time!);
      if (inTime && (await this.deals.retake(em, Number(fresh.group_buying_id), Number(fresh.qty)))) {
        return (await this.settleBalance(em, fresh, payTime, PROVIDER, transactionId, null, OrderStatus.CLOSED)) ? 'paid' : 'already';
      }
      return (await this.recordLateRefunds(em, fresh, transactionId, payTime, inTime)) ? 'refund' : 'already';
    });
    if (outcome !== 'refund') return outcome;
    for (const r of await this.records.processingOf([o.id])) {
      try {
        await this.refunds.sendRecorded(r.outRefundNo, SYSTEM);
      } catch (e) {
        this.logger.error(`late balance refund ${r.outRefundNo} failed: ${(e as Error).message}`);
      }
    }
    return 'refunded';
  }

  /** The late balance is given back (and the deposit too when the balance was paid in time): recorded here, sent after commit. */
  private async recordLateRefunds(
    em: EntityManager,
    o: PreSaleOrder,
    transactionId: string,
    payTime: Date,
    inTime: boolean,
    from: number = OrderStatus.CLOSED,
  ): Promise<boolean> {
    if (!(await this.rows.claimBalance(em, o.id, from, payTime, transactionId, String(o.money), null, false))) return false;
    const parts = [{ payNo: o.tail_pay_no!, no: tailRefundNo(o.code), amount: money(String(o.tail_money)) }];
    if (inTime) parts.unshift({ payNo: o.pay_no, no: orderRefundNo(o.code), amount: money(String(o.deposit_money)) });
    const reason = inTime
      ? '尾款按时支付但库存已售出，定金与尾款全额退款 (balance paid in time, sold out)'
      : '尾款在截止后支付，退还尾款 (balance paid after the deadline)';
    for (const p of parts)
      await this.records.recordRefund(em, {
        tenantId: o.tenant_id,
        orderId: o.id,
        payNo: p.payNo,
        outRefundNo: p.no,
        amount: p.amount,
        reason,
      });
    // a refunded order keeps its refundStatus; a closed one shows the refund under way
    if (from === OrderStatus.CLOSED) await this.orders.setRefundStatus(em, o.id, 'processing');
    await this.audit.log(em, {
      tenantId: o.tenant_id,
      orderId: o.id,
      shopId: o.shop_id,
      action: 'late_refund',
      actor: PROVIDER,
      from,
      to: from,
      detail: `transaction_id=${transactionId} out_refund_no=${parts.map((p) => p.no).join(',')}`,
    });
    return true;
  }

  /**
   * The sweep's pre-sale step: balances due past their deadline are closed (9 → 6, deposit kept,
   * stock back), after asking the provider about one sent there (paid → settled; unpaid → closed
   * there first; no answer → next run); and balances sent to the provider are asked about (lost notifies).
   */
  async sweep(run: SweepRun): Promise<void> {
    const done = await this.eachOrder(
      run,
      'sweep: pre-sale order not closed, retried next run',
      this.rows.overdue.bind(this.rows),
      async (o) => {
        if (await this.closeOne(o, run)) run.touched.add(Number(o.group_buying_id));
      },
    );
    if (done && this.provider.name === 'wechat') await this.reconcilePending(run);
  }

  /**
   * Pages of `page` (keyset by id, `batchSize` at a time) through `fn`, one order at a time, within the
   * run's time budget; a failing order is counted and logged and the next run tries it again. False
   * when the budget or a stop cut the run short.
   */
  private async eachOrder(
    run: SweepRun,
    failure: string,
    page: (now: Date, afterId: number, limit: number, tenantId?: number) => Promise<PreSaleOrder[]>,
    fn: (o: PreSaleOrder) => Promise<void>,
  ): Promise<boolean> {
    const limit = run.opts.batchSize ?? DEFAULT_BATCH;
    let after = 0;
    for (;;) {
      const batch = await page(new Date(), after, limit, run.opts.tenantId);
      for (const o of batch) {
        if (run.stopping() || Date.now() >= run.deadline) {
          run.counts.partial = true;
          return false;
        }
        after = o.id;
        try {
          await fn(o);
        } catch (e) {
          run.counts.errors++;
          this.logger.warn({ msg: failure, orderId: o.id, err: errText(e) });
        }
      }
      if (batch.length < limit) return true;
    }
  }

  private async closeOne(o: PreSaleOrder, run: SweepRun): Promise<boolean> {
    if (this.provider.name === 'wechat' && o.tail_prepay_id && o.tail_pay_no) {
      const q = await this.provider.query(o.tail_pay_no);
      if (q.state === 'unknown') {
        run.counts.skipped++;
        return false;
      }
      if (q.state === 'paid') return this.count(await this.settleReported(o, q.transactionId, q.amount, new Date()), run);
      await this.provider.close(o.tail_pay_no);
    }
    const done = await runTx(this.ds, async (em) => {
      if (!(await this.rows.closeOverdue(em, o.id, new Date()))) return false;
      await this.deals.giveBack(em, Number(o.group_buying_id), Number(o.qty));
      await this.audit.log(em, {
        tenantId: o.tenant_id,
        orderId: o.id,
        shopId: o.shop_id,
        action: 'balance_overdue',
        actor: run.opts.actor ?? SYSTEM,
        from: OrderStatus.DEPOSIT_PAID,
        to: OrderStatus.CLOSED,
        detail: '尾款逾期，定金不退 (balance not paid by the deadline; deposit kept)',
      });
      return true;
    });
    if (done) run.counts.expired++;
    else run.counts.skipped++;
    return done;
  }

  private async reconcilePending(run: SweepRun): Promise<void> {
    await this.eachOrder(
      run,
      'sweep: balance reconciliation failed, retried next run',
      this.rows.pendingAtProvider.bind(this.rows),
      async (o) => {
        const q = await this.provider.query(o.tail_pay_no!);
        if (q.state === 'paid' && this.count(await this.settleReported(o, q.transactionId, q.amount, new Date()), run))
          run.touched.add(Number(o.group_buying_id));
      },
    );
  }

  private count(outcome: BalanceOutcome, run: SweepRun): boolean {
    if (outcome === 'mismatch') run.counts.errors++;
    else if (outcome === 'paid') run.counts.settled++;
    else if (outcome === 'refunded') run.counts.lateRefunds++;
    else run.counts.skipped++;
    return outcome === 'paid' || outcome === 'refunded';
  }
}
