import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAuth } from '../auth/auth.decorators';
import { adminOk } from '../common/envelope';
import { IdResponse, StatusResponse } from '../tenant/tenant.dto';
import { Scope, TenantScope } from '../tenant/tenant-scope';
import { CouponAdminService } from './coupon-admin.service';
import { CouponIdQuery, CouponListQuery, CouponPage, CouponView, CreateCouponDto, UpdateCouponDto } from './coupon.dto';
import { toCouponView } from './coupon.view';
import { ApiErrors } from '../common/api-errors';

@ApiTags('coupon 优惠券（管理端）')
@Controller('api/marketing/coupon')
@AdminAuth()
export class CouponAdminController {
  constructor(private readonly coupons: CouponAdminService) {}

  @Post('create')
  @HttpCode(200)
  @ApiOperation({
    summary: '新增优惠券',
    description:
      '1 满减: 商品金额满 enough 减 deduct; 2 折扣: 满 enough 按 discount 折（8.5 即付 85%）。useType 2 时 groupBuyingIds 须为本租户的团购（否则 404）。receivedCount/usedCount 由服务端维护，传入忽略。',
  })
  @ApiOkResponse({ type: IdResponse, description: '`data` 为新优惠券 id' })
  @ApiErrors(404)
  async create(@Scope() scope: TenantScope, @Body() dto: CreateCouponDto) {
    return adminOk(await this.coupons.create(scope, dto));
  }

  @Post('update')
  @HttpCode(200)
  @ApiOperation({ summary: '修改优惠券', description: '整体替换优惠券条款；total 不能少于已领取数量（409）。其他租户的优惠券为 404。' })
  @ApiOkResponse({ type: StatusResponse })
  @ApiErrors(404, 409)
  async update(@Scope() scope: TenantScope, @Body() dto: UpdateCouponDto) {
    await this.coupons.update(scope, dto);
    return adminOk();
  }

  @Post('delete')
  @HttpCode(200)
  @ApiOperation({ summary: '删除优惠券（软删除）', description: '从列表与前台消失；已领取的用户优惠券不再可用。' })
  @ApiOkResponse({ type: StatusResponse })
  @ApiErrors(404)
  async delete(@Scope() scope: TenantScope, @Query() q: CouponIdQuery) {
    await this.coupons.delete(scope, q.id);
    return adminOk();
  }

  @Get('get')
  @ApiOperation({ summary: '优惠券详情' })
  @ApiOkResponse({ type: CouponView })
  @ApiErrors(404)
  async get(@Scope() scope: TenantScope, @Query() q: CouponIdQuery) {
    return toCouponView(await this.coupons.get(scope, q.id));
  }

  @Get('getlist')
  @ApiOperation({ summary: '优惠券列表（分页）', description: 'keyword 匹配优惠券名；sumData 为整个筛选结果的已领取/已使用合计。' })
  @ApiOkResponse({ type: CouponPage })
  list(@Scope() scope: TenantScope, @Query() q: CouponListQuery) {
    return this.coupons.list(scope, q);
  }
}
