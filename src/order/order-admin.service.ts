import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { runTx } from '../database/sql';
import { TeamService } from '../team/team.service';
import { TeamStatus } from '../team/team.state';
import { TenantScope } from '../tenant/tenant-scope';
import { OrderLogService } from './order-log.service';
import { OrderRepository } from './order.repository';
import { ORDER_STATUS_NAMES, OrderStatus } from './order-status';
import { canTransition } from './order.state';

export interface ConfirmResult {
  confirmed: number[];
  skipped: { id: number; reason: string }[];
}

/** Admin order changes other than refunds (RefundService) and delivery (FulfilmentService): batch confirm. */
@Injectable()
export class OrderAdminService {
  constructor(
    private readonly ds: DataSource,
    private readonly orders: OrderRepository,
    private readonly teams: TeamService,
    private readonly audit: OrderLogService,
  ) {}

  /** Each paid order → confirmed (8); the others are skipped with a reason (unknown and other tenants' alike). */
  async confirm(scope: TenantScope, ids: number[]): Promise<ConfirmResult> {
    const unique = [...new Set(ids)];
    const found = (await this.orders.byIds(this.ds, unique)).filter((o) => Number(o.tenant_id) === scope.tenantId);
    const byId = new Map(found.map((o) => [Number(o.id), o]));
    const teamStatus = await this.teams.statuses(found.filter((o) => o.team_id !== null).map((o) => Number(o.team_id)));
    const result: ConfirmResult = { confirmed: [], skipped: [] };
    for (const id of unique) {
      const o = byId.get(id);
      if (!o) {
        result.skipped.push({ id, reason: '订单不存在 (not found)' });
        continue;
      }
      const status = Number(o.status);
      if (o.team_id !== null && status === OrderStatus.PAID && teamStatus.get(Number(o.team_id)) !== TeamStatus.SUCCESS) {
        result.skipped.push({ id, reason: '拼团未成团 (team forming)' });
        continue;
      }
      if (!canTransition(status, OrderStatus.CONFIRMED)) {
        result.skipped.push({ id, reason: `订单状态为「${ORDER_STATUS_NAMES[status]}」 (status ${status})` });
        continue;
      }
      const done = await runTx(this.ds, async (em) => {
        const moved = await this.orders.move(em, id, [OrderStatus.PAID], OrderStatus.CONFIRMED, { tenantId: scope.tenantId });
        if (moved) {
          const actor = { type: 'admin' as const, id: scope.adminId };
          await this.audit.log(em, {
            tenantId: scope.tenantId,
            orderId: id,
            shopId: o.shop_id,
            action: 'confirm',
            actor,
            from: OrderStatus.PAID,
            to: OrderStatus.CONFIRMED,
          });
        }
        return moved;
      });
      if (done) result.confirmed.push(id);
      else result.skipped.push({ id, reason: '订单状态已变化 (changed meanwhile)' });
    }
    return result;
  }
}
