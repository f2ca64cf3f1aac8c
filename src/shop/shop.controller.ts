import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAuth } from '../auth/auth.decorators';
import { adminOk } from '../common/envelope';
import { IdResponse, StatusResponse } from '../tenant/tenant.dto';
import { Scope, TenantScope } from '../tenant/tenant-scope';
import { CreateShopDto, ShopIdQuery, ShopListQuery, ShopPage, ShopView, UpdateShopDto } from './shop.dto';
import { ShopService, toShopView } from './shop.service';
import { ApiErrors } from '../common/api-errors';

@ApiTags('shop 门店')
@Controller('api/marketing/shop')
@AdminAuth()
export class ShopController {
  constructor(private readonly shops: ShopService) {}

  @Post('create')
  @HttpCode(200)
  @ApiOperation({ summary: '新增门店' })
  @ApiOkResponse({ type: IdResponse })
  async create(@Scope() scope: TenantScope, @Body() dto: CreateShopDto) {
    return adminOk(await this.shops.create(scope, dto));
  }

  @Post('update')
  @HttpCode(200)
  @ApiOperation({ summary: '修改门店' })
  @ApiOkResponse({ type: StatusResponse })
  @ApiErrors(404)
  async update(@Scope() scope: TenantScope, @Body() dto: UpdateShopDto) {
    await this.shops.update(scope, dto);
    return adminOk();
  }

  @Get('getlist')
  @ApiOperation({ summary: '门店列表（分页）' })
  @ApiOkResponse({ type: ShopPage })
  list(@Scope() scope: TenantScope, @Query() q: ShopListQuery) {
    return this.shops.list(scope, q);
  }

  @Get('get')
  @ApiOperation({ summary: '门店详情' })
  @ApiOkResponse({ type: ShopView })
  @ApiErrors(404)
  async get(@Scope() scope: TenantScope, @Query() q: ShopIdQuery) {
    return toShopView(await this.shops.get(scope, q.id));
  }
}
