import { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AdminAccountsService } from '../auth/admin-accounts.service';
import { AppConfig } from '../config/app-config';
import { withStartupLock } from '../database/bootstrap';
import { DATABASE_READY } from '../database/database.module';
import { TenantService } from './tenant.service';

/** The platform tenant's id, once it and the super-admin exist (after migrations; safe when instances start together). */
export const PLATFORM_TENANT = Symbol('PLATFORM_TENANT');

export const platformProvider: Provider = {
  provide: PLATFORM_TENANT,
  inject: [DATABASE_READY, DataSource, AppConfig, TenantService, AdminAccountsService],
  useFactory: (_ready: true, ds: DataSource, config: AppConfig, tenants: TenantService, admins: AdminAccountsService): Promise<number> =>
    withStartupLock(ds, () =>
      ds.transaction(async (em) => {
        const platform = await tenants.ensurePlatform(em);
        await admins.ensureSuperAdmin(em, platform.id, config.adminUsername, config.adminPassword);
        return platform.id;
      }),
    ),
};
