import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { runTx } from '../database/sql';
import { PAYMENT_PROVIDER, PaymentProvider } from '../payment/payment-provider';
import { TeamService } from '../team/team.service';
import { CheckoutRepository } from './checkout.repository';
import { Actor, OrderLogService, SYSTEM } from './order-log.service';
import { OrderRepository } from './order.repository';
import { OrderStatus, UNPAID_STATUSES } from './order-status';
import { PaymentEventsService } from './payment-events.service';
import { RefundService } from './refund.service';
import { SettlementService } from './settlement.service';
import { DEFAULT_BATCH, errText, SweepRun } from './sweep.types';

/**
 * Expired teams (contract §7) as the order module sees them: the team module decides how a team
 * ends (under its row lock); this service releases the unpaid seats' checkouts, hands out pickup
 * codes when robots complete a team, and refunds the paid members of failed teams.
 */
@Injectable()
export class TeamClosingService {
  private readonly logger = new Logger(TeamClosingService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly teams: TeamService,
    private readonly orders: OrderRepository,
    private readonly checkouts: CheckoutRepository,
    private readonly settlement: SettlementService,
    private readonly payments: PaymentEventsService,
    private readonly refunds: RefundService,
    private readonly audit: OrderLogService,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
  ) {}

  /** Teams past expire_at that have not formed, in batches, each closed in its own short transaction; returns how many this worker closed. */
  async closeExpired(run: SweepRun): Promise<number> {
    const limit = run.opts.batchSize ?? DEFAULT_BATCH;
    let closed = 0;
    let after = 0;
    for (;;) {
      if (run.stopping() || Date.now() >= run.deadline) {
        run.counts.partial = true;
        break;
      }
      const batch = await this.teams.dueForClosing(new Date(), after, limit, run.opts);
      for (const t of batch) {
        if (run.stopping()) break;
        after = t.id;
        try {
          if (await this.closeTeam(t.id, t.virtualTeam, run.opts.actor ?? SYSTEM)) closed++;
        } catch (e) {
          run.counts.errors++;
          this.logger.warn({ msg: 'sweep: team not closed, retried next run', teamId: t.id, err: errText(e) });
        }
      }
      if (batch.length < limit) break;
    }
    return closed;
  }

  /** One expired team, exactly once across workers. False when another worker (or a provider answer we lack) got in the way. */
  async closeTeam(teamId: number, virtualTeam: boolean, actor: Actor): Promise<boolean> {
    // seats sent to the provider: settle the ones paid, close the others there first (no payment may land on a freed seat)
    const pendingOrders = await this.orders.byIds(this.ds, await this.teams.pendingOrderIds(teamId));
    for (const checkoutId of [...new Set(pendingOrders.map((o) => Number(o.checkout_id)))].sort((a, b) => a - b)) {
      const c = await this.checkouts.find(this.ds, checkoutId);
      if (!c || !UNPAID_STATUSES.includes(Number(c.status)) || this.provider.name !== 'wechat' || !c.prepay_id) continue;
      const q = await this.provider.query(c.pay_no);
      if (q.state === 'unknown') return false;
      if (q.state === 'paid') {
        if ((await this.payments.settleReported(checkoutId, q.transactionId, q.amount)) === 'mismatch') return false;
        continue;
      }
      await this.provider.close(c.pay_no);
    }
    return runTx(this.ds, async (em) => {
      const closed = await this.teams.close(em, teamId, virtualTeam, new Date());
      if (!closed) return false;
      const unpaid = await this.orders.byIds(em, closed.pendingOrderIds);
      for (const checkoutId of [...new Set(unpaid.map((o) => Number(o.checkout_id)))].sort((a, b) => a - b)) {
        await this.settlement.release(em, checkoutId, OrderStatus.EXPIRED, actor);
      }
      if (closed.outcome === 'success') {
        await this.teams.completeWithRobots(em, teamId);
        await this.settlement.giveTeamCodes(em, teamId);
      }
      const action = closed.outcome === 'success' ? 'team_robots' : 'team_fail';
      await this.audit.log(em, { tenantId: closed.tenantId, orderId: null, shopId: null, action, actor, detail: `team ${teamId}` });
      return true;
    });
  }

  /**
   * Paid members of failed teams get their money back through the refund path (after the team's
   * transaction committed). Idempotent: an order whose refund succeeded marks its seat `fail`; one
   * processing is left to the provider's answer; one that failed is sent again next run.
   */
  async refundFailedTeams(run: SweepRun): Promise<void> {
    const due = await this.teams.failedPaidSeats(run.opts.tenantId, 500);
    const orders = new Map(
      (
        await this.orders.byIds(
          this.ds,
          due.map((d) => d.orderId),
        )
      ).map((o) => [Number(o.id), o]),
    );
    for (const d of due) {
      if (run.stopping()) return;
      const o = orders.get(d.orderId);
      if (!o) continue;
      try {
        let refunded = Number(o.status) === OrderStatus.REFUNDED || o.refund_status === 'success';
        if (!refunded && o.refund_status !== 'processing') {
          const out = await this.refunds.refundOrder(d.tenantId, d.orderId, run.opts.actor ?? SYSTEM, '拼团失败，全额退款 (team failed)');
          if (out.refundStatus === 'failed') {
            run.counts.errors++;
            this.logger.warn({
              msg: 'sweep: team refund failed at the provider, retried next run',
              orderId: d.orderId,
              reason: out.message,
            });
          } else run.counts.refundsSent++;
          refunded = out.refundStatus === 'success';
        }
        if (refunded) await runTx(this.ds, (em) => this.teams.seatRefundedAfterFailure(em, d.memberId));
      } catch (e) {
        // another worker's refund of the same order is processing (409), or the order changed meanwhile
        this.logger.warn({ msg: 'sweep: team refund skipped, retried next run', orderId: d.orderId, err: errText(e) });
      }
    }
  }
}
