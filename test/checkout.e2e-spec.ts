import Big from 'big.js';
import { formatDate } from '../src/common/time';
import { DealRepository } from '../src/group-buying/deal.repository';
import { CheckoutService } from '../src/order/checkout.service';
import { OrderReadRepository } from '../src/order/order-read.repository';
import { ORDER_STATUS_NAMES } from '../src/order/order-status';
import { Order } from '../src/order/order.entity';
import { bootApp, TestApp } from './support/app';
import {
  ADDRESS,
  adminToken,
  createOrder,
  DAY,
  dealCounters,
  giveCoupon,
  loginUser,
  makeCoupon,
  makeDeal,
  newTenantWithShop,
  payOrder,
  User,
  userAuth,
} from './support/builders';

describe('Checkout and the storefront order journey (MariaDB)', () => {
  let t: TestApp;
  let tenantId: number;
  let shopId: number;
  let otherTenant: number;
  let otherShop: number;
  let tenantToken: string;

  beforeAll(async () => {
    t = await bootApp('checkout', { LOGIN_RATE_LIMIT_PER_MINUTE: '100000' });
    const su = await adminToken(t);
    ({ tenantId, shopId, token: tenantToken } = await newTenantWithShop(t, su, 'CheckoutA', '结算门店'));
    ({ tenantId: otherTenant, shopId: otherShop } = await newTenantWithShop(t, su, 'CheckoutB', '别家门店'));
  });
  afterAll(() => t.close());

  describe('computedOrder', () => {
    it('prices two lines from the database (goods as a JSON string, form-encoded) and writes nothing', async () => {
      const u = await loginUser(t, 'c-compute');
      const d1 = await makeDeal(t, tenantId, shopId, { name: '橙子', price: new Big('200.00') });
      const d2 = await makeDeal(t, tenantId, shopId, {
        name: '大米',
        price: new Big('100.00'),
        deliverType: 2,
        deliverFee: new Big('8.00'),
      });
      const goods = JSON.stringify([
        { product_id: d1.id, quantity: 2 },
        { product_id: d2.id, quantity: '1' },
      ]);
      const address = encodeURIComponent(JSON.stringify(ADDRESS));
      const res = await t.http.post('/api/group/order/computedOrder').set(userAuth(u.token)).type('form').send({ goods, address });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe(200);
      const d = res.body.data;
      expect(d).toMatchObject({ total_price: '508.00', goods_price: '500.00', discount_price: '0.00', dispatch_price: '8.00' });
      expect(d.pay_no).toBeUndefined();
      expect(d.amount_items).toEqual([
        { code: 'total_goods_price', name: '商品总金额', amount: '500.00' },
        { code: 'total_dispatch_price', name: '总运费', amount: '8.00' },
        { code: 'total_discount_price', name: '总优惠', amount: '0.00' },
        { code: 'total_deduction_price', name: '总抵扣', amount: '0.00' },
      ]);
      expect(d.orders).toHaveLength(2);
      expect(d.orders[0]).toMatchObject({
        group_buying_id: d1.id,
        shop_id: shopId,
        shop_name: '结算门店',
        deliver_type: 1,
        price: '200.00',
        quantity: 2,
        goods_price: '400.00',
        coupon_price: '0.00',
        dispatch_price: '0.00',
        pay_price: '400.00',
      });
      expect(d.orders[1]).toMatchObject({
        group_buying_id: d2.id,
        deliver_type: 2,
        price: '100.00',
        quantity: 1,
        dispatch_price: '8.00',
        pay_price: '108.00',
      });
      expect(d.discount.member_coupons).toEqual([]);
      expect((await dealCounters(t, d1.id)).stock).toBe(100);
      const [{ n }] = await t.ds.query('SELECT COUNT(*) AS n FROM group_buying_order');
      expect(Number(n)).toBe(0);
    });

    it('shows an unusable coupon with valid:false and a reason, priced without it', async () => {
      const u = await loginUser(t, 'c-coupon-view');
      const d = await makeDeal(t, tenantId, shopId, { price: new Big('30.00') });
      const coupon = await makeCoupon(t, tenantId, { name: '满100减10', enough: new Big('100'), deduct: new Big('10') });
      const mc = await giveCoupon(t, coupon, u.id);
      const res = await t.http
        .post('/api/group/order/computedOrder')
        .set(userAuth(u.token))
        .send({ goods: [{ product_id: d.id, quantity: 1 }], coupon_id: String(mc.id) });
      expect(res.status).toBe(200);
      expect(res.body.data.total_price).toBe('30.00');
      const entry = res.body.data.discount.member_coupons.find((m: { id: number }) => m.id === mc.id);
      expect(entry).toMatchObject({ id: mc.id, coupon_id: coupon.id, valid: false, checked: false });
      expect(entry.reason).toEqual(expect.any(String));
    });

    it('applies a usable coupon split in proportion, and createOrder agrees to the fen', async () => {
      const u = await loginUser(t, 'c-coupon-split');
      const a = await makeDeal(t, tenantId, shopId, { price: new Big('33.33') });
      const b = await makeDeal(t, tenantId, shopId, { price: new Big('33.33') });
      const c = await makeDeal(t, tenantId, shopId, { price: new Big('33.34') });
      const coupon = await makeCoupon(t, tenantId, { enough: new Big('100'), deduct: new Big('10') });
      const mc = await giveCoupon(t, coupon, u.id);
      const body = { goods: [a, b, c].map((d) => ({ product_id: d.id, quantity: 1 })), coupon_id: mc.id };
      const comp = await t.http.post('/api/group/order/computedOrder').set(userAuth(u.token)).send(body);
      expect(comp.body.data).toMatchObject({ total_price: '90.00', goods_price: '100.00', discount_price: '10.00' });
      expect(comp.body.data.orders.map((o: { coupon_price: string }) => o.coupon_price)).toEqual(['3.33', '3.33', '3.34']);
      const entry = comp.body.data.discount.member_coupons.find((m: { id: number }) => m.id === mc.id);
      expect(entry).toMatchObject({ valid: true, checked: true });
      const created = await createOrder(t, u.token, body);
      expect(created.status).toBe(200);
      const { pay_no, orders, ...rest } = created.body.data;
      expect(pay_no).toMatch(/^tg\d{4,30}$/);
      const { orders: compOrders, ...compRest } = comp.body.data;
      expect(rest).toEqual({ ...compRest, discount: expect.any(Object) });
      expect(orders.map(({ code, ...o }: { code: string }) => o)).toEqual(compOrders);
      const [mcRow] = await t.ds.query('SELECT used, pay_no FROM member_coupon WHERE id = ?', [mc.id]);
      expect(Number(mcRow.used)).toBe(1);
      expect(mcRow.pay_no).toBe(pay_no);
      const [cRow] = await t.ds.query('SELECT used_count FROM coupon WHERE id = ?', [coupon.id]);
      expect(cRow.used_count).toBe(1);
      const money = await t.ds.query('SELECT money, coupon_money FROM group_buying_order WHERE pay_no = ? ORDER BY id', [pay_no]);
      expect(money.map((r: { money: string }) => r.money)).toEqual(['30.00', '30.00', '30.00']);
      // a second checkout with the same coupon is refused
      const again = await createOrder(t, u.token, body);
      expect(again.status).toBe(409);
      expect(again.body.status).toBe(1001);
    });
  });

  describe('createOrder rules', () => {
    let u: User;
    beforeAll(async () => {
      u = await loginUser(t, 'c-rules');
    });
    const create = (body: object) => createOrder(t, u.token, body);

    it('makes one order per line under one pay_no, takes stock, counts orders', async () => {
      const d1 = await makeDeal(t, tenantId, shopId, { price: new Big('12.50'), stock: 10 });
      const d2 = await makeDeal(t, tenantId, shopId, { price: new Big('7.25'), stock: 10 });
      const res = await create({
        goods: [
          { product_id: d1.id, quantity: 3 },
          { product_id: d2.id, quantity: 2 },
        ],
        remark: '少放辣',
      });
      expect(res.status).toBe(200);
      expect(res.body.data.total_price).toBe('52.00');
      const orders = await t.ds.query(
        'SELECT code, status, qty, money, pay_no, remark FROM group_buying_order WHERE pay_no = ? ORDER BY id',
        [res.body.data.pay_no],
      );
      expect(orders).toHaveLength(2);
      expect(orders.map((o: { code: string }) => o.code)).toEqual(res.body.data.orders.map((o: { code: string }) => o.code));
      expect(orders.map((o: { status: number }) => o.status)).toEqual([0, 0]);
      expect(orders.map((o: { money: string }) => o.money)).toEqual(['37.50', '14.50']);
      expect(orders[0].remark).toBe('少放辣');
      expect(await dealCounters(t, d1.id)).toMatchObject({ stock: 7, order_count: 1, payed_count: 0 });
      expect(await dealCounters(t, d2.id)).toMatchObject({ stock: 8, order_count: 1 });
      const [checkout] = await t.ds.query('SELECT status, total_price FROM checkout WHERE pay_no = ?', [res.body.data.pay_no]);
      expect(checkout).toMatchObject({ status: 0, total_price: '52.00' });
    });

    it('404 for an unknown deal', async () => {
      const res = await create({ goods: [{ product_id: 999999, quantity: 1 }] });
      expect(res.status).toBe(404);
      expect(res.body.status).toBe(404);
    });

    it.each([
      ['not in use', { inUse: false }],
      ['not started', { startTime: new Date(Date.now() + DAY) }],
      ['ended', { endTime: new Date(Date.now() - 1000) }],
      ['deleted', { deletedAt: new Date() }],
    ])('409/1001 when the deal is %s', async (_, over) => {
      const d = await makeDeal(t, tenantId, shopId, over);
      const res = await create({ goods: [{ product_id: d.id, quantity: 1 }] });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ status: 1001, msg: expect.stringContaining('无法购买') });
      expect((await dealCounters(t, d.id)).stock).toBe(100);
    });

    it('409/1002 when stock is short, nothing taken from the other lines', async () => {
      const ok = await makeDeal(t, tenantId, shopId, { stock: 5 });
      const short = await makeDeal(t, tenantId, shopId, { stock: 1 });
      const res = await create({
        goods: [
          { product_id: ok.id, quantity: 2 },
          { product_id: short.id, quantity: 2 },
        ],
      });
      expect(res.status).toBe(409);
      expect(res.body.status).toBe(1002);
      expect((await dealCounters(t, ok.id)).stock).toBe(5);
      expect((await dealCounters(t, short.id)).stock).toBe(1);
    });

    it('409/1001 over the per-user limit (counting open orders, not expired/closed ones)', async () => {
      const d = await makeDeal(t, tenantId, shopId, { limitPerUser: 3 });
      expect((await create({ goods: [{ product_id: d.id, quantity: 2 }] })).status).toBe(200);
      const over = await create({ goods: [{ product_id: d.id, quantity: 2 }] });
      expect(over.status).toBe(409);
      expect(over.body.status).toBe(1001);
      expect((await create({ goods: [{ product_id: d.id, quantity: 1 }] })).status).toBe(200);
    });

    it.each([
      ['goods missing', {}, 'goods'],
      ['goods not JSON', { goods: 'abc' }, 'goods'],
      ['quantity 0', { goods: [{ product_id: 1, quantity: 0 }] }, 'quantity'],
      ['quantity 10000', { goods: [{ product_id: 1, quantity: 10000 }] }, 'quantity'],
      ['quantity 1.5', { goods: [{ product_id: 1, quantity: 1.5 }] }, 'quantity'],
      ['product_id abc', { goods: [{ product_id: 'abc', quantity: 1 }] }, 'product_id'],
      ['51 lines', { goods: Array.from({ length: 51 }, (_, i) => ({ product_id: i + 1, quantity: 1 })) }, 'goods'],
      ['coupon_id abc', { goods: [{ product_id: 1, quantity: 1 }], coupon_id: 'abc' }, 'coupon_id'],
      ['bad address', { goods: [{ product_id: 1, quantity: 1 }], address: { mobile: '1' } }, 'address'],
    ])('400 naming the field: %s', async (_, body, field) => {
      const res = await create(body);
      expect(res.status).toBe(400);
      expect(res.body.status).toBe(400);
      expect(res.body.msg).toContain(field);
    });

    it('400 for a repeated deal, deals of two tenants, or an express line without address', async () => {
      const d = await makeDeal(t, tenantId, shopId);
      const other = await makeDeal(t, otherTenant, otherShop);
      const express = await makeDeal(t, tenantId, shopId, { deliverType: 2 });
      const rep = await create({
        goods: [
          { product_id: d.id, quantity: 1 },
          { product_id: d.id, quantity: 1 },
        ],
      });
      expect(rep.status).toBe(400);
      const mixed = await create({
        goods: [
          { product_id: d.id, quantity: 1 },
          { product_id: other.id, quantity: 1 },
        ],
      });
      expect(mixed.status).toBe(400);
      const noAddr = await create({ goods: [{ product_id: express.id, quantity: 1 }] });
      expect(noAddr.status).toBe(400);
      expect(noAddr.body.msg).toContain('address');
      const withAddr = await create({ goods: [{ product_id: express.id, quantity: 1 }], address: JSON.stringify(ADDRESS) });
      expect(withAddr.status).toBe(200);
      const [o] = await t.ds.query('SELECT address, phone FROM group_buying_order WHERE pay_no = ?', [withAddr.body.data.pay_no]);
      expect(o.address).toContain('新市二街 1003 号');
      expect(o.phone).toBe('150132454657');
    });

    it("another user's coupon is a 1001 indistinguishable from an unusable one", async () => {
      const d = await makeDeal(t, tenantId, shopId, { price: new Big('200') });
      const owner = await loginUser(t, 'c-owner');
      const coupon = await makeCoupon(t, tenantId);
      const theirs = await giveCoupon(t, coupon, owner.id);
      const res = await create({ goods: [{ product_id: d.id, quantity: 1 }], coupon_id: theirs.id });
      expect(res.status).toBe(409);
      expect(res.body.status).toBe(1001);
      expect((await dealCounters(t, d.id)).stock).toBe(100);
    });
  });

  describe('payment, reading, cancelling, receiving, reviewing', () => {
    it('pays once: 701, sequence in payment order, 8-digit pickup code, payedCount; paying again charges nothing', async () => {
      const d = await makeDeal(t, tenantId, shopId, { price: new Big('5.00') });
      const codes: string[] = [];
      for (const who of ['p1', 'p2', 'p3']) {
        const u = await loginUser(t, `c-pay-${who}`);
        const res = await createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 2 }] });
        const code = res.body.data.orders[0].code;
        const pay = await payOrder(t, u.token, code);
        expect(pay.status).toBe(200);
        expect(pay.body).toEqual({ status: 701, msg: '支付成功', data: { paid: true, pay_no: res.body.data.pay_no } });
        const again = await payOrder(t, u.token, code);
        expect(again.body.status).toBe(701);
        const info = await t.http.get(`/api/group/order/order_info/${code}`).set(userAuth(u.token));
        expect(info.body.data).toMatchObject({
          code,
          status: 1,
          status_name: '已支付',
          sequence: codes.length + 1,
          quantity: 2,
          pay_price: '10.00',
        });
        expect(info.body.data.deliver_code).toMatch(/^\d{8}$/);
        expect(info.body.data.pay_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
        codes.push(code);
      }
      expect(await dealCounters(t, d.id)).toMatchObject({ payed_count: 6, last_sequence: 3, order_count: 3, stock: 94 });
    });

    it("another user's order is a 404 everywhere", async () => {
      const d = await makeDeal(t, tenantId, shopId);
      const a = await loginUser(t, 'c-own-a');
      const b = await loginUser(t, 'c-own-b');
      const res = await createOrder(t, a.token, { goods: [{ product_id: d.id, quantity: 1 }] });
      const code = res.body.data.orders[0].code;
      expect((await t.http.get(`/api/group/order/order_info/${code}`).set(userAuth(b.token))).status).toBe(404);
      expect((await payOrder(t, b.token, code)).status).toBe(404);
      expect((await t.http.post('/api/group/order/cancel').set(userAuth(b.token)).send({ code })).status).toBe(404);
      const [o] = await t.ds.query('SELECT status FROM group_buying_order WHERE code = ?', [code]);
      expect(o.status).toBe(0);
    });

    it('1003 when paying an expired or closed checkout, even before the sweep marks it', async () => {
      const d = await makeDeal(t, tenantId, shopId);
      const u = await loginUser(t, 'c-expired');
      const res = await createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 1 }] });
      await t.ds.query('UPDATE checkout SET expire_time = ? WHERE pay_no = ?', [new Date(Date.now() - 1000), res.body.data.pay_no]);
      const pay = await payOrder(t, u.token, res.body.data.orders[0].code);
      expect(pay.status).toBe(409);
      expect(pay.body.status).toBe(1003);
      const res2 = await createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 1 }] });
      const code2 = res2.body.data.orders[0].code;
      expect((await t.http.post('/api/group/order/cancel').set(userAuth(u.token)).send({ code: code2 })).status).toBe(200);
      const pay2 = await payOrder(t, u.token, code2);
      expect(pay2.body.status).toBe(1003);
    });

    it('cancel closes the whole checkout and returns stock and coupon; cancelling a paid order is a 409 naming the state', async () => {
      const d1 = await makeDeal(t, tenantId, shopId, { price: new Big('60') });
      const d2 = await makeDeal(t, tenantId, shopId, { price: new Big('60') });
      const u = await loginUser(t, 'c-cancel');
      const coupon = await makeCoupon(t, tenantId);
      const mc = await giveCoupon(t, coupon, u.id);
      const res = await createOrder(t, u.token, {
        goods: [
          { product_id: d1.id, quantity: 1 },
          { product_id: d2.id, quantity: 1 },
        ],
        coupon_id: mc.id,
      });
      expect(res.body.data.total_price).toBe('110.00');
      const code = res.body.data.orders[1].code;
      const c = await t.http.post('/api/group/order/cancel').set(userAuth(u.token)).send({ code });
      expect(c.body).toEqual({ status: 200, msg: 'ok' });
      const statuses = await t.ds.query('SELECT status FROM group_buying_order WHERE pay_no = ?', [res.body.data.pay_no]);
      expect(statuses.map((s: { status: number }) => s.status)).toEqual([6, 6]);
      expect(await dealCounters(t, d1.id)).toMatchObject({ stock: 100, order_count: 0 });
      const [mcRow] = await t.ds.query('SELECT used, pay_no FROM member_coupon WHERE id = ?', [mc.id]);
      expect(Number(mcRow.used)).toBe(0);
      expect(mcRow.pay_no).toBeNull();
      const [cRow] = await t.ds.query('SELECT used_count FROM coupon WHERE id = ?', [coupon.id]);
      expect(cRow.used_count).toBe(0);
      const twice = await t.http.post('/api/group/order/cancel').set(userAuth(u.token)).send({ code });
      expect(twice.status).toBe(409);
      expect(twice.body.msg).toContain('已关闭');
      // paid orders cannot be cancelled
      // the returned coupon is usable again
      const r2 = await createOrder(t, u.token, {
        goods: [
          { product_id: d1.id, quantity: 1 },
          { product_id: d2.id, quantity: 1 },
        ],
        coupon_id: mc.id,
      });
      expect(r2.body).toMatchObject({ status: 200, data: { total_price: '110.00' } });
      await payOrder(t, u.token, r2.body.data.orders[0].code);
      const paidCancel = await t.http.post('/api/group/order/cancel').set(userAuth(u.token)).send({ code: r2.body.data.orders[0].code });
      expect(paidCancel.status).toBe(409);
      expect(paidCancel.body.msg).toContain('已支付');
    });

    it('take a shipped order, then review it once; order_list groups', async () => {
      const d = await makeDeal(t, tenantId, shopId);
      const u = await loginUser(t, 'c-take');
      const res = await createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 1 }] });
      const code = res.body.data.orders[0].code;
      const early = await t.http.post('/api/group/order/take').set(userAuth(u.token)).send({ code });
      expect(early.status).toBe(409);
      await payOrder(t, u.token, code);
      const reviewEarly = await t.http.post('/api/group/order/comment').set(userAuth(u.token)).send({ code, score: 5, content: 'x' });
      expect(reviewEarly.status).toBe(409);
      await t.ds.query("UPDATE group_buying_order SET status = 3, tracking_no = 'SF123' WHERE code = ?", [code]);
      const list1 = await t.http.post('/api/group/order/order_list').set(userAuth(u.token)).type('form').send({ status: '1' });
      expect(list1.body.data).toMatchObject({ total: 1, page: 1, limit: 10 });
      expect(list1.body.data.list[0]).toMatchObject({ code, status: 3, tracking_no: 'SF123' });
      const take = await t.http.post('/api/group/order/take').set(userAuth(u.token)).send({ code });
      expect(take.status).toBe(200);
      const toReview = await t.http.post('/api/group/order/order_list').set(userAuth(u.token)).send({ status: 2 });
      expect(toReview.body.data.list.map((o: { code: string }) => o.code)).toEqual([code]);
      const bad = await t.http.post('/api/group/order/comment').set(userAuth(u.token)).send({ code, score: 6, content: 'x' });
      expect(bad.status).toBe(400);
      expect(bad.body.msg).toContain('score');
      const ok = await t.http.post('/api/group/order/comment').set(userAuth(u.token)).send({ code, score: 5, content: '新鲜' });
      expect(ok.status).toBe(200);
      const twice = await t.http.post('/api/group/order/comment').set(userAuth(u.token)).send({ code, score: 4, content: 'again' });
      expect(twice.status).toBe(409);
      const done = await t.http.post('/api/group/order/order_list').set(userAuth(u.token)).send({ status: 3 });
      expect(done.body.data.list[0]).toMatchObject({ code, status: 4, reviewed: true });
      const all = await t.http.post('/api/group/order/order_list').set(userAuth(u.token)).send({});
      expect(all.body.data.total).toBe(1);
    });

    it('an order whose total is 0.00 is paid at creation', async () => {
      const d = await makeDeal(t, tenantId, shopId, { price: new Big('5.00') });
      const u = await loginUser(t, 'c-free');
      const coupon = await makeCoupon(t, tenantId, { enough: new Big('0'), deduct: new Big('50') });
      const mc = await giveCoupon(t, coupon, u.id);
      const res = await createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 1 }], coupon_id: mc.id });
      expect(res.body.data.total_price).toBe('0.00');
      const [o] = await t.ds.query('SELECT status, sequence, money FROM group_buying_order WHERE pay_no = ?', [res.body.data.pay_no]);
      expect(o).toMatchObject({ status: 1, sequence: 1, money: '0.00' });
    });
  });

  describe('Idempotency-Key', () => {
    it('same key and body → the first answer again, one checkout; different body → 422/801', async () => {
      const d = await makeDeal(t, tenantId, shopId);
      const u = await loginUser(t, 'c-idem');
      const body = { goods: [{ product_id: d.id, quantity: 1 }] };
      const a = await createOrder(t, u.token, body).set('Idempotency-Key', 'k-1');
      const b = await createOrder(t, u.token, body).set('Idempotency-Key', 'k-1');
      expect(a.status).toBe(200);
      expect(b.body).toEqual(a.body);
      const [{ n }] = await t.ds.query('SELECT COUNT(*) AS n FROM checkout WHERE user_id = ?', [u.id]);
      expect(Number(n)).toBe(1);
      expect((await dealCounters(t, d.id)).stock).toBe(99);
      const c = await createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 2 }] }).set('Idempotency-Key', 'k-1');
      expect(c.status).toBe(422);
      expect(c.body.status).toBe(801);
      // the key is scoped to the user
      const other = await loginUser(t, 'c-idem-2');
      const e = await createOrder(t, other.token, body).set('Idempotency-Key', 'k-1');
      expect(e.status).toBe(200);
      expect(e.body.data.pay_no).not.toBe(a.body.data.pay_no);
      const long = await createOrder(t, u.token, body).set('Idempotency-Key', 'x'.repeat(256));
      expect(long.status).toBe(400);
    });

    it('concurrent retries with one key make exactly one checkout and all get the same answer', async () => {
      const d = await makeDeal(t, tenantId, shopId);
      const u = await loginUser(t, 'c-idem-race');
      const body = { goods: [{ product_id: d.id, quantity: 1 }] };
      const answers = await Promise.all(Array.from({ length: 8 }, () => createOrder(t, u.token, body).set('Idempotency-Key', 'race-key')));
      const ok = answers.filter((r) => r.status === 200);
      expect(ok.length + answers.filter((r) => r.status === 409 && r.body.status === 801).length).toBe(8);
      expect(new Set(ok.map((r) => r.body.data.pay_no)).size).toBe(1);
      const [{ n }] = await t.ds.query('SELECT COUNT(*) AS n FROM checkout WHERE user_id = ?', [u.id]);
      expect(Number(n)).toBe(1);
      expect((await dealCounters(t, d.id)).stock).toBe(99);
    });
  });

  describe('concurrency', () => {
    it('100 concurrent buyers of a deal with 20 units: exactly 20 orders, stock 0', async () => {
      const d = await makeDeal(t, tenantId, shopId, { stock: 20, price: new Big('9.90') });
      const users = await Promise.all(Array.from({ length: 100 }, (_, i) => loginUser(t, `c-flash-${i}`)));
      const res = await Promise.all(users.map((u) => createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 1 }] })));
      expect(res.filter((r) => r.status === 200)).toHaveLength(20);
      expect(res.filter((r) => r.status === 409 && r.body.status === 1002)).toHaveLength(80);
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 0, order_count: 20 });
      const [{ n, q }] = await t.ds.query('SELECT COUNT(*) AS n, SUM(qty) AS q FROM group_buying_order WHERE group_buying_id = ?', [d.id]);
      expect(Number(n)).toBe(20);
      expect(Number(q)).toBe(20);
      // everyone pays at once: sequences 1..20, no gaps, no repeats
      const winners = res.filter((r) => r.status === 200);
      const tokens = new Map(users.map((u, i) => [i, u.token]));
      const pays = await Promise.all(
        res.map((r, i) => (r.status === 200 ? payOrder(t, tokens.get(i)!, r.body.data.orders[0].code) : null)).filter(Boolean),
      );
      expect(pays.every((p) => p!.body.status === 701)).toBe(true);
      expect(winners).toHaveLength(20);
      const seqs = (await t.ds.query('SELECT sequence FROM group_buying_order WHERE group_buying_id = ? ORDER BY sequence', [d.id])).map(
        (r: { sequence: number }) => r.sequence,
      );
      expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(await dealCounters(t, d.id)).toMatchObject({ payed_count: 20, last_sequence: 20 });
    });

    it('one coupon in 10 simultaneous checkouts is used by exactly one', async () => {
      const d = await makeDeal(t, tenantId, shopId, { price: new Big('150') });
      const u = await loginUser(t, 'c-coupon-race');
      const coupon = await makeCoupon(t, tenantId);
      const mc = await giveCoupon(t, coupon, u.id);
      const res = await Promise.all(
        Array.from({ length: 10 }, () => createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 1 }], coupon_id: mc.id })),
      );
      expect(res.filter((r) => r.status === 200)).toHaveLength(1);
      expect(res.filter((r) => r.status === 409 && r.body.status === 1001)).toHaveLength(9);
      expect((await dealCounters(t, d.id)).stock).toBe(99);
      const [cRow] = await t.ds.query('SELECT used_count FROM coupon WHERE id = ?', [coupon.id]);
      expect(cRow.used_count).toBe(1);
    });

    it('20 simultaneous payOrder calls on one checkout settle it once', async () => {
      const d1 = await makeDeal(t, tenantId, shopId);
      const d2 = await makeDeal(t, tenantId, shopId);
      const u = await loginUser(t, 'c-pay-race');
      const res = await createOrder(t, u.token, {
        goods: [
          { product_id: d1.id, quantity: 1 },
          { product_id: d2.id, quantity: 3 },
        ],
      });
      const code = res.body.data.orders[0].code;
      const pays = await Promise.all(Array.from({ length: 20 }, () => payOrder(t, u.token, code)));
      expect(pays.every((p) => p.body.status === 701 || p.status === 409)).toBe(true);
      expect(pays.filter((p) => p.body.status === 701).length).toBeGreaterThan(0);
      expect(await dealCounters(t, d1.id)).toMatchObject({ payed_count: 1, last_sequence: 1 });
      expect(await dealCounters(t, d2.id)).toMatchObject({ payed_count: 3, last_sequence: 1 });
      const [{ n }] = await t.ds.query(
        "SELECT COUNT(*) AS n FROM order_log WHERE action = 'pay' AND order_id IN (SELECT id FROM group_buying_order WHERE pay_no = ?)",
        [res.body.data.pay_no],
      );
      expect(Number(n)).toBe(2);
    });

    it('the per-user limit holds under concurrency', async () => {
      const d = await makeDeal(t, tenantId, shopId, { limitPerUser: 2 });
      const u = await loginUser(t, 'c-limit-race');
      const res = await Promise.all(
        Array.from({ length: 10 }, () => createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 1 }] })),
      );
      expect(res.filter((r) => r.status === 200)).toHaveLength(2);
      expect((await dealCounters(t, d.id)).stock).toBe(98);
    });
  });

  describe('storefront order reads', () => {
    // what order_info / order_list answered when they were built from the ORM entity: field by field
    const asStored = async (code: string) => {
      const o = await t.ds.getRepository(Order).findOneByOrFail({ code });
      return {
        code: o.code,
        pay_no: o.payNo,
        status: o.status,
        status_name: ORDER_STATUS_NAMES[o.status],
        group_buying_id: o.groupBuyingId,
        product_name: o.productName,
        spec: o.spec,
        image_path: o.imagePath,
        price: o.price.toFixed(2),
        quantity: o.qty,
        goods_price: o.goodsMoney.toFixed(2),
        coupon_price: o.couponMoney.toFixed(2),
        dispatch_price: o.deliverFee.toFixed(2),
        deduction_price: o.deductionMoney.toFixed(2),
        pay_price: o.money.toFixed(2),
        deliver_type: o.deliverType,
        deliver_code: o.deliverType === 1 && [1, 8, 4].includes(o.status) ? o.deliverCode : null,
        tracking_no: o.trackingNo,
        address: o.address,
        phone: o.phone,
        remark: o.remark,
        sequence: o.sequence,
        create_time: formatDate(o.createTime),
        pay_time: formatDate(o.payTime),
        expire_time: formatDate(o.expireTime),
        team: null,
        reviewed: o.reviewed,
        invoice: null,
      };
    };

    it('order_info and order_list answer every field as stored, in every state', async () => {
      const u = await loginUser(t, 'c-reads');
      const pickup = await makeDeal(t, tenantId, shopId, { price: new Big('12.34'), spec: '500g', imagePath: '/img/a.jpg' });
      const express = await makeDeal(t, tenantId, shopId, { price: new Big('7.5'), deliverType: 2, deliverFee: new Big('6') });
      const coupon = await makeCoupon(t, tenantId, { enough: new Big('10'), deduct: new Big('3.33') });
      const mc = await giveCoupon(t, coupon, u.id);
      const paid = await createOrder(t, u.token, {
        goods: [
          { product_id: pickup.id, quantity: 3 },
          { product_id: express.id, quantity: 1 },
        ],
        coupon_id: mc.id,
        address: ADDRESS,
        remark: '放门口',
      });
      expect(paid.status).toBe(200);
      await payOrder(t, u.token, paid.body.data.orders[0].code);
      const shipped = paid.body.data.orders[1].code;
      await t.ds.query("UPDATE group_buying_order SET status = 3, tracking_no = 'SF0001' WHERE code = ?", [shipped]);
      const unpaid = (await createOrder(t, u.token, { goods: [{ product_id: pickup.id, quantity: 1 }] })).body.data.orders[0].code;
      const closed = (await createOrder(t, u.token, { goods: [{ product_id: pickup.id, quantity: 2 }] })).body.data.orders[0].code;
      await t.http.post('/api/group/order/cancel').set(userAuth(u.token)).send({ code: closed }).expect(200);
      const codes = [closed, unpaid, paid.body.data.orders[0].code, shipped];

      const expected = await Promise.all(codes.map(asStored));
      expect(expected[2]).toMatchObject({ status: 1, sequence: 1, deliver_code: expect.stringMatching(/^\d{8}$/) });
      expect(expected[3]).toMatchObject({
        status: 3,
        tracking_no: 'SF0001',
        dispatch_price: '6.00',
        address: expect.stringContaining('白云区'),
      });
      for (const [i, code] of codes.entries()) {
        const info = await t.http.get(`/api/group/order/order_info/${code}`).set(userAuth(u.token));
        expect(info.body).toEqual({ status: 200, msg: 'ok', data: expected[i] });
      }
      const list = await t.http.post('/api/group/order/order_list').set(userAuth(u.token)).send({});
      expect(list.body.data.total).toBe(4);
      // newest first: create_time, then id (the lines of one checkout share their instant)
      const newestFirst = (
        await t.ds.query('SELECT code FROM group_buying_order WHERE user_id = ? ORDER BY create_time DESC, id DESC', [u.id])
      ).map((r: { code: string }) => r.code);
      expect(list.body.data.list).toEqual(newestFirst.map((c: string) => expected[codes.indexOf(c)]));
      const byStatus = await t.http.post('/api/group/order/order_list').set(userAuth(u.token)).send({ status: 1 });
      expect(byStatus.body.data.list.map((o: { code: string }) => o.code).sort()).toEqual([codes[2], codes[3]].sort());
    });

    it('order_list counts only when the page cannot tell the total', async () => {
      const d = await makeDeal(t, tenantId, shopId);
      const u = await loginUser(t, 'c-pages');
      const made: string[] = [];
      for (let i = 0; i < 3; i++)
        made.unshift((await createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 1 }] })).body.data.orders[0].code);
      const count = jest.spyOn(t.app.get(OrderReadRepository), 'storeCount');
      try {
        const page = async (body: object) => (await t.http.post('/api/group/order/order_list').set(userAuth(u.token)).send(body)).body.data;
        const p1 = await page({ page: 1, limit: 2 });
        expect(p1).toMatchObject({ total: 3, page: 1, limit: 2 });
        expect(p1.list.map((o: { code: string }) => o.code)).toEqual(made.slice(0, 2));
        expect(count).toHaveBeenCalledTimes(1);
        const p2 = await page({ page: 2, limit: 2 });
        expect(p2).toMatchObject({ total: 3, page: 2, limit: 2 });
        expect(p2.list.map((o: { code: string }) => o.code)).toEqual(made.slice(2));
        expect(await page({})).toMatchObject({ total: 3 });
        expect(await page({ status: 4 })).toEqual({ list: [], total: 0, page: 1, limit: 10 });
        expect(count).toHaveBeenCalledTimes(1);
        expect(await page({ page: 3, limit: 2 })).toEqual({ list: [], total: 3, page: 3, limit: 2 });
        expect(count).toHaveBeenCalledTimes(2);
      } finally {
        count.mockRestore();
      }
    });
  });

  describe('sold-out storm', () => {
    it('once a deal is seen sold out, 200 concurrent createOrders are 1002 with hardly a database read; stock back sells at once', async () => {
      const d = await makeDeal(t, tenantId, shopId, { stock: 1, name: '秒杀' });
      const body = { goods: [{ product_id: d.id, quantity: 1 }] };
      const first = await loginUser(t, 'c-storm-first');
      const won = await createOrder(t, first.token, body);
      expect(won.status).toBe(200);
      const users = await Promise.all(Array.from({ length: 20 }, (_, i) => loginUser(t, `c-storm-${i}`)));
      const seen = await createOrder(t, users[0].token, body);
      expect(seen.body).toMatchObject({ status: 1002 });

      const deals = t.app.get(DealRepository);
      const loads = jest.spyOn(deals, 'loadForCart');
      const takes = jest.spyOn(deals, 'takeStock');
      try {
        const storm = await Promise.all(Array.from({ length: 200 }, (_, i) => createOrder(t, users[i % 20].token, body)));
        expect(storm.map((r) => `${r.status}/${r.body.status}`)).toEqual(Array(200).fill('409/1002'));
        expect(storm[0].body.msg).toContain('秒杀 库存不足');
        const computed = await t.http.post('/api/group/order/computedOrder').set(userAuth(users[1].token)).send(body);
        expect(computed.body.status).toBe(1002);
        // the flag lives about a second: a slow storm may read again once or twice, never per request
        expect(takes).not.toHaveBeenCalled();
        expect(loads.mock.calls.length).toBeLessThanOrEqual(5);

        // the only unit comes back: the very next checkout in this instance gets it
        const cancel = await t.http.post('/api/group/order/cancel').set(userAuth(first.token)).send({ code: won.body.data.orders[0].code });
        expect(cancel.status).toBe(200);
        const again = await createOrder(t, users[1].token, body);
        expect(again.status).toBe(200);
        expect((await createOrder(t, users[2].token, body)).body.status).toBe(1002);

        // so does stock an admin adds
        const upd = await t.http
          .post('/api/marketing/groupbuying/update')
          .set('Authorization', `Bearer ${tenantToken}`)
          .send({ id: d.id, shopId, name: '秒杀', productName: d.productName, price: 10, stock: 2 });
        expect(upd.status).toBe(200);
        expect((await createOrder(t, users[2].token, { goods: [{ product_id: d.id, quantity: 2 }] })).status).toBe(200);
      } finally {
        loads.mockRestore();
        takes.mockRestore();
      }
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 0, order_count: 2 });
    });

    it("the storm is answered before validation with the whole way's answer; what the shortcut cannot vouch for goes the whole way", async () => {
      const d = await makeDeal(t, tenantId, shopId, { stock: 0, name: '售罄' });
      const body = { goods: [{ product_id: d.id, quantity: 1 }] };
      const u = await loginUser(t, 'c-shortcut');
      const first = await createOrder(t, u.token, body);
      expect(first.status).toBe(409);
      expect(first.body).toEqual({ status: 1002, msg: '已售罄: 售罄 库存不足 (only 0 left)' });

      const whole = jest.spyOn(t.app.get(CheckoutService), 'create');
      try {
        // the shortcut: the same status and body, without the checkout service
        const quick = await createOrder(t, u.token, { ...body, remark: '快', coupon_id: 7 });
        expect([quick.status, quick.body]).toEqual([409, first.body]);
        const form = await t.http
          .post('/api/group/order/createOrder')
          .set(userAuth(u.token))
          .type('form')
          .send({ goods: JSON.stringify(body.goods) });
        expect([form.status, form.body]).toEqual([409, first.body]);
        expect(whole).not.toHaveBeenCalled();

        // an Idempotency-Key, numbers as text, other fields: the whole way, with the same answer when the body is good
        const keyed = await t.http.post('/api/group/order/createOrder').set(userAuth(u.token)).set('Idempotency-Key', 'storm-1').send(body);
        expect([keyed.status, keyed.body]).toEqual([409, first.body]);
        expect(whole).toHaveBeenCalledTimes(1);
        const texts = await createOrder(t, u.token, { goods: [{ product_id: String(d.id), quantity: '1' }] });
        expect([texts.status, texts.body]).toEqual([409, first.body]);
        expect(whole).toHaveBeenCalledTimes(2);
        // validation still has its say: a bad field is a 400 naming it, never a 1002
        const badPhone = await createOrder(t, u.token, { ...body, phone: 'not-a-phone' });
        expect(badPhone.status).toBe(400);
        expect(badPhone.body.msg).toContain('phone');
        const tooMany = await createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 10_000 }] });
        expect(tooMany.status).toBe(400);
        expect(tooMany.body.msg).toContain('quantity');
        // and so does the guard
        const anonymous = await t.http.post('/api/group/order/createOrder').send(body);
        expect(anonymous.status).toBe(401);
        const admin = await t.http.post('/api/group/order/createOrder').set('Authorization', `Bearer ${tenantToken}`).send(body);
        expect(admin.status).toBe(403);
        expect(whole).toHaveBeenCalledTimes(2);
      } finally {
        whole.mockRestore();
      }
      // every call counted once on the user's shared createOrder counter (§12): 1 + 2 + 2 that reached a check of the cart
      const [counter] = await t.ds.query('SELECT hits FROM rate_limit_counter WHERE counter_key = ?', [`order:create:${u.id}`]);
      expect(Number(counter.hits)).toBe(5);
    });
  });
});
