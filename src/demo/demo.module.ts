import { Module } from '@nestjs/common';
import { CouponModule } from '../coupon/coupon.module';
import { GroupBuyingModule } from '../group-buying/group-buying.module';
import { MemberModule } from '../member/member.module';
import { ShopModule } from '../shop/shop.module';
import { TenantModule } from '../tenant/tenant.module';
import { demoDataProvider } from './demo-data.provider';

/** Demo data of the embedded default (top of the module graph, like jobs: nothing imports it). */
@Module({
  imports: [TenantModule, ShopModule, GroupBuyingModule, CouponModule, MemberModule],
  providers: [demoDataProvider],
})
export class DemoModule {}
