import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ShopModule } from '../shop/shop.module';
import { DealStockService } from './deal-stock.service';
import { DealVisitsService } from './deal-visits.service';
import { DealRepository } from './deal.repository';
import { GroupBuyingAdminController } from './group-buying-admin.controller';
import { GroupBuyingStoreController } from './group-buying-store.controller';
import { GroupBuyingVisitor } from './group-buying-visitor.entity';
import { GroupBuying } from './group-buying.entity';
import { GroupBuyingService } from './group-buying.service';
import { SoldOutRegistry } from './sold-out.registry';
import { StoreDealCache } from './store-deal.cache';

/** Deals (团购): the only module that writes the group_buying and group_buying_visitor tables. */
@Module({
  imports: [TypeOrmModule.forFeature([GroupBuying, GroupBuyingVisitor]), ShopModule],
  controllers: [GroupBuyingAdminController, GroupBuyingStoreController],
  providers: [GroupBuyingService, DealRepository, DealStockService, DealVisitsService, StoreDealCache, SoldOutRegistry],
  exports: [GroupBuyingService, DealStockService],
})
export class GroupBuyingModule {}
