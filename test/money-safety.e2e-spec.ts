import Big from 'big.js';
import { SweepService } from '../src/jobs/sweep.service';
import { CheckoutService } from '../src/order/checkout.service';
import { OrderService } from '../src/order/order.service';
import { PAYMENT_PROVIDER, PaymentProvider } from '../src/payment/payment-provider';
import { bootApp, TestApp } from './support/app';
import { adminToken, loginUser, makeDeal, newShop, newTenant } from './support/builders';
import { FakeWechat } from './support/fake-wechat';

const store = (token: string) => ({ 'Authori-Zation': `Bearer ${token}` });

/**
 * Money never leaks (contract §6, §7, §12) against a WeChat that drops answers, fails after accepting,
 * refuses, answers unsigned, and races a cancel.
 */
describe('Money never leaks: refunds, pay vs cancel, idempotent retries (fake WeChat, MariaDB)', () => {
  let wx: FakeWechat;
  let t: TestApp;
  let tenant: { tenantId: number; token: string };
  let shopId: number;
  let n = 0;

  beforeAll(async () => {
    wx = await new FakeWechat().start();
    t = await bootApp('money-safety', {
      ...wx.env(),
      LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
      ORDER_RATE_LIMIT_PER_MINUTE: '100000',
      MAX_UNPAID_CHECKOUTS: '1000',
    });
    tenant = await newTenant(t, await adminToken(t), 'MoneyTenant');
    shopId = await newShop(t, tenant.token);
  });
  afterAll(async () => {
    await t.close();
    await wx.stop();
  });
  afterEach(() => {
    jest.restoreAllMocks();
    wx.refundFault = null;
    wx.unsignedAnswers = false;
    wx.refundStatus = 'PROCESSING';
  });

  const admin = () => ({ Authorization: `Bearer ${tenant.token}` });
  const postNotify = (m: { body: string; headers: Record<string, string> }) =>
    t.http.post('/api/group/pay/notify/wechat').set(m.headers).send(m.body);
  const orderRows = async (payNo: string) =>
    t.ds.query('SELECT id, code, status, money, refund_status FROM group_buying_order WHERE pay_no = ? ORDER BY id', [payNo]) as Promise<
      { id: number; code: string; status: number; money: string; refund_status: string }[]
    >;
  const refundsOf = async (orderId: number) =>
    t.ds.query('SELECT out_refund_no, status, amount FROM payment_refund WHERE order_id = ? ORDER BY id', [orderId]);
  const stockOf = async (dealId: number) => Number((await t.ds.query('SELECT stock FROM group_buying WHERE id = ?', [dealId]))[0].stock);
  const refund = (orderId: number) => t.http.post(`/api/marketing/groupbuying/refundorder?id=${orderId}`).set(admin());
  const refresh = () => t.http.post('/api/marketing/groupbuying/refreshorder').set(admin());

  /** A checkout of `lines` deals (one unit each), paid at WeChat and notified. */
  async function paidCheckout(dealIds: number[]) {
    const u = await loginUser(t, `money-${++n}`);
    const res = await t.http
      .post('/api/group/order/createOrder')
      .set(store(u.token))
      .send({ goods: dealIds.map((id) => ({ product_id: id, quantity: 1 })) });
    expect(res.status).toBe(200);
    const payNo = res.body.data.pay_no as string;
    const code = res.body.data.orders[0].code as string;
    expect((await t.http.get(`/api/group/order/payOrder/${code}`).set(store(u.token))).status).toBe(200);
    expect((await postNotify(wx.pay(payNo))).status).toBe(204);
    return { u, payNo, code, orders: await orderRows(payNo) };
  }

  describe('refunds (§6)', () => {
    it('an answer lost after WeChat accepted: processing, a second click is 409, the sweep asks WeChat and settles it; one payout', async () => {
      const d = await makeDeal(t, tenant.tenantId, shopId, { price: new Big('6.00'), stock: 10 });
      const { payNo, orders } = await paidCheckout([d.id]);
      wx.refundStatus = 'SUCCESS';
      wx.refundFault = 'drop';
      const first = await refund(orders[0].id);
      expect(first.status).toBe(200);
      expect(first.body.data).toEqual({ refundStatus: 'processing' });
      expect((await refund(orders[0].id)).status).toBe(409);
      const [rec] = await refundsOf(orders[0].id);
      expect(rec).toMatchObject({ status: 'processing' });
      expect(wx.refunds.get(rec.out_refund_no)).toMatchObject({ refund: 600 });
      expect((await refresh()).status).toBe(200);
      expect((await orderRows(payNo))[0]).toMatchObject({ status: 2, refund_status: 'success' });
      expect(await refundsOf(orders[0].id)).toEqual([{ out_refund_no: rec.out_refund_no, status: 'success', amount: '6.00' }]);
      expect([...wx.refunds.keys()].filter((k) => k.startsWith(orders[0].code))).toHaveLength(1);
    });

    it('a 5xx after WeChat accepted: processing, then the query settles it; never marked failed', async () => {
      const d = await makeDeal(t, tenant.tenantId, shopId, { price: new Big('3.00'), stock: 10 });
      const { payNo, orders } = await paidCheckout([d.id]);
      wx.refundStatus = 'SUCCESS';
      wx.refundFault = '5xx';
      expect((await refund(orders[0].id)).body.data).toEqual({ refundStatus: 'processing' });
      expect((await orderRows(payNo))[0].refund_status).toBe('processing');
      // the scheduled sweep asks a minute later; refreshorder asks now
      expect((await t.app.get(SweepService).runOnce()).refundsSettled ?? 0).toBe(0);
      expect((await refresh()).status).toBe(200);
      expect((await orderRows(payNo))[0]).toMatchObject({ status: 2, refund_status: 'success' });
    });

    it('a refund WeChat refuses is failed; the retry reuses the same out_refund_no, so a two-order checkout is never over-refunded', async () => {
      const d1 = await makeDeal(t, tenant.tenantId, shopId, { price: new Big('5.00'), stock: 10 });
      const d2 = await makeDeal(t, tenant.tenantId, shopId, { price: new Big('7.00'), stock: 10 });
      const { payNo, orders } = await paidCheckout([d1.id, d2.id]);
      wx.refundStatus = 'SUCCESS';
      wx.refundFault = 'reject';
      expect((await refund(orders[0].id)).body.data).toEqual({ refundStatus: 'failed' });
      const [failed] = await refundsOf(orders[0].id);
      expect(failed.status).toBe('failed');
      expect((await refund(orders[0].id)).body.data).toEqual({ refundStatus: 'success' });
      expect((await refund(orders[1].id)).body.data).toEqual({ refundStatus: 'success' });
      expect((await refundsOf(orders[0].id)).map((r: { out_refund_no: string }) => r.out_refund_no)).toEqual([failed.out_refund_no]);
      expect(wx.refundedOf(payNo)).toBe(1200);
      expect((await orderRows(payNo)).map((o) => o.status)).toEqual([2, 2]);
    });

    it('ABNORMAL is abnormal: it needs a person, and a retry is a 409', async () => {
      const d = await makeDeal(t, tenant.tenantId, shopId, { price: new Big('2.00'), stock: 10 });
      const { payNo, orders } = await paidCheckout([d.id]);
      expect((await refund(orders[0].id)).body.data).toEqual({ refundStatus: 'processing' });
      const [rec] = await refundsOf(orders[0].id);
      expect((await postNotify(wx.refundNotify(rec.out_refund_no, 'ABNORMAL'))).status).toBe(204);
      expect((await orderRows(payNo))[0]).toMatchObject({ status: 1, refund_status: 'abnormal' });
      const again = await refund(orders[0].id);
      expect(again.status).toBe(409);
      expect(again.body.message).toMatch(/abnormal|异常/);
    });
  });

  describe('pay and cancel racing (§6)', () => {
    it('a payment that lands on a cancelled checkout takes the stock again (6 → 1)', async () => {
      const d = await makeDeal(t, tenant.tenantId, shopId, { price: new Big('4.00'), stock: 5 });
      const u = await loginUser(t, `money-${++n}`);
      const res = await t.http
        .post('/api/group/order/createOrder')
        .set(store(u.token))
        .send({ goods: [{ product_id: d.id, quantity: 2 }] });
      const { pay_no: payNo, orders } = res.body.data;
      await t.http.get(`/api/group/order/payOrder/${orders[0].code}`).set(store(u.token));
      // the prepay reached WeChat but the cancel did not see it (recorded a moment later)
      await t.ds.query('UPDATE checkout SET prepay_id = NULL WHERE pay_no = ?', [payNo]);
      jest.spyOn(t.app.get<PaymentProvider>(PAYMENT_PROVIDER), 'query').mockResolvedValueOnce({ state: 'unpaid' });
      jest.spyOn(t.app.get<PaymentProvider>(PAYMENT_PROVIDER), 'close').mockResolvedValueOnce(undefined);
      expect((await t.http.post('/api/group/order/cancel').set(store(u.token)).send({ code: orders[0].code })).status).toBe(200);
      expect(await stockOf(d.id)).toBe(5);
      expect((await postNotify(wx.pay(payNo))).status).toBe(204);
      expect((await orderRows(payNo))[0]).toMatchObject({ status: 1 });
      expect(await stockOf(d.id)).toBe(3);
    });

    it('a payment that lands on a cancelled checkout whose stock is gone is refunded in full', async () => {
      const d = await makeDeal(t, tenant.tenantId, shopId, { price: new Big('4.00'), stock: 2 });
      const u = await loginUser(t, `money-${++n}`);
      const res = await t.http
        .post('/api/group/order/createOrder')
        .set(store(u.token))
        .send({ goods: [{ product_id: d.id, quantity: 2 }] });
      const { pay_no: payNo, orders } = res.body.data;
      await t.http.get(`/api/group/order/payOrder/${orders[0].code}`).set(store(u.token));
      await t.ds.query('UPDATE checkout SET prepay_id = NULL WHERE pay_no = ?', [payNo]);
      jest.spyOn(t.app.get<PaymentProvider>(PAYMENT_PROVIDER), 'query').mockResolvedValueOnce({ state: 'unpaid' });
      jest.spyOn(t.app.get<PaymentProvider>(PAYMENT_PROVIDER), 'close').mockResolvedValueOnce(undefined);
      expect((await t.http.post('/api/group/order/cancel').set(store(u.token)).send({ code: orders[0].code })).status).toBe(200);
      await t.ds.query('UPDATE group_buying SET stock = 1 WHERE id = ?', [d.id]);
      wx.refundStatus = 'SUCCESS';
      expect((await postNotify(wx.pay(payNo))).status).toBe(204);
      expect((await orderRows(payNo))[0]).toMatchObject({ status: 6, refund_status: 'success' });
      expect(wx.refundedOf(payNo)).toBe(800);
    });

    it('payOrder whose prepay lands after the cancel: 1003, and the prepay is closed at WeChat', async () => {
      const d = await makeDeal(t, tenant.tenantId, shopId, { stock: 5 });
      const u = await loginUser(t, `money-${++n}`);
      const res = await t.http
        .post('/api/group/order/createOrder')
        .set(store(u.token))
        .send({ goods: [{ product_id: d.id, quantity: 1 }] });
      const { pay_no: payNo, orders } = res.body.data;
      const provider = t.app.get<PaymentProvider>(PAYMENT_PROVIDER);
      const realPay = provider.pay.bind(provider);
      const closed = jest.spyOn(provider, 'close');
      jest.spyOn(provider, 'pay').mockImplementationOnce(async (req) => {
        const out = await realPay(req);
        // the shopper cancels in another tab while WeChat answers the prepay
        await t.ds.query('UPDATE checkout SET status = 6 WHERE pay_no = ?', [payNo]);
        return out;
      });
      const pay = await t.http.get(`/api/group/order/payOrder/${orders[0].code}`).set(store(u.token));
      expect(pay.status).toBe(409);
      expect(pay.body.status).toBe(1003);
      expect(closed).toHaveBeenCalledWith(payNo);
      expect((await t.ds.query('SELECT prepay_id FROM checkout WHERE pay_no = ?', [payNo]))[0].prepay_id).toBeNull();
    });

    it('cancel does not settle from a query whose amount differs from the checkout', async () => {
      const d = await makeDeal(t, tenant.tenantId, shopId, { price: new Big('9.00'), stock: 5 });
      const u = await loginUser(t, `money-${++n}`);
      const res = await t.http
        .post('/api/group/order/createOrder')
        .set(store(u.token))
        .send({ goods: [{ product_id: d.id, quantity: 1 }] });
      const { pay_no: payNo, orders } = res.body.data;
      await t.http.get(`/api/group/order/payOrder/${orders[0].code}`).set(store(u.token));
      jest
        .spyOn(t.app.get<PaymentProvider>(PAYMENT_PROVIDER), 'query')
        .mockResolvedValueOnce({ state: 'paid', transactionId: 'wx-wrong', amount: new Big('0.01') });
      const cancel = await t.http.post('/api/group/order/cancel').set(store(u.token)).send({ code: orders[0].code });
      expect(cancel.status).toBe(409);
      expect((await orderRows(payNo))[0].status).toBe(0);
    });
  });

  describe('WeChat answers (§12)', () => {
    it('an answer without a valid Wechatpay-Signature is refused: payOrder 503, nothing recorded', async () => {
      const d = await makeDeal(t, tenant.tenantId, shopId, { stock: 5 });
      const u = await loginUser(t, `money-${++n}`);
      const res = await t.http
        .post('/api/group/order/createOrder')
        .set(store(u.token))
        .send({ goods: [{ product_id: d.id, quantity: 1 }] });
      wx.unsignedAnswers = true;
      const pay = await t.http.get(`/api/group/order/payOrder/${res.body.data.orders[0].code}`).set(store(u.token));
      expect(pay.status).toBe(503);
      expect((await t.ds.query('SELECT prepay_id FROM checkout WHERE pay_no = ?', [res.body.data.pay_no]))[0].prepay_id).toBeNull();
    });
  });

  describe('a 500 on a money route (faults)', () => {
    it('says the retry is safe: createOrder with the same Idempotency-Key, payOrder as is', async () => {
      const u = await loginUser(t, `money-${++n}`);
      jest.spyOn(t.app.get(CheckoutService), 'create').mockRejectedValueOnce(new Error('connection lost after COMMIT'));
      const res = await t.http
        .post('/api/group/order/createOrder')
        .set(store(u.token))
        .send({ goods: [{ product_id: 1, quantity: 1 }] });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ status: 500, msg: expect.stringContaining('Idempotency-Key is safe') });
      jest.spyOn(t.app.get(OrderService), 'pay').mockRejectedValueOnce(new Error('boom'));
      const pay = await t.http.get('/api/group/order/payOrder/tg000000000000').set(store(u.token));
      expect(pay.status).toBe(500);
      expect(pay.body.msg).toContain('never charged twice');
    });
  });

  describe('Idempotency-Key (§5)', () => {
    it('a retry of a checkout that used the coupon-less last unit replays the first answer, not 1002', async () => {
      const d = await makeDeal(t, tenant.tenantId, shopId, { stock: 1 });
      const u = await loginUser(t, `money-${++n}`);
      const body = { goods: [{ product_id: d.id, quantity: 1 }] };
      const first = await t.http
        .post('/api/group/order/createOrder')
        .set(store(u.token))
        .set('Idempotency-Key', 'retry-last-unit')
        .send(body);
      expect(first.status).toBe(200);
      const again = await t.http
        .post('/api/group/order/createOrder')
        .set(store(u.token))
        .set('Idempotency-Key', 'retry-last-unit')
        .send(body);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
    });

    it('a retry that reached the per-user limit replays too, and a different body with the key is 422', async () => {
      const d = await makeDeal(t, tenant.tenantId, shopId, { stock: 10, limitPerUser: 1 });
      const u = await loginUser(t, `money-${++n}`);
      const body = { goods: [{ product_id: d.id, quantity: 1 }] };
      const first = await t.http.post('/api/group/order/createOrder').set(store(u.token)).set('Idempotency-Key', 'retry-limit').send(body);
      const again = await t.http.post('/api/group/order/createOrder').set(store(u.token)).set('Idempotency-Key', 'retry-limit').send(body);
      expect(again.body.data.pay_no).toBe(first.body.data.pay_no);
      const other = await t.http
        .post('/api/group/order/createOrder')
        .set(store(u.token))
        .set('Idempotency-Key', 'retry-limit')
        .send({ goods: [{ product_id: d.id, quantity: 2 }] });
      expect(other.status).toBe(422);
      expect(other.body.status).toBe(801);
    });
  });
});
