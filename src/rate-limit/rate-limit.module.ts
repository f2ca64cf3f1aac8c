import { Module } from '@nestjs/common';
import { RateLimitService } from './rate-limit.service';

/** Rate limits shared by all instances through the database (see RateLimitService). */
@Module({
  providers: [RateLimitService],
  exports: [RateLimitService],
})
export class RateLimitModule {}
