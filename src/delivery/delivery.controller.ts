import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { AdminAuth } from '../auth/auth.decorators';
import { adminOk } from '../common/envelope';
import { AdminOrderView } from '../order/order-admin.view';
import { StatusResponse } from '../tenant/tenant.dto';
import { Scope, TenantScope } from '../tenant/tenant-scope';
import { DeliverOrderDto, VerifyDeliverCodeDto } from './delivery.dto';
import { DeliveryService } from './delivery.service';
import { ApiErrors } from '../common/api-errors';

class VerifyResponse {
  @ApiProperty({ type: AdminOrderView }) data: AdminOrderView;
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ example: '' }) message: string;
}

@ApiTags('admin group-buying 团购租户业务接口')
@Controller('api/marketing/groupbuying')
@AdminAuth()
export class DeliveryController {
  constructor(private readonly delivery: DeliveryService) {}

  @Post('verifydelivercode')
  @HttpCode(200)
  @ApiOperation({
    summary: '取货码验证',
    description:
      '`{shopId, type:1, code, id?}`：返回该门店中该取货码对应的已支付/已确认自提订单；错误的取货码为 404。每次尝试均记录；每个门店每分钟错误次数有上限（429）。',
  })
  @ApiOkResponse({ type: VerifyResponse })
  @ApiErrors(404, 429)
  async verify(@Scope() scope: TenantScope, @Body() dto: VerifyDeliverCodeDto) {
    return adminOk(await this.delivery.verify(scope, dto));
  }

  @Post('deliverorder')
  @HttpCode(200)
  @ApiOperation({
    summary: '订单发货',
    description: 'type 1：code 须为订单取货码 → 已完成(4)；type 2：code 为快递单号 → 已发货(3)。状态不符 409。',
  })
  @ApiOkResponse({ type: StatusResponse })
  @ApiErrors(404, 409, 429)
  async deliver(@Scope() scope: TenantScope, @Body() dto: DeliverOrderDto) {
    await this.delivery.deliver(scope, dto);
    return adminOk();
  }
}
