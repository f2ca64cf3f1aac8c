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

/**
 * What became of a refund: `processing` also when the answer was lost (timeout, network error, 5xx):
 * the refund may have been accepted, so it is asked about later, never sent under a new number.
 * `failed` only when the provider refused it outright; `abnormal` needs a person.
 */
export type RefundOutcome = { status: 'success' | 'processing' | 'failed' | 'abnormal'; providerRefundId?: string; message?: string };

/** A refund asked about by its out_refund_no: known (with its state), unknown to the provider, or no answer. */
export type RefundQueryOutcome = RefundOutcome | { status: 'missing' } | { status: 'unknown' };

export type QueryOutcome =
  { state: 'paid'; transactionId: string; amount: Big } | { state: 'unpaid' } | { state: 'closed' } | { state: 'unknown' };

/** The signature headers of a provider's notify. */
export interface NotifyHeaders {
  timestamp?: string;
  nonce?: string;
  signature?: string;
  serial?: string;
}

/**
 * A notify whose signature, freshness, decryption and merchant identity the provider has checked:
 * what happened, in the provider's words (no order is known here).
 */
export type NotifyEvent =
  | {
      kind: 'paid';
      id: string;
      type: string;
      payNo: string;
      transactionId: string;
      amount: Big | null;
      tradeState: string;
      successTime: Date | null;
      raw: string;
    }
  | {
      kind: 'refund';
      id: string;
      type: string;
      outRefundNo: string;
      outTradeNo: string;
      status: string;
      providerRefundId: string;
      raw: string;
    }
  | { kind: 'other'; id: string; type: string; outTradeNo: string; raw: string };

/**
 * A payment provider (strategy): `sandbox` settles at once; `wechat` is WeChat Pay API v3.
 * What a verified payment means for orders is the order module's business.
 */
export interface PaymentProvider {
  readonly name: 'sandbox' | 'wechat';
  pay(req: PayRequest): Promise<PayOutcome>;
  refund(req: RefundRequest): Promise<RefundOutcome>;
  queryRefund(outRefundNo: string): Promise<RefundQueryOutcome>;
  query(payNo: string): Promise<QueryOutcome>;
  close(payNo: string): Promise<void>;
  /**
   * Verifies and opens a notify. Refusals throw DomainError with the provider's HTTP answer (401 bad or
   * test signature, stale timestamp; 400 undecryptable or another merchant's; 404 when not enabled).
   */
  verifyNotify(headers: NotifyHeaders, raw: string): NotifyEvent;
}

export const PAYMENT_PROVIDER = Symbol('PAYMENT_PROVIDER');
