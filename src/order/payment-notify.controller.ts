import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiHeader, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../auth/auth.decorators';
import { PaymentEventsService } from './payment-events.service';

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
  @ApiNoContentResponse({ description: '已处理' })
  async wechat(
    @Req() req: FastifyRequest & { rawBody?: Buffer },
    @Headers('wechatpay-timestamp') timestamp?: string,
    @Headers('wechatpay-nonce') nonce?: string,
    @Headers('wechatpay-signature') signature?: string,
    @Headers('wechatpay-serial') serial?: string,
  ): Promise<void> {
    // the signature covers the bytes WeChat sent, so the raw body is verified, not the parsed one
    const raw = req.rawBody ? req.rawBody.toString('utf8') : typeof req.body === 'string' ? req.body : JSON.stringify(req.body ?? {});
    await this.payments.onNotify({ timestamp, nonce, signature, serial }, raw);
  }
}
