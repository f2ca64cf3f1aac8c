import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { AuthModule } from './auth/auth.module';
import { AllExceptionsFilter } from './common/exception.filter';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { CouponModule } from './coupon/coupon.module';
import { DatabaseModule } from './database/database.module';
import { DeliveryModule } from './delivery/delivery.module';
import { DemoModule } from './demo/demo.module';
import { GroupBuyingModule } from './group-buying/group-buying.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { MemberModule } from './member/member.module';
import { OrderModule } from './order/order.module';
import { PaymentModule } from './payment/payment.module';
import { PricingModule } from './pricing/pricing.module';
import { ShopModule } from './shop/shop.module';
import { TeamModule } from './team/team.module';
import { TenantModule } from './tenant/tenant.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        ScheduleModule.forRoot(),
        DatabaseModule,
        AuthModule,
        TenantModule,
        ShopModule,
        HealthModule,
        GroupBuyingModule,
        CouponModule,
        PricingModule,
        PaymentModule,
        MemberModule,
        OrderModule,
        DeliveryModule,
        TeamModule,
        JobsModule,
        DemoModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
