import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GroupBuyingModule } from '../group-buying/group-buying.module';
import { CouponAdminController } from './coupon-admin.controller';
import { CouponAdminService } from './coupon-admin.service';
import { CouponStoreController } from './coupon-store.controller';
import { Coupon } from './coupon.entity';
import { CouponRepository } from './coupon.repository';
import { CouponService } from './coupon.service';
import { MemberCoupon } from './member-coupon.entity';

/** Coupon templates (admin), member coupons (storefront), and the checkout's use/return (CouponService). */
@Module({
  // GroupBuyingModule checks that a coupon's groupBuyingIds are the admin's own deals
  imports: [TypeOrmModule.forFeature([Coupon, MemberCoupon]), GroupBuyingModule],
  controllers: [CouponAdminController, CouponStoreController],
  providers: [CouponService, CouponAdminService, CouponRepository],
  exports: [CouponService, CouponAdminService],
})
export class CouponModule {}
