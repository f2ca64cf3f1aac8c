import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AdminUser } from '../auth/admin-user.entity';
import { hashPassword } from '../auth/password';
import { isDuplicateKeyError } from '../common/exception.filter';
import { DomainError } from '../common/errors';
import { runTx } from '../database/sql';
import { Tenant } from './tenant.entity';

@Injectable()
export class TenantService {
  constructor(private readonly ds: DataSource) {}

  /** A tenant and its first admin, in one transaction. */
  async create(name: string, adminUsername: string, adminPassword: string): Promise<number> {
    const passwordHash = await hashPassword(adminPassword);
    try {
      return await runTx(this.ds, async (em) => {
        const tenant = await em.save(em.create(Tenant, { name, platform: false }));
        await em.save(em.create(AdminUser, { tenantId: tenant.id, username: adminUsername, passwordHash, role: 'admin' }));
        return tenant.id;
      });
    } catch (e) {
      if (isDuplicateKeyError(e)) throw DomainError.conflict(`用户名已存在 (adminUsername "${adminUsername}" is taken)`);
      throw e;
    }
  }
}
