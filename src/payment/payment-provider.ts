import Big from 'big.js';

/** What a provider needs to know about a checkout to take its money. */
export interface PayRequest {
  payNo: string;
  total: Big;
  description: string;
  expireTime: Date;
  openId: string;
}

export type PayOutcome =
  /** the money is taken now (sandbox) */
  | { kind: 'settled'; transactionId: string }
  /** the client must finish paying (WeChat JSAPI); settlement comes by notify or query */
  | { kind: 'pending'; prepayId: string; clientParams: Record<string, string> };

export interface RefundRequest {
  payNo: string;
  outRefundNo: string;
  amount: Big;
  checkoutTotal: Big;
  reason: string;
}

export type RefundOutcome = { status: 'success' | 'processing' | 'failed'; providerRefundId?: string; message?: string };

export type QueryOutcome = { state: 'paid'; transactionId: string; amount: Big } | { state: 'unpaid' } | { state: 'closed' } | { state: 'unknown' };

/**
 * A payment provider (strategy): `sandbox` settles at once; `wechat` is WeChat Pay API v3.
 * Settlement itself (marking orders paid) is idempotent and lives in the Order module.
 */
export interface PaymentProvider {
  readonly name: 'sandbox' | 'wechat';
  pay(req: PayRequest): Promise<PayOutcome>;
  refund(req: RefundRequest): Promise<RefundOutcome>;
  query(payNo: string): Promise<QueryOutcome>;
  close(payNo: string): Promise<void>;
}

export const PAYMENT_PROVIDER = Symbol('PAYMENT_PROVIDER');
