import { Body, Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { AdminAuth } from '../auth/auth.decorators';
import { adminOk } from '../common/envelope';
import { DomainError } from '../common/errors';
import { MAX_INT } from '../common/validators';
import { Scope, TenantScope } from '../tenant/tenant-scope';
import { OrderIdQuery } from './dto/order-admin.dto';
import { OrderAdminService } from './order-admin.service';
import { RefundService } from './refund.service';
import { ApiErrors } from '../common/api-errors';

class SkippedItem {
  @ApiProperty() id: number;
  @ApiProperty({ description: '跳过原因' }) reason: string;
}
class ConfirmData {
  @ApiProperty({ type: [Number], description: '已确认的订单 id' }) confirmed: number[];
  @ApiProperty({ type: [SkippedItem], description: '跳过的订单（不存在、他人租户、状态不符、拼团中）' }) skipped: SkippedItem[];
}
class ConfirmResponse {
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ example: '' }) message: string;
  @ApiProperty({ type: ConfirmData }) data: ConfirmData;
}
class RefundData {
  @ApiProperty({ enum: ['processing', 'success', 'failed'], description: '退款状态' }) refundStatus: string;
}
class RefundResponse {
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ example: '', description: '附加信息（失败原因）' }) message: string;
  @ApiProperty({ type: RefundData }) data: RefundData;
}

const MAX_BATCH = 500;

@ApiTags('admin group-buying 团购租户业务接口')
@Controller('api/marketing/groupbuying')
@AdminAuth()
export class OrderAdminController {
  constructor(
    private readonly orders: OrderAdminService,
    private readonly refunds: RefundService,
  ) {}

  @Post('confirmorder')
  @HttpCode(200)
  @ApiOperation({
    summary: '批量确认订单',
    description: '请求体为订单 id 数组 `[1, 2]`（最多 500 个）：每个已支付订单 → 已确认(8)；其余逐个跳过并给出原因。',
  })
  @ApiBody({ schema: { type: 'array', items: { type: 'integer' }, example: [1, 2] } })
  @ApiOkResponse({ type: ConfirmResponse })
  async confirm(@Scope() scope: TenantScope, @Body() body: unknown) {
    return adminOk(await this.orders.confirm(scope, parseIds(body)));
  }

  @Post('refundorder')
  @HttpCode(200)
  @ApiOperation({
    summary: '订单退款',
    description:
      '通过支付渠道退款（按订单金额部分退款）：先 `refundStatus: processing`，渠道确认后订单 → 已退款(2)，库存退回团购（sandbox 立即确认）；渠道失败为 `refundStatus: failed`，状态不变，可重试。未支付等状态 409。',
  })
  @ApiOkResponse({ type: RefundResponse })
  @ApiErrors(404, 409)
  async refund(@Scope() scope: TenantScope, @Query() q: OrderIdQuery) {
    const r = await this.refunds.refund(scope, q.id);
    return { status: 200, message: r.message, data: { refundStatus: r.refundStatus } };
  }
}

function parseIds(body: unknown): number[] {
  const list = Array.isArray(body)
    ? body
    : body && typeof body === 'object' && Array.isArray((body as { ids?: unknown }).ids)
      ? (body as { ids: unknown[] }).ids
      : null;
  if (!list)
    throw DomainError.badRequest('参数错误 body: 请求体须为订单 id 数组 (body must be an array of order ids)', [
      { field: 'body', message: 'must be an array of ids' },
    ]);
  if (list.length > MAX_BATCH)
    throw DomainError.badRequest(`参数错误 body: 一次最多 ${MAX_BATCH} 个 (at most ${MAX_BATCH} ids)`, [
      { field: 'body', message: 'too many ids' },
    ]);
  return list.map((v, i) => {
    const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1 || n > MAX_INT) {
      throw DomainError.badRequest(`参数错误 body[${i}]: 订单 id 须为正整数 (must be a positive integer)`, [
        { field: `body[${i}]`, message: 'must be a positive integer' },
      ]);
    }
    return n;
  });
}
