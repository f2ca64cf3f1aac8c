import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { DomainError } from '../common/errors';
import { runTx } from '../database/sql';
import { TeamService } from '../team/team.service';
import { TeamStatus } from '../team/team.state';
import { TenantScope } from '../tenant/tenant-scope';
import { AdminOrderView } from './order-admin.view';
import { Order } from './order.entity';
import { OrderLogService } from './order-log.service';
import { OrderQueryService } from './order-query.service';
import { CheckoutDeductions } from './checkout-deductions';
import { OrderRepository, OrderRow } from './order.repository';
import { OrderStatus } from './order-status';
import { assertTransition, sourcesOf } from './order.state';

/** A paid order as the pickup counter and the shipping desk see it. */
export interface FulfilmentOrder {
  id: number;
  shopId: number;
  status: number;
  deliverType: number;
  deliverCode: string | null;
  teamId: number | null;
}

const toFulfilment = (o: OrderRow): FulfilmentOrder => ({
  id: Number(o.id),
  shopId: Number(o.shop_id),
  status: Number(o.status),
  deliverType: Number(o.deliver_type),
  deliverCode: o.deliver_code,
  teamId: o.team_id === null ? null : Number(o.team_id),
});

/** Handing orders over (contract §4): pickup with the code (→ 4) and express shipping (→ 3), through the state machine. */
@Injectable()
export class FulfilmentService {
  constructor(
    private readonly ds: DataSource,
    private readonly orders: OrderRepository,
    private readonly teams: TeamService,
    private readonly audit: OrderLogService,
    private readonly query: OrderQueryService,
    private readonly deductions: CheckoutDeductions,
    @InjectRepository(Order) private readonly orderEntities: Repository<Order>,
  ) {}

  /** The tenant's order in that shop, or 404. */
  async get(scope: TenantScope, id: number, shopId: number): Promise<FulfilmentOrder> {
    const o = await this.orders.find(this.ds, id);
    if (!o || Number(o.tenant_id) !== scope.tenantId || Number(o.shop_id) !== shopId) throw DomainError.notFound('订单');
    return toFulfilment(o);
  }

  /** The open pickup order with this code in the shop, if any. */
  async findByPickupCode(scope: TenantScope, shopId: number, code: string): Promise<FulfilmentOrder | undefined> {
    const o = await this.orders.byOpenCode(scope.tenantId, shopId, code);
    return o ? toFulfilment(o) : undefined;
  }

  async view(id: number): Promise<AdminOrderView> {
    const [view] = await this.query.views([await this.orderEntities.findOneOrFail({ where: { id } })]);
    return view;
  }

  /** 409 while the order's team is still forming (its goods can't be handed over yet). */
  async assertDeliverable(o: FulfilmentOrder, to: number): Promise<void> {
    assertTransition(o.status, to);
    if (o.teamId !== null && (await this.teams.statuses([o.teamId])).get(o.teamId) !== TeamStatus.SUCCESS) {
      throw DomainError.conflict('拼团未成团，不能交付 (team not formed yet)');
    }
  }

  /** Picked up (→ 4, the code leaves the open-code index) or shipped with a tracking number (→ 3). */
  async handOver(scope: TenantScope, o: FulfilmentOrder, how: { pickup: true } | { pickup: false; trackingNo: string }): Promise<void> {
    const to = how.pickup ? OrderStatus.COMPLETED : OrderStatus.SHIPPED;
    const from = sourcesOf(to).filter((s) => s === OrderStatus.PAID || s === OrderStatus.CONFIRMED);
    await runTx(this.ds, async (em) => {
      const moved = await this.orders.move(em, o.id, from, to, how.pickup ? { closeCode: true } : { trackingNo: how.trackingNo });
      if (!moved) {
        const fresh = (await this.orders.find(em, o.id))!;
        assertTransition(Number(fresh.status), to);
        throw DomainError.conflict('订单状态已变化，请刷新 (order changed meanwhile)');
      }
      if (to === OrderStatus.COMPLETED) await this.deductions.completed(em, o.id);
      await this.audit.log(em, {
        tenantId: scope.tenantId,
        orderId: o.id,
        shopId: o.shopId,
        action: how.pickup ? 'pickup' : 'ship',
        actor: { type: 'admin', id: scope.adminId },
        from: o.status,
        to,
        detail: how.pickup ? '' : `tracking ${how.trackingNo}`,
      });
    });
  }
}
