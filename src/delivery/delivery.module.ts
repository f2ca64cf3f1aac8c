import { Module } from '@nestjs/common';
import { OrderModule } from '../order/order.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { ShopModule } from '../shop/shop.module';
import { DeliveryController } from './delivery.controller';
import { DeliveryService } from './delivery.service';

/** Pickup verification and shipping: acts on orders only through the order module's services. */
@Module({
  imports: [OrderModule, ShopModule, RateLimitModule],
  controllers: [DeliveryController],
  providers: [DeliveryService],
})
export class DeliveryModule {}
