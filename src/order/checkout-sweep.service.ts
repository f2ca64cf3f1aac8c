import { Inject, Injectable, Logger } from '@nestjs/common';
import Big from 'big.js';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { PaymentRecordService } from '../payment/payment-record.service';
import { PAYMENT_PROVIDER, PaymentProvider } from '../payment/payment-provider';
import { CheckoutExpiryService } from './checkout-expiry.service';
import { CheckoutRepository, CheckoutRow } from './checkout.repository';
import { SYSTEM } from './order-log.service';
import { OrderRepository } from './order.repository';
import { PaymentEventsService } from './payment-events.service';
import { RefundService } from './refund.service';
import { DEFAULT_BATCH, errText, SweepCounts, SweepRun } from './sweep.types';

/** a prepaid checkout whose notify has not come after this long is asked about (lost notifies) */
const PENDING_QUERY_AFTER_MS = 60_000;
/** refunds still processing are asked about after this long, for this long (then they are a person's) */
const REFUND_CHECK_AFTER_MS = 60_000;
const REFUND_CHECK_FOR_MS = 3 * 24 * 3600 * 1000;
const CHUNK = 500;
/** provider queries in flight at once while expiring prepaid checkouts */
const PROVIDER_CONCURRENCY = 8;

/**
 * The sweep's checkout steps (contract §6, §9): expire unpaid checkouts past their expire_time
 * (asking the provider first when a prepay was made), settle payments whose notify was lost, and send
 * again the refunds of late payments. Expiry runs in set-based batches (CheckoutExpiryService: one
 * transaction per batch, claimed with SKIP LOCKED); settlements run one checkout per transaction.
 * Either way a conditional update lets one worker win: two instances, or a run killed half way,
 * return nothing twice and lose nothing.
 */
@Injectable()
export class CheckoutSweepService {
  private readonly logger = new Logger(CheckoutSweepService.name);
  /** where the scheduled provider reconciliation steps go on next run: one batch per run, round robin */
  private readonly cursors = { pending: 0, late: 0 };

  constructor(
    private readonly ds: DataSource,
    private readonly config: AppConfig,
    private readonly checkouts: CheckoutRepository,
    private readonly orders: OrderRepository,
    private readonly expiry: CheckoutExpiryService,
    private readonly payments: PaymentEventsService,
    private readonly refunds: RefundService,
    private readonly records: PaymentRecordService,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
  ) {}

  /**
   * Unpaid (0/7) checkouts past expire_time. Those never sent to the provider are expired in
   * set-based batches (CheckoutExpiryService); with WeChat, those that were are asked about first,
   * a bounded number at once: paid ones are settled, unpaid ones closed there and then expired in
   * batches, unknown ones left for the next run.
   */
  async expireBacklog(run: SweepRun): Promise<void> {
    const wechat = this.provider.name === 'wechat';
    await this.expiry.expireDue(run, wechat);
    if (wechat && !run.counts.partial) await this.expirePrepaid(run);
  }

  private async expirePrepaid(run: SweepRun): Promise<void> {
    const limit = run.opts.batchSize ?? DEFAULT_BATCH;
    let after: { expire: Date | string; id: number } | null = null;
    for (;;) {
      if (run.stopping() || Date.now() >= run.deadline) {
        run.counts.partial = true;
        return;
      }
      const batch = await this.checkouts.dueForExpiry(new Date(), after, limit, run.opts, true);
      if (!batch.length) return;
      const settled: string[] = [];
      const unpaid: number[] = [];
      await eachBounded(batch, PROVIDER_CONCURRENCY, async (c) => {
        if (run.stopping()) return;
        try {
          const outcome = await this.askBeforeExpiry(c, run);
          if (outcome === 'settled') settled.push(c.pay_no);
          else if (outcome === 'unpaid') unpaid.push(Number(c.id));
        } catch (e) {
          run.counts.errors++;
          this.logger.warn({ msg: 'sweep: checkout not expired, retried next run', checkoutId: c.id, err: errText(e) });
        }
      });
      await this.expiry.expireIds(run, unpaid);
      await this.collectDeals(settled, run.touched);
      const last = batch[batch.length - 1];
      after = { expire: last.expire_time, id: Number(last.id) };
      if (batch.length < limit) return;
    }
  }

  /** A due checkout sent to the provider: settled when paid, closed there when unpaid (then expired by the caller), else left. */
  private async askBeforeExpiry(c: CheckoutRow, run: SweepRun): Promise<'settled' | 'unpaid' | 'left'> {
    const q = await this.provider.query(c.pay_no);
    if (q.state === 'unknown') {
      run.counts.skipped++;
      return 'left';
    }
    if (q.state === 'paid') return (await this.settlePaid(c, q.transactionId, q.amount, run.counts)) ? 'settled' : 'left';
    try {
      // a last query said unpaid: close it at the provider so it can't be paid after we give the stock back
      await this.provider.close(c.pay_no);
    } catch (e) {
      run.counts.skipped++;
      this.logger.warn({ msg: 'sweep: provider close failed, retried next run', checkoutId: Number(c.id), err: errText(e) });
      return 'left';
    }
    return 'unpaid';
  }

  /**
   * The provider says it was paid: settled through the same path as a notify (settle even past
   * expiry, as a late payment if already expired, refunded in full if its stock is gone); a payment
   * of another amount is left for a person.
   */
  private async settlePaid(c: CheckoutRow, transactionId: string, amount: Big, counts: SweepCounts): Promise<boolean> {
    const outcome = await this.payments.settleReported(Number(c.id), transactionId, amount);
    if (outcome === 'mismatch') counts.errors++;
    else if (outcome === 'paid') counts.settled++;
    else if (outcome === 'refunded') counts.lateRefunds++;
    else counts.skipped++;
    return outcome === 'paid' || outcome === 'refunded';
  }

  /**
   * Notifies can be lost (§6): unpaid checkouts sent to the provider and not yet expired are asked
   * about (the scheduled run waits a minute for the notify first); paid ones are settled.
   */
  async reconcilePending(run: SweepRun): Promise<void> {
    if (this.provider.name !== 'wechat') return;
    const now = new Date();
    const prepaidBefore = run.opts.queryAllPending ? null : new Date(now.getTime() - PENDING_QUERY_AFTER_MS);
    await this.queryEach('pending', run, (after, limit) => this.checkouts.pendingAtProvider(now, prepaidBefore, after, limit, run.opts));
  }

  /**
   * Checkouts expired within the last pay timeout that had a prepay and no transaction: a payment
   * may have landed after all (§6, late payment): take the stock again or refund.
   */
  async reconcileLate(run: SweepRun): Promise<void> {
    if (this.provider.name !== 'wechat') return;
    const now = new Date();
    const from = new Date(now.getTime() - this.config.orderPayTimeoutSeconds * 1000);
    await this.queryEach('late', run, (after, limit) => this.checkouts.expiredAfterPrepay(from, now, after, limit, run.opts));
  }

  /**
   * Checkouts of `next`, each asked about at the provider and settled when paid (errors counted, not
   * thrown). A scheduled run asks about one batch, going round the set run after run (the provider's
   * query quota is not ours to burn); refreshorder (a tenant, now) goes through all of them.
   */
  private async queryEach(
    step: keyof CheckoutSweepService['cursors'],
    run: SweepRun,
    next: (after: number, limit: number) => Promise<CheckoutRow[]>,
  ): Promise<void> {
    const limit = run.opts.batchSize ?? DEFAULT_BATCH;
    const all = !!run.opts.tenantId;
    let after = all ? 0 : this.cursors[step];
    for (;;) {
      const batch = await next(after, limit);
      const changed: string[] = [];
      for (const c of batch) {
        if (run.stopping() || Date.now() >= run.deadline) {
          run.counts.partial = true;
          break;
        }
        after = Number(c.id);
        try {
          const q = await this.provider.query(c.pay_no);
          if (q.state === 'paid' && (await this.settlePaid(c, q.transactionId, q.amount, run.counts))) changed.push(c.pay_no);
        } catch (e) {
          run.counts.errors++;
          this.logger.warn({ msg: 'sweep: provider reconciliation failed, retried next run', checkoutId: c.id, err: errText(e) });
        }
      }
      await this.collectDeals(changed, run.touched);
      const end = batch.length < limit;
      if (!all) this.cursors[step] = end ? 0 : after;
      if (!all || end || run.counts.partial) return;
    }
  }

  /**
   * Refunds in doubt (§6): still processing a minute after they were asked (the answer was lost, the
   * process died before sending, or the provider is still working) are asked about by their
   * out_refund_no and settled, or sent again under the same number when the provider never got them.
   * refreshorder (a tenant, now) asks about every one of the tenant's at once.
   */
  async reconcileRefunds(run: SweepRun): Promise<void> {
    const now = Date.now();
    const untouchedSince = run.opts.tenantId ? null : new Date(now - REFUND_CHECK_AFTER_MS);
    const stale = await this.records.stale(new Date(now - REFUND_CHECK_FOR_MS), untouchedSince, run.opts.tenantId, 100);
    let due = stale;
    if (run.opts.dealId) {
      const dealOf = new Map(
        (await this.orders.byIds(this.ds, [...new Set(stale.map((r) => r.orderId))])).map((o) => [Number(o.id), Number(o.group_buying_id)]),
      );
      due = stale.filter((r) => dealOf.get(r.orderId) === run.opts.dealId);
    }
    for (const r of due) {
      if (run.stopping() || Date.now() >= run.deadline) return;
      try {
        // touch first, so another instance's run does not ask or send it again in the same minute
        if (!(await this.records.claimForCheck(r.outRefundNo, untouchedSince))) continue;
        const { status, sent } = await this.refunds.reconcile(r.outRefundNo, run.opts.actor ?? SYSTEM);
        if (sent) run.counts.refundsSent++;
        else if (status === 'success' || status === 'abnormal' || status === 'failed') run.counts.refundsSettled++;
        if (status === 'failed' || status === 'abnormal') {
          run.counts.errors++;
          this.logger.warn({
            msg: `sweep: refund ${status} at the provider (refundorder can retry a failed one)`,
            outRefundNo: r.outRefundNo,
          });
        }
      } catch (e) {
        run.counts.errors++;
        this.logger.warn({ msg: 'sweep: refund not checked, retried next run', outRefundNo: r.outRefundNo, err: errText(e) });
      }
    }
  }

  /** The deals of checkouts this run changed (orders are indexed by pay_no). */
  async collectDeals(payNos: string[], touched: Set<number>): Promise<void> {
    for (let i = 0; i < payNos.length; i += CHUNK) {
      for (const id of await this.orders.dealsOfPayNos(payNos.slice(i, i + CHUNK))) touched.add(id);
    }
  }
}

/** `fn` over `items`, at most `bound` at once. */
async function eachBounded<T>(items: T[], bound: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(bound, items.length) }, worker));
}
