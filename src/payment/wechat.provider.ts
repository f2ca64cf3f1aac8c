import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { fromFen, toFen } from '../common/money';
import { DomainError } from '../common/errors';
import {
  NotifyEvent,
  NotifyHeaders,
  PaymentProvider,
  PayOutcome,
  PayRequest,
  QueryOutcome,
  RefundOutcome,
  RefundQueryOutcome,
  RefundRequest,
} from './payment-provider';
import { authorization, decryptResource, nonce, notifyMessage, rfc3339, rsaSign, rsaVerify } from './wechat-pay.crypto';

const MAX_SKEW_SECONDS = 300;

/** WeChat's refund states: SUCCESS, PROCESSING, CLOSED (refused), ABNORMAL (needs a person). */
function refundState(status: string): { status: RefundOutcome['status'] } {
  if (status === 'SUCCESS') return { status: 'success' };
  if (status === 'PROCESSING') return { status: 'processing' };
  if (status === 'ABNORMAL') return { status: 'abnormal' };
  return { status: 'failed' };
}
/** A refused notify: the HTTP code WeChat gets, with `{code:"FAIL", message}` (the filter's WeChat family). */
const refuse = (http: number, message: string) => new DomainError(http, http, message);

class WechatPayError extends Error {
  constructor(
    message: string,
    readonly httpStatus: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** WeChat Pay API v3 (JSAPI for the mini-program), at WECHATPAY_BASE_URL. */
@Injectable()
export class WechatPaymentProvider implements PaymentProvider {
  readonly name = 'wechat' as const;
  private readonly logger = new Logger(WechatPaymentProvider.name);

  constructor(private readonly config: AppConfig) {}

  private get s() {
    const w = this.config.wechatPay;
    return { ...w, appId: this.config.wechat.appId ?? '' } as Required<typeof w> & { appId: string };
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; data: T }> {
    const s = this.s;
    const text = body === undefined ? '' : JSON.stringify(body);
    const res = await fetch(`${s.baseUrl}${path}`, {
      method,
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/json',
        'User-Agent': 'groupbuy-backend',
        Authorization: authorization({ mchId: s.mchId, serialNo: s.serialNo, privateKey: s.privateKey, method, url: path, body: text }),
      },
      body: method === 'GET' ? undefined : text,
      signal: AbortSignal.timeout(10_000),
    });
    const raw = await res.text();
    // every answer with a body must carry WeChat's signature: an unsigned or forged one is no answer at all
    if (raw) {
      const signature = res.headers.get('wechatpay-signature');
      const ok =
        !!signature &&
        rsaVerify(
          s.publicKey,
          notifyMessage(res.headers.get('wechatpay-timestamp') ?? '', res.headers.get('wechatpay-nonce') ?? '', raw),
          signature,
        );
      if (!ok) throw new WechatPayError('WeChat Pay answer without a valid signature', 0);
    }
    const data = raw ? (JSON.parse(raw) as T & { code?: string; message?: string }) : ({} as T & { code?: string; message?: string });
    if (res.status >= 400)
      throw new WechatPayError(`${data.code ?? res.status}: ${data.message ?? 'WeChat Pay error'}`, res.status, data.code);
    return { status: res.status, data };
  }

  async pay(req: PayRequest): Promise<PayOutcome> {
    const s = this.s;
    const { data } = await this.call<{ prepay_id: string }>('POST', '/v3/pay/transactions/jsapi', {
      appid: s.appId,
      mchid: s.mchId,
      description: req.description || '团购订单',
      out_trade_no: req.payNo,
      time_expire: rfc3339(req.expireTime),
      notify_url: s.notifyUrl,
      amount: { total: toFen(req.total), currency: 'CNY' },
      payer: { openid: req.openId },
    });
    const timeStamp = String(Math.floor(Date.now() / 1000));
    const nonceStr = nonce();
    const pkg = `prepay_id=${data.prepay_id}`;
    const paySign = rsaSign(s.privateKey, `${s.appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`);
    return {
      kind: 'pending',
      prepayId: data.prepay_id,
      clientParams: { appId: s.appId, timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign },
    };
  }

  async query(payNo: string): Promise<QueryOutcome> {
    try {
      const { data } = await this.call<{ trade_state: string; transaction_id?: string; amount?: { total: number } }>(
        'GET',
        `/v3/pay/transactions/out-trade-no/${encodeURIComponent(payNo)}?mchid=${encodeURIComponent(this.s.mchId)}`,
      );
      if (data.trade_state === 'SUCCESS')
        return { state: 'paid', transactionId: data.transaction_id ?? '', amount: fromFen(data.amount?.total ?? 0) };
      if (data.trade_state === 'NOTPAY' || data.trade_state === 'PAYERROR') return { state: 'unpaid' };
      if (data.trade_state === 'CLOSED' || data.trade_state === 'REVOKED') return { state: 'closed' };
      return { state: 'unknown' };
    } catch (e) {
      if (e instanceof WechatPayError && e.code === 'ORDER_NOT_EXIST') return { state: 'unpaid' };
      this.logger.warn(`query ${payNo} failed: ${(e as Error).message}`);
      return { state: 'unknown' };
    }
  }

  /** Closes an unpaid transaction; one WeChat never created (no prepay reached it) is as good as closed. */
  async close(payNo: string): Promise<void> {
    try {
      await this.call('POST', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(payNo)}/close`, { mchid: this.s.mchId });
    } catch (e) {
      if (e instanceof WechatPayError && e.code === 'ORDER_NOT_EXIST') return;
      throw e;
    }
  }

  async refund(req: RefundRequest): Promise<RefundOutcome> {
    try {
      const { data } = await this.call<{ refund_id: string; status: string }>('POST', '/v3/refund/domestic/refunds', {
        out_trade_no: req.payNo,
        out_refund_no: req.outRefundNo,
        reason: req.reason,
        notify_url: this.s.notifyUrl,
        amount: { refund: toFen(req.amount), total: toFen(req.checkoutTotal), currency: 'CNY' },
      });
      return { ...refundState(data.status), providerRefundId: data.refund_id, message: data.status };
    } catch (e) {
      // a refusal WeChat signed (4xx) is final; a lost, unsigned or 5xx answer may hide an accepted refund
      if (e instanceof WechatPayError && e.httpStatus >= 400 && e.httpStatus < 500) return { status: 'failed', message: e.message };
      this.logger.warn(`refund ${req.outRefundNo}: no answer (${(e as Error).message}); asked about later`);
      return { status: 'processing', message: (e as Error).message };
    }
  }

  async queryRefund(outRefundNo: string): Promise<RefundQueryOutcome> {
    try {
      const { data } = await this.call<{ refund_id: string; status: string }>(
        'GET',
        `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}`,
      );
      return { ...refundState(data.status), providerRefundId: data.refund_id, message: data.status };
    } catch (e) {
      if (e instanceof WechatPayError && e.code === 'RESOURCE_NOT_EXISTS') return { status: 'missing' };
      this.logger.warn(`refund query ${outRefundNo} failed: ${(e as Error).message}`);
      return { status: 'unknown' };
    }
  }

  /** Notify (contract §6): signature over `timestamp\nnonce\nbody\n`, freshness, AES-GCM resource, merchant and app. */
  verifyNotify(h: NotifyHeaders, raw: string): NotifyEvent {
    const w = this.config.wechatPay;
    if (!h.signature || !h.timestamp || !h.nonce || h.signature.startsWith('WECHATPAY/SIGNTEST/'))
      throw refuse(401, 'signature missing or a signature test probe');
    const ts = Number(h.timestamp);
    if (!Number.isFinite(ts) || Math.abs(Date.now() / 1000 - ts) > MAX_SKEW_SECONDS) throw refuse(401, 'stale timestamp');
    if (h.serial && w.publicKeyId && h.serial !== w.publicKeyId) throw refuse(401, 'unknown platform key serial');
    if (!rsaVerify(w.publicKey!, notifyMessage(h.timestamp, h.nonce, raw), h.signature)) throw refuse(401, 'bad signature');

    let event: { id?: string; event_type?: string; resource?: { ciphertext: string; nonce: string; associated_data?: string } };
    let r: Record<string, unknown>;
    try {
      event = JSON.parse(raw);
      r = JSON.parse(decryptResource(w.apiV3Key!, event.resource!));
    } catch {
      this.logger.warn('notify: verified but undecryptable body');
      throw refuse(400, 'resource could not be decrypted');
    }
    const id = String(event.id ?? '');
    const type = String(event.event_type ?? '');
    if (type.startsWith('REFUND.')) {
      if (r.mchid !== w.mchId) throw this.mismatch('mchid', String(r.out_trade_no ?? ''));
      return {
        kind: 'refund',
        id,
        type,
        outRefundNo: String(r.out_refund_no ?? ''),
        outTradeNo: String(r.out_trade_no ?? ''),
        status: String(r.refund_status ?? ''),
        providerRefundId: String(r.refund_id ?? ''),
        raw,
      };
    }
    if (type !== 'TRANSACTION.SUCCESS') return { kind: 'other', id, type, outTradeNo: String(r.out_trade_no ?? ''), raw };
    const payNo = String(r.out_trade_no ?? '');
    if (r.mchid !== w.mchId) throw this.mismatch('mchid', payNo);
    if (r.appid !== this.config.wechat.appId) throw this.mismatch('appid', payNo);
    const total = (r.amount as { total?: unknown } | undefined)?.total;
    return {
      kind: 'paid',
      id,
      type,
      payNo,
      transactionId: String(r.transaction_id ?? ''),
      amount: typeof total === 'number' && Number.isSafeInteger(total) ? fromFen(total) : null,
      tradeState: String(r.trade_state ?? ''),
      successTime: r.success_time ? new Date(String(r.success_time)) : null,
      raw,
    };
  }

  private mismatch(field: string, payNo: string): DomainError {
    this.logger.warn(`notify rejected: ${field} does not match (out_trade_no ${payNo})`);
    return refuse(400, `${field} does not match`);
  }
}
