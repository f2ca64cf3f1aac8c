import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { DomainError } from '../common/errors';
import { money } from '../common/money';
import { execute, insertId, rows, runTx } from '../database/sql';
import { PAYMENT_PROVIDER, PaymentProvider, RefundOutcome } from '../payment/payment-provider';
import { TenantScope } from '../tenant/tenant-scope';
import { Checkout } from './checkout.entity';
import { Order, RefundStatus } from './order.entity';
import { ORDER_STATUS_NAMES, OrderStatus } from './order-status';
import { assertTransition, canTransition, sourcesOf } from './order.state';
import { Actor, SettlementService } from './settlement.service';
import { memberRefunded } from '../team/team.seats';

export interface ConfirmResult {
  confirmed: number[];
  skipped: { id: number; reason: string }[];
}

/** Admin order changes: batch confirm and refunds through the payment provider. */
@Injectable()
export class OrderAdminService {
  private readonly logger = new Logger(OrderAdminService.name);
  constructor(
    private readonly ds: DataSource,
    private readonly settlement: SettlementService,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    @InjectRepository(Checkout) private readonly checkouts: Repository<Checkout>,
  ) {}

  /** Each paid order → confirmed (8); the others are skipped with a reason (unknown and other tenants' alike). */
  async confirm(scope: TenantScope, ids: number[]): Promise<ConfirmResult> {
    const unique = [...new Set(ids)];
    const found = unique.length ? await this.orders.find({ where: scope.where<Order>({ id: In(unique) }) }) : [];
    const byId = new Map(found.map((o) => [o.id, o]));
    const teamIds = [...new Set(found.filter((o) => o.teamId !== null).map((o) => o.teamId as number))];
    const formed = new Set(
      teamIds.length
        ? (await rows<{ id: number }>(this.ds, `SELECT id FROM team WHERE status = 'success' AND id IN (${teamIds.map(() => '?').join(',')})`, teamIds)).map((r) => Number(r.id))
        : [],
    );
    const result: ConfirmResult = { confirmed: [], skipped: [] };
    for (const id of unique) {
      const o = byId.get(id);
      if (!o) {
        result.skipped.push({ id, reason: '订单不存在 (not found)' });
        continue;
      }
      if (o.teamId !== null && o.status === OrderStatus.PAID && !formed.has(o.teamId)) {
        result.skipped.push({ id, reason: '拼团未成团 (team forming)' });
        continue;
      }
      if (!canTransition(o.status, OrderStatus.CONFIRMED)) {
        result.skipped.push({ id, reason: `订单状态为「${ORDER_STATUS_NAMES[o.status]}」 (status ${o.status})` });
        continue;
      }
      const done = await runTx(this.ds, async (em) => {
        const n = await execute(em, 'UPDATE group_buying_order SET status = 8, update_time = CURRENT_TIMESTAMP WHERE id = ? AND tenant_id = ? AND status = 1', [id, scope.tenantId]);
        if (n === 1) {
          await this.settlement.log(em, { tenantId: scope.tenantId, orderId: id, shopId: o.shopId, action: 'confirm', actor: { type: 'admin', id: scope.adminId }, from: 1, to: 8 });
        }
        return n === 1;
      });
      if (done) result.confirmed.push(id);
      else result.skipped.push({ id, reason: '订单状态已变化 (changed meanwhile)' });
    }
    return result;
  }

  /**
   * Refunds one order through the provider: refundStatus `processing` first (so two clicks never
   * refund twice), then on the provider's success status 2, stock back to the deal, payedCount down.
   * A failed refund leaves the status as it was with refundStatus `failed`, to be retried.
   */
  async refund(scope: TenantScope, id: number): Promise<{ refundStatus: RefundStatus; message: string }> {
    const order = await scope.get(this.orders, id, '订单');
    // a late payment whose automatic refund failed is sent again from here; it stays expired
    const lateRetry = order.status === OrderStatus.EXPIRED && order.refundStatus === 'failed';
    if (!lateRetry) assertTransition(order.status, OrderStatus.REFUNDED);
    return this.refundOrder(scope.tenantId, order.id, { type: 'admin', id: scope.adminId }, '商家退款');
  }

  /**
   * Refunds one order through the provider: refundStatus `processing` first (so two clicks never
   * refund twice), then on the provider's success status 2, stock back to the deal, payedCount down.
   * A failed refund leaves the status as it was with refundStatus `failed`, to be retried.
   * An expired order (a payment that came too late, §6) is refunded in full and stays expired.
   */
  async refundOrder(tenantId: number, orderId: number, actor: Actor, reason: string): Promise<{ refundStatus: RefundStatus; message: string }> {
    const order = await this.orders.findOneOrFail({ where: { id: orderId, tenantId } });
    const from = order.status === OrderStatus.EXPIRED ? [OrderStatus.EXPIRED] : sourcesOf(OrderStatus.REFUNDED);
    const outRefundNo = `${order.code}R${Date.now().toString(36)}`.slice(0, 64);
    await runTx(this.ds, async (em) => {
      const n = await execute(
        em,
        `UPDATE group_buying_order SET refund_status = 'processing', update_time = CURRENT_TIMESTAMP WHERE id = ? AND status IN (${from.join(',')}) AND refund_status IN ('none', 'failed')`,
        [order.id],
      );
      if (n !== 1) {
        const [fresh] = await rows<{ status: number; refund_status: string }>(em, 'SELECT status, refund_status FROM group_buying_order WHERE id = ?', [order.id]);
        if (fresh.refund_status === 'processing') throw DomainError.conflict('退款处理中 (a refund of this order is processing)');
        assertTransition(Number(fresh.status), OrderStatus.REFUNDED);
        throw DomainError.conflict('订单状态已变化，请刷新 (order changed meanwhile)');
      }
      await insertId(em, "INSERT INTO payment_refund (tenant_id, order_id, pay_no, out_refund_no, amount, status, reason) VALUES (?, ?, ?, ?, ?, 'processing', ?)", [
        tenantId,
        order.id,
        order.payNo,
        outRefundNo,
        money(order.money).toFixed(2),
        reason.slice(0, 255),
      ]);
      await this.settlement.log(em, { tenantId, orderId: order.id, shopId: order.shopId, action: 'refund', actor, from: order.status, detail: outRefundNo });
    });
    const checkout = await this.checkouts.findOneOrFail({ where: { id: order.checkoutId } });
    let outcome: RefundOutcome;
    try {
      outcome = await this.provider.refund({ payNo: order.payNo, outRefundNo, amount: money(order.money), checkoutTotal: money(checkout.totalPrice), reason });
    } catch (e) {
      this.logger.warn(`refund ${outRefundNo} failed at the provider: ${(e as Error).message}`);
      outcome = { status: 'failed', message: (e as Error).message };
    }
    await this.applyRefundOutcome(outRefundNo, outcome, actor);
    const message = outcome.status === 'success' ? '' : outcome.status === 'processing' ? '退款处理中' : `退款失败，可重试 (${outcome.message ?? 'provider refused'})`;
    return { refundStatus: outcome.status, message };
  }

  /** Sends a refund already recorded as processing (e.g. a late payment given back) and applies the answer. */
  async sendRecordedRefund(outRefundNo: string, actor: Actor): Promise<RefundOutcome> {
    const [r] = await rows<{ pay_no: string; amount: string | number; total_price: string | number; reason: string }>(
      this.ds,
      "SELECT r.pay_no, r.amount, c.total_price, r.reason FROM payment_refund r JOIN checkout c ON c.pay_no = r.pay_no WHERE r.out_refund_no = ? AND r.status = 'processing'",
      [outRefundNo],
    );
    if (!r) return { status: 'processing' };
    let outcome: RefundOutcome;
    try {
      outcome = await this.provider.refund({ payNo: r.pay_no, outRefundNo, amount: money(r.amount), checkoutTotal: money(r.total_price), reason: r.reason });
    } catch (e) {
      outcome = { status: 'failed', message: (e as Error).message };
    }
    await this.applyRefundOutcome(outRefundNo, outcome, actor);
    return outcome;
  }

  /** Settles a refund once (the route, a provider notify or a query): conditional on refund_status = processing. */
  async applyRefundOutcome(outRefundNo: string, outcome: RefundOutcome, actor: Actor): Promise<boolean> {
    if (outcome.status === 'processing') return false;
    return runTx(this.ds, async (em) => {
      const [r] = await rows<{ order_id: number; tenant_id: number }>(em, 'SELECT order_id, tenant_id FROM payment_refund WHERE out_refund_no = ?', [outRefundNo]);
      if (!r) return false;
      const won = await execute(em, "UPDATE payment_refund SET status = ?, provider_refund_id = ?, update_time = CURRENT_TIMESTAMP WHERE out_refund_no = ? AND status = 'processing'", [
        outcome.status,
        outcome.providerRefundId ?? null,
        outRefundNo,
      ]);
      if (won !== 1) return false;
      const [o] = await rows<{ id: number; status: number; qty: number; group_buying_id: number; shop_id: number; team_id: number | null }>(
        em,
        'SELECT id, status, qty, group_buying_id, shop_id, team_id FROM group_buying_order WHERE id = ?',
        [r.order_id],
      );
      if (outcome.status === 'failed') {
        await execute(em, "UPDATE group_buying_order SET refund_status = 'failed', update_time = CURRENT_TIMESTAMP WHERE id = ? AND refund_status = 'processing'", [o.id]);
        await this.settlement.log(em, { tenantId: r.tenant_id, orderId: o.id, shopId: o.shop_id, action: 'refund_failed', actor, detail: (outcome.message ?? '').slice(0, 400) });
        return true;
      }
      if (Number(o.status) === OrderStatus.EXPIRED) {
        // a late payment given back: the order stays expired, its stock was never taken
        await execute(em, "UPDATE group_buying_order SET refund_status = 'success', update_time = CURRENT_TIMESTAMP WHERE id = ? AND refund_status = 'processing'", [o.id]);
        await this.settlement.log(em, { tenantId: r.tenant_id, orderId: o.id, shopId: o.shop_id, action: 'refund_success', actor, from: o.status, to: o.status });
        return true;
      }
      const from = sourcesOf(OrderStatus.REFUNDED);
      const n = await execute(
        em,
        `UPDATE group_buying_order SET status = 2, refund_status = 'success', open_deliver_code = NULL, update_time = CURRENT_TIMESTAMP WHERE id = ? AND status IN (${from.join(',')}) AND refund_status = 'processing'`,
        [o.id],
      );
      if (n === 1) {
        // a refunded member of a forming team gives its seat back (team row before the deal row)
        if (o.team_id !== null) await memberRefunded(em, Number(o.team_id), o.id);
        // goods back on sale; the refunded units leave payedCount (orderCount still counts the order)
        await execute(em, 'UPDATE group_buying SET stock = stock + ?, payed_count = payed_count - ? WHERE id = ?', [o.qty, o.qty, o.group_buying_id]);
        await this.settlement.log(em, { tenantId: r.tenant_id, orderId: o.id, shopId: o.shop_id, action: 'refund_success', actor, from: o.status, to: OrderStatus.REFUNDED });
      }
      return n === 1;
    });
  }
}
