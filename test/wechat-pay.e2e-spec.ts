import Big from 'big.js';
import { rsaVerify } from '../src/payment/wechat-pay.crypto';
import { OrderStatus } from '../src/order/order-status';
import { SettlementService } from '../src/order/settlement.service';
import { runTx } from '../src/database/sql';
import { bootApp, TestApp } from './support/app';
import { adminAuth, adminToken, createOrder, loginUser, makeDeal, newTenantWithShop, payOrder, Tenant, userAuth } from './support/builders';
import { FakeWechat } from './support/fake-wechat';

describe('WeChat login and WeChat Pay v3 against a fake WeChat (MariaDB)', () => {
  let wx: FakeWechat;
  let t: TestApp;
  let tenant: Tenant;
  let shopId: number;

  beforeAll(async () => {
    wx = await new FakeWechat().start();
    t = await bootApp('wechat', { ...wx.env(), LOGIN_RATE_LIMIT_PER_MINUTE: '100000' });
    ({ shopId, ...tenant } = await newTenantWithShop(t, await adminToken(t), 'WechatTenant'));
  });
  afterAll(async () => {
    await t.close();
    await wx.stop();
  });

  const postNotify = (n: { body: string; headers: Record<string, string> }) =>
    t.http.post('/api/group/pay/notify/wechat').set(n.headers).send(n.body);
  const checkoutRow = async (payNo: string) =>
    (await t.ds.query('SELECT status, prepay_id, transaction_id FROM checkout WHERE pay_no = ?', [payNo]))[0];
  const orderRows = async (payNo: string) =>
    t.ds.query('SELECT id, status, sequence, deliver_code, refund_status FROM group_buying_order WHERE pay_no = ? ORDER BY id', [payNo]);

  async function checkoutFor(openId: string, dealId: number, qty = 1) {
    const u = await loginUser(t, openId);
    const res = await createOrder(t, u.token, { goods: [{ product_id: dealId, quantity: qty }] });
    expect(res.status).toBe(200);
    return {
      u,
      payNo: res.body.data.pay_no as string,
      code: res.body.data.orders[0].code as string,
      total: res.body.data.total_price as string,
    };
  }

  describe('mini-program login (jscode2session)', () => {
    it('logs in with a code WeChat accepts', async () => {
      const res = await t.http.post('/api/group/auth/login').send({ code: 'good-alice' });
      expect(res.status).toBe(200);
      expect(res.body.data.user.open_id).toBe('wx-openid-alice');
    });
    it('401 for a code WeChat refuses', async () => {
      const res = await t.http.post('/api/group/auth/login').send({ code: 'bad-code' });
      expect(res.status).toBe(401);
      expect(res.body.status).toBe(401);
    });
  });

  it('payOrder makes a JSAPI prepay (amount in fen, time_expire RFC 3339) and answers signed client parameters', async () => {
    const d = await makeDeal(t, tenant.tenantId, shopId, { price: new Big('19.99') });
    const { u, payNo, code } = await checkoutFor('wx-pay-1', d.id, 3);
    const res = await payOrder(t, u.token, code);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe(200);
    const p = res.body.data;
    expect(p).toMatchObject({ paid: false, pay_no: payNo, appId: wx.appId, signType: 'RSA', package: `prepay_id=wx_prepay_${payNo}` });
    expect(p.timeStamp).toMatch(/^\d{10}$/);
    expect(rsaVerify(wx.merchant.publicKey, `${p.appId}\n${p.timeStamp}\n${p.nonceStr}\n${p.package}\n`, p.paySign)).toBe(true);
    const tx = wx.transactions.get(payNo)!;
    expect(tx.total).toBe(5997);
    expect(tx.timeExpire).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    expect(tx.openid).toBe('wx-pay-1');
    expect((await checkoutRow(payNo)).prepay_id).toBe(`wx_prepay_${payNo}`);
    expect(wx.badRequests).toBe(0);
  });

  it('a verified notify settles the checkout once; duplicates are harmless', async () => {
    const d = await makeDeal(t, tenant.tenantId, shopId, { price: new Big('5.00') });
    const { u, payNo, code } = await checkoutFor('wx-pay-2', d.id, 2);
    await payOrder(t, u.token, code);
    const n = wx.pay(payNo);
    const first = await postNotify(n);
    expect(first.status).toBe(204);
    const again = await postNotify(n);
    expect(again.status).toBe(204);
    expect(await checkoutRow(payNo)).toMatchObject({ status: 1, transaction_id: wx.transactions.get(payNo)!.transactionId });
    const [o] = await orderRows(payNo);
    expect(o).toMatchObject({ status: 1, sequence: 1 });
    expect(o.deliver_code).toMatch(/^\d{8}$/);
    const [deal] = await t.ds.query('SELECT payed_count, last_sequence FROM group_buying WHERE id = ?', [d.id]);
    expect(deal).toEqual({ payed_count: 2, last_sequence: 1 });
    const pay = await payOrder(t, u.token, code);
    expect(pay.body).toMatchObject({ status: 701, data: { paid: true } });
  });

  it('401 for a bad signature, a signature-test probe or a stale timestamp; 400 for a verified notify that does not match', async () => {
    const d = await makeDeal(t, tenant.tenantId, shopId, { price: new Big('8.00') });
    const { u, payNo, code } = await checkoutFor('wx-pay-3', d.id);
    await payOrder(t, u.token, code);
    const good = wx.pay(payNo);
    const forged = wx.notify('TRANSACTION.SUCCESS', 'transaction', { out_trade_no: payNo }, { signWith: wx.merchant.privateKey });
    const r1 = await postNotify(forged);
    expect(r1.status).toBe(401);
    expect(r1.body).toEqual({ code: 'FAIL', message: expect.any(String) });
    const probe = await postNotify({ body: good.body, headers: { ...good.headers, 'wechatpay-signature': 'WECHATPAY/SIGNTEST/abc' } });
    expect(probe.status).toBe(401);
    const tampered = await postNotify({ body: good.body.replace('TRANSACTION', 'TRANSACTIOM'), headers: good.headers });
    expect(tampered.status).toBe(401);
    const stale = wx.notify('TRANSACTION.SUCCESS', 'transaction', {}, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect((await postNotify(stale)).status).toBe(401);
    for (const over of [{ total: 1 }, { mchid: '1900000000' }, { appid: 'wx-other' }]) {
      const res = await postNotify(wx.pay(payNo, over));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('FAIL');
    }
    expect((await checkoutRow(payNo)).status).toBe(0);
    expect((await postNotify(good)).status).toBe(204);
    expect((await checkoutRow(payNo)).status).toBe(1);
  });

  it('refund: processing at WeChat, then the REFUND.SUCCESS notify settles it (stock back)', async () => {
    const d = await makeDeal(t, tenant.tenantId, shopId, { price: new Big('3.30'), stock: 10 });
    const { u, payNo, code } = await checkoutFor('wx-refund', d.id, 2);
    await payOrder(t, u.token, code);
    await postNotify(wx.pay(payNo));
    const [o] = await orderRows(payNo);
    wx.refundStatus = 'PROCESSING';
    const res = await t.http.post(`/api/marketing/groupbuying/refundorder?id=${o.id}`).set(adminAuth(tenant.token));
    expect(res.body).toMatchObject({ status: 200, data: { refundStatus: 'processing' } });
    expect((await orderRows(payNo))[0]).toMatchObject({ status: 1, refund_status: 'processing' });
    const [refund] = await t.ds.query('SELECT out_refund_no FROM payment_refund WHERE order_id = ?', [o.id]);
    expect(wx.refunds.get(refund.out_refund_no)).toMatchObject({ refund: 660, total: 660 });
    expect((await postNotify(wx.refundNotify(refund.out_refund_no))).status).toBe(204);
    expect((await orderRows(payNo))[0]).toMatchObject({ status: 2, refund_status: 'success' });
    const [deal] = await t.ds.query('SELECT stock, payed_count FROM group_buying WHERE id = ?', [d.id]);
    expect(deal).toEqual({ stock: 10, payed_count: 0 });
  });

  it('cancel closes a prepaid checkout at WeChat first; a checkout WeChat says is paid is settled, not cancelled', async () => {
    const d = await makeDeal(t, tenant.tenantId, shopId, { stock: 10 });
    const a = await checkoutFor('wx-cancel-a', d.id);
    await payOrder(t, a.u.token, a.code);
    const ok = await t.http.post('/api/group/order/cancel').set(userAuth(a.u.token)).send({ code: a.code });
    expect(ok.status).toBe(200);
    expect(wx.transactions.get(a.payNo)!.state).toBe('CLOSED');
    expect((await checkoutRow(a.payNo)).status).toBe(6);
    const b = await checkoutFor('wx-cancel-b', d.id);
    await payOrder(t, b.u.token, b.code);
    wx.pay(b.payNo); // paid at WeChat, notify lost
    const refused = await t.http.post('/api/group/order/cancel').set(userAuth(b.u.token)).send({ code: b.code });
    expect(refused.status).toBe(409);
    expect((await checkoutRow(b.payNo)).status).toBe(1);
    expect((await t.ds.query('SELECT stock FROM group_buying WHERE id = ?', [d.id]))[0].stock).toBe(9);
  });

  describe('a payment that lands after its checkout expired', () => {
    async function expire(payNo: string) {
      await t.ds.query('UPDATE checkout SET expire_time = ? WHERE pay_no = ?', [new Date(Date.now() - 1000), payNo]);
      const [c] = await t.ds.query('SELECT id FROM checkout WHERE pay_no = ?', [payNo]);
      const settlement = t.app.get(SettlementService);
      await runTx(t.ds, (em) => settlement.release(em, c.id, OrderStatus.EXPIRED, { type: 'system', id: null }, { onlyIfExpired: true }));
    }

    it('takes the stock again when there is enough: paid', async () => {
      const d = await makeDeal(t, tenant.tenantId, shopId, { stock: 5 });
      const { u, payNo, code } = await checkoutFor('wx-late-ok', d.id, 2);
      await payOrder(t, u.token, code);
      await expire(payNo);
      expect((await t.ds.query('SELECT stock FROM group_buying WHERE id = ?', [d.id]))[0].stock).toBe(5);
      expect((await postNotify(wx.pay(payNo))).status).toBe(204);
      expect((await orderRows(payNo))[0]).toMatchObject({ status: 1, sequence: 1 });
      expect((await t.ds.query('SELECT stock, payed_count FROM group_buying WHERE id = ?', [d.id]))[0]).toEqual({
        stock: 3,
        payed_count: 2,
      });
    });

    it('refunds the full amount at once when the stock is gone: stays expired', async () => {
      const d = await makeDeal(t, tenant.tenantId, shopId, { stock: 2, price: new Big('4.00') });
      const { u, payNo, code } = await checkoutFor('wx-late-refund', d.id, 2);
      await payOrder(t, u.token, code);
      await expire(payNo);
      await t.ds.query('UPDATE group_buying SET stock = 1 WHERE id = ?', [d.id]);
      wx.refundStatus = 'SUCCESS';
      expect((await postNotify(wx.pay(payNo))).status).toBe(204);
      const [o] = await orderRows(payNo);
      expect(o).toMatchObject({ status: 5, refund_status: 'success', sequence: null });
      const [refund] = await t.ds.query('SELECT amount, status FROM payment_refund WHERE order_id = ?', [o.id]);
      expect(refund).toEqual({ amount: '8.00', status: 'success' });
      expect((await t.ds.query('SELECT stock FROM group_buying WHERE id = ?', [d.id]))[0].stock).toBe(1);
    });
  });
});
