import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DomainError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { CheckoutSweepService } from '../order/checkout-sweep.service';
import { DealCountersService } from '../order/deal-counters.service';
import { PreSaleService } from '../order/presale.service';
import { emptyCounts, errText, SweepCounts, SweepOptions, SweepRun } from '../order/sweep.types';
import { TeamClosingService } from '../order/team-closing.service';
import { TenantScope } from '../tenant/tenant-scope';

export type { SweepCounts, SweepOptions } from '../order/sweep.types';

export const SWEEP_INTERVAL_NAME = 'order-sweep';

/** refreshorder answers within this; what is left is the next scheduled run's */
const REFRESH_BUDGET_MS = 20_000;

/**
 * The background sweep (contract §9), orchestration only: when to run, in which order, within which
 * time budget, and one log line per run. Each step is the order module's (expiry and provider
 * reconciliation, team closing, counters); exactly-once comes from their conditional updates, not
 * from this process, so two instances at once or a run killed half way return nothing twice and lose
 * nothing. The in-process `running` flag only keeps one instance's ticks from piling up.
 */
@Injectable()
export class SweepService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SweepService.name);
  private running: Promise<SweepCounts> | null = null;
  private stopping = false;

  constructor(
    private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly checkouts: CheckoutSweepService,
    private readonly teams: TeamClosingService,
    private readonly counters: DealCountersService,
    private readonly preSale: PreSaleService,
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
    const run: SweepRun = {
      opts,
      deadline: started + (opts.budgetMs ?? this.defaultBudgetMs()),
      counts: emptyCounts(),
      touched: new Set<number>(),
      stopping: () => this.stopping,
    };
    const steps: [string, () => Promise<unknown>][] = [
      ['expire', () => this.checkouts.expireBacklog(run)],
      ['pending', () => this.checkouts.reconcilePending(run)],
      ['late', () => this.checkouts.reconcileLate(run)],
      ['refunds', () => this.checkouts.reconcileRefunds(run)],
      ['presale', () => this.preSale.sweep(run)],
      [
        'teams',
        async () => {
          run.counts.teamsClosed = await this.teams.closeExpired(run);
          await this.teams.refundFailedTeams(run);
        },
      ],
      ['counters', () => this.recomputeCounters(run)],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (e) {
        run.counts.errors++;
        this.logger.error({ msg: `sweep step ${name} failed`, err: errText(e) });
      }
    }
    run.counts.durationMs = Date.now() - started;
    const { durationMs, ...rest } = run.counts;
    this.logger.log({
      msg: 'sweep run',
      ...rest,
      durationMs,
      ...(opts.tenantId ? { tenantId: opts.tenantId } : {}),
      ...(opts.dealId ? { dealId: opts.dealId } : {}),
    });
    return run.counts;
  }

  /** refreshorder: the same run, now, limited to the admin's tenant (and deal); every counter of it recomputed. */
  async refresh(scope: TenantScope, dealId?: number): Promise<{ expired: number; settled: number; dealsRecomputed: number }> {
    if (dealId !== undefined && !(await this.counters.idsOf(scope.tenantId, false)).includes(dealId)) throw DomainError.notFound('团购');
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

  /** Teams past expiry (§7) closed now, outside a full run (tests, operators). Returns how many this worker closed. */
  async closeExpiredTeams(opts: SweepOptions = {}): Promise<number> {
    const run: SweepRun = {
      opts,
      deadline: Number.POSITIVE_INFINITY,
      counts: emptyCounts(),
      touched: new Set(),
      stopping: () => this.stopping,
    };
    const closed = await this.teams.closeExpired(run);
    await this.teams.refundFailedTeams(run);
    return closed;
  }

  /** payedCount / orderCount recomputed from the orders (absolute, so concurrent runs can't double count). */
  private async recomputeCounters(run: SweepRun): Promise<void> {
    let ids = [...run.touched];
    if (run.opts.recomputeAll) {
      if (run.opts.dealId) ids = [run.opts.dealId];
      else if (run.opts.tenantId) ids = await this.counters.idsOf(run.opts.tenantId, true);
    }
    ids.sort((a, b) => a - b);
    // one deal per transaction so a stopping instance can leave between deals
    for (const id of ids) {
      if (this.stopping) return;
      await this.counters.recomputeOne(id);
      run.counts.dealsRecomputed++;
    }
  }

  private defaultBudgetMs(): number {
    return Math.min(300_000, Math.max(5_000, this.config.jobIntervalSeconds * 800));
  }
}
