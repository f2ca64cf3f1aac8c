import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiNoContentResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { FastifyRequest } from 'fastify';
import { Public } from '../auth/auth.decorators';
import { PaymentEventsService } from './payment-events.service';

/** WeChat's answer shape, not §2's envelope. */
const WECHAT_FAIL: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'message'],
  properties: { code: { type: 'string', enum: ['FAIL'] }, message: { type: 'string' } },
  example: { code: 'FAIL', message: 'invalid signature' },
};

@ApiTags('payment 支付')
@Controller('api/group/pay/notify')
export class PaymentNotifyController {
  constructor(private readonly payments: PaymentEventsService) {}

  @Post('wechat')
  @HttpCode(204)
  @Public()
  @ApiOperation({
    summary: '微信支付回调 (WeChat Pay v3 notify)',
    description:
      'WeChat calls this; answers follow WeChat, not §2: 204 when applied (also for duplicates); 401 `{code:"FAIL", message}` for a bad or test signature or a timestamp older than 5 minutes; 400 `{code:"FAIL"}` when a verified notify does not match (mchid, appid, out_trade_no, amount). Takes TRANSACTION.SUCCESS and REFUND.* events.',
  })
  @ApiHeader({ name: 'Wechatpay-Signature', required: true })
  @ApiHeader({ name: 'Wechatpay-Timestamp', required: true })
  @ApiHeader({ name: 'Wechatpay-Nonce', required: true })
  @ApiHeader({ name: 'Wechatpay-Serial', required: false })
  @ApiBody({
    description: 'WeChat Pay v3 notify (`resource` is AEAD_AES_256_GCM ciphertext under the APIv3 key)',
    schema: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        create_time: { type: 'string' },
        event_type: { type: 'string', example: 'TRANSACTION.SUCCESS' },
        resource_type: { type: 'string', example: 'encrypt-resource' },
        resource: {
          type: 'object',
          properties: {
            algorithm: { type: 'string', example: 'AEAD_AES_256_GCM' },
            ciphertext: { type: 'string' },
            associated_data: { type: 'string' },
            nonce: { type: 'string' },
          },
        },
      },
    },
  })
  @ApiNoContentResponse({ description: '已处理' })
  @ApiResponse({ status: 400, description: '验签通过但 mchid、appid、out_trade_no 或金额不符，未做任何修改', schema: WECHAT_FAIL })
  @ApiResponse({ status: 401, description: '签名无效（含 WECHATPAY/SIGNTEST/ 探测）或时间戳超过 5 分钟', schema: WECHAT_FAIL })
  @ApiResponse({ status: 404, description: '未启用微信支付（PAYMENT_PROVIDER 不是 wechat）', schema: WECHAT_FAIL })
  async wechat(@Req() req: FastifyRequest & { rawBody?: Buffer }): Promise<void> {
    // read here rather than with @Headers(), which would list each header a second time (lower case) in the document
    const [timestamp, nonce, signature, serial] = ['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial'].map(
      (name) => header(req, name),
    );
    // the signature covers the bytes WeChat sent, so the raw body is verified, not the parsed one
    const raw = req.rawBody ? req.rawBody.toString('utf8') : typeof req.body === 'string' ? req.body : JSON.stringify(req.body ?? {});
    await this.payments.onNotify({ timestamp, nonce, signature, serial }, raw);
  }
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
