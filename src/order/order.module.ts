import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { User } from '../auth/user.entity';
import { CouponModule } from '../coupon/coupon.module';
import { GroupBuyingModule } from '../group-buying/group-buying.module';
import { MemberModule } from '../member/member.module';
import { PaymentModule } from '../payment/payment.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { Shop } from '../shop/shop.entity';
import { TeamModule } from '../team/team.module';
import { Checkout } from './checkout.entity';
import { CheckoutDeductions } from './checkout-deductions';
import { CliOrderController } from './cli-order.controller';
import { CheckoutRepository } from './checkout.repository';
import { CheckoutService } from './checkout.service';
import { CheckoutExpiryService } from './checkout-expiry.service';
import { CheckoutBatcher } from './checkout-batcher';
import { CheckoutSweepService } from './checkout-sweep.service';
import { DealCountersService } from './deal-counters.service';
import { GroupBuyingOrderAdminController } from './deal-order-admin.controller';
import { FulfilmentService } from './fulfilment.service';
import { OrderAdminController } from './order-admin.controller';
import { OrderAdminService } from './order-admin.service';
import { Order } from './order.entity';
import { OrderLogRepository } from './order-log.repository';
import { OrderLogService } from './order-log.service';
import { OrderQueryService } from './order-query.service';
import { OrderReadRepository } from './order-read.repository';
import { OrderRepository } from './order.repository';
import { OrderListRepository } from './order-list.repository';
import { OrderRollupRepository } from './order-rollup.repository';
import { OrderService } from './order.service';
import { OrderStoreController } from './order-store.controller';
import { PaymentEventsService } from './payment-events.service';
import { PaymentNotifyController } from './payment-notify.controller';
import { PreSaleRepository } from './presale.repository';
import { PreSaleService } from './presale.service';
import { RefundService } from './refund.service';
import { SettlementService } from './settlement.service';
import { SoldOutShortcut } from './sold-out-shortcut';
import { TeamClosingService } from './team-closing.service';

/**
 * Orders: checkout, settlement, the order state machine, storefront and admin order routes, payment
 * events. The only module that writes group_buying_order, order_rollup, checkout, idempotency_key,
 * order_log and order_review; deals, teams, coupons and payment records change through their modules' services.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Order, Checkout, User, Shop]),
    GroupBuyingModule,
    MemberModule,
    CouponModule,
    TeamModule,
    PaymentModule,
    RateLimitModule,
  ],
  controllers: [OrderStoreController, OrderAdminController, GroupBuyingOrderAdminController, PaymentNotifyController, CliOrderController],
  providers: [
    SoldOutShortcut,
    CheckoutRepository,
    CheckoutDeductions,
    OrderRepository,
    OrderRollupRepository,
    OrderListRepository,
    OrderReadRepository,
    OrderLogRepository,
    OrderLogService,
    CheckoutService,
    CheckoutBatcher,
    OrderService,
    SettlementService,
    RefundService,
    OrderAdminService,
    OrderQueryService,
    PaymentEventsService,
    FulfilmentService,
    CheckoutExpiryService,
    CheckoutSweepService,
    TeamClosingService,
    DealCountersService,
    PreSaleRepository,
    PreSaleService,
  ],
  exports: [
    SoldOutShortcut,
    SettlementService,
    OrderService,
    RefundService,
    PaymentEventsService,
    FulfilmentService,
    OrderLogService,
    CheckoutExpiryService,
    CheckoutSweepService,
    TeamClosingService,
    DealCountersService,
    PreSaleService,
  ],
})
export class OrderModule {}
