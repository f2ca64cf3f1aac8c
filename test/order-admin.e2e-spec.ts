import Big from 'big.js';
import { PAYMENT_PROVIDER, PaymentProvider } from '../src/payment/payment-provider';
import { bootApp, TestApp } from './support/app';
import {
  ADDRESS,
  adminAuth,
  adminToken,
  checkout,
  dealCounters,
  Line,
  loginUser,
  makeDeal,
  newShop,
  newTenant,
  newTenantWithShop,
  payOrder,
  Tenant,
  User,
  userAuth,
} from './support/builders';

describe('Admin order routes: pickup, shipping, confirm, refund (MariaDB)', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let shopA: number;
  let shopB: number;
  let buyer: User;

  beforeAll(async () => {
    t = await bootApp('orderadmin', { LOGIN_RATE_LIMIT_PER_MINUTE: '100000' });
    const su = await adminToken(t);
    ({ shopId: shopA, ...a } = await newTenantWithShop(t, su, 'AdminOrdersA', 'A 店'));
    ({ shopId: shopB, ...b } = await newTenantWithShop(t, su, 'AdminOrdersB', 'B 店'));
    buyer = await loginUser(t, 'oa-buyer');
  });
  afterAll(() => t.close());

  /** create + pay; returns the orders of the checkout */
  async function buy(goods: Line[], pay = true, address?: object) {
    const c = await checkout(t, buyer.token, goods, { address });
    if (pay) await payOrder(t, buyer.token, c.codes[0]);
    return (await t.ds.query(
      'SELECT id, code, status, deliver_code, money, qty, group_buying_id FROM group_buying_order WHERE pay_no = ? ORDER BY id',
      [c.payNo],
    )) as {
      id: number;
      code: string;
      status: number;
      deliver_code: string | null;
      money: string;
      qty: number;
      group_buying_id: number;
    }[];
  }
  const order = async (id: number) =>
    (await t.ds.query('SELECT status, refund_status, tracking_no, open_deliver_code FROM group_buying_order WHERE id = ?', [id]))[0];

  describe('verifydelivercode and pickup', () => {
    it('finds the paid pickup order by its code in the shop and records the attempt', async () => {
      const d = await makeDeal(t, a.tenantId, shopA);
      const [o] = await buy([{ product_id: d.id, quantity: 1 }]);
      expect(o.deliver_code).toMatch(/^\d{8}$/);
      const res = await t.http
        .post('/api/marketing/groupbuying/verifydelivercode')
        .set(adminAuth(a.token))
        .send({ shopId: shopA, type: 1, code: o.deliver_code });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 200,
        message: '',
        data: {
          id: o.id,
          code: o.code,
          deliverCode: `******${o.deliver_code!.slice(-2)}`,
          status: 1,
          statusName: '已支付',
          shopName: 'A 店',
          userOpenId: 'oa-buyer',
        },
      });
      const logs = await t.ds.query("SELECT action, actor_type, actor_id FROM order_log WHERE order_id = ? AND action = 'verify_ok'", [
        o.id,
      ]);
      expect(logs).toHaveLength(1);
      expect(logs[0].actor_type).toBe('admin');
      // with id: must match
      const wrongId = await t.http
        .post('/api/marketing/groupbuying/verifydelivercode')
        .set(adminAuth(a.token))
        .send({ shopId: shopA, type: 1, code: o.deliver_code, id: o.id + 999 });
      expect(wrongId.status).toBe(404);
    });

    it('400 for type 2 and malformed codes; 404 for a wrong code or another tenant’s shop', async () => {
      const t2 = await t.http
        .post('/api/marketing/groupbuying/verifydelivercode')
        .set(adminAuth(a.token))
        .send({ shopId: shopA, type: 2, code: '12345678' });
      expect(t2.status).toBe(400);
      expect(t2.body.message).toContain('type');
      const bad = await t.http
        .post('/api/marketing/groupbuying/verifydelivercode')
        .set(adminAuth(a.token))
        .send({ shopId: shopA, type: 1, code: 'abc' });
      expect(bad.status).toBe(400);
      const wrong = await t.http
        .post('/api/marketing/groupbuying/verifydelivercode')
        .set(adminAuth(a.token))
        .send({ shopId: shopA, type: 1, code: '00000000' });
      expect(wrong.status).toBe(404);
      const other = await t.http
        .post('/api/marketing/groupbuying/verifydelivercode')
        .set(adminAuth(b.token))
        .send({ shopId: shopA, type: 1, code: '00000000' });
      expect(other.status).toBe(404);
    });

    it('deliverorder type 1 needs the order’s code, completes it once, and frees the code', async () => {
      const d = await makeDeal(t, a.tenantId, shopA);
      const [o] = await buy([{ product_id: d.id, quantity: 1 }]);
      const wrong = await t.http
        .post('/api/marketing/groupbuying/deliverorder')
        .set(adminAuth(a.token))
        .send({ shopId: shopA, type: 1, code: '99999999', id: o.id });
      expect(wrong.status).toBe(404);
      const ok = await t.http
        .post('/api/marketing/groupbuying/deliverorder')
        .set(adminAuth(a.token))
        .send({ shopId: shopA, type: 1, code: o.deliver_code, id: o.id });
      expect(ok.body).toEqual({ status: 200, message: '' });
      expect(await order(o.id)).toMatchObject({ status: 4, open_deliver_code: null });
      const again = await t.http
        .post('/api/marketing/groupbuying/deliverorder')
        .set(adminAuth(a.token))
        .send({ shopId: shopA, type: 1, code: o.deliver_code, id: o.id });
      expect(again.status).toBe(409);
      expect(again.body.message).toContain('已完成');
      const verify = await t.http
        .post('/api/marketing/groupbuying/verifydelivercode')
        .set(adminAuth(a.token))
        .send({ shopId: shopA, type: 1, code: o.deliver_code });
      expect(verify.status).toBe(404);
      const logs = await t.ds.query("SELECT actor_id, from_status, to_status FROM order_log WHERE order_id = ? AND action = 'pickup'", [
        o.id,
      ]);
      expect(logs).toEqual([{ actor_id: expect.any(Number), from_status: 1, to_status: 4 }]);
    });

    it('rate limits wrong codes per shop (429)', async () => {
      const shop = await newShop(t, a.token, '限流门店');
      const codes: number[] = [];
      for (let i = 0; i < 22; i++) {
        const res = await t.http
          .post('/api/marketing/groupbuying/verifydelivercode')
          .set(adminAuth(a.token))
          .send({ shopId: shop, type: 1, code: String(10000000 + i) });
        codes.push(res.status);
      }
      expect(codes.slice(0, 20).every((c) => c === 404)).toBe(true);
      expect(codes.slice(20)).toEqual([429, 429]);
      const [{ n }] = await t.ds.query("SELECT COUNT(*) AS n FROM order_log WHERE shop_id = ? AND action = 'verify_fail'", [shop]);
      expect(Number(n)).toBe(20);
    });

    it('60 simultaneous wrong codes in one shop: at most 20 answered 404, the rest 429 (counted atomically, §12)', async () => {
      const other = await newTenant(t, await adminToken(t), 'PickupStorm');
      const shop = await newShop(t, other.token, '并发猜码门店');
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          t.http
            .post('/api/marketing/groupbuying/verifydelivercode')
            .set(adminAuth(other.token))
            .send({ shopId: shop, type: 1, code: String(20000000 + i) }),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 404).length).toBeLessThanOrEqual(20);
      expect(statuses.filter((s) => s === 404).length).toBeGreaterThan(0);
      expect(statuses.every((s) => s === 404 || s === 429)).toBe(true);
      expect(results.find((r) => r.status === 429)!.body).toMatchObject({ status: 429 });
    });

    it('an admin gets 60 wrong codes an hour across its shops, then 429', async () => {
      const other = await newTenant(t, await adminToken(t), 'PickupHourly');
      const shops = [
        await newShop(t, other.token, '一店'),
        await newShop(t, other.token, '二店'),
        await newShop(t, other.token, '三店'),
        await newShop(t, other.token, '四店'),
      ];
      const statuses: number[] = [];
      for (let i = 0; i < 62; i++) {
        const res = await t.http
          .post('/api/marketing/groupbuying/verifydelivercode')
          .set(adminAuth(other.token))
          .send({ shopId: shops[i % 4], type: 1, code: String(30000000 + i) });
        statuses.push(res.status);
      }
      expect(statuses.slice(0, 60).every((s) => s === 404)).toBe(true);
      expect(statuses.slice(60)).toEqual([429, 429]);
    });

    it('admin views show the pickup code masked to its last two digits', async () => {
      const d = await makeDeal(t, a.tenantId, shopA);
      const [o] = await buy([{ product_id: d.id, quantity: 1 }]);
      const one = await t.http.get('/api/marketing/groupbuying/getorder').query({ id: o.id }).set(adminAuth(a.token));
      expect(one.body.deliverCode).toBe(`******${o.deliver_code!.slice(-2)}`);
      const list = await t.http
        .get('/api/marketing/groupbuying/getorderlistbygroupbuying')
        .query({ groupBuyingId: d.id })
        .set(adminAuth(a.token));
      expect(list.body.data[0].deliverCode).toBe(`******${o.deliver_code!.slice(-2)}`);
    });
  });

  describe('express shipping', () => {
    it('type 2 ships an express order with its tracking number; the buyer then takes it', async () => {
      const d = await makeDeal(t, a.tenantId, shopA, { deliverType: 2, deliverFee: new Big('6.00') });
      const [o] = await buy([{ product_id: d.id, quantity: 1 }], true, ADDRESS);
      expect(o.deliver_code).toBeNull();
      const res = await t.http
        .post('/api/marketing/groupbuying/deliverorder')
        .set(adminAuth(a.token))
        .send({ shopId: shopA, type: 2, code: 'SF1234567890', id: o.id });
      expect(res.body).toEqual({ status: 200, message: '' });
      expect(await order(o.id)).toMatchObject({ status: 3, tracking_no: 'SF1234567890' });
      const take = await t.http.post('/api/group/order/take').set(userAuth(buyer.token)).send({ code: o.code });
      expect(take.status).toBe(200);
      expect((await order(o.id)).status).toBe(4);
    });

    it('400 when the type does not match the order; 404 for another tenant', async () => {
      const d = await makeDeal(t, a.tenantId, shopA);
      const [o] = await buy([{ product_id: d.id, quantity: 1 }]);
      const mismatch = await t.http
        .post('/api/marketing/groupbuying/deliverorder')
        .set(adminAuth(a.token))
        .send({ shopId: shopA, type: 2, code: 'SF1', id: o.id });
      expect(mismatch.status).toBe(400);
      const other = await t.http
        .post('/api/marketing/groupbuying/deliverorder')
        .set(adminAuth(b.token))
        .send({ shopId: shopB, type: 1, code: o.deliver_code, id: o.id });
      expect(other.status).toBe(404);
      expect((await order(o.id)).status).toBe(1);
    });
  });

  describe('confirmorder', () => {
    it('confirms paid orders and skips the rest with reasons', async () => {
      const d = await makeDeal(t, a.tenantId, shopA);
      const [paid1] = await buy([{ product_id: d.id, quantity: 1 }]);
      const [paid2] = await buy([{ product_id: d.id, quantity: 1 }]);
      const [unpaid] = await buy([{ product_id: d.id, quantity: 1 }], false);
      const dB = await makeDeal(t, b.tenantId, shopB);
      const [otherTenant] = await buy([{ product_id: dB.id, quantity: 1 }]);
      const res = await t.http
        .post('/api/marketing/groupbuying/confirmorder')
        .set(adminAuth(a.token))
        .send([paid1.id, String(paid2.id), unpaid.id, otherTenant.id, 99999999]);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe(200);
      expect(res.body.data.confirmed).toEqual([paid1.id, paid2.id]);
      expect(res.body.data.skipped.map((s: { id: number }) => s.id)).toEqual([unpaid.id, otherTenant.id, 99999999]);
      expect(res.body.data.skipped[0].reason).toContain('未支付');
      expect((await order(paid1.id)).status).toBe(8);
      expect((await order(otherTenant.id)).status).toBe(1);
      // a confirmed pickup order can still be picked up
      const pick = await t.http
        .post('/api/marketing/groupbuying/deliverorder')
        .set(adminAuth(a.token))
        .send({ shopId: shopA, type: 1, code: paid1.deliver_code, id: paid1.id });
      expect(pick.status).toBe(200);
      expect((await order(paid1.id)).status).toBe(4);
    });

    it('400 when the body is not an array of ids', async () => {
      const res = await t.http.post('/api/marketing/groupbuying/confirmorder').set(adminAuth(a.token)).send({ id: 1 });
      expect(res.status).toBe(400);
      const bad = await t.http.post('/api/marketing/groupbuying/confirmorder').set(adminAuth(a.token)).send([1, 'x']);
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('body[1]');
      const huge = await t.http.post('/api/marketing/groupbuying/confirmorder').set(adminAuth(a.token)).send([1, 2147483648]);
      expect(huge.status).toBe(400);
      expect(huge.body.message).toContain('body[1]');
    });
  });

  describe('refundorder', () => {
    it('refunds one order of a multi-order checkout: its money only, stock back, payedCount down', async () => {
      const d1 = await makeDeal(t, a.tenantId, shopA, { price: new Big('12.30'), stock: 10 });
      const d2 = await makeDeal(t, a.tenantId, shopA, { price: new Big('4.50'), stock: 10 });
      const [o1, o2] = await buy([
        { product_id: d1.id, quantity: 2 },
        { product_id: d2.id, quantity: 3 },
      ]);
      expect(await dealCounters(t, d1.id)).toMatchObject({ stock: 8, payed_count: 2, order_count: 1 });
      const res = await t.http.post(`/api/marketing/groupbuying/refundorder?id=${o1.id}`).set(adminAuth(a.token));
      expect(res.body).toEqual({ status: 200, message: '', data: { refundStatus: 'success' } });
      expect(await order(o1.id)).toMatchObject({ status: 2, refund_status: 'success' });
      expect(await order(o2.id)).toMatchObject({ status: 1, refund_status: 'none' });
      expect(await dealCounters(t, d1.id)).toMatchObject({ stock: 10, payed_count: 0, order_count: 1 });
      expect(await dealCounters(t, d2.id)).toMatchObject({ stock: 7, payed_count: 3 });
      const [refund] = await t.ds.query('SELECT amount, status FROM payment_refund WHERE order_id = ?', [o1.id]);
      expect(refund).toEqual({ amount: '24.60', status: 'success' });
      const twice = await t.http.post(`/api/marketing/groupbuying/refundorder?id=${o1.id}`).set(adminAuth(a.token));
      expect(twice.status).toBe(409);
      expect(twice.body.message).toContain('已退款');
    });

    it('409 naming the state for an unpaid order; 404 for another tenant', async () => {
      const d = await makeDeal(t, a.tenantId, shopA);
      const [o] = await buy([{ product_id: d.id, quantity: 1 }], false);
      const res = await t.http.post(`/api/marketing/groupbuying/refundorder?id=${o.id}`).set(adminAuth(a.token));
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ status: 409, message: expect.stringContaining('未支付') });
      const other = await t.http.post(`/api/marketing/groupbuying/refundorder?id=${o.id}`).set(adminAuth(b.token));
      expect(other.status).toBe(404);
    });

    it('a refund the provider fails is refundStatus failed, status unchanged, and can be retried', async () => {
      const d = await makeDeal(t, a.tenantId, shopA, { stock: 5 });
      const [o] = await buy([{ product_id: d.id, quantity: 1 }]);
      const provider = t.app.get<PaymentProvider>(PAYMENT_PROVIDER);
      const spy = jest.spyOn(provider, 'refund').mockResolvedValueOnce({ status: 'failed', message: 'NOT_ENOUGH' });
      const res = await t.http.post(`/api/marketing/groupbuying/refundorder?id=${o.id}`).set(adminAuth(a.token));
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ refundStatus: 'failed' });
      expect(res.body.message).toContain('NOT_ENOUGH');
      expect(await order(o.id)).toMatchObject({ status: 1, refund_status: 'failed' });
      expect((await dealCounters(t, d.id)).stock).toBe(4);
      spy.mockRestore();
      const retry = await t.http.post(`/api/marketing/groupbuying/refundorder?id=${o.id}`).set(adminAuth(a.token));
      expect(retry.body.data).toEqual({ refundStatus: 'success' });
      expect(await order(o.id)).toMatchObject({ status: 2, refund_status: 'success' });
      expect((await dealCounters(t, d.id)).stock).toBe(5);
    });

    it('two refund clicks at once refund once', async () => {
      const d = await makeDeal(t, a.tenantId, shopA, { stock: 5 });
      const [o] = await buy([{ product_id: d.id, quantity: 2 }]);
      const res = await Promise.all(
        Array.from({ length: 5 }, () => t.http.post(`/api/marketing/groupbuying/refundorder?id=${o.id}`).set(adminAuth(a.token))),
      );
      expect(res.filter((r) => r.status === 200)).toHaveLength(1);
      expect(res.filter((r) => r.status === 409)).toHaveLength(4);
      expect((await dealCounters(t, d.id)).stock).toBe(5);
      const [{ n }] = await t.ds.query('SELECT COUNT(*) AS n FROM payment_refund WHERE order_id = ?', [o.id]);
      expect(Number(n)).toBe(1);
    });
  });

  it('documents the routes in /docs-json', async () => {
    const doc = (await t.http.get('/docs-json')).body;
    for (const p of ['verifydelivercode', 'deliverorder', 'confirmorder', 'refundorder']) {
      const op = doc.paths[`/api/marketing/groupbuying/${p}`]?.post;
      expect(op).toBeDefined();
      expect(op.responses['200'].content['application/json'].schema).toBeDefined();
    }
  });
});
