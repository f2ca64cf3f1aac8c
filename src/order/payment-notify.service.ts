import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { isDuplicateKeyError } from '../common/exception.filter';
import { money, toFen } from '../common/money';
import { insertId, rows, runTx } from '../database/sql';
import { PAYMENT_PROVIDER, PaymentProvider } from '../payment/payment-provider';
import { decryptResource, notifyMessage, rsaVerify } from '../payment/wechat-pay.crypto';
import { OrderAdminService } from './order-admin.service';
import { OrderStatus } from './order-status';
import { SettlementService } from './settlement.service';

export interface NotifyAnswer {
  http: number;
  body?: { code: string; message: string };
}

interface NotifyHeaders {
  timestamp?: string;
  nonce?: string;
  signature?: string;
  serial?: string;
}

const MAX_SKEW_SECONDS = 300;
const fail = (http: number, message: string): NotifyAnswer => ({ http, body: { code: 'FAIL', message } });

/**
 * WeChat Pay notifies (contract §6): verified, decrypted, checked against the checkout, applied once.
 * Duplicates and out-of-order notifies are harmless: every effect is a conditional update.
 */
@Injectable()
export class PaymentNotifyService {
  private readonly logger = new Logger(PaymentNotifyService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly config: AppConfig,
    private readonly settlement: SettlementService,
    private readonly refunds: OrderAdminService,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
  ) {}

  async handle(h: NotifyHeaders, raw: string): Promise<NotifyAnswer> {
    if (this.config.paymentProvider !== 'wechat') return fail(404, 'WeChat Pay is not enabled');
    const w = this.config.wechatPay;
    if (!h.signature || !h.timestamp || !h.nonce || h.signature.startsWith('WECHATPAY/SIGNTEST/')) return fail(401, 'signature missing or a signature test probe');
    const ts = Number(h.timestamp);
    if (!Number.isFinite(ts) || Math.abs(Date.now() / 1000 - ts) > MAX_SKEW_SECONDS) return fail(401, 'stale timestamp');
    if (h.serial && w.publicKeyId && h.serial !== w.publicKeyId) return fail(401, 'unknown platform key serial');
    if (!rsaVerify(w.publicKey!, notifyMessage(h.timestamp, h.nonce, raw), h.signature)) return fail(401, 'bad signature');

    let event: { id?: string; event_type?: string; resource?: { ciphertext: string; nonce: string; associated_data?: string } };
    let resource: Record<string, unknown>;
    try {
      event = JSON.parse(raw);
      resource = JSON.parse(decryptResource(w.apiV3Key!, event.resource!));
    } catch {
      this.logger.warn('notify: verified but undecryptable body');
      return fail(400, 'resource could not be decrypted');
    }
    const type = String(event.event_type ?? '');
    const answer = type.startsWith('REFUND.') ? await this.onRefund(resource) : type === 'TRANSACTION.SUCCESS' ? await this.onPaid(resource) : { http: 204 };
    if (answer.http === 204) await this.record(event.id ?? '', type, String(resource.out_trade_no ?? ''), raw);
    return answer;
  }

  private async onPaid(r: Record<string, unknown>): Promise<NotifyAnswer> {
    const w = this.config.wechatPay;
    const payNo = String(r.out_trade_no ?? '');
    const [c] = await rows<{ id: number; total_price: string | number; status: number }>(this.ds, 'SELECT id, total_price, status FROM checkout WHERE pay_no = ?', [payNo]);
    const total = (r.amount as { total?: number } | undefined)?.total;
    const mismatch =
      r.mchid !== w.mchId ? 'mchid' : r.appid !== this.config.wechat.appId ? 'appid' : !c ? 'out_trade_no' : total !== toFen(money(c.total_price)) ? 'amount' : r.trade_state !== 'SUCCESS' ? 'trade_state' : null;
    if (mismatch) {
      this.logger.warn(`notify rejected: ${mismatch} does not match (out_trade_no ${payNo})`);
      return fail(400, `${mismatch} does not match`);
    }
    await this.settlePaid(c.id, String(r.transaction_id ?? ''), r.success_time ? new Date(String(r.success_time)) : new Date());
    return { http: 204 };
  }

  /** A payment WeChat confirms (notify or query): settle, or re-take stock after expiry, or refund at once. */
  async settlePaid(checkoutId: number, transactionId: string, payTime: Date): Promise<'paid' | 'already' | 'refunded'> {
    const actor = { type: 'provider' as const, id: null };
    const outcome = await runTx(this.ds, async (em) => {
      if (await this.settlement.settle(em, checkoutId, payTime, actor, { transactionId, enforceExpiry: false })) return 'paid' as const;
      const [c] = await rows<{ status: number }>(em, 'SELECT status FROM checkout WHERE id = ?', [checkoutId]);
      if (Number(c.status) === OrderStatus.EXPIRED) {
        const late = await this.settlement.settleLate(em, checkoutId, new Date(), actor, transactionId);
        if (late === 'paid') return 'paid' as const;
        if (late === 'refund') return 'refund' as const;
      }
      return 'already' as const;
    });
    if (outcome === 'refund') {
      await this.refundWholeCheckout(checkoutId);
      return 'refunded';
    }
    return outcome;
  }

  /** Money arrived for goods we no longer have: send the refunds settleLate recorded, order by order. */
  private async refundWholeCheckout(checkoutId: number): Promise<void> {
    const pending = await rows<{ out_refund_no: string }>(
      this.ds,
      "SELECT r.out_refund_no FROM payment_refund r JOIN group_buying_order o ON o.id = r.order_id WHERE o.checkout_id = ? AND r.status = 'processing'",
      [checkoutId],
    );
    for (const p of pending) {
      try {
        await this.refunds.sendRecordedRefund(p.out_refund_no, { type: 'system', id: null });
      } catch (e) {
        this.logger.error(`late-payment refund ${p.out_refund_no} failed: ${(e as Error).message}`);
      }
    }
  }

  private async onRefund(r: Record<string, unknown>): Promise<NotifyAnswer> {
    if (r.mchid !== this.config.wechatPay.mchId) return fail(400, 'mchid does not match');
    const outRefundNo = String(r.out_refund_no ?? '');
    const [row] = await rows(this.ds, 'SELECT id FROM payment_refund WHERE out_refund_no = ?', [outRefundNo]);
    if (!row) return fail(400, 'out_refund_no does not match');
    const st = String(r.refund_status ?? '');
    if (st === 'SUCCESS' || st === 'CLOSED' || st === 'ABNORMAL') {
      await this.refunds.applyRefundOutcome(outRefundNo, { status: st === 'SUCCESS' ? 'success' : 'failed', providerRefundId: String(r.refund_id ?? ''), message: st }, { type: 'provider', id: null });
    }
    return { http: 204 };
  }

  private async record(id: string, type: string, outTradeNo: string, raw: string): Promise<void> {
    if (!id) return;
    try {
      await runTx(this.ds, (em) => insertId(em, 'INSERT INTO payment_notify (notify_id, event_type, out_trade_no, payload) VALUES (?, ?, ?, ?)', [id.slice(0, 64), type.slice(0, 32), outTradeNo.slice(0, 64), raw.slice(0, 60000)]));
    } catch (e) {
      if (!isDuplicateKeyError(e)) throw e;
    }
  }

  /** Used by the sweep/refreshorder: ask the provider about a checkout that was sent to it. */
  async reconcile(checkoutId: number, payNo: string): Promise<'paid' | 'unpaid' | 'closed' | 'unknown' | 'already' | 'refunded'> {
    const q = await this.provider.query(payNo);
    if (q.state !== 'paid') return q.state;
    return this.settlePaid(checkoutId, q.transactionId, new Date());
  }
}
