import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors';
import { AdminOrderView } from '../order/order-admin.view';
import { FulfilmentService } from '../order/fulfilment.service';
import { OrderLogService } from '../order/order-log.service';
import { OrderStatus } from '../order/order-status';
import { ShopService } from '../shop/shop.service';
import { TenantScope } from '../tenant/tenant-scope';
import { DeliverOrderDto, VerifyDeliverCodeDto } from './delivery.dto';

/** Failed pickup-code attempts a shop may make per minute before it is rate limited (429). */
export const PICKUP_FAILS_PER_MINUTE = 20;

/** Pickup verification and shipping (contract §4), acting on orders through the order module; every attempt is recorded. */
@Injectable()
export class DeliveryService {
  constructor(
    private readonly shops: ShopService,
    private readonly fulfilment: FulfilmentService,
    private readonly audit: OrderLogService,
  ) {}

  /** The paid/confirmed pickup order with this code in this shop; a wrong code is a 404 (and counts against the shop's rate limit). */
  async verify(scope: TenantScope, dto: VerifyDeliverCodeDto): Promise<AdminOrderView> {
    await this.shops.get(scope, dto.shopId);
    await this.guardRate(dto.shopId);
    const order = await this.fulfilment.findByPickupCode(scope, dto.shopId, dto.code);
    const ok =
      !!order &&
      (order.status === OrderStatus.PAID || order.status === OrderStatus.CONFIRMED) &&
      (dto.id === undefined || dto.id === order.id);
    await this.record(
      scope,
      dto.shopId,
      ok ? order!.id : null,
      ok ? 'verify_ok' : 'verify_fail',
      ok ? '' : `code ${dto.code.slice(0, 2)}****** id ${dto.id ?? '-'}`,
    );
    if (!ok) throw DomainError.notFound('取货码对应的订单');
    return this.fulfilment.view(order!.id);
  }

  /** type 1: the pickup code → completed (4); type 2: the tracking number → shipped (3). */
  async deliver(scope: TenantScope, dto: DeliverOrderDto): Promise<void> {
    await this.shops.get(scope, dto.shopId);
    const order = await this.fulfilment.get(scope, dto.id, dto.shopId);
    if (order.deliverType !== dto.type) {
      throw DomainError.badRequest(
        `参数错误 type: 订单配送方式为 ${order.deliverType === 1 ? '自提' : '快递'} (type does not match the order's deliverType ${order.deliverType})`,
        [{ field: 'type', message: 'does not match the order deliverType' }],
      );
    }
    await this.fulfilment.assertDeliverable(order, dto.type === 1 ? OrderStatus.COMPLETED : OrderStatus.SHIPPED);
    if (dto.type === 1) {
      await this.guardRate(dto.shopId);
      if (!/^\d{8}$/.test(dto.code) || order.deliverCode !== dto.code) {
        await this.record(scope, dto.shopId, order.id, 'verify_fail', `deliver id ${order.id}`);
        throw DomainError.notFound('取货码对应的订单');
      }
      await this.fulfilment.handOver(scope, order, { pickup: true });
    } else {
      await this.fulfilment.handOver(scope, order, { pickup: false, trackingNo: dto.code });
    }
  }

  private async guardRate(shopId: number): Promise<void> {
    const fails = await this.audit.countSince(shopId, 'verify_fail', new Date(Date.now() - 60_000));
    if (fails >= PICKUP_FAILS_PER_MINUTE) {
      throw DomainError.tooManyRequests(
        `取货码错误次数过多，请 1 分钟后再试 (more than ${PICKUP_FAILS_PER_MINUTE} wrong codes a minute for this shop)`,
      );
    }
  }

  private record(scope: TenantScope, shopId: number, orderId: number | null, action: string, detail: string): Promise<void> {
    return this.audit.record({ tenantId: scope.tenantId, orderId, shopId, action, actor: { type: 'admin', id: scope.adminId }, detail });
  }
}
