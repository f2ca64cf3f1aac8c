import { Module } from '@nestjs/common';
import { GroupBuyingModule } from '../group-buying/group-buying.module';
import { OrderModule } from '../order/order.module';
import { PaymentModule } from '../payment/payment.module';
import { RefreshOrderController } from './refresh-order.controller';
import { SweepService } from './sweep.service';

/** The background sweep (contract §9) and its on-demand twin, refreshorder. */
@Module({
  imports: [OrderModule, GroupBuyingModule, PaymentModule],
  controllers: [RefreshOrderController],
  providers: [SweepService],
  exports: [SweepService],
})
export class JobsModule {}
