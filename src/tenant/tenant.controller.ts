import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SuperAuth } from '../auth/auth.decorators';
import { adminOk } from '../common/envelope';
import { CreateTenantDto, IdResponse } from './tenant.dto';
import { TenantService } from './tenant.service';
import { ApiErrors } from '../common/api-errors';

@ApiTags('tenant 租户')
@Controller('api/marketing/tenant')
export class TenantController {
  constructor(private readonly tenants: TenantService) {}

  @Post('create')
  @HttpCode(200)
  @SuperAuth()
  @ApiOperation({ summary: '新增租户（平台超级管理员）', description: '创建租户及其管理员账号，返回租户 id。' })
  @ApiOkResponse({ type: IdResponse })
  @ApiErrors(409)
  async create(@Body() dto: CreateTenantDto) {
    return adminOk(await this.tenants.create(dto.name, dto.adminUsername, dto.adminPassword));
  }
}
