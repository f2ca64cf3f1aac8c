import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PAYMENT_PROVIDER } from './payment-provider';
import { SandboxPaymentProvider } from './sandbox.provider';
import { WechatPaymentProvider } from './wechat.provider';

/** The payment provider chosen by PAYMENT_PROVIDER (a strategy behind one interface). */
@Module({
  providers: [
    SandboxPaymentProvider,
    WechatPaymentProvider,
    {
      provide: PAYMENT_PROVIDER,
      inject: [AppConfig, SandboxPaymentProvider, WechatPaymentProvider],
      useFactory: (c: AppConfig, sandbox: SandboxPaymentProvider, wechat: WechatPaymentProvider) => (c.paymentProvider === 'wechat' ? wechat : sandbox),
    },
  ],
  exports: [PAYMENT_PROVIDER],
})
export class PaymentModule {}
