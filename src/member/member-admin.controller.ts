import { ApiErrors } from '../common/api-errors';
import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAuth } from '../auth/auth.decorators';
import { adminOk } from '../common/envelope';
import { StatusResponse } from '../tenant/tenant.dto';
import { Scope, TenantScope } from '../tenant/tenant-scope';
import {
  AdjustResponse,
  AdjustWalletDto,
  AdminLedgerQuery,
  LedgerPage,
  MemberListQuery,
  MemberPage,
  MemberSettingDto,
  MemberSettingView,
} from './member.dto';
import { MemberAdminService } from './member-admin.service';

@ApiTags('member 会员积分与余额（管理端）')
@Controller('api/marketing/member')
@AdminAuth()
export class MemberAdminController {
  constructor(private readonly members: MemberAdminService) {}

  @ApiErrors(404, 409)
  @Post('adjust')
  @HttpCode(200)
  @ApiOperation({
    summary: '调整会员积分/余额',
    description: 'amount 为有符号变动（积分为整数，余额最多两位小数），记入流水（reason admin）；调整后小于 0 → 409；用户不存在 → 404。',
  })
  @ApiOkResponse({ type: AdjustResponse })
  async adjust(@Scope() scope: TenantScope, @Body() dto: AdjustWalletDto) {
    return adminOk(await this.members.adjust(scope, dto));
  }

  @Get('getlist')
  @ApiOperation({
    summary: '会员列表（分页）',
    description: '本租户有钱包的用户及其积分、余额；keyword 匹配昵称或 openId。sumData 为整个筛选结果的积分、余额合计。',
  })
  @ApiOkResponse({ type: MemberPage })
  list(@Scope() scope: TenantScope, @Query() q: MemberListQuery) {
    return this.members.list(scope, q);
  }

  @ApiErrors(404)
  @Get('ledger')
  @ApiOperation({ summary: '会员积分/余额流水（分页）', description: '最新在前；kind 筛选 point/balance。用户在本租户没有钱包 → 404。' })
  @ApiOkResponse({ type: LedgerPage })
  ledger(@Scope() scope: TenantScope, @Query() q: AdminLedgerQuery) {
    return this.members.ledger(scope, q);
  }
}

@ApiTags('member 会员积分与余额（管理端）')
@Controller('api/marketing/setting')
@AdminAuth()
export class MemberSettingController {
  constructor(private readonly members: MemberAdminService) {}

  @Get('get')
  @ApiOperation({ summary: '积分设置', description: '本租户的积分抵扣与奖励设置；未设置时为默认值（100 / 50 / 1）。' })
  @ApiOkResponse({ type: MemberSettingView })
  get(@Scope() scope: TenantScope) {
    return this.members.getSettings(scope);
  }

  @Post('update')
  @HttpCode(200)
  @ApiOperation({
    summary: '修改积分设置',
    description: 'pointValue 积分抵扣比例, pointMaxRate 最高抵扣百分比, pointRewardRate 每元奖励积分。',
  })
  @ApiOkResponse({ type: StatusResponse })
  async update(@Scope() scope: TenantScope, @Body() dto: MemberSettingDto) {
    await this.members.updateSettings(scope, dto);
    return adminOk();
  }
}
