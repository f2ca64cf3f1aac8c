import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import Big from 'big.js';
import { DataSource, QueryFailedError } from 'typeorm';
import { DomainError } from '../common/errors';
import { money } from '../common/money';
import { AppConfig } from '../config/app-config';
import { dbDate, execute, isMysql, rows, runTx } from '../database/sql';
import { DealCounterService } from '../group-buying/deal-counter.service';
import { OrderStatus } from '../order/order-status';
import { OrderAdminService } from '../order/order-admin.service';
import { PaymentNotifyService } from '../order/payment-notify.service';
import { Actor, SettlementService } from '../order/settlement.service';
import { PAYMENT_PROVIDER, PaymentProvider } from '../payment/payment-provider';
import { TenantScope } from '../tenant/tenant-scope';
import { addRobots, giveTeamCodes } from '../team/team.seats';

export const SWEEP_INTERVAL_NAME = 'order-sweep';

/** What one run did (also the structured log line). */
export interface SweepCounts {
  /** checkouts expired (→ 5), stock and coupon returned */
  expired: number;
  /** checkouts the provider said were paid and that were settled (→ 1), late payments included */
  settled: number;
  /** late payments (§6) that could not get their stock again: refunds recorded */
  lateRefunds: number;
  /** refunds of late payments sent to the provider */
  refundsSent: number;
  /** checkouts left for the next run (provider answer unknown, close failed, lost to another worker) */
  skipped: number;
  errors: number;
  dealsRecomputed: number;
  teamsClosed: number;
  durationMs: number;
  /** true when the time budget ended the run before the backlog was done */
  partial: boolean;
}

export interface SweepOptions {
  /** only this tenant's checkouts (refreshorder) */
  tenantId?: number;
  /** only checkouts with an order of this deal (refreshorder) */
  dealId?: number;
  /** recompute every deal of the tenant (or `dealId`), not only the deals touched by this run */
  recomputeAll?: boolean;
  /** stop starting new batches after this many ms; the rest waits for the next run */
  budgetMs?: number;
  batchSize?: number;
  /** ask the provider about unpaid checkouts sent to it even when they are younger than a minute */
  queryAllPending?: boolean;
  actor?: Actor;
}

interface CheckoutRow {
  id: number;
  pay_no: string;
  prepay_id: string | null;
  total_price: string;
  expire_time: Date | string;
}

const SYSTEM: Actor = { type: 'system', id: null };
const DEFAULT_BATCH = 200;
/** a prepaid checkout whose notify has not come after this long is asked about (lost notifies) */
const PENDING_QUERY_AFTER_MS = 60_000;
/** late refunds still processing are sent again after this long, for this long */
const LATE_REFUND_RESEND_AFTER_MS = 60_000;
const LATE_REFUND_RETRY_MS = 3 * 24 * 3600 * 1000;
const CHUNK = 500;
/** refreshorder answers within this; what is left is the next scheduled run's */
const REFRESH_BUDGET_MS = 20_000;

/**
 * The background sweep (contract §9): expire unpaid checkouts past their expire_time (asking WeChat
 * first when a prepay was made), settle payments whose notify was lost, refund late payments that
 * found no stock, close expired teams, recompute deal counters.
 *
 * Exactly-once comes from the database, not from this process: every checkout is handled in its own
 * short transaction through SettlementService, whose conditional update on the checkout row lets one
 * worker win (other instances, payOrder, cancel, notifies see `false`); counters are recomputed from
 * the orders (absolute values), never adjusted by what this run believes it did. So two instances at
 * once, or a run killed half way, return nothing twice and lose nothing. The in-process `running`
 * flag only keeps one instance's ticks from piling up.
 */
@Injectable()
export class SweepService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SweepService.name);
  private running: Promise<SweepCounts> | null = null;
  private stopping = false;
  /** where the scheduled provider reconciliation steps go on next run: one batch per run, round robin */
  private readonly cursors = { pending: 0, late: 0 };

  constructor(
    private readonly ds: DataSource,
    private readonly config: AppConfig,
    private readonly settlement: SettlementService,
    private readonly counters: DealCounterService,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    private readonly scheduler: SchedulerRegistry,
    private readonly payments: PaymentNotifyService,
    private readonly refunds: OrderAdminService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.jobsEnabled) return;
    const ref = setInterval(() => void this.tick(), this.config.jobIntervalSeconds * 1000);
    this.scheduler.addInterval(SWEEP_INTERVAL_NAME, ref);
    this.logger.log(`sweep every ${this.config.jobIntervalSeconds}s`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.scheduler.doesExist('interval', SWEEP_INTERVAL_NAME)) this.scheduler.deleteInterval(SWEEP_INTERVAL_NAME);
    // let the run in flight finish its current checkout before the connection pool closes
    if (this.running) await this.running.catch(() => undefined);
  }

  /** One scheduled tick: skipped while this instance's previous run is still going. */
  async tick(): Promise<void> {
    if (this.running || this.stopping) return;
    this.running = this.runOnce();
    try {
      await this.running;
    } catch (e) {
      this.logger.error({ msg: 'sweep run failed', err: errText(e) });
    } finally {
      this.running = null;
    }
  }

  /**
   * One run over the backlog (scheduled, refreshorder, tests, bench). Safe to call while other runs
   * (here or in another instance) are going. Never throws for one bad checkout: it is counted in
   * `errors`, logged, and retried next run.
   */
  async runOnce(opts: SweepOptions = {}): Promise<SweepCounts> {
    const started = Date.now();
    const budgetMs = opts.budgetMs ?? this.defaultBudgetMs();
    const deadline = started + budgetMs;
    const counts: SweepCounts = { expired: 0, settled: 0, lateRefunds: 0, refundsSent: 0, skipped: 0, errors: 0, dealsRecomputed: 0, teamsClosed: 0, durationMs: 0, partial: false };
    const touched = new Set<number>();
    const steps: [string, () => Promise<unknown>][] = [
      ['expire', () => this.expireBacklog(opts, deadline, counts, touched)],
      ['pending', () => this.reconcilePending(opts, deadline, counts, touched)],
      ['late', () => this.reconcileLate(opts, deadline, counts, touched)],
      ['refunds', () => this.resendLateRefunds(opts, counts)],
      [
        'teams',
        async () => {
          counts.teamsClosed = await this.closeExpiredTeams(opts, deadline, counts);
        },
      ],
      ['counters', () => this.recomputeCounters(opts, touched, counts)],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (e) {
        counts.errors++;
        this.logger.error({ msg: `sweep step ${name} failed`, err: errText(e) });
      }
    }
    counts.durationMs = Date.now() - started;
    const { durationMs, ...rest } = counts;
    this.logger.log({ msg: 'sweep run', ...rest, durationMs, ...(opts.tenantId ? { tenantId: opts.tenantId } : {}), ...(opts.dealId ? { dealId: opts.dealId } : {}) });
    return counts;
  }

  /** refreshorder: the same run, now, limited to the admin's tenant (and deal); every counter of it recomputed. */
  async refresh(scope: TenantScope, dealId?: number): Promise<{ expired: number; settled: number; dealsRecomputed: number }> {
    if (dealId !== undefined) {
      const found = await rows(this.ds, 'SELECT id FROM group_buying WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL', [dealId, scope.tenantId]);
      if (!found.length) throw DomainError.notFound('团购');
    }
    const c = await this.runOnce({
      tenantId: scope.tenantId,
      dealId,
      recomputeAll: true,
      queryAllPending: true,
      actor: { type: 'admin', id: scope.adminId },
      budgetMs: REFRESH_BUDGET_MS,
    });
    return { expired: c.expired, settled: c.settled, dealsRecomputed: c.dealsRecomputed };
  }

  /**
   * Teams past expire_at that have not formed (§7), in batches, each in its own short transaction
   * whose first statement is the conditional `UPDATE team SET status = … WHERE status = 'active'`:
   * one worker wins a team, the others change nothing. With the deal's virtualTeam (and at least one
   * paid member) the team is completed with robots and succeeds, else it fails; either way unpaid
   * places are released. Paid members of failed teams are then refunded (refundFailedTeams).
   * Returns the number of teams this worker closed.
   */
  async closeExpiredTeams(opts: SweepOptions = {}, deadline = Number.POSITIVE_INFINITY, counts?: SweepCounts): Promise<number> {
    const limit = opts.batchSize ?? DEFAULT_BATCH;
    let closed = 0;
    let after = 0;
    for (;;) {
      if (this.stopping || Date.now() >= deadline) {
        if (counts) counts.partial = true;
        break;
      }
      const where = ["t.status = 'active'", 't.expire_at <= ?', 't.id > ?'];
      const params: unknown[] = [dbDate(this.ds, new Date()), after];
      if (opts.tenantId) {
        where.push('t.tenant_id = ?');
        params.push(opts.tenantId);
      }
      if (opts.dealId) {
        where.push('t.group_buying_id = ?');
        params.push(opts.dealId);
      }
      const batch = await rows<{ id: number; virtual_team: number | boolean }>(
        this.ds,
        `SELECT t.id, g.virtual_team FROM team t JOIN group_buying g ON g.id = t.group_buying_id WHERE ${where.join(' AND ')} ORDER BY t.id LIMIT ${limit}`,
        params,
      );
      for (const t of batch) {
        if (this.stopping) break;
        after = Number(t.id);
        try {
          if (await this.closeTeam(Number(t.id), t.virtual_team === true || Number(t.virtual_team) === 1, opts.actor ?? SYSTEM)) closed++;
        } catch (e) {
          if (counts) counts.errors++;
          this.logger.warn({ msg: 'sweep: team not closed, retried next run', teamId: t.id, err: errText(e) });
        }
      }
      if (batch.length < limit) break;
    }
    await this.refundFailedTeams(opts, counts);
    return closed;
  }

  /** One expired team, exactly once across workers. False when another worker (or a provider answer we lack) got in the way. */
  private async closeTeam(teamId: number, virtualTeam: boolean, actor: Actor): Promise<boolean> {
    const pending = await rows<CheckoutRow>(
      this.ds,
      "SELECT c.id, c.pay_no, c.prepay_id, c.total_price, c.expire_time FROM team_member m JOIN group_buying_order o ON o.id = m.order_id JOIN checkout c ON c.id = o.checkout_id WHERE m.team_id = ? AND m.status = 'pending' AND c.status IN (0, 7) ORDER BY c.id",
      [teamId],
    );
    // places sent to WeChat: settle the ones paid, close the others there first (no payment may land on a freed place)
    for (const c of pending.filter((p) => this.asksProvider(p))) {
      const q = await this.provider.query(c.pay_no);
      if (q.state === 'unknown') return false;
      if (q.state === 'paid') {
        await this.payments.settlePaid(Number(c.id), q.transactionId, new Date());
        continue;
      }
      await this.provider.close(c.pay_no);
    }
    return runTx(this.ds, async (em) => {
      const [t] = await rows<{ pay_user_count: number; team_size: number }>(em, 'SELECT pay_user_count, team_size FROM team WHERE id = ?', [teamId]);
      if (!t) return false;
      const robots = virtualTeam && Number(t.pay_user_count) > 0;
      // the winner's first statement: the team row lock, and whoever loses changes nothing
      const won = await execute(em, `UPDATE team SET status = ?, update_time = CURRENT_TIMESTAMP WHERE id = ? AND status = 'active' AND expire_at <= ?`, [
        robots ? 'success' : 'fail',
        teamId,
        dbDate(em, new Date()),
      ]);
      if (won !== 1) return false;
      const unpaid = await rows<{ checkout_id: number }>(
        em,
        "SELECT DISTINCT o.checkout_id FROM team_member m JOIN group_buying_order o ON o.id = m.order_id WHERE m.team_id = ? AND m.status = 'pending' ORDER BY o.checkout_id",
        [teamId],
      );
      for (const c of unpaid) await this.settlement.release(em, Number(c.checkout_id), OrderStatus.EXPIRED, actor);
      const [fresh] = await rows<{ pay_user_count: number; team_size: number; tenant_id: number }>(em, 'SELECT pay_user_count, team_size, tenant_id FROM team WHERE id = ?', [teamId]);
      if (robots) {
        await addRobots(em, teamId, Math.max(0, Number(fresh.team_size) - Number(fresh.pay_user_count)));
        await execute(em, "UPDATE team_member SET status = 'success', update_time = CURRENT_TIMESTAMP WHERE team_id = ? AND status = 'paid'", [teamId]);
        await giveTeamCodes(em, teamId);
      }
      await this.settlement.log(em, { tenantId: Number(fresh.tenant_id), orderId: null, shopId: null, action: robots ? 'team_robots' : 'team_fail', actor, detail: `team ${teamId}` });
      return true;
    });
  }

  /**
   * Paid members of failed teams get their money back through the refund path (after the team's
   * transaction committed). Idempotent: an order whose refund succeeded marks its member `fail`; one
   * processing is left to the provider's answer; one that failed is sent again next run.
   */
  private async refundFailedTeams(opts: SweepOptions, counts?: SweepCounts): Promise<void> {
    const where = ["t.status = 'fail'", "m.status = 'paid'"];
    const params: unknown[] = [];
    if (opts.tenantId) {
      where.push('t.tenant_id = ?');
      params.push(opts.tenantId);
    }
    const due = await rows<{ member_id: number; order_id: number; tenant_id: number; status: number; refund_status: string }>(
      this.ds,
      `SELECT m.id AS member_id, o.id AS order_id, o.tenant_id, o.status, o.refund_status FROM team_member m JOIN team t ON t.id = m.team_id JOIN group_buying_order o ON o.id = m.order_id WHERE ${where.join(' AND ')} ORDER BY m.id LIMIT 500`,
      params,
    );
    for (const d of due) {
      if (this.stopping) return;
      try {
        let refunded = Number(d.status) === OrderStatus.REFUNDED || d.refund_status === 'success';
        if (!refunded && d.refund_status !== 'processing') {
          const out = await this.refunds.refundOrder(Number(d.tenant_id), Number(d.order_id), opts.actor ?? SYSTEM, '拼团失败，全额退款 (team failed)');
          if (out.refundStatus === 'failed') {
            if (counts) counts.errors++;
            this.logger.warn({ msg: 'sweep: team refund failed at the provider, retried next run', orderId: d.order_id, reason: out.message });
          } else if (counts) counts.refundsSent++;
          refunded = out.refundStatus === 'success';
        }
        if (refunded) {
          await runTx(this.ds, (em) => execute(em, "UPDATE team_member SET status = 'fail', update_time = CURRENT_TIMESTAMP WHERE id = ? AND status = 'paid'", [d.member_id]));
        }
      } catch (e) {
        // another worker's refund of the same order is processing (409), or the order changed meanwhile
        this.logger.warn({ msg: 'sweep: team refund skipped, retried next run', orderId: d.order_id, err: errText(e) });
      }
    }
  }

  // ---------- steps ----------

  /** Unpaid (0/7) checkouts past expire_time, oldest first, in batches, one transaction each. */
  private async expireBacklog(opts: SweepOptions, deadline: number, counts: SweepCounts, touched: Set<number>): Promise<void> {
    const limit = opts.batchSize ?? DEFAULT_BATCH;
    let after: { expire: Date | string; id: number } | null = null;
    for (;;) {
      if (this.stopping || Date.now() >= deadline) {
        counts.partial = true;
        return;
      }
      const batch = await this.dueBatch(opts, new Date(), after, limit);
      if (!batch.length) return;
      const changed: string[] = [];
      for (const c of batch) {
        if (this.stopping) break;
        try {
          if (await this.expireOne(c, opts, counts)) changed.push(c.pay_no);
        } catch (e) {
          counts.errors++;
          this.logger.warn({ msg: 'sweep: checkout not expired, retried next run', checkoutId: c.id, err: errText(e) });
        }
      }
      await this.collectDeals(changed, touched);
      const last = batch[batch.length - 1];
      after = { expire: last.expire_time, id: Number(last.id) };
      if (batch.length < limit) return;
    }
  }

  /**
   * The next `limit` due checkouts after the cursor, oldest first. One indexed query per unpaid status
   * (0, 7), merged here: `status IN (0, 7) ORDER BY expire_time` would sort the whole backlog each batch.
   */
  private async dueBatch(opts: SweepOptions, now: Date, after: { expire: Date | string; id: number } | null, limit: number): Promise<CheckoutRow[]> {
    const found: CheckoutRow[] = [];
    for (const status of [OrderStatus.UNPAID, OrderStatus.PAY_FAILED]) {
      const where = [`c.status = ${status}`, 'c.expire_time <= ?'];
      const params: unknown[] = [dbDate(this.ds, now)];
      this.scopeFilter(opts, where, params);
      if (after) {
        // keyset: a checkout left behind (unknown, error) is not picked again in this run
        where.push('c.expire_time >= ?', '(c.expire_time > ? OR c.id > ?)');
        params.push(after.expire, after.expire, after.id);
      }
      found.push(
        ...(await rows<CheckoutRow>(
          this.ds,
          `SELECT c.id, c.pay_no, c.prepay_id, c.total_price, c.expire_time FROM checkout c WHERE ${where.join(' AND ')} ORDER BY c.expire_time, c.id LIMIT ${limit}`,
          params,
        )),
      );
    }
    return found.sort((a, b) => timeOf(a.expire_time) - timeOf(b.expire_time) || Number(a.id) - Number(b.id)).slice(0, limit);
  }

  /** True when this worker changed the checkout (expired or settled it). */
  private async expireOne(c: CheckoutRow, opts: SweepOptions, counts: SweepCounts): Promise<boolean> {
    const actor = opts.actor ?? SYSTEM;
    const id = Number(c.id);
    if (this.asksProvider(c)) {
      const q = await this.provider.query(c.pay_no);
      if (q.state === 'unknown') {
        counts.skipped++;
        return false;
      }
      if (q.state === 'paid') return this.settlePaid(c, q.transactionId, q.amount, counts);
      try {
        // a last query said unpaid: close it at WeChat so it can't be paid after we give the stock back
        await this.provider.close(c.pay_no);
      } catch (e) {
        counts.skipped++;
        this.logger.warn({ msg: 'sweep: provider close failed, retried next run', checkoutId: id, err: errText(e) });
        return false;
      }
    }
    const done = await runTx(this.ds, (em) => this.settlement.release(em, id, OrderStatus.EXPIRED, actor, { now: new Date(), onlyIfExpired: true }));
    if (done) counts.expired++;
    else counts.skipped++;
    return done;
  }

  /**
   * The provider says it was paid: settled through the same path as a notify (PaymentNotifyService:
   * settle even past expiry, as a late payment if already expired, refunded in full if its stock is gone).
   */
  private async settlePaid(c: CheckoutRow, transactionId: string, amount: Big, counts: SweepCounts): Promise<boolean> {
    const id = Number(c.id);
    if (!amount.eq(money(String(c.total_price)))) {
      counts.errors++;
      this.logger.error({ msg: 'sweep: provider amount does not match the checkout; left for a person', checkoutId: id, payNo: c.pay_no, amount: amount.toFixed(2) });
      return false;
    }
    const outcome = await this.payments.settlePaid(id, transactionId, new Date());
    if (outcome === 'paid') counts.settled++;
    else if (outcome === 'refunded') counts.lateRefunds++;
    else counts.skipped++;
    return outcome !== 'already';
  }

  /**
   * Notifies can be lost (§6): unpaid checkouts sent to WeChat and not yet expired are asked about
   * (the scheduled run waits a minute for the notify first); paid ones are settled. Unpaid ones are
   * left alone: their time is not up.
   */
  private async reconcilePending(opts: SweepOptions, deadline: number, counts: SweepCounts, touched: Set<number>): Promise<void> {
    if (this.provider.name !== 'wechat') return;
    const limit = opts.batchSize ?? DEFAULT_BATCH;
    const now = new Date();
    const where = ['c.status IN (0, 7)', 'c.expire_time > ?', 'c.prepay_id IS NOT NULL'];
    const params: unknown[] = [dbDate(this.ds, now)];
    if (!opts.queryAllPending) {
      where.push('c.prepay_time <= ?');
      params.push(dbDate(this.ds, new Date(now.getTime() - PENDING_QUERY_AFTER_MS)));
    }
    this.scopeFilter(opts, where, params);
    await this.queryEach('pending', opts, where, params, limit, deadline, counts, touched, async (c) => {
      const q = await this.provider.query(c.pay_no);
      if (q.state !== 'paid') return false;
      return this.settlePaid(c, q.transactionId, q.amount, counts);
    });
  }

  /**
   * Checkouts expired within the last pay timeout that had a prepay and no transaction: a payment
   * may have landed after all (§6, late payment): take the stock again or refund.
   */
  private async reconcileLate(opts: SweepOptions, deadline: number, counts: SweepCounts, touched: Set<number>): Promise<void> {
    if (this.provider.name !== 'wechat') return;
    const limit = opts.batchSize ?? DEFAULT_BATCH;
    const now = new Date();
    const where = [`c.status = ${OrderStatus.EXPIRED}`, 'c.expire_time > ?', 'c.expire_time <= ?', 'c.prepay_id IS NOT NULL', 'c.transaction_id IS NULL'];
    const params: unknown[] = [dbDate(this.ds, new Date(now.getTime() - this.config.orderPayTimeoutSeconds * 1000)), dbDate(this.ds, now)];
    this.scopeFilter(opts, where, params, [OrderStatus.EXPIRED]);
    await this.queryEach('late', opts, where, params, limit, deadline, counts, touched, async (c) => {
      const q = await this.provider.query(c.pay_no);
      if (q.state !== 'paid') return false;
      return this.settlePaid(c, q.transactionId, q.amount, counts);
    });
  }

  /**
   * Checkouts matching `where`, each handled by `fn` (errors counted, not thrown). A scheduled run asks
   * about one batch, going round the set run after run (WeChat's query quota is not ours to burn);
   * refreshorder (a tenant, now) goes through all of them within its budget.
   */
  private async queryEach(
    step: keyof SweepService['cursors'],
    opts: SweepOptions,
    where: string[],
    params: unknown[],
    limit: number,
    deadline: number,
    counts: SweepCounts,
    touched: Set<number>,
    fn: (c: CheckoutRow) => Promise<boolean>,
  ): Promise<void> {
    const all = !!opts.tenantId;
    let after = all ? 0 : this.cursors[step];
    for (;;) {
      const batch = await rows<CheckoutRow>(
        this.ds,
        `SELECT c.id, c.pay_no, c.prepay_id, c.total_price, c.expire_time FROM checkout c WHERE ${[...where, 'c.id > ?'].join(' AND ')} ORDER BY c.id LIMIT ${limit}`,
        [...params, after],
      );
      const changed: string[] = [];
      for (const c of batch) {
        if (this.stopping || Date.now() >= deadline) {
          counts.partial = true;
          break;
        }
        after = Number(c.id);
        try {
          if (await fn(c)) changed.push(c.pay_no);
        } catch (e) {
          counts.errors++;
          this.logger.warn({ msg: 'sweep: provider reconciliation failed, retried next run', checkoutId: c.id, err: errText(e) });
        }
      }
      await this.collectDeals(changed, touched);
      const end = batch.length < limit;
      if (!all) this.cursors[step] = end ? 0 : after;
      if (!all || end || counts.partial) return;
    }
  }

  /**
   * Refunds of late payments recorded by settleLate and still `processing` a minute later (the process
   * died before sending them, or WeChat is still working on them): sent again with the same
   * out_refund_no, which WeChat treats as the same refund, and the answer applied once.
   */
  private async resendLateRefunds(opts: SweepOptions, counts: SweepCounts): Promise<void> {
    const now = Date.now();
    const where = ["r.status = 'processing'", 'r.create_time >= ?', 'r.update_time <= ?', `o.status = ${OrderStatus.EXPIRED}`];
    const params: unknown[] = [dbDate(this.ds, new Date(now - LATE_REFUND_RETRY_MS)), dbDate(this.ds, new Date(now - LATE_REFUND_RESEND_AFTER_MS))];
    if (opts.tenantId) {
      where.push('r.tenant_id = ?');
      params.push(opts.tenantId);
    }
    if (opts.dealId) {
      where.push('o.group_buying_id = ?');
      params.push(opts.dealId);
    }
    const due = await rows<{ out_refund_no: string }>(
      this.ds,
      `SELECT r.out_refund_no FROM payment_refund r JOIN group_buying_order o ON o.id = r.order_id WHERE ${where.join(' AND ')} ORDER BY r.id LIMIT 100`,
      params,
    );
    for (const r of due) {
      if (this.stopping) return;
      try {
        // touch first, so another instance's run does not send it again in the same minute
        const claimed = await runTx(this.ds, (em) =>
          execute(em, "UPDATE payment_refund SET update_time = CURRENT_TIMESTAMP WHERE out_refund_no = ? AND status = 'processing' AND update_time <= ?", [
            r.out_refund_no,
            dbDate(em, new Date(now - LATE_REFUND_RESEND_AFTER_MS)),
          ]),
        );
        if (claimed !== 1) continue;
        const out = await this.refunds.sendRecordedRefund(r.out_refund_no, opts.actor ?? SYSTEM);
        if (out.status === 'failed') {
          counts.errors++;
          this.logger.warn({ msg: 'sweep: late refund failed at the provider (refundorder can retry it)', outRefundNo: r.out_refund_no, reason: out.message });
        } else counts.refundsSent++;
      } catch (e) {
        counts.errors++;
        this.logger.warn({ msg: 'sweep: late refund not sent, retried next run', outRefundNo: r.out_refund_no, err: errText(e) });
      }
    }
  }

  /** payedCount / orderCount recomputed from the orders (absolute, so concurrent runs can't double count). */
  private async recomputeCounters(opts: SweepOptions, touched: Set<number>, counts: SweepCounts): Promise<void> {
    let ids = [...touched];
    if (opts.recomputeAll) {
      if (opts.dealId) ids = [opts.dealId];
      else if (opts.tenantId) ids = (await rows<{ id: number }>(this.ds, 'SELECT id FROM group_buying WHERE tenant_id = ?', [opts.tenantId])).map((r) => Number(r.id));
    }
    ids.sort((a, b) => a - b);
    // one deal per call so a stopping instance can leave between deals (see DealCounterService on why per deal)
    for (const id of ids) {
      if (this.stopping) return;
      await this.withRetry(() => this.counters.recompute([id]));
      counts.dealsRecomputed++;
    }
  }

  // ---------- helpers ----------

  /** Tenant and deal limits of a refreshorder run. */
  private scopeFilter(opts: SweepOptions, where: string[], params: unknown[], orderStatuses: number[] = [OrderStatus.UNPAID, OrderStatus.PAY_FAILED]): void {
    if (opts.tenantId) {
      where.push('c.tenant_id = ?');
      params.push(opts.tenantId);
    }
    if (opts.dealId) {
      where.push(`c.id IN (SELECT o.checkout_id FROM group_buying_order o WHERE o.group_buying_id = ? AND o.status IN (${orderStatuses.join(', ')}))`);
      params.push(opts.dealId);
    }
  }

  /** The deals of checkouts this run changed (orders are indexed by pay_no). */
  private async collectDeals(payNos: string[], touched: Set<number>): Promise<void> {
    for (let i = 0; i < payNos.length; i += CHUNK) {
      const chunk = payNos.slice(i, i + CHUNK);
      const found = await rows<{ group_buying_id: number }>(this.ds, `SELECT DISTINCT group_buying_id FROM group_buying_order WHERE pay_no IN (${chunk.map(() => '?').join(', ')})`, chunk);
      for (const r of found) touched.add(Number(r.group_buying_id));
    }
  }

  private asksProvider(c: CheckoutRow): boolean {
    return this.provider.name === 'wechat' && !!c.prepay_id;
  }

  private defaultBudgetMs(): number {
    return Math.min(300_000, Math.max(5_000, this.config.jobIntervalSeconds * 800));
  }

  /**
   * The counter UPDATE waits for the deal row that payments and expiries are writing, so it can time
   * out or be a deadlock victim: retried. On SQLite it joins the one-at-a-time transaction queue.
   */
  private async withRetry(fn: () => Promise<void>): Promise<void> {
    if (!isMysql(this.ds)) {
      await runTx(this.ds, () => fn());
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (attempt >= 5 || !isLockError(e)) throw e;
        await new Promise((r) => setTimeout(r, 10 + Math.random() * 40 * attempt));
      }
    }
  }
}

function isLockError(e: unknown): boolean {
  const code = e instanceof QueryFailedError ? (e as QueryFailedError & { driverError?: { code?: string } }).driverError?.code : undefined;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}

/** A datetime column as read back: a Date on MySQL, UTC text on SQLite. */
function timeOf(v: Date | string): number {
  return v instanceof Date ? v.getTime() : Date.parse(`${v.replace(' ', 'T')}Z`);
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
