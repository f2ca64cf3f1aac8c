import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { DomainError } from '../common/errors';
import { dbDate, execute, rows, runTx } from '../database/sql';
import { DealOrderQueryService } from '../group-buying/deal-order-query.service';
import { AdminOrderView } from '../order/order-admin.view';
import { Order } from '../order/order.entity';
import { OrderStatus } from '../order/order-status';
import { assertTransition } from '../order/order.state';
import { SettlementService } from '../order/settlement.service';
import { ShopService } from '../shop/shop.service';
import { TenantScope } from '../tenant/tenant-scope';
import { DeliverOrderDto, VerifyDeliverCodeDto } from './delivery.dto';

/** Failed pickup-code attempts a shop may make per minute before it is rate limited (429). */
export const PICKUP_FAILS_PER_MINUTE = 20;

/** Pickup verification and shipping (contract §4): every attempt and state change is recorded in order_log. */
@Injectable()
export class DeliveryService {
  constructor(
    private readonly ds: DataSource,
    private readonly shops: ShopService,
    private readonly settlement: SettlementService,
    private readonly views: DealOrderQueryService,
    @InjectRepository(Order) private readonly orders: Repository<Order>,
  ) {}

  /** The paid/confirmed pickup order with this code in this shop; a wrong code is a 404 (and counts against the shop's rate limit). */
  async verify(scope: TenantScope, dto: VerifyDeliverCodeDto): Promise<AdminOrderView> {
    await this.shops.get(scope, dto.shopId);
    await this.guardRate(scope, dto.shopId);
    const order = await this.orders.findOne({
      where: { tenantId: scope.tenantId, shopId: dto.shopId, openDeliverCode: dto.code, deliverType: 1 },
    });
    const ok = !!order && (order.status === OrderStatus.PAID || order.status === OrderStatus.CONFIRMED) && (dto.id === undefined || dto.id === order.id);
    await this.record(scope, dto.shopId, ok ? order!.id : null, ok ? 'verify_ok' : 'verify_fail', ok ? '' : `code ${dto.code.slice(0, 2)}****** id ${dto.id ?? '-'}`);
    if (!ok) throw DomainError.notFound('取货码对应的订单');
    return (await this.views.views([order!]))[0];
  }

  /** type 1: the pickup code → completed (4); type 2: the tracking number → shipped (3). */
  async deliver(scope: TenantScope, dto: DeliverOrderDto): Promise<void> {
    await this.shops.get(scope, dto.shopId);
    const order = await this.orders.findOne({ where: { id: dto.id, tenantId: scope.tenantId, shopId: dto.shopId } });
    if (!order) throw DomainError.notFound('订单');
    if (order.deliverType !== dto.type) {
      throw DomainError.badRequest(`参数错误 type: 订单配送方式为 ${order.deliverType === 1 ? '自提' : '快递'} (type does not match the order's deliverType ${order.deliverType})`, [
        { field: 'type', message: 'does not match the order deliverType' },
      ]);
    }
    const to = dto.type === 1 ? OrderStatus.COMPLETED : OrderStatus.SHIPPED;
    assertTransition(order.status, to);
    if (order.teamId !== null) {
      const [team] = await rows<{ status: string }>(this.ds, 'SELECT status FROM team WHERE id = ?', [order.teamId]);
      if (team?.status !== 'success') throw DomainError.conflict('拼团未成团，不能交付 (team not formed yet)');
    }
    if (dto.type === 1) {
      await this.guardRate(scope, dto.shopId);
      if (!/^\d{8}$/.test(dto.code) || order.deliverCode !== dto.code) {
        await this.record(scope, dto.shopId, order.id, 'verify_fail', `deliver id ${order.id}`);
        throw DomainError.notFound('取货码对应的订单');
      }
    }
    await runTx(this.ds, async (em) => {
      const n =
        dto.type === 1
          ? await execute(em, 'UPDATE group_buying_order SET status = 4, open_deliver_code = NULL, update_time = CURRENT_TIMESTAMP WHERE id = ? AND status IN (1, 8)', [order.id])
          : await execute(em, 'UPDATE group_buying_order SET status = 3, tracking_no = ?, update_time = CURRENT_TIMESTAMP WHERE id = ? AND status IN (1, 8)', [dto.code, order.id]);
      if (n !== 1) {
        const [fresh] = await rows<{ status: number }>(em, 'SELECT status FROM group_buying_order WHERE id = ?', [order.id]);
        assertTransition(Number(fresh.status), to);
        throw DomainError.conflict('订单状态已变化，请刷新 (order changed meanwhile)');
      }
      await this.settlement.log(em, {
        tenantId: scope.tenantId,
        orderId: order.id,
        shopId: order.shopId,
        action: dto.type === 1 ? 'pickup' : 'ship',
        actor: { type: 'admin', id: scope.adminId },
        from: order.status,
        to,
        detail: dto.type === 2 ? `tracking ${dto.code}` : '',
      });
    });
  }

  private async guardRate(scope: TenantScope, shopId: number): Promise<void> {
    const since = new Date(Date.now() - 60_000);
    const [{ n }] = await rows<{ n: number | string }>(
      this.ds,
      "SELECT COUNT(*) AS n FROM order_log WHERE shop_id = ? AND action = 'verify_fail' AND create_time > ?",
      [shopId, dbDate(this.ds.manager, since)],
    );
    if (Number(n) >= PICKUP_FAILS_PER_MINUTE) {
      throw DomainError.tooManyRequests(`取货码错误次数过多，请 1 分钟后再试 (more than ${PICKUP_FAILS_PER_MINUTE} wrong codes a minute for this shop)`);
    }
  }

  private async record(scope: TenantScope, shopId: number, orderId: number | null, action: string, detail: string): Promise<void> {
    await runTx(this.ds, (em) => this.settlement.log(em, { tenantId: scope.tenantId, orderId, shopId, action, actor: { type: 'admin', id: scope.adminId }, detail }));
  }
}
