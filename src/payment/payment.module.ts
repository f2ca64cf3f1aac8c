import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PaymentRecordService } from './payment-record.service';
import { PAYMENT_PROVIDER } from './payment-provider';
import { SandboxPaymentProvider } from './sandbox.provider';
import { WechatPaymentProvider } from './wechat.provider';

/**
 * The payment provider chosen by PAYMENT_PROVIDER (a strategy behind one interface) and the module's
 * own records (refunds asked, notifies received). It knows no order.
 */
@Module({
  providers: [
    SandboxPaymentProvider,
    WechatPaymentProvider,
    PaymentRecordService,
    {
      provide: PAYMENT_PROVIDER,
      inject: [AppConfig, SandboxPaymentProvider, WechatPaymentProvider],
      useFactory: (c: AppConfig, sandbox: SandboxPaymentProvider, wechat: WechatPaymentProvider) =>
        c.paymentProvider === 'wechat' ? wechat : sandbox,
    },
  ],
  exports: [PAYMENT_PROVIDER, PaymentRecordService],
})
export class PaymentModule {}
