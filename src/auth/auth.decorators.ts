import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors';
import type { AccessRule, AdminIdentity, StoreIdentity } from './auth.types';

export const ACCESS_KEY = 'access';

const storeHeader = ApiHeader({ name: 'Authori-Zation', required: false, description: 'Bearer <token>（`Authorization` 亦可）' });

/** No token needed. Every route needs this or another rule below: AuthGuard refuses unmarked routes. */
export const Public = () => SetMetadata(ACCESS_KEY, 'public' satisfies AccessRule);
/** Storefront user token required (`Authori-Zation` or `Authorization`). */
export const UserAuth = () =>
  applyDecorators(SetMetadata(ACCESS_KEY, 'user' satisfies AccessRule), storeHeader, ApiBearerAuth('storefront'));
/** Storefront token optional: used when present (e.g. to record a visitor). */
export const UserAuthOptional = () =>
  applyDecorators(SetMetadata(ACCESS_KEY, 'user-optional' satisfies AccessRule), storeHeader, ApiBearerAuth('storefront'));
/** Admin token required; the admin acts within its own tenant. */
export const AdminAuth = () => applyDecorators(SetMetadata(ACCESS_KEY, 'admin' satisfies AccessRule), ApiBearerAuth('admin'));
/** Platform super-admin only. */
export const SuperAuth = () => applyDecorators(SetMetadata(ACCESS_KEY, 'super' satisfies AccessRule), ApiBearerAuth('admin'));

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): StoreIdentity => {
  const id = ctx.switchToHttp().getRequest<FastifyRequest>().identity;
  if (!id || id.kind !== 'user') throw DomainError.unauthorized();
  return id;
});

export const OptionalUser = createParamDecorator((_: unknown, ctx: ExecutionContext): StoreIdentity | undefined => {
  const id = ctx.switchToHttp().getRequest<FastifyRequest>().identity;
  return id && id.kind === 'user' ? id : undefined;
});

export const CurrentAdmin = createParamDecorator((_: unknown, ctx: ExecutionContext): AdminIdentity => {
  const id = ctx.switchToHttp().getRequest<FastifyRequest>().identity;
  if (!id || id.kind !== 'admin') throw DomainError.unauthorized();
  return id;
});
