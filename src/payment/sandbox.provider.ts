import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DomainError } from '../common/errors';
import {
  NotifyEvent,
  PaymentProvider,
  PayOutcome,
  QueryOutcome,
  RefundOutcome,
  RefundQueryOutcome,
  RefundRequest,
} from './payment-provider';

/** Settles every payment and refund at once, with no money moving. The default outside production. */
@Injectable()
export class SandboxPaymentProvider implements PaymentProvider {
  readonly name = 'sandbox' as const;

  async pay(): Promise<PayOutcome> {
    return { kind: 'settled', transactionId: `sandbox-${randomBytes(8).toString('hex')}` };
  }

  async refund(req: RefundRequest): Promise<RefundOutcome> {
    return { status: 'success', providerRefundId: `sandbox-refund-${req.outRefundNo}` };
  }

  /** Sandbox refunds settle when sent; one recorded but never sent is simply sent (again). */
  async queryRefund(): Promise<RefundQueryOutcome> {
    return { status: 'missing' };
  }

  async query(): Promise<QueryOutcome> {
    return { state: 'unknown' };
  }

  async close(): Promise<void> {}

  verifyNotify(): NotifyEvent {
    throw new DomainError(404, 404, 'WeChat Pay is not enabled');
  }
}
