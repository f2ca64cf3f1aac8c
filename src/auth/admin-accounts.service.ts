import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AdminRole, AdminUser } from './admin-user.entity';
import { hashPassword } from './password';

/** Admin accounts (admin_user): created here only, for a new tenant or the platform's first start. */
@Injectable()
export class AdminAccountsService {
  private readonly logger = new Logger(AdminAccountsService.name);

  /** A new admin in the caller's transaction; a taken username fails on the unique index. */
  async create(em: EntityManager, a: { tenantId: number; username: string; password: string; role: AdminRole }): Promise<number> {
    const saved = await em.save(
      em.create(AdminUser, { tenantId: a.tenantId, username: a.username, passwordHash: await hashPassword(a.password), role: a.role }),
    );
    return saved.id;
  }

  /**
   * The super-admin of the platform tenant when no admin exists at all (first start). A password not
   * given is generated and printed once; it is never stored in clear or logged again.
   */
  async ensureSuperAdmin(em: EntityManager, platformTenantId: number, username: string, password: string | undefined): Promise<void> {
    if ((await em.count(AdminUser)) > 0) return;
    const chosen = password ?? randomBytes(12).toString('base64url');
    await this.create(em, { tenantId: platformTenantId, username, password: chosen, role: 'super' });
    if (password === undefined) {
      process.stdout.write(`\n  Super-admin created: username "${username}", password "${chosen}" (set ADMIN_PASSWORD to choose it)\n\n`);
    } else {
      this.logger.log(`super-admin "${username}" created from ADMIN_USERNAME/ADMIN_PASSWORD`);
    }
  }
}
