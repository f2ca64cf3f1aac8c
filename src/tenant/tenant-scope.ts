import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { FindOptionsWhere, ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import { DomainError } from '../common/errors';

/**
 * The one place tenant isolation is enforced: an admin's requests carry a TenantScope built from its
 * token, and services read and write tenant-owned rows only through it. Another tenant's row is a 404.
 */
export class TenantScope {
  constructor(
    readonly tenantId: number,
    readonly adminId: number | null = null,
    readonly adminName = '',
  ) {}

  /** `where` restricted to this tenant. */
  where<T extends { tenantId: number }>(where: FindOptionsWhere<T> = {}): FindOptionsWhere<T> {
    return { ...where, tenantId: this.tenantId } as FindOptionsWhere<T>;
  }

  /** Adds `alias.tenant_id = :tenantId` to a query builder. */
  restrict<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, alias = qb.alias): SelectQueryBuilder<T> {
    return qb.andWhere(`${alias}.tenantId = :scopeTenantId`, { scopeTenantId: this.tenantId });
  }

  /** The row with this id in this tenant, or 404 (also when it belongs to another tenant). */
  async get<T extends { tenantId: number; id: number }>(repo: Repository<T>, id: number, what = '记录'): Promise<T> {
    if (!Number.isSafeInteger(id) || id <= 0) throw DomainError.notFound(what);
    const row = await repo.findOne({ where: this.where<T>({ id } as FindOptionsWhere<T>) });
    if (!row) throw DomainError.notFound(what);
    return row;
  }
}

/** The caller's tenant, from its admin token: every admin query goes through it. */
export const Scope = createParamDecorator((_: unknown, ctx: ExecutionContext): TenantScope => {
  const id = ctx.switchToHttp().getRequest<FastifyRequest>().identity;
  if (!id || id.kind !== 'admin') throw DomainError.unauthorized();
  return new TenantScope(id.tenantId, id.adminId, id.username);
});
