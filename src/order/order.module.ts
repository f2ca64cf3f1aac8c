import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { User } from '../auth/user.entity';
import { CouponModule } from '../coupon/coupon.module';
import { PaymentModule } from '../payment/payment.module';
import { CheckoutService } from './checkout.service';
import { Checkout } from './checkout.entity';
import { Order } from './order.entity';
import { OrderService } from './order.service';
import { OrderStoreController } from './order-store.controller';
import { SettlementService } from './settlement.service';

@Module({
  imports: [TypeOrmModule.forFeature([Order, Checkout, User]), CouponModule, PaymentModule],
  controllers: [OrderStoreController],
  providers: [CheckoutService, OrderService, SettlementService],
  exports: [SettlementService, OrderService],
})
export class OrderModule {}
