import { Module } from '@nestjs/common';
import { OrderModule } from '../order/order.module';
import { RefreshOrderController } from './refresh-order.controller';
import { SweepService } from './sweep.service';

/** The background sweep (contract §9) and its on-demand twin, refreshorder: orchestration over the order module. */
@Module({
  imports: [OrderModule],
  controllers: [RefreshOrderController],
  providers: [SweepService],
  exports: [SweepService],
})
export class JobsModule {}
