import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GroupBuyingModule } from '../group-buying/group-buying.module';
import { Order } from '../order/order.entity';
import { OrderModule } from '../order/order.module';
import { ShopModule } from '../shop/shop.module';
import { DeliveryController } from './delivery.controller';
import { DeliveryService } from './delivery.service';

@Module({
  imports: [TypeOrmModule.forFeature([Order]), OrderModule, ShopModule, GroupBuyingModule],
  controllers: [DeliveryController],
  providers: [DeliveryService],
})
export class DeliveryModule {}
