import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAuth } from '../auth/auth.decorators';
import { adminOk } from '../common/envelope';
import { DELIVER_TYPE_NAMES, keyValues } from './deal.rules';
import { IdResponse, StatusResponse } from '../tenant/tenant.dto';
import { Scope, TenantScope } from '../tenant/tenant-scope';
import { ChangeUsingDto, CreateDealDto, DealIdQuery, DealListQuery, UpdateDealDto, VisitorQuery } from './group-buying.dto';
import { GroupBuyingService } from './group-buying.service';
import { DealPage, DealUserView, KeyValueView } from './group-buying.view';
import { ApiErrors } from '../common/api-errors';

/** 团购租户业务接口 (seed 001): deals of the caller's tenant (their orders are the order module's routes). */
@ApiTags('groupbuying 团购（管理端）')
@Controller('api/marketing/groupbuying')
@AdminAuth()
export class GroupBuyingAdminController {
  constructor(private readonly deals: GroupBuyingService) {}

  @Get('getlist')
  @ApiOperation({
    summary: '获取团购列表',
    description: '按 id 倒序分页；sumData 为整个筛选结果的 stock、payedCount、orderCount、visitTimes 合计。',
  })
  @ApiOkResponse({ type: DealPage })
  list(@Scope() scope: TenantScope, @Query() q: DealListQuery) {
    return this.deals.list(scope, q);
  }

  @Get('getdelivertypelist')
  @ApiOperation({ summary: '获取配送方式列表' })
  @ApiOkResponse({ type: [KeyValueView] })
  deliverTypes(): KeyValueView[] {
    return keyValues(DELIVER_TYPE_NAMES);
  }

  @Get('getgroupbuyingvisitor')
  @ApiOperation({ summary: '获取访客列表', description: '在前台打开过该团购的登录用户（最近 1000 位），id 为用户 id。' })
  @ApiOkResponse({ type: [DealUserView] })
  @ApiErrors(404)
  visitors(@Scope() scope: TenantScope, @Query() q: VisitorQuery) {
    return this.deals.visitorsOf(scope, q.groupBuyingId);
  }

  @Post('create')
  @HttpCode(200)
  @ApiOperation({
    summary: '新增团购',
    description:
      '接受 seed 001 的完整团购对象；服务端字段（id、shopName、payedCount、orderCount、visitTimes、userId、userName、createTime、orders、orderUsers）忽略不存。',
  })
  @ApiOkResponse({ type: IdResponse })
  @ApiErrors(404)
  async create(@Scope() scope: TenantScope, @Body() dto: CreateDealDto) {
    return adminOk(await this.deals.create(scope, dto));
  }

  @Post('update')
  @HttpCode(200)
  @ApiOperation({ summary: '修改团购', description: '同新增的团购对象加 id；未传的可选字段保持不变，计数字段不可修改。' })
  @ApiOkResponse({ type: StatusResponse })
  @ApiErrors(404)
  async update(@Scope() scope: TenantScope, @Body() dto: UpdateDealDto) {
    await this.deals.update(scope, dto);
    return adminOk();
  }

  @Post('delete')
  @HttpCode(200)
  @ApiOperation({ summary: '删除团购', description: '软删除：从列表和前台消失，订单保留。' })
  @ApiOkResponse({ type: StatusResponse })
  @ApiErrors(404)
  async remove(@Scope() scope: TenantScope, @Query() q: DealIdQuery) {
    await this.deals.remove(scope, q.id);
    return adminOk();
  }

  @Post('changeusing')
  @HttpCode(200)
  @ApiOperation({
    summary: '修改状态',
    description: '启用/停用，可同时修改开始、结束时间（须 startTime < endTime，未传的一方取已存的值）。',
  })
  @ApiOkResponse({ type: StatusResponse })
  @ApiErrors(404)
  async changeUsing(@Scope() scope: TenantScope, @Body() dto: ChangeUsingDto) {
    await this.deals.changeUsing(scope, dto);
    return adminOk();
  }
}
