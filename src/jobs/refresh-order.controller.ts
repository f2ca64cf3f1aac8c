import { Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAuth } from '../auth/auth.decorators';
import { adminOk } from '../common/envelope';
import { Scope, TenantScope } from '../tenant/tenant-scope';
import { RefreshOrderQuery, RefreshOrderResponse } from './refresh-order.dto';
import { SweepService } from './sweep.service';
import { ApiErrors } from '../common/api-errors';

/** 刷新团购订单 (seed 001 refreshorder): the background sweep, now, for the caller's tenant. */
@ApiTags('groupbuying 团购（管理端）')
@Controller('api/marketing/groupbuying')
@AdminAuth()
export class RefreshOrderController {
  constructor(private readonly sweep: SweepService) {}

  @Post('refreshorder')
  @HttpCode(200)
  @ApiOperation({
    summary: '刷新团购订单',
    description:
      '立即执行一次后台任务（限本租户；传 groupBuyingId 则限该团购）：过期超时未支付的订单并退回库存和优惠券；微信支付下先向微信查询已发起支付的订单，已支付的结算；然后重新统计 payedCount、orderCount。他租户或不存在的团购为 404。',
  })
  @ApiOkResponse({ type: RefreshOrderResponse })
  @ApiErrors(404)
  async refresh(@Scope() scope: TenantScope, @Query() q: RefreshOrderQuery) {
    return adminOk(await this.sweep.refresh(scope, q.groupBuyingId));
  }
}
