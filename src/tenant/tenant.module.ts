import { Module } from '@nestjs/common';
import { platformProvider, PLATFORM_TENANT } from './platform.provider';
import { TenantController } from './tenant.controller';
import { TenantService } from './tenant.service';

@Module({ controllers: [TenantController], providers: [TenantService, platformProvider], exports: [TenantService, PLATFORM_TENANT] })
export class TenantModule {}
