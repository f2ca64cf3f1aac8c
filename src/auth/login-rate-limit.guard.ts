import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { addressBucket } from '../rate-limit/client-address';
import { RateLimitService } from '../rate-limit/rate-limit.service';

/**
 * `LOGIN_RATE_LIMIT_PER_MINUTE` attempts per client IP (IPv6: per /64) per minute on each login route (§3), counted in
 * the database so every instance shares one count. Runs before validation: malformed attempts count too.
 */
@Injectable()
export class LoginRateLimitGuard implements CanActivate {
  constructor(
    private readonly limits: RateLimitService,
    private readonly config: AppConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const route = ctx.getHandler().name;
    const { allowed } = await this.limits.hit(`login:${route}:${addressBucket(req.ip)}`, this.config.loginRateLimitPerMinute, 60);
    if (!allowed)
      throw DomainError.tooManyRequests(
        '登录尝试过于频繁，请一分钟后再试 (too many login attempts from this address, try again in a minute)',
      );
    return true;
  }
}
