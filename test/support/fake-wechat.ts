import Fastify, { FastifyInstance } from 'fastify';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { encryptResource, nonce, notifyMessage, rsaSign, rsaVerify } from '../../src/payment/wechat-pay.crypto';

/**
 * A protocol-faithful stand-in for WeChat (mini-program login and Pay API v3) on 127.0.0.1:
 * it checks the merchant's request signatures, signs its answers and notifies with a platform key,
 * and encrypts notify resources with the APIv3 key.
 */
export class FakeWechat {
  readonly appId = 'wx0000000000000001';
  readonly appSecret = 'app-secret';
  readonly mchId = '1900000109';
  readonly serialNo = 'MERCHANT-SERIAL-1';
  readonly apiV3Key = 'abcdefghijklmnopqrstuvwxyz012345';
  readonly platformKeyId = 'PUB_KEY_ID_0000000001';
  readonly merchant = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  readonly platform = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  readonly transactions = new Map<string, { total: number; state: string; transactionId?: string; openid: string; timeExpire: string }>();
  readonly refunds = new Map<string, { outTradeNo: string; refund: number; total: number; status: string }>();
  refundStatus: 'SUCCESS' | 'PROCESSING' = 'PROCESSING';
  /**
   * The next refund request goes wrong: `drop` closes the connection and `5xx` answers 500, both after
   * WeChat has accepted the refund (as when an answer is lost); `reject` refuses it outright (400).
   */
  refundFault: null | 'drop' | '5xx' | 'reject' = null;
  /** Answers sent without a Wechatpay-Signature (a man in the middle, or a misconfigured proxy). */
  unsignedAnswers = false;
  /** Refund requests received, repeats of an out_refund_no included. */
  refundRequests = 0;
  badRequests = 0;
  url = '';
  private app: FastifyInstance = Fastify();

  async start(): Promise<this> {
    const app = this.app;
    app.get('/sns/jscode2session', async (req) => {
      const q = req.query as Record<string, string>;
      if (q.appid !== this.appId || q.secret !== this.appSecret) return { errcode: 40013, errmsg: 'invalid appid' };
      if (!q.js_code?.startsWith('good-')) return { errcode: 40029, errmsg: 'invalid code' };
      return { openid: `wx-openid-${q.js_code.slice(5)}`, session_key: 'sk' };
    });
    app.addHook('preHandler', async (req, reply) => {
      if (!req.url.startsWith('/v3/')) return;
      if (
        !this.verifyMerchant(
          req.method,
          req.url,
          req.body === undefined ? '' : JSON.stringify(req.body),
          String(req.headers.authorization ?? ''),
        )
      ) {
        this.badRequests++;
        return reply.status(401).send({ code: 'SIGN_ERROR', message: 'bad merchant signature' });
      }
    });
    app.post('/v3/pay/transactions/jsapi', async (req, reply) => {
      const b = req.body as {
        appid: string;
        mchid: string;
        out_trade_no: string;
        amount: { total: number };
        payer: { openid: string };
        time_expire: string;
        notify_url: string;
      };
      if (b.appid !== this.appId || b.mchid !== this.mchId) return reply.status(400).send({ code: 'PARAM_ERROR', message: 'appid/mchid' });
      const existing = this.transactions.get(b.out_trade_no);
      if (!existing)
        this.transactions.set(b.out_trade_no, {
          total: b.amount.total,
          state: 'NOTPAY',
          openid: b.payer.openid,
          timeExpire: b.time_expire,
        });
      return this.signed(reply, { prepay_id: `wx_prepay_${b.out_trade_no}` });
    });
    app.get('/v3/pay/transactions/out-trade-no/:no', async (req, reply) => {
      const t = this.transactions.get((req.params as { no: string }).no);
      if (!t) return reply.status(404).send({ code: 'ORDER_NOT_EXIST', message: 'no such order' });
      return this.signed(reply, {
        mchid: this.mchId,
        appid: this.appId,
        out_trade_no: (req.params as { no: string }).no,
        trade_state: t.state,
        transaction_id: t.transactionId,
        amount: { total: t.total, payer_total: t.total, currency: 'CNY' },
      });
    });
    app.post('/v3/pay/transactions/out-trade-no/:no/close', async (req, reply) => {
      const t = this.transactions.get((req.params as { no: string }).no);
      if (t && t.state === 'NOTPAY') t.state = 'CLOSED';
      return reply.status(204).send();
    });
    app.post('/v3/refund/domestic/refunds', async (req, reply) => {
      this.refundRequests++;
      const b = req.body as { out_trade_no: string; out_refund_no: string; amount: { refund: number; total: number } };
      const fault = this.refundFault;
      this.refundFault = null;
      if (fault === 'reject') return reply.status(400).send({ code: 'NOT_ENOUGH', message: 'refund refused' });
      const t = this.transactions.get(b.out_trade_no);
      if (!t || t.state !== 'SUCCESS') return reply.status(400).send({ code: 'INVALID_REQUEST', message: 'not paid' });
      // WeChat's rule: the same out_refund_no is the same refund, never a second payout
      let r = this.refunds.get(b.out_refund_no);
      if (!r) {
        if (b.amount.total !== t.total || b.amount.refund + this.refundedOf(b.out_trade_no) > t.total)
          return reply.status(400).send({ code: 'PARAM_ERROR', message: 'amount' });
        r = { outTradeNo: b.out_trade_no, refund: b.amount.refund, total: b.amount.total, status: this.refundStatus };
        this.refunds.set(b.out_refund_no, r);
      }
      if (fault === 'drop') {
        reply.raw.destroy();
        return reply;
      }
      if (fault === '5xx') return reply.status(500).send({ code: 'SYSTEM_ERROR', message: 'try again' });
      return this.signed(reply, { refund_id: `rf_${b.out_refund_no}`, out_refund_no: b.out_refund_no, status: r.status });
    });
    app.get('/v3/refund/domestic/refunds/:no', async (req, reply) => {
      const no = (req.params as { no: string }).no;
      const r = this.refunds.get(no);
      if (!r) return reply.status(404).send({ code: 'RESOURCE_NOT_EXISTS', message: 'no such refund' });
      return this.signed(reply, {
        refund_id: `rf_${no}`,
        out_refund_no: no,
        out_trade_no: r.outTradeNo,
        status: r.status,
        amount: { refund: r.refund, total: r.total },
      });
    });
    // WeChat signs its error answers too
    app.addHook('onSend', async (req, reply, payload) => {
      if (!req.url.startsWith('/v3/') || reply.statusCode < 400 || this.unsignedAnswers || typeof payload !== 'string' || !payload)
        return payload;
      this.signHeaders(reply, payload);
      return payload;
    });
    this.url = await app.listen({ port: 0, host: '127.0.0.1' });
    return this;
  }

  /** Money given back on a transaction (refunds not closed). */
  refundedOf(outTradeNo: string): number {
    return [...this.refunds.values()].filter((r) => r.outTradeNo === outTradeNo && r.status !== 'CLOSED').reduce((a, r) => a + r.refund, 0);
  }

  stop(): Promise<void> {
    return this.app.close();
  }

  /** The env that points the app at this fake. */
  env(notifyUrl = 'https://shop.example.com/api/group/pay/notify/wechat'): Record<string, string> {
    return {
      PAYMENT_PROVIDER: 'wechat',
      WECHAT_APPID: this.appId,
      WECHAT_SECRET: this.appSecret,
      WECHAT_API_BASE: this.url,
      WECHATPAY_MCHID: this.mchId,
      WECHATPAY_SERIAL_NO: this.serialNo,
      WECHATPAY_PRIVATE_KEY: this.merchant.privateKey,
      WECHATPAY_APIV3_KEY: this.apiV3Key,
      WECHATPAY_PUBLIC_KEY: this.platform.publicKey,
      WECHATPAY_PUBLIC_KEY_ID: this.platformKeyId,
      WECHATPAY_NOTIFY_URL: notifyUrl,
      WECHATPAY_BASE_URL: this.url,
    };
  }

  /** The shopper pays: the transaction succeeds; returns the notify WeChat would send. */
  pay(outTradeNo: string, over: { total?: number; mchid?: string; appid?: string } = {}) {
    const t = this.transactions.get(outTradeNo);
    if (!t) throw new Error(`no prepay for ${outTradeNo}`);
    t.state = 'SUCCESS';
    t.transactionId = `4200${randomBytes(8).toString('hex')}`;
    return this.notify('TRANSACTION.SUCCESS', 'transaction', {
      mchid: over.mchid ?? this.mchId,
      appid: over.appid ?? this.appId,
      out_trade_no: outTradeNo,
      transaction_id: t.transactionId,
      trade_type: 'JSAPI',
      trade_state: 'SUCCESS',
      success_time: new Date().toISOString(),
      payer: { openid: t.openid },
      amount: { total: over.total ?? t.total, payer_total: t.total, currency: 'CNY', payer_currency: 'CNY' },
    });
  }

  refundNotify(outRefundNo: string, status: 'SUCCESS' | 'ABNORMAL' = 'SUCCESS') {
    const r = this.refunds.get(outRefundNo)!;
    r.status = status;
    return this.notify(`REFUND.${status}`, 'refund', {
      mchid: this.mchId,
      out_trade_no: r.outTradeNo,
      out_refund_no: outRefundNo,
      refund_id: `rf_${outRefundNo}`,
      refund_status: status,
      amount: { total: r.total, refund: r.refund, payer_total: r.total, payer_refund: r.refund },
    });
  }

  /** A signed notify: `{headers, body}` to POST to the app. */
  notify(eventType: string, type: string, resource: object, opts: { timestamp?: number; signWith?: string } = {}) {
    const body = JSON.stringify({
      id: randomBytes(12).toString('hex'),
      create_time: new Date().toISOString(),
      resource_type: 'encrypt-resource',
      event_type: eventType,
      summary: 'ok',
      resource: encryptResource(this.apiV3Key, JSON.stringify(resource), type),
    });
    const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
    const n = nonce();
    const signature = rsaSign(opts.signWith ?? this.platform.privateKey, notifyMessage(timestamp, n, body));
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'wechatpay-timestamp': timestamp,
        'wechatpay-nonce': n,
        'wechatpay-signature': signature,
        'wechatpay-serial': this.platformKeyId,
      },
    };
  }

  private verifyMerchant(method: string, url: string, body: string, auth: string): boolean {
    const m = /^WECHATPAY2-SHA256-RSA2048 (.+)$/.exec(auth);
    if (!m) return false;
    const f = Object.fromEntries(
      m[1].split(',').map((kv) => {
        const i = kv.indexOf('=');
        return [kv.slice(0, i), kv.slice(i + 1).replace(/^"|"$/g, '')];
      }),
    );
    if (f.mchid !== this.mchId || f.serial_no !== this.serialNo) return false;
    if (Math.abs(Date.now() / 1000 - Number(f.timestamp)) > 300) return false;
    return rsaVerify(this.merchant.publicKey, `${method}\n${url}\n${f.timestamp}\n${f.nonce_str}\n${body}\n`, f.signature);
  }

  private signed(reply: { header: (k: string, v: string) => unknown }, data: object) {
    const body = JSON.stringify(data);
    reply.header('content-type', 'application/json');
    if (!this.unsignedAnswers) this.signHeaders(reply, body);
    return body;
  }

  private signHeaders(reply: { header: (k: string, v: string) => unknown }, body: string): void {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const n = nonce();
    reply.header('Wechatpay-Timestamp', timestamp);
    reply.header('Wechatpay-Nonce', n);
    reply.header('Wechatpay-Serial', this.platformKeyId);
    reply.header('Wechatpay-Signature', rsaSign(this.platform.privateKey, notifyMessage(timestamp, n, body)));
  }
}
