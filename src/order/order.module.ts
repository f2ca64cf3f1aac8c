import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { User } from '../auth/user.entity';
import { CouponModule } from '../coupon/coupon.module';
import { PaymentModule } from '../payment/payment.module';
import { CheckoutService } from './checkout.service';
import { Checkout } from './checkout.entity';
import { Order } from './order.entity';
import { OrderService } from './order.service';
import { OrderAdminController } from './order-admin.controller';
import { OrderAdminService } from './order-admin.service';
import { OrderStoreController } from './order-store.controller';
import { PaymentNotifyController } from './payment-notify.controller';
import { PaymentNotifyService } from './payment-notify.service';
import { SettlementService } from './settlement.service';

@Module({
  imports: [TypeOrmModule.forFeature([Order, Checkout, User]), CouponModule, PaymentModule],
  controllers: [OrderStoreController, OrderAdminController, PaymentNotifyController],
  providers: [CheckoutService, OrderService, SettlementService, OrderAdminService, PaymentNotifyService],
  exports: [SettlementService, OrderService, OrderAdminService, PaymentNotifyService],
})
export class OrderModule {}
