import { ApiErrors } from '../common/api-errors';
import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, UserAuth } from '../auth/auth.decorators';
import type { StoreIdentity } from '../auth/auth.types';
import { CliOrderResponse } from './cli-order.view';
import { OrderService } from './order.service';

/** Seed 002's own order detail route, in its own envelope `{result, message, data}` (contract §10). */
@ApiTags('storefront orders 前台订单')
@UserAuth()
@Controller('api/cli/order')
export class CliOrderController {
  constructor(private readonly orders: OrderService) {}

  @ApiErrors(404)
  @Get(':code')
  @ApiOperation({
    summary: '订单详情（seed 002：普通、预定、团购订单）',
    description:
      '调用者自己的订单（order_number = 订单编号 code）；他人的或不存在的订单为 404。错误同样是 {result:"error", message, data:null}，HTTP 状态码同 §2。',
  })
  @ApiOkResponse({ type: CliOrderResponse })
  async detail(@CurrentUser() u: StoreIdentity, @Param('code') code: string) {
    return { result: 'success', message: '操作成功', data: await this.orders.cliDetail(u.userId, code) };
  }
}
