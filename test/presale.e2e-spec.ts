import Big from 'big.js';
import { dbDate } from '../src/database/sql';
import { SweepService } from '../src/jobs/sweep.service';
import { bootApp, TestApp } from './support/app';
import {
  adminAuth,
  adminToken,
  checkout,
  createOrder,
  DAY,
  dealCounters,
  giveCoupon,
  HOUR,
  loginUser,
  makeCoupon,
  makeDeal,
  newTenantWithShop,
  payOrder,
  shanghai,
  userAuth,
} from './support/builders';
import { FakeWechat } from './support/fake-wechat';

/** A pre-sale deal: 100.00, deposit 10.00 counting for 30.00, deposit window open, balance due 7 days after it. */
const preSale = (over: Record<string, unknown> = {}) => ({
  price: new Big('100.00'),
  preSale: true,
  deposit: new Big('10.00'),
  depositValue: new Big('30.00'),
  endTime: new Date(Date.now() + DAY),
  tailEndTime: new Date(Date.now() + 8 * DAY),
  stock: 50,
  ...over,
});

/** Moves an order's balance window: opened an hour ago (or not yet), closing at `end`. */
async function balanceWindow(t: TestApp, code: string, start: Date, end: Date) {
  await t.ds.query('UPDATE group_buying_order SET tail_start_time = ?, tail_end_time = ? WHERE code = ?', [
    dbDate(t.ds, start),
    dbDate(t.ds, end),
    code,
  ]);
}

const orderRow = async (t: TestApp, code: string) =>
  (
    await t.ds.query(
      'SELECT id, status, sequence, deliver_code, money, deposit_money, tail_money, tail_pay_no, refund_status FROM group_buying_order WHERE code = ?',
      [code],
    )
  )[0];

const refundsOf = async (t: TestApp, orderId: number) =>
  t.ds.query('SELECT pay_no, out_refund_no, amount, status FROM payment_refund WHERE order_id = ? ORDER BY out_refund_no', [orderId]);

/** The whole lifecycle with the sandbox provider, shared by the MariaDB and the SQLite run. */
function lifecycle(label: string, boot: () => Promise<TestApp>) {
  describe(`pre-sale lifecycle (${label})`, () => {
    let t: TestApp;
    let tenantId: number;
    let shopId: number;
    let admin: string;
    beforeAll(async () => {
      t = await boot();
      ({ tenantId, shopId, token: admin } = await newTenantWithShop(t, await adminToken(t), `Presale${label}`));
    });
    afterAll(() => t.close());

    const buy = async (openId: string, dealId: number, qty = 2) => {
      const u = await loginUser(t, openId);
      const c = await checkout(t, u.token, [{ product_id: dealId, quantity: qty }]);
      return { u, code: c.codes[0], payNo: c.payNo, total: c.total };
    };

    it('deposit → 9 (no sequence, no pickup code), balance refused before its window (1001), paid in it → 1 like a plain order', async () => {
      const d = await makeDeal(t, tenantId, shopId, preSale());
      const { u, code, total } = await buy(`${label}-a`, d.id, 2);
      expect(total).toBe('20.00');
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 48, payed_count: 0, order_count: 1 });
      const dep = await payOrder(t, u.token, code);
      expect(dep.body).toMatchObject({ status: 701, data: { paid: true } });
      expect(await orderRow(t, code)).toMatchObject({ status: 9, sequence: null, deliver_code: null });
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 48, payed_count: 0, order_count: 1, last_sequence: 0 });
      const info = await t.http.get(`/api/group/order/order_info/${code}`).set(userAuth(u.token));
      expect(info.body.data).toMatchObject({ status: 9, status_name: '已付定金', pay_price: '20.00', deliver_code: null, sequence: null });
      expect(info.body.data.presale).toMatchObject({
        deposit: { price: '20.00', pay_status: 'success' },
        tail: {
          price: '140.00',
          pay_status: 'wait',
          pay_time: null,
          start_time: shanghai(new Date(Math.floor(d.endTime.getTime() / 1000) * 1000)),
        },
      });
      expect(info.body.data.presale.deposit.pay_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

      const early = await payOrder(t, u.token, code);
      expect(early.status).toBe(409);
      expect(early.body.status).toBe(1001);
      expect(early.body.msg).toContain('尾款未开始');

      await balanceWindow(t, code, new Date(Date.now() - HOUR), new Date(Date.now() + DAY));
      const bal = await payOrder(t, u.token, code);
      expect(bal.status).toBe(200);
      expect(bal.body).toMatchObject({ status: 701, data: { paid: true } });
      const row = await orderRow(t, code);
      expect(bal.body.data.pay_no).toBe(row.tail_pay_no);
      expect(row.tail_pay_no).toMatch(/^tg\d{4,30}$/);
      expect(row).toMatchObject({ status: 1, sequence: 1 });
      expect(new Big(row.money).toFixed(2)).toBe('160.00');
      expect(row.deliver_code).toMatch(/^\d{8}$/);
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 48, payed_count: 2, order_count: 1, last_sequence: 1 });
      // paid: payOrder again charges nothing
      expect((await payOrder(t, u.token, code)).body).toMatchObject({ status: 701, data: { paid: true, pay_no: row.tail_pay_no } });
      const after = await t.http.get(`/api/group/order/order_info/${code}`).set(userAuth(u.token));
      expect(after.body.data.presale.tail).toMatchObject({ price: '140.00', pay_status: 'success' });
      expect(after.body.data.deliver_code).toBe(row.deliver_code);

      // the admin sees the two payments
      const got = await t.http.get(`/api/marketing/groupbuying/getorder?id=${row.id}`).set(adminAuth(admin));
      expect(got.body.preSale).toMatchObject({ deposit: 20, tail: 140 });
      expect(got.body.preSale.tailPayTime).not.toBeNull();
      expect(got.body.money).toBe(160);

      // both payments refunded, each against its own transaction
      const refund = await t.http.post(`/api/marketing/groupbuying/refundorder?id=${row.id}`).set(adminAuth(admin));
      expect(refund.status).toBe(200);
      expect(refund.body.data.refundStatus).toBe('success');
      const parts = await refundsOf(t, row.id);
      expect(
        parts.map((r: { pay_no: string; out_refund_no: string; amount: string; status: string }) => [
          r.pay_no,
          r.out_refund_no,
          new Big(r.amount).toFixed(2),
          r.status,
        ]),
      ).toEqual([
        [info.body.data.pay_no, `${code}R`, '20.00', 'success'],
        [row.tail_pay_no, `${code}TR`, '140.00', 'success'],
      ]);
      expect(await orderRow(t, code)).toMatchObject({ status: 2, refund_status: 'success' });
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 50, payed_count: 0, order_count: 1 });
      // a second click refunds nothing more
      expect((await t.http.post(`/api/marketing/groupbuying/refundorder?id=${row.id}`).set(adminAuth(admin))).status).toBe(409);
      expect(await refundsOf(t, row.id)).toHaveLength(2);
    });

    it('the balance after its deadline is 1003; the sweep closes the order (9 → 6), keeps the deposit and returns the stock', async () => {
      const d = await makeDeal(t, tenantId, shopId, preSale());
      const { u, code } = await buy(`${label}-late`, d.id, 3);
      await payOrder(t, u.token, code);
      await balanceWindow(t, code, new Date(Date.now() - 2 * DAY), new Date(Date.now() - HOUR));
      const late = await payOrder(t, u.token, code);
      expect(late.status).toBe(409);
      expect(late.body.status).toBe(1003);
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 47, order_count: 1 });
      const counts = await t.app.get(SweepService).runOnce();
      expect(counts.expired).toBeGreaterThanOrEqual(1);
      const row = await orderRow(t, code);
      expect(row).toMatchObject({ status: 6, refund_status: 'none' });
      expect(await refundsOf(t, row.id)).toEqual([]);
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 50, payed_count: 0, order_count: 0 });
      const info = await t.http.get(`/api/group/order/order_info/${code}`).set(userAuth(u.token));
      expect(info.body.data.presale).toMatchObject({ deposit: { pay_status: 'success' }, tail: { pay_status: 'closed' } });
      // a second sweep changes nothing; the deposit is not refunded by refundorder either (定金不退)
      await t.app.get(SweepService).runOnce();
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 50, order_count: 0 });
      const refund = await t.http.post(`/api/marketing/groupbuying/refundorder?id=${row.id}`).set(adminAuth(admin));
      expect(refund.status).toBe(409);
      expect(await refundsOf(t, row.id)).toEqual([]);
      expect((await payOrder(t, u.token, code)).body.status).toBe(1003);
    });

    it('refundorder at 9 refunds the deposit only (→ 2), stock back, payedCount untouched', async () => {
      const d = await makeDeal(t, tenantId, shopId, preSale());
      const { u, code, payNo } = await buy(`${label}-dep`, d.id, 1);
      await payOrder(t, u.token, code);
      const row = await orderRow(t, code);
      const refund = await t.http.post(`/api/marketing/groupbuying/refundorder?id=${row.id}`).set(adminAuth(admin));
      expect(refund.body.data.refundStatus).toBe('success');
      expect(await refundsOf(t, row.id)).toEqual([
        expect.objectContaining({ pay_no: payNo, out_refund_no: `${code}R`, status: 'success' }),
      ]);
      expect(new Big((await refundsOf(t, row.id))[0].amount).toFixed(2)).toBe('10.00');
      expect(await orderRow(t, code)).toMatchObject({ status: 2, refund_status: 'success' });
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 50, payed_count: 0, order_count: 1 });
      const info = await t.http.get(`/api/group/order/order_info/${code}`).set(userAuth(u.token));
      expect(info.body.data.presale).toMatchObject({ deposit: { pay_status: 'refund' }, tail: { pay_status: 'closed' } });
      expect((await payOrder(t, u.token, code)).status).toBe(409);
    });

    it('an unpaid deposit expires like any checkout (0 → 5), stock back', async () => {
      const d = await makeDeal(t, tenantId, shopId, preSale());
      const { code, payNo } = await buy(`${label}-exp`, d.id, 2);
      await t.ds.query('UPDATE checkout SET expire_time = ? WHERE pay_no = ?', [dbDate(t.ds, new Date(Date.now() - 1000)), payNo]);
      await t.app.get(SweepService).runOnce();
      expect(await orderRow(t, code)).toMatchObject({ status: 5 });
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 50, order_count: 0 });
    });
  });
}

lifecycle('mariadb', () => bootApp('presale'));
lifecycle('sqlite', () => bootApp('presale-sqlite', { JOBS_ENABLED: 'false' }, { sqlite: true }));

describe('pre-sale deals, checkout rules, views and seed 002 (MariaDB)', () => {
  let t: TestApp;
  let tenantId: number;
  let shopId: number;
  let admin: string;
  beforeAll(async () => {
    t = await bootApp('presale-rules', { LOGIN_RATE_LIMIT_PER_MINUTE: '100000' });
    ({ tenantId, shopId, token: admin } = await newTenantWithShop(t, await adminToken(t), 'PresaleRules'));
  });
  afterAll(() => t.close());

  const now = Date.now();
  const body = (over: Record<string, unknown> = {}) => ({
    shopId,
    name: '预售水蜜桃',
    productName: '水蜜桃',
    productCode: 'PEACH-1',
    price: 68,
    stock: 10,
    startTime: shanghai(new Date(now - DAY)),
    endTime: shanghai(new Date(now + DAY)),
    preSale: true,
    deposit: 10,
    depositValue: 15,
    tailEndTime: shanghai(new Date(now + 5 * DAY)),
    ...over,
  });
  const create = (over: Record<string, unknown> = {}) =>
    t.http.post('/api/marketing/groupbuying/create').set(adminAuth(admin)).send(body(over));

  it('admin create/get/list carry preSale, deposit, depositValue, tailEndTime; the storefront shows both windows', async () => {
    const res = await create();
    expect(res.body).toMatchObject({ status: 200 });
    const id = res.body.data;
    const got = await t.http.get(`/api/marketing/groupbuying/get?id=${id}`).set(adminAuth(admin));
    expect(got.body).toMatchObject({ preSale: true, deposit: 10, depositValue: 15, tailEndTime: body().tailEndTime, price: 68 });
    const list = await t.http.get('/api/marketing/groupbuying/getlist').set(adminAuth(admin));
    expect(list.body.data.find((d: { id: number }) => d.id === id)).toMatchObject({ preSale: true, deposit: 10, depositValue: 15 });
    const store = await t.http.get(`/api/group/groupbuying/detail/${id}`);
    expect(store.body.data).toMatchObject({
      pre_sale: true,
      deposit: '10.00',
      deposit_value: '15.00',
      tail_price: '53.00',
      tail_start_time: body().endTime,
      tail_end_time: body().tailEndTime,
    });
    const plain = await create({ preSale: false, name: '普通' });
    const plainView = await t.http.get(`/api/marketing/groupbuying/get?id=${plain.body.data}`).set(adminAuth(admin));
    expect(plainView.body).toMatchObject({ preSale: false, deposit: null, depositValue: null, tailEndTime: null });
    // an update that leaves the pre-sale fields out keeps them; depositValue defaults to deposit
    await t.http
      .post('/api/marketing/groupbuying/update')
      .set(adminAuth(admin))
      .send({ ...body({ depositValue: undefined }), id, name: '改名' });
    const again = await t.http.get(`/api/marketing/groupbuying/get?id=${id}`).set(adminAuth(admin));
    expect(again.body).toMatchObject({ name: '改名', preSale: true, deposit: 10, depositValue: 15 });
    const noValue = await create({ depositValue: undefined });
    expect((await t.http.get(`/api/marketing/groupbuying/get?id=${noValue.body.data}`).set(adminAuth(admin))).body.depositValue).toBe(10);
  });

  it.each([
    [{ deposit: undefined }, 'deposit'],
    [{ deposit: 68 }, 'deposit'],
    [{ deposit: 0 }, 'deposit'],
    [{ depositValue: 9 }, 'depositValue'],
    [{ depositValue: 68 }, 'depositValue'],
    [{ tailEndTime: undefined }, 'tailEndTime'],
    [{ tailEndTime: shanghai(new Date(Date.now() + HOUR)) }, 'tailEndTime'],
    [{ teamSize: 2 }, 'preSale'],
    [{ deposit: 1.234 }, 'deposit'],
  ])('create %j is a 400 naming %s', async (over, field) => {
    const res = await create(over);
    expect(res.status).toBe(400);
    expect(res.body.status).toBe(400);
    expect(res.body.message).toContain(field);
  });

  it('checkout: one line only (400 goods), coupons listed invalid and refused (1001), pay_price = deposit × qty, limits as usual', async () => {
    const d = await makeDeal(t, tenantId, shopId, preSale({ limitPerUser: 3 }));
    const other = await makeDeal(t, tenantId, shopId);
    const u = await loginUser(t, 'presale-rules-1');
    const mixed = await createOrder(t, u.token, {
      goods: [
        { product_id: d.id, quantity: 1 },
        { product_id: other.id, quantity: 1 },
      ],
    });
    expect(mixed.status).toBe(400);
    expect(mixed.body.msg).toContain('goods');
    const coupon = await makeCoupon(t, tenantId, { enough: new Big(0), deduct: new Big('5.00') });
    const mc = await giveCoupon(t, coupon, u.id);
    const computed = await t.http
      .post('/api/group/order/computedOrder')
      .set(userAuth(u.token))
      .send({ goods: [{ product_id: d.id, quantity: 3 }], coupon_id: mc.id });
    expect(computed.status).toBe(200);
    expect(computed.body.data).toMatchObject({ total_price: '30.00', goods_price: '300.00', discount_price: '0.00' });
    expect(computed.body.data.orders[0]).toMatchObject({ pay_price: '30.00', coupon_price: '0.00' });
    expect(computed.body.data.orders[0].presale).toMatchObject({
      deposit: { price: '30.00', pay_status: 'wait' },
      tail: { price: '210.00' },
    });
    expect(computed.body.data.discount.member_coupons.find((m: { id: number }) => m.id === mc.id)).toMatchObject({
      valid: false,
      checked: false,
    });
    const withCoupon = await createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 1 }], coupon_id: mc.id });
    expect(withCoupon.status).toBe(409);
    expect(withCoupon.body.status).toBe(1001);
    const ok = await createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 3 }] });
    expect(ok.status).toBe(200);
    expect(ok.body.data).toMatchObject({ total_price: '30.00' });
    const over = await createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 1 }] });
    expect(over.status).toBe(409);
    expect(over.body.status).toBe(1001);
  });

  it('getorderstatuslist lists ten statuses, 9 已付定金 among them', async () => {
    const res = await t.http.get('/api/marketing/groupbuying/getorderstatuslist').set(adminAuth(admin));
    expect(res.body).toHaveLength(10);
    expect(res.body[9]).toEqual({ key: 9, value: '已付定金' });
  });

  describe('GET /api/cli/order/{code} (seed 002)', () => {
    it('a plain order, field by field', async () => {
      const d = await makeDeal(t, tenantId, shopId, { price: new Big('0.10'), productCode: 'dad66ea9c615a0d6', imagePath: '' });
      const u = await loginUser(t, 'cli-plain');
      const res = await createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 1 }], remark: '不要辣' });
      const code = res.body.data.orders[0].code;
      await payOrder(t, u.token, code);
      const row = (await t.ds.query('SELECT id, create_time, pay_time, expire_time FROM group_buying_order WHERE code = ?', [code]))[0];
      const cli = await t.http.get(`/api/cli/order/${code}`).set(userAuth(u.token));
      expect(cli.status).toBe(200);
      expect(cli.body).toEqual({
        result: 'success',
        message: '操作成功',
        data: {
          id: row.id,
          order_number: code,
          commodity_id: d.id,
          user_id: u.id,
          price: 0.1,
          pay_type: 'sandbox',
          pay_status: 'success',
          order_at: shanghai(new Date(row.create_time)),
          created_at: shanghai(new Date(row.create_time)),
          expire_at: shanghai(new Date(row.expire_time)),
          pay_at: shanghai(new Date(row.pay_time)),
          parent_id: null,
          marketer_id: null,
          marketer_rate: null,
          remark: null,
          note: '不要辣',
          commodities: [{ name: d.productName, code: 'dad66ea9c615a0d6', price: 0.1, cover: '' }],
          coupon_price: 0,
        },
      });
    });

    it('a pre-sale (预定) order: orders.deposit/tail and pre_sale', async () => {
      const d = await makeDeal(t, tenantId, shopId, preSale({ price: new Big('1.00'), deposit: new Big('0.10'), depositValue: null }));
      const u = await loginUser(t, 'cli-pre');
      const c = await checkout(t, u.token, [{ product_id: d.id, quantity: 1 }]);
      const code = c.codes[0];
      const before = await t.http.get(`/api/cli/order/${code}`).set(userAuth(u.token));
      expect(before.body.data).toMatchObject({
        remark: 'order',
        price: 0,
        pay_status: 'wait',
        orders: {
          deposit: { price: 0.1, pay_type: 'sandbox', pay_at: null, pay_status: 'wait' },
          tail: { price: 0.9, pay_type: null, pay_at: null, order_at: null, pay_status: 'wait' },
        },
      });
      await payOrder(t, u.token, code);
      const cli = await t.http.get(`/api/cli/order/${code}`).set(userAuth(u.token));
      const data = cli.body.data;
      expect(data).toMatchObject({
        order_number: code,
        commodity_id: d.id,
        price: 0.1,
        pay_status: 'wait',
        remark: 'order',
        coupon_price: 0,
      });
      expect(data.orders.deposit).toMatchObject({ price: 0.1, pay_type: 'sandbox', pay_status: 'success' });
      expect(data.orders.deposit.pay_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      expect(data.orders.deposit.order_at).toBe(data.order_at);
      expect(data.orders.tail).toEqual({ price: 0.9, pay_type: null, pay_at: null, order_at: null, pay_status: 'wait' });
      expect(data.pre_sale).toEqual({
        id: d.id,
        commodity_id: d.id,
        pre_price: 1,
        deposit: 0.1,
        pre_start_at: shanghai(new Date(Math.floor(d.startTime.getTime() / 1000) * 1000)),
        pre_end_at: shanghai(new Date(Math.floor(d.endTime.getTime() / 1000) * 1000)),
        pay_end_at: shanghai(new Date(Math.floor(d.tailEndTime!.getTime() / 1000) * 1000)),
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      });
      expect(data.expire_at).toBe(data.pre_sale.pay_end_at);
      expect(data.groupon).toBeUndefined();
    });

    it('a team (团购) order carries remark "groupon" and the team view', async () => {
      const d = await makeDeal(t, tenantId, shopId, { teamSize: 2, price: new Big('0.06') });
      const u = await loginUser(t, 'cli-team', { nickname: 'wuyan' });
      const c = await checkout(t, u.token, [{ product_id: d.id, quantity: 1 }]);
      await payOrder(t, u.token, c.codes[0]);
      const cli = await t.http.get(`/api/cli/order/${c.codes[0]}`).set(userAuth(u.token));
      expect(cli.body.data).toMatchObject({ remark: 'groupon', pay_status: 'success', price: 0.06 });
      expect(cli.body.data.groupon).toMatchObject({
        group_buying_id: d.id,
        max_count: 2,
        member_count: 2,
        pay_user_count: 1,
        status: 'active',
      });
      expect(cli.body.data.groupon.members[0]).toMatchObject({ nickname: 'wuyan', is_robot: false });
      expect(cli.body.data.orders).toBeUndefined();
      expect(cli.body.data.pre_sale).toBeUndefined();
    });

    it("another user's order, an unknown one and no token answer in the same envelope (404, 404, 401)", async () => {
      const d = await makeDeal(t, tenantId, shopId);
      const owner = await loginUser(t, 'cli-owner');
      const stranger = await loginUser(t, 'cli-stranger');
      const c = await checkout(t, owner.token, [{ product_id: d.id, quantity: 1 }]);
      for (const res of [
        await t.http.get(`/api/cli/order/${c.codes[0]}`).set(userAuth(stranger.token)),
        await t.http.get('/api/cli/order/tg000000000').set(userAuth(owner.token)),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ result: 'error', message: expect.any(String), data: null });
      }
      const anon = await t.http.get(`/api/cli/order/${c.codes[0]}`);
      expect(anon.status).toBe(401);
      expect(anon.body).toEqual({ result: 'error', message: expect.any(String), data: null });
    });
  });

  describe('concurrency', () => {
    it('100 buyers for 20 pre-sale units: exactly 20 deposits', async () => {
      const d = await makeDeal(t, tenantId, shopId, preSale({ stock: 20 }));
      const users = await Promise.all(Array.from({ length: 100 }, (_, i) => loginUser(t, `rush-${i}`)));
      const answers = await Promise.all(users.map((u) => createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 1 }] })));
      const won = answers.filter((r) => r.status === 200);
      expect(won).toHaveLength(20);
      expect(answers.filter((r) => r.status === 409 && r.body.status === 1002)).toHaveLength(80);
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 0, order_count: 20 });
      const codes = won.map((r) => r.body.data.orders[0].code as string);
      const owners = won.map((r) => users[answers.indexOf(r)]);
      const paid = await Promise.all(codes.map((code, i) => payOrder(t, owners[i].token, code)));
      expect(paid.every((r) => r.body.status === 701)).toBe(true);
      const [{ n }] = await t.ds.query('SELECT COUNT(*) AS n FROM group_buying_order WHERE group_buying_id = ? AND status = 9', [d.id]);
      expect(Number(n)).toBe(20);
    });

    it('20 balance payments at once settle once each (sequence 1..20), and one balance paid 10 times at once settles once', async () => {
      const d = await makeDeal(t, tenantId, shopId, preSale({ stock: 30 }));
      const buyers = await Promise.all(
        Array.from({ length: 21 }, async (_, i) => {
          const u = await loginUser(t, `tail-${i}`);
          const c = await checkout(t, u.token, [{ product_id: d.id, quantity: 1 }]);
          await payOrder(t, u.token, c.codes[0]);
          await balanceWindow(t, c.codes[0], new Date(Date.now() - HOUR), new Date(Date.now() + DAY));
          return { u, code: c.codes[0] };
        }),
      );
      const [one, ...rest] = buyers;
      const answers = await Promise.all([
        ...rest.map((b) => payOrder(t, b.u.token, b.code)),
        ...Array.from({ length: 10 }, () => payOrder(t, one.u.token, one.code)),
      ]);
      expect(answers.every((r) => r.body.status === 701 || r.status === 409)).toBe(true);
      const rows = await t.ds.query('SELECT status, sequence FROM group_buying_order WHERE group_buying_id = ? ORDER BY sequence', [d.id]);
      expect(rows.map((r: { status: number }) => r.status)).toEqual(Array(21).fill(1));
      expect(rows.map((r: { sequence: number }) => r.sequence)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
      expect(await dealCounters(t, d.id)).toMatchObject({ payed_count: 21, last_sequence: 21, stock: 9 });
      const [{ n }] = await t.ds.query(
        "SELECT COUNT(*) AS n FROM order_log WHERE action = 'pay_balance' AND order_id IN (SELECT id FROM group_buying_order WHERE group_buying_id = ?)",
        [d.id],
      );
      expect(Number(n)).toBe(21);
    });
  });
});

describe('pre-sale balance with WeChat Pay (fake WeChat, MariaDB)', () => {
  let wx: FakeWechat;
  let t: TestApp;
  let tenantId: number;
  let shopId: number;
  let admin: string;
  beforeAll(async () => {
    wx = await new FakeWechat().start();
    t = await bootApp('presale-wx', { ...wx.env(), LOGIN_RATE_LIMIT_PER_MINUTE: '100000' });
    ({ tenantId, shopId, token: admin } = await newTenantWithShop(t, await adminToken(t), 'PresaleWx'));
  });
  afterAll(async () => {
    await t.close();
    await wx.stop();
  });

  const postNotify = (n: { body: string; headers: Record<string, string> }) =>
    t.http.post('/api/group/pay/notify/wechat').set(n.headers).send(n.body);

  /** A buyer whose deposit WeChat has paid and whose balance window is open: the balance prepaid. */
  async function depositPaid(openId: string, dealId: number) {
    const u = await loginUser(t, openId);
    const c = await checkout(t, u.token, [{ product_id: dealId, quantity: 2 }]);
    const code = c.codes[0];
    expect((await payOrder(t, u.token, code)).body.data).toMatchObject({ paid: false, pay_no: c.payNo });
    expect(wx.transactions.get(c.payNo)!.total).toBe(2000);
    expect((await postNotify(wx.pay(c.payNo))).status).toBe(204);
    expect(await orderRow(t, code)).toMatchObject({ status: 9 });
    return { u, code, payNo: c.payNo };
  }

  /** WeChat's notify of a balance paid at `successTime`. */
  function balanceNotify(tailPayNo: string, successTime: Date) {
    const tx = wx.transactions.get(tailPayNo)!;
    tx.state = 'SUCCESS';
    tx.transactionId = `4200tail${tailPayNo.slice(-8)}`;
    return wx.notify('TRANSACTION.SUCCESS', 'transaction', {
      mchid: wx.mchId,
      appid: wx.appId,
      out_trade_no: tailPayNo,
      transaction_id: tx.transactionId,
      trade_type: 'JSAPI',
      trade_state: 'SUCCESS',
      success_time: successTime.toISOString(),
      payer: { openid: tx.openid },
      amount: { total: tx.total, payer_total: tx.total, currency: 'CNY', payer_currency: 'CNY' },
    });
  }

  it('the balance is a second out_trade_no with time_expire = the deadline; its notify settles it once', async () => {
    const d = await makeDeal(t, tenantId, shopId, preSale());
    const { u, code, payNo } = await depositPaid('wx-pre-1', d.id);
    const end = new Date(Math.floor((Date.now() + DAY) / 1000) * 1000);
    await balanceWindow(t, code, new Date(Date.now() - HOUR), end);
    const pay = await payOrder(t, u.token, code);
    expect(pay.body.data.paid).toBe(false);
    const tailPayNo = pay.body.data.pay_no;
    expect(tailPayNo).not.toBe(payNo);
    expect(tailPayNo).toMatch(/^tg\d{4,30}$/);
    const tx = wx.transactions.get(tailPayNo)!;
    expect(tx.total).toBe(14000);
    expect(new Date(tx.timeExpire).getTime()).toBe(end.getTime());
    const n = wx.pay(tailPayNo);
    expect((await postNotify(n)).status).toBe(204);
    expect((await postNotify(n)).status).toBe(204);
    expect(await orderRow(t, code)).toMatchObject({ status: 1, sequence: 1, tail_pay_no: tailPayNo });
    expect(await dealCounters(t, d.id)).toMatchObject({ payed_count: 2, last_sequence: 1 });
    // a notify of the wrong amount changes nothing
    const d2 = await makeDeal(t, tenantId, shopId, preSale());
    const b = await depositPaid('wx-pre-1b', d2.id);
    await balanceWindow(t, b.code, new Date(Date.now() - HOUR), end);
    const p2 = await payOrder(t, b.u.token, b.code);
    expect((await postNotify(wx.pay(p2.body.data.pay_no, { total: 100 }))).status).toBe(400);
    expect(await orderRow(t, b.code)).toMatchObject({ status: 9 });
  });

  it('a balance paid in time but reported after the sweep closed the order is honoured: stock taken again (6 → 1)', async () => {
    const d = await makeDeal(t, tenantId, shopId, preSale({ stock: 10 }));
    const { u, code } = await depositPaid('wx-pre-2', d.id);
    await balanceWindow(t, code, new Date(Date.now() - HOUR), new Date(Date.now() + DAY));
    const tailPayNo = (await payOrder(t, u.token, code)).body.data.pay_no;
    // the prepay record was lost: the sweep does not ask WeChat and closes the order at its deadline
    const deadline = new Date(Date.now() - 60_000);
    await t.ds.query('UPDATE group_buying_order SET tail_prepay_id = NULL, tail_end_time = ? WHERE code = ?', [
      dbDate(t.ds, deadline),
      code,
    ]);
    await t.app.get(SweepService).runOnce();
    expect(await orderRow(t, code)).toMatchObject({ status: 6 });
    expect(await dealCounters(t, d.id)).toMatchObject({ stock: 10, order_count: 0 });
    expect((await postNotify(balanceNotify(tailPayNo, new Date(deadline.getTime() - 60_000)))).status).toBe(204);
    expect(await orderRow(t, code)).toMatchObject({ status: 1, sequence: 1, refund_status: 'none' });
    expect(await dealCounters(t, d.id)).toMatchObject({ stock: 8, payed_count: 2, order_count: 1 });
  });

  it('sold out by then: both payments are refunded, each against its own transaction, never more than paid', async () => {
    const d = await makeDeal(t, tenantId, shopId, preSale({ stock: 2 }));
    const { u, code, payNo } = await depositPaid('wx-pre-3', d.id);
    await balanceWindow(t, code, new Date(Date.now() - HOUR), new Date(Date.now() + DAY));
    const tailPayNo = (await payOrder(t, u.token, code)).body.data.pay_no;
    const deadline = new Date(Date.now() - 60_000);
    await t.ds.query('UPDATE group_buying_order SET tail_prepay_id = NULL, tail_end_time = ? WHERE code = ?', [
      dbDate(t.ds, deadline),
      code,
    ]);
    await t.app.get(SweepService).runOnce();
    await t.ds.query('UPDATE group_buying SET stock = 0 WHERE id = ?', [d.id]);
    const n = balanceNotify(tailPayNo, new Date(deadline.getTime() - 60_000));
    expect((await postNotify(n)).status).toBe(204);
    expect((await postNotify(n)).status).toBe(204);
    const row = await orderRow(t, code);
    expect(row).toMatchObject({ status: 6, refund_status: 'processing' });
    expect(wx.refunds.get(`${code}R`)).toMatchObject({ outTradeNo: payNo, refund: 2000, total: 2000 });
    expect(wx.refunds.get(`${code}TR`)).toMatchObject({ outTradeNo: tailPayNo, refund: 14000, total: 14000 });
    expect(wx.refundedOf(payNo)).toBe(2000);
    expect(wx.refundedOf(tailPayNo)).toBe(14000);
    expect((await postNotify(wx.refundNotify(`${code}R`))).status).toBe(204);
    expect((await orderRow(t, code)).refund_status).toBe('processing');
    expect((await postNotify(wx.refundNotify(`${code}TR`))).status).toBe(204);
    expect(await orderRow(t, code)).toMatchObject({ status: 6, refund_status: 'success' });
    expect(await dealCounters(t, d.id)).toMatchObject({ stock: 0 });
    // the admin can't refund it again
    expect((await t.http.post(`/api/marketing/groupbuying/refundorder?id=${row.id}`).set(adminAuth(admin))).status).toBe(409);
    expect(wx.refundedOf(payNo) + wx.refundedOf(tailPayNo)).toBe(16000);
  });

  it('a balance paid while the deposit is being refunded is given back too; payOrder meanwhile is a 409', async () => {
    const d = await makeDeal(t, tenantId, shopId, preSale({ stock: 5 }));
    const { u, code, payNo } = await depositPaid('wx-pre-5', d.id);
    await balanceWindow(t, code, new Date(Date.now() - HOUR), new Date(Date.now() + DAY));
    const tailPayNo = (await payOrder(t, u.token, code)).body.data.pay_no;
    const row = await orderRow(t, code);
    const refund = await t.http.post(`/api/marketing/groupbuying/refundorder?id=${row.id}`).set(adminAuth(admin));
    expect(refund.body.data.refundStatus).toBe('processing');
    expect((await payOrder(t, u.token, code)).status).toBe(409);
    expect((await postNotify(wx.pay(tailPayNo))).status).toBe(204);
    expect(await orderRow(t, code)).toMatchObject({ status: 9, refund_status: 'processing', sequence: null });
    expect(wx.refunds.get(`${code}TR`)).toMatchObject({ outTradeNo: tailPayNo, refund: 14000 });
    expect((await postNotify(wx.refundNotify(`${code}R`))).status).toBe(204);
    expect((await orderRow(t, code)).status).toBe(9);
    expect((await postNotify(wx.refundNotify(`${code}TR`))).status).toBe(204);
    expect(await orderRow(t, code)).toMatchObject({ status: 2, refund_status: 'success' });
    expect(wx.refundedOf(payNo)).toBe(2000);
    expect(wx.refundedOf(tailPayNo)).toBe(14000);
    expect(await dealCounters(t, d.id)).toMatchObject({ stock: 5, payed_count: 0 });
  });

  it('the sweep asks WeChat about a prepaid balance past its deadline: unpaid → closed there, then 9 → 6', async () => {
    const d = await makeDeal(t, tenantId, shopId, preSale({ stock: 5 }));
    const { u, code } = await depositPaid('wx-pre-4', d.id);
    await balanceWindow(t, code, new Date(Date.now() - HOUR), new Date(Date.now() + DAY));
    const tailPayNo = (await payOrder(t, u.token, code)).body.data.pay_no;
    await t.ds.query('UPDATE group_buying_order SET tail_end_time = ? WHERE code = ?', [new Date(Date.now() - 1000), code]);
    await t.app.get(SweepService).runOnce();
    expect(wx.transactions.get(tailPayNo)!.state).toBe('CLOSED');
    expect(await orderRow(t, code)).toMatchObject({ status: 6 });
    expect(await dealCounters(t, d.id)).toMatchObject({ stock: 5 });
  });
});
