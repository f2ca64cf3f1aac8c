import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GroupBuying } from '../group-buying/group-buying.entity';
import { CouponAdminController } from './coupon-admin.controller';
import { CouponAdminService } from './coupon-admin.service';
import { CouponStoreController } from './coupon-store.controller';
import { Coupon } from './coupon.entity';
import { CouponService } from './coupon.service';
import { MemberCoupon } from './member-coupon.entity';

/** Coupon templates (admin), member coupons (storefront), and the checkout's use/return (CouponService). */
@Module({
  // GroupBuying is read only to check that a coupon's groupBuyingIds are the admin's own deals
  imports: [TypeOrmModule.forFeature([Coupon, MemberCoupon, GroupBuying])],
  controllers: [CouponAdminController, CouponStoreController],
  providers: [CouponService, CouponAdminService],
  exports: [CouponService],
})
export class CouponModule {}
