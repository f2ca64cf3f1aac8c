import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors';
import { AdminOrderView } from '../order/order-admin.view';
import { FulfilmentService } from '../order/fulfilment.service';
import { OrderLogService } from '../order/order-log.service';
import { OrderStatus } from '../order/order-status';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { ShopService } from '../shop/shop.service';
import { TenantScope } from '../tenant/tenant-scope';
import { DeliverOrderDto, VerifyDeliverCodeDto } from './delivery.dto';

/** Wrong pickup codes a shop may try per minute, and an admin per hour, before they are refused (429, §12). */
export const PICKUP_FAILS_PER_MINUTE = 20;
export const PICKUP_FAILS_PER_ADMIN_HOUR = 60;

/** Pickup verification and shipping (contract §4), acting on orders through the order module; every attempt is recorded. */
@Injectable()
export class DeliveryService {
  constructor(
    private readonly shops: ShopService,
    private readonly fulfilment: FulfilmentService,
    private readonly audit: OrderLogService,
    private readonly limits: RateLimitService,
  ) {}

  /** The paid/confirmed pickup order with this code in this shop; a wrong code is a 404 (and counts against the shop's rate limit). */
  async verify(scope: TenantScope, dto: VerifyDeliverCodeDto): Promise<AdminOrderView> {
    await this.shops.get(scope, dto.shopId);
    await this.guardRate(scope, dto.shopId);
    const order = await this.fulfilment.findByPickupCode(scope, dto.shopId, dto.code);
    const ok =
      !!order &&
      (order.status === OrderStatus.PAID || order.status === OrderStatus.CONFIRMED) &&
      (dto.id === undefined || dto.id === order.id);
    if (!ok) await this.wrongCode(scope, dto.shopId, null, `code ${dto.code.slice(0, 2)}****** id ${dto.id ?? '-'}`);
    await this.record(scope, dto.shopId, order!.id, 'verify_ok', '');
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
      await this.guardRate(scope, dto.shopId);
      if (!/^\d{8}$/.test(dto.code) || order.deliverCode !== dto.code)
        await this.wrongCode(scope, dto.shopId, order.id, `deliver id ${order.id}`);
      await this.fulfilment.handOver(scope, order, { pickup: true });
    } else {
      await this.fulfilment.handOver(scope, order, { pickup: false, trackingNo: dto.code });
    }
  }

  /** Refused while the shop's or the admin's wrong guesses are used up (counted in the database: every instance shares them). */
  private async guardRate(scope: TenantScope, shopId: number): Promise<void> {
    const [shop, admin] = await Promise.all([this.limits.current(shopKey(shopId)), this.limits.current(adminKey(scope))]);
    if (shop >= PICKUP_FAILS_PER_MINUTE || admin >= PICKUP_FAILS_PER_ADMIN_HOUR) throw tooManyGuesses();
  }

  /**
   * A wrong code, recorded and counted atomically: of any number of simultaneous wrong guesses at most
   * the limit are answered 404, the rest 429 (a guess is not a way in).
   */
  private async wrongCode(scope: TenantScope, shopId: number, orderId: number | null, detail: string): Promise<never> {
    await this.record(scope, shopId, orderId, 'verify_fail', detail);
    const [shop, admin] = await Promise.all([
      this.limits.hit(shopKey(shopId), PICKUP_FAILS_PER_MINUTE, 60),
      this.limits.hit(adminKey(scope), PICKUP_FAILS_PER_ADMIN_HOUR, 3600),
    ]);
    if (!shop.allowed || !admin.allowed) throw tooManyGuesses();
    throw DomainError.notFound('取货码对应的订单');
  }

  private record(scope: TenantScope, shopId: number, orderId: number | null, action: string, detail: string): Promise<void> {
    return this.audit.record({ tenantId: scope.tenantId, orderId, shopId, action, actor: { type: 'admin', id: scope.adminId }, detail });
  }
}

const shopKey = (shopId: number) => `pickup:shop:${shopId}`;
const adminKey = (scope: TenantScope) => `pickup:admin:${scope.adminId}`;
const tooManyGuesses = () =>
  DomainError.tooManyRequests(
    `取货码错误次数过多，请稍后再试 (more than ${PICKUP_FAILS_PER_MINUTE} wrong codes a minute for this shop, or ${PICKUP_FAILS_PER_ADMIN_HOUR} an hour for this admin)`,
  );
