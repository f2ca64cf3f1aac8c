import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors';
import { ACCESS_KEY } from './auth.decorators';
import type { AccessRule, Identity } from './auth.types';
import { bearerToken, VerifiedTokens } from './verified-tokens';

interface TokenClaims {
  sub: string;
  aud: string;
  tid?: number;
  role?: 'super' | 'admin';
  usr?: string;
  exp?: number;
}

/**
 * Global guard: reads the route's AccessRule and the bearer token; storefront and admin tokens are not
 * interchangeable. A route without a rule is refused, so a forgotten decorator never opens one (§12).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly verified: VerifiedTokens,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (rule === undefined) throw DomainError.unauthorized('接口未声明访问规则 (route has no access rule)');
    if (rule === 'public') return true;
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerToken(req.headers);
    if (!token) {
      if (rule === 'user-optional') return true;
      throw DomainError.unauthorized('缺少登录凭证 (missing bearer token)');
    }
    let identity = this.verified.get(token);
    if (identity === undefined) {
      let claims: TokenClaims;
      try {
        claims = this.jwt.verify<TokenClaims>(token, { algorithms: ['HS256'] });
      } catch (e) {
        if (rule === 'user-optional') return true;
        const expired = (e as Error)?.name === 'TokenExpiredError';
        throw DomainError.unauthorized(expired ? '登录已过期 (token expired)' : '登录凭证无效 (invalid token)');
      }
      identity = toIdentity(claims);
      if (!identity) throw DomainError.unauthorized('登录凭证无效 (invalid token)');
      // shared by every request bearing this token from now on; a token without exp is checked each time
      if (typeof claims.exp === 'number') this.verified.set(token, Object.freeze(identity), claims.exp * 1000);
    }
    const wantsUser = rule === 'user' || rule === 'user-optional';
    if (wantsUser && identity.kind !== 'user')
      throw DomainError.forbidden('管理端凭证不能访问前台接口 (admin token on a storefront route)');
    if (!wantsUser && identity.kind !== 'admin')
      throw DomainError.forbidden('前台凭证不能访问管理接口 (storefront token on an admin route)');
    if (rule === 'super' && (identity.kind !== 'admin' || identity.role !== 'super')) {
      throw DomainError.forbidden('需要平台超级管理员 (super-admin only)');
    }
    req.identity = identity;
    return true;
  }
}

function toIdentity(c: TokenClaims): Identity | undefined {
  const id = Number(c.sub);
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  if (c.aud === 'storefront') return { kind: 'user', userId: id };
  if (c.aud === 'admin' && typeof c.tid === 'number' && (c.role === 'super' || c.role === 'admin')) {
    return { kind: 'admin', adminId: id, tenantId: c.tid, role: c.role, username: c.usr ?? '' };
  }
  return undefined;
}
