import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { User } from '../auth/user.entity';
import { Order } from '../order/order.entity';
import { Shop } from '../shop/shop.entity';
import { ShopModule } from '../shop/shop.module';
import { DealCounterService } from './deal-counter.service';
import { DealOrderQueryService } from './deal-order-query.service';
import { GroupBuyingAdminController } from './group-buying-admin.controller';
import { GroupBuyingOrderAdminController } from './group-buying-order-admin.controller';
import { GroupBuyingStoreController } from './group-buying-store.controller';
import { GroupBuyingVisitor } from './group-buying-visitor.entity';
import { GroupBuying } from './group-buying.entity';
import { GroupBuyingService } from './group-buying.service';

@Module({
  imports: [TypeOrmModule.forFeature([GroupBuying, GroupBuyingVisitor, Order, User, Shop]), ShopModule],
  controllers: [GroupBuyingAdminController, GroupBuyingOrderAdminController, GroupBuyingStoreController],
  providers: [GroupBuyingService, DealOrderQueryService, DealCounterService],
  exports: [GroupBuyingService, DealCounterService, DealOrderQueryService],
})
export class GroupBuyingModule {}
