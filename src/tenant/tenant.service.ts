import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AdminAccountsService } from '../auth/admin-accounts.service';
import { isDuplicateKeyError } from '../common/db-errors';
import { DomainError } from '../common/errors';
import { runTx } from '../database/sql';
import { Tenant } from './tenant.entity';

/** Tenants (团购租户): the only writer of the tenant table. */
@Injectable()
export class TenantService {
  constructor(
    private readonly ds: DataSource,
    private readonly admins: AdminAccountsService,
  ) {}

  /** A tenant and its first admin, in one transaction. */
  async create(name: string, adminUsername: string, adminPassword: string): Promise<number> {
    try {
      return await runTx(this.ds, async (em) => {
        const tenant = await em.save(em.create(Tenant, { name, platform: false }));
        await this.admins.create(em, { tenantId: tenant.id, username: adminUsername, password: adminPassword, role: 'admin' });
        return tenant.id;
      });
    } catch (e) {
      if (isDuplicateKeyError(e)) throw DomainError.conflict(`用户名已存在 (adminUsername "${adminUsername}" is taken)`);
      throw e;
    }
  }

  /** The platform tenant (the super-admin's), created at the first start. */
  async ensurePlatform(em: EntityManager): Promise<Tenant> {
    const platform = await em.findOne(Tenant, { where: { platform: true }, order: { id: 'ASC' } });
    return platform ?? em.save(em.create(Tenant, { name: '平台', platform: true }));
  }
}
