import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiErrors } from '../common/api-errors';
import { DomainError } from '../common/errors';
import type { AccessRule, AdminIdentity, StoreIdentity } from './auth.types';

export const ACCESS_KEY = 'access';

/*
 * Each access rule also declares itself in the OpenAPI document: its security requirement (`security: []`
 * for public routes, `[{}, {storefront: []}]` when the token is optional) and the 401/403 it answers.
 */
/** No credentials: `[{}]` here (Nest drops an empty list), written `security: []` by finishDocument. */
const NoSecurity = () => ApiSecurity({});

/** No token needed. Every route needs this or another rule below: AuthGuard refuses unmarked routes. */
export const Public = () => applyDecorators(SetMetadata(ACCESS_KEY, 'public' satisfies AccessRule), NoSecurity());
/** Storefront user token required (`Authori-Zation` or `Authorization`); an admin token is a 403. */
export const UserAuth = () =>
  applyDecorators(SetMetadata(ACCESS_KEY, 'user' satisfies AccessRule), ApiSecurity('storefront'), ApiErrors(401, 403));
/** Storefront token optional: used when present (e.g. to record a visitor); a bad one is still a 401. */
export const UserAuthOptional = () =>
  applyDecorators(
    SetMetadata(ACCESS_KEY, 'user-optional' satisfies AccessRule),
    ApiSecurity({}),
    ApiSecurity('storefront'),
    ApiErrors(401, 403),
  );
/** Admin token required; the admin acts within its own tenant; a storefront token is a 403. */
export const AdminAuth = () =>
  applyDecorators(SetMetadata(ACCESS_KEY, 'admin' satisfies AccessRule), ApiSecurity('admin'), ApiErrors(401, 403));
/** Platform super-admin only (a tenant admin is a 403). */
export const SuperAuth = () =>
  applyDecorators(SetMetadata(ACCESS_KEY, 'super' satisfies AccessRule), ApiSecurity('admin'), ApiErrors(401, 403));

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
