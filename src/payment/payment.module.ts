import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PAYMENT_PROVIDER } from './payment-provider';
import { SandboxPaymentProvider } from './sandbox.provider';

/** The payment provider chosen by PAYMENT_PROVIDER. (The WeChat Pay v3 provider plugs in here.) */
@Module({
  providers: [
    SandboxPaymentProvider,
    {
      provide: PAYMENT_PROVIDER,
      inject: [AppConfig, SandboxPaymentProvider],
      useFactory: (c: AppConfig, sandbox: SandboxPaymentProvider) => {
        if (c.paymentProvider === 'sandbox') return sandbox;
        // Until the WeChat provider lands, refuse to pretend: paying answers an error instead of settling.
        return {
          name: 'wechat',
          pay: async () => {
            throw new Error('WeChat Pay provider is not available in this build');
          },
          refund: async () => ({ status: 'failed', message: 'WeChat Pay provider is not available in this build' }),
          query: async () => ({ state: 'unknown' }),
          close: async () => undefined,
        };
      },
    },
  ],
  exports: [PAYMENT_PROVIDER],
})
export class PaymentModule {}
