import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CouponService } from '../coupon/coupon.service';
import { runTx } from '../database/sql';
import { DealStockService } from '../group-buying/deal-stock.service';
import { MemberWalletService } from '../member/member-wallet.service';
import { TeamService } from '../team/team.service';
import { CheckoutRepository, CheckoutRow } from './checkout.repository';
import { OrderLogService, SYSTEM } from './order-log.service';
import { OrderRepository } from './order.repository';
import { OrderStatus } from './order-status';
import { sourcesOf } from './order.state';
import { SettlementService } from './settlement.service';
import { errText, SweepRun } from './sweep.types';

/** Checkouts claimed and expired per transaction when the run does not say otherwise. */
export const EXPIRY_BATCH = 1000;

/** What one batch transaction committed: the checkouts it expired and the deals whose stock came back. */
export interface ExpiredBatch {
  checkoutIds: number[];
  dealIds: number[];
}

/**
 * Expiry of unpaid checkouts in set-based batches (contract §9). One transaction claims a batch
 * (`FOR UPDATE SKIP LOCKED`: two instances never claim the same checkout, neither waits for the
 * other), moves its checkouts and orders with conditional updates, frees the team seats, gives back
 * the coupons, writes the order log in one multi-row INSERT and returns the stock with one UPDATE per
 * deal, last, so the deal rows a running sale needs are locked only until commit. A batch commits as
 * a whole or not at all: a run killed half way leaves its batch as it was for the next run.
 */
@Injectable()
export class CheckoutExpiryService {
  private readonly logger = new Logger(CheckoutExpiryService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly checkouts: CheckoutRepository,
    private readonly orders: OrderRepository,
    private readonly deals: DealStockService,
    private readonly coupons: CouponService,
    private readonly teams: TeamService,
    private readonly audit: OrderLogService,
    private readonly settlement: SettlementService,
    private readonly wallets: MemberWalletService,
  ) {}

  /**
   * Due checkouts in batches until none is left, the time budget is spent or the instance stops.
   * `withoutPrepay`: leave the ones sent to the provider (they are asked about first, one by one).
   */
  async expireDue(run: SweepRun, withoutPrepay: boolean): Promise<void> {
    const limit = run.opts.batchSize ?? EXPIRY_BATCH;
    for (;;) {
      if (run.stopping() || Date.now() >= run.deadline) {
        run.counts.partial = true;
        return;
      }
      const n = await this.expireBatchOrEach(run, (em, now) => this.checkouts.claimDue(em, now, limit, { scope: run.opts, withoutPrepay }));
      // a batch that failed and could not be expired one by one either waits for the next run
      if (n === null || n < limit) return;
    }
  }

  /** These checkouts (the provider said unpaid and closed them) expired in batches, when still due and unpaid. */
  async expireIds(run: SweepRun, ids: number[]): Promise<void> {
    const limit = run.opts.batchSize ?? EXPIRY_BATCH;
    for (let i = 0; i < ids.length; i += limit) {
      const part = ids.slice(i, i + limit);
      const n = await this.expireBatchOrEach(run, (em, now) => this.checkouts.claimDue(em, now, limit, { ids: part }));
      if (n === null) return;
      // the others were paid, cancelled or claimed by another worker meanwhile
      run.counts.skipped += part.length - n;
    }
  }

  /**
   * One batch; when its transaction fails (nothing of it committed) its checkouts are expired one
   * by one through SettlementService, so one bad checkout can't hold the others back. The number of
   * checkouts claimed, or null when some of them are left for the next run.
   */
  private async expireBatchOrEach(run: SweepRun, claim: (em: EntityManager, now: Date) => Promise<CheckoutRow[]>): Promise<number | null> {
    let claimed: number[] = [];
    try {
      const done = await this.expireBatch(run, async (em, now) => {
        const batch = await claim(em, now);
        claimed = batch.map((c) => Number(c.id));
        return batch;
      });
      run.counts.expired += done.checkoutIds.length;
      for (const id of done.dealIds) run.touched.add(id);
      return done.checkoutIds.length;
    } catch (e) {
      run.counts.errors++;
      this.logger.warn({ msg: 'sweep: batch rolled back, expiring its checkouts one by one', checkouts: claimed.length, err: errText(e) });
    }
    let left = false;
    for (const id of claimed) {
      if (run.stopping()) return null;
      try {
        const orders = await this.settlement.ordersOf(id, sourcesOf(OrderStatus.EXPIRED));
        const done = await runTx(this.ds, (em) =>
          this.settlement.release(em, id, OrderStatus.EXPIRED, run.opts.actor ?? SYSTEM, { now: new Date(), onlyIfExpired: true }),
        );
        if (done) {
          run.counts.expired++;
          for (const o of orders) run.touched.add(Number(o.group_buying_id));
        } else run.counts.skipped++;
      } catch (e) {
        left = true;
        run.counts.errors++;
        this.logger.warn({ msg: 'sweep: checkout not expired, retried next run', checkoutId: id, err: errText(e) });
      }
    }
    return left ? null : claimed.length;
  }

  /**
   * One batch in one transaction: the checkouts `claim` returns (locked, unpaid, past expiry) → 5 with
   * everything they held given back. Exported for tests that fail it half way.
   */
  async expireBatch(run: SweepRun, claim: (em: EntityManager, now: Date) => Promise<CheckoutRow[]>): Promise<ExpiredBatch> {
    const actor = run.opts.actor ?? SYSTEM;
    const from = sourcesOf(OrderStatus.EXPIRED);
    return runTx(this.ds, async (em) => {
      const now = new Date();
      const batch = await claim(em, now);
      if (!batch.length) return { checkoutIds: [], dealIds: [] };
      const ids = batch.map((c) => Number(c.id));
      const moved = await this.checkouts.releaseMany(em, ids, from, OrderStatus.EXPIRED, now);
      // the claimed rows are locked by this transaction: all of them move, or something is wrong
      if (moved !== ids.length) throw new Error(`claimed checkouts changed under their lock (${moved}/${ids.length})`);
      const orders = await this.orders.ofCheckouts(em, ids, from);
      await this.orders.moveOrdersOfCheckouts(em, ids, from, OrderStatus.EXPIRED);
      // team rows before deal rows (the lock order of every path)
      await this.teams.seatsReleased(
        em,
        orders.filter((o) => o.team_id !== null).map((o) => Number(o.id)),
      );
      await this.coupons.returnForCheckouts(
        em,
        batch.map((c) => c.pay_no),
      );
      // the points and balance these checkouts hold, back to their wallets (reason `return`)
      await this.wallets.returnForCheckouts(em, ids);
      await this.audit.logMany(
        em,
        orders.map((o) => ({
          tenantId: o.tenant_id,
          orderId: o.id,
          shopId: o.shop_id,
          action: 'expire',
          actor,
          from: o.status,
          to: OrderStatus.EXPIRED,
        })),
      );
      const perDeal = new Map<number, { qty: number; orders: number }>();
      for (const o of orders) {
        const d = perDeal.get(Number(o.group_buying_id)) ?? { qty: 0, orders: 0 };
        d.qty += Number(o.qty);
        d.orders += 1;
        perDeal.set(Number(o.group_buying_id), d);
      }
      // last: the deal rows (hot while a sale runs) stay locked only until the commit that follows
      await this.deals.giveBackMany(em, perDeal);
      return { checkoutIds: ids, dealIds: [...perDeal.keys()] };
    });
  }
}
