import Big from 'big.js';
import { SweepService } from '../src/jobs/sweep.service';
import { MemberWalletService } from '../src/member/member-wallet.service';
import { bootApp, Instance, secondInstance, TestApp } from './support/app';
import {
  ADDRESS,
  adminAuth,
  adminToken,
  createOrder,
  giveCoupon,
  loginUser,
  makeCoupon,
  makeDeal,
  newTenantWithShop,
  payOrder,
  User,
  userAuth,
} from './support/builders';

describe('Member wallet: points, balance, rewards, invoices (MariaDB, §11)', () => {
  let t: TestApp;
  let a: { tenantId: number; shopId: number; token: string };
  let b: { tenantId: number; shopId: number; token: string };

  beforeAll(async () => {
    t = await bootApp('wallet', { LOGIN_RATE_LIMIT_PER_MINUTE: '100000' });
    const su = await adminToken(t);
    a = await newTenantWithShop(t, su, 'WalletA', '钱包门店');
    b = await newTenantWithShop(t, su, 'WalletB', '别家门店');
  });
  afterAll(() => t.close());

  const adjust = (token: string, body: object) => t.http.post('/api/marketing/member/adjust').set(adminAuth(token)).send(body);
  const give = async (u: User, point: number, balance: string, tenant = a) => {
    if (point) expect((await adjust(tenant.token, { userId: u.id, kind: 'point', amount: point })).status).toBe(200);
    if (balance !== '0') expect((await adjust(tenant.token, { userId: u.id, kind: 'balance', amount: balance })).status).toBe(200);
  };
  const wallet = async (u: User, tenantId = a.tenantId) => {
    const [w] = await t.ds.query('SELECT point, balance FROM member_wallet WHERE tenant_id = ? AND user_id = ?', [tenantId, u.id]);
    return { point: Number(w?.point ?? 0), balance: new Big(w?.balance ?? 0).toFixed(2) };
  };
  /** the wallet always equals the sum of its ledger */
  const expectLedgerMatches = async (u: User, tenantId = a.tenantId) => {
    const sums = await t.ds.query('SELECT kind, SUM(amount) AS s FROM wallet_ledger WHERE tenant_id = ? AND user_id = ? GROUP BY kind', [
      tenantId,
      u.id,
    ]);
    const by = new Map<string, string>(sums.map((r: { kind: string; s: string }) => [r.kind, new Big(r.s).toFixed(2)]));
    const w = await wallet(u, tenantId);
    expect(by.get('point') ?? '0.00').toBe(new Big(w.point).toFixed(2));
    expect(by.get('balance') ?? '0.00').toBe(w.balance);
    expect(w.point).toBeGreaterThanOrEqual(0);
    expect(new Big(w.balance).gte(0)).toBe(true);
  };
  const setSettings = (token: string, body: object) => t.http.post('/api/marketing/setting/update').set(adminAuth(token)).send(body);
  const orderRows = (payNo: string) =>
    t.ds.query('SELECT id, code, status, money, deduction_money FROM group_buying_order WHERE pay_no = ? ORDER BY id', [payNo]);

  describe('settings and admin routes', () => {
    it('settings default to 100/50/1 per tenant, update validates and names the field', async () => {
      const get = await t.http.get('/api/marketing/setting/get').set(adminAuth(b.token));
      expect(get.body).toEqual({ pointValue: 100, pointMaxRate: 50, pointRewardRate: 1 });
      const bad = await setSettings(b.token, { pointValue: 100, pointMaxRate: 101, pointRewardRate: 1 });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toContain('pointMaxRate');
      const bad2 = await setSettings(b.token, { pointValue: 0, pointMaxRate: 10, pointRewardRate: 1 });
      expect(bad2.status).toBe(400);
      expect(JSON.stringify(bad2.body)).toContain('pointValue');
      expect((await setSettings(b.token, { pointValue: 10, pointMaxRate: 20, pointRewardRate: '0.5' })).body).toEqual({
        status: 200,
        message: '',
      });
      expect((await t.http.get('/api/marketing/setting/get').set(adminAuth(b.token))).body).toEqual({
        pointValue: 10,
        pointMaxRate: 20,
        pointRewardRate: 0.5,
      });
      // another tenant keeps its own
      expect((await t.http.get('/api/marketing/setting/get').set(adminAuth(a.token))).body.pointValue).toBe(100);
    });

    it('adjust moves the wallet with a ledger entry; below zero is 409; lists and ledgers are per tenant (404 elsewhere)', async () => {
      const u = await loginUser(t, 'w-admin', { nickname: '钱包会员' });
      const ok = await adjust(a.token, { userId: u.id, kind: 'point', amount: 1000, remark: '活动' });
      expect(ok.body).toMatchObject({ status: 200, message: '', data: { userId: u.id, point: 1000, balance: 0, nickname: '钱包会员' } });
      expect((await adjust(a.token, { userId: u.id, kind: 'balance', amount: '20.50' })).body.data.balance).toBe(20.5);
      const below = await adjust(a.token, { userId: u.id, kind: 'point', amount: -1001 });
      expect(below.status).toBe(409);
      const frac = await adjust(a.token, { userId: u.id, kind: 'point', amount: 1.5 });
      expect(frac.status).toBe(400);
      expect(JSON.stringify(frac.body)).toContain('amount');
      expect((await adjust(a.token, { userId: u.id, kind: 'cash', amount: 1 })).status).toBe(400);
      expect((await adjust(a.token, { userId: 999999, kind: 'point', amount: 1 })).status).toBe(404);
      expect(await wallet(u)).toEqual({ point: 1000, balance: '20.50' });
      await expectLedgerMatches(u);

      const list = await t.http.get('/api/marketing/member/getlist?keyword=钱包会').set(adminAuth(a.token));
      expect(list.body).toMatchObject({ pageIndex: 1, pageSize: 20, totalCount: 1 });
      expect(list.body.data[0]).toMatchObject({ userId: u.id, point: 1000, balance: 20.5 });
      const ledger = await t.http.get(`/api/marketing/member/ledger?userId=${u.id}&kind=point`).set(adminAuth(a.token));
      expect(ledger.body.totalCount).toBe(1);
      expect(ledger.body.data[0]).toMatchObject({
        kind: 'point',
        amount: 1000,
        after: 1000,
        reason: 'admin',
        remark: '活动',
        orderCode: null,
      });

      // tenant B: the member is not its own
      expect((await t.http.get(`/api/marketing/member/ledger?userId=${u.id}`).set(adminAuth(b.token))).status).toBe(404);
      expect((await t.http.get('/api/marketing/member/getlist?keyword=钱包会').set(adminAuth(b.token))).body.totalCount).toBe(0);
      // and the storefront sees each tenant's wallet apart
      const mine = await t.http.get(`/api/group/member/wallet?tenant_id=${a.tenantId}`).set(userAuth(u.token));
      expect(mine.body).toEqual({ status: 200, msg: 'ok', data: { point: 1000, balance: '20.50', point_value: 100 } });
      const other = await t.http.get(`/api/group/member/wallet?tenant_id=${b.tenantId}`).set(userAuth(u.token));
      expect(other.body.data).toEqual({ point: 0, balance: '0.00', point_value: 10 });
      const sl = await t.http.get(`/api/group/member/ledger?tenant_id=${a.tenantId}&kind=balance`).set(userAuth(u.token));
      expect(sl.body.data).toMatchObject({ total: 1, page: 1, limit: 10 });
      expect(sl.body.data.list[0]).toMatchObject({ kind: 'balance', amount: '20.50', after: '20.50', reason: 'admin' });
      expect((await t.http.get('/api/group/member/wallet').set(userAuth(u.token))).status).toBe(400);
    });
  });

  describe('checkout pricing (§11 to the fen)', () => {
    it('coupon, then points (capped, whole), then balance incl. delivery; computed = created; seed 003 orders JSON', async () => {
      await setSettings(a.token, { pointValue: 100, pointMaxRate: 25, pointRewardRate: 1 });
      const u = await loginUser(t, 'w-price');
      await give(u, 10000, '100.00');
      const d1 = await makeDeal(t, a.tenantId, a.shopId, { price: new Big('200.00') });
      const d2 = await makeDeal(t, a.tenantId, a.shopId, { price: new Big('100.00'), deliverType: 2, deliverFee: new Big('8.00') });
      const coupon = await makeCoupon(t, a.tenantId, { enough: new Big('100'), deduct: new Big('10') });
      const mc = await giveCoupon(t, coupon, u.id);
      const goods = [
        { product_id: d1.id, quantity: 1 },
        { product_id: d2.id, quantity: 2 },
      ];
      const body = { goods, coupon_id: mc.id, address: ADDRESS };
      const computed = await t.http
        .post('/api/group/order/computedOrder')
        .set(userAuth(u.token))
        .send({ ...body, deduction_ids: 'point,balance' });
      const d = computed.body.data;
      // goods 400 − coupon 10 = 390; points ≤ 25 % = 97.50 (9750 points); balance 100.00 of 390 + 8 − 97.50
      expect(d).toMatchObject({
        goods_price: '400.00',
        discount_price: '10.00',
        dispatch_price: '8.00',
        deduction_price: '197.50',
        total_price: '200.50',
      });
      expect(d.amount_items[3]).toEqual({ code: 'total_deduction_price', name: '总抵扣', amount: '197.50' });
      expect(d.deductions).toEqual([
        { code: 'point', name: '积分', usable_amount: '97.50', usable_coin: 9750, used_amount: '97.50', used_coin: 9750 },
        { code: 'balance', name: '余额', usable_amount: '100.00', usable_coin: 100, used_amount: '100.00', used_coin: 100 },
      ]);
      expect(
        d.orders.map((o: { coupon_price: string; deduction_price: string; pay_price: string }) => [
          o.coupon_price,
          o.deduction_price,
          o.pay_price,
        ]),
      ).toEqual([
        ['5.00', '98.75', '96.25'],
        ['5.00', '98.75', '104.25'],
      ]);
      // points only (seed 003's orders JSON, array form of deduction_ids)
      const pointsOnly = await t.http
        .post('/api/group/order/computedOrder')
        .set(userAuth(u.token))
        .send({ ...body, orders: JSON.stringify([{ pre_id: 'x', deduction_ids: ['point'], service_fee: [], note: '' }]) });
      expect(pointsOnly.body.data).toMatchObject({ deduction_price: '97.50', total_price: '300.50' });
      expect(await wallet(u)).toEqual({ point: 10000, balance: '100.00' });

      const created = await createOrder(t, u.token, {
        ...body,
        orders: JSON.stringify([{ pre_id: '101e36c8', deduction_ids: ['point', 'balance'], service_fee: [], note: '放门口' }]),
      });
      expect(created.status).toBe(200);
      const { pay_no: _p, ...createdData } = created.body.data;
      expect({ ...createdData, orders: createdData.orders.map(({ code: _c, ...o }: { code: string }) => o) }).toEqual(d);
      expect(await wallet(u)).toEqual({ point: 250, balance: '0.00' });
      await expectLedgerMatches(u);
      const rows = await orderRows(created.body.data.pay_no);
      expect(
        rows.map((r: { money: string; deduction_money: string }) => [new Big(r.money).toFixed(2), new Big(r.deduction_money).toFixed(2)]),
      ).toEqual([
        ['96.25', '98.75'],
        ['104.25', '98.75'],
      ]);
      const [c] = await t.ds.query('SELECT total_price, deduction_price FROM checkout WHERE pay_no = ?', [created.body.data.pay_no]);
      expect([new Big(c.total_price).toFixed(2), new Big(c.deduction_price).toFixed(2)]).toEqual(['200.50', '197.50']);
      const info = await t.http.get(`/api/group/order/order_info/${rows[0].code}`).set(userAuth(u.token));
      expect(info.body.data).toMatchObject({ remark: '放门口', deduction_price: '98.75', pay_price: '96.25', invoice: null });
      // one ledger entry per order and kind, with the order's code
      const entries = await t.ds.query(
        "SELECT order_code, kind, amount FROM wallet_ledger WHERE user_id = ? AND reason = 'checkout' ORDER BY id",
        [u.id],
      );
      expect(entries.map((e: { kind: string; amount: string }) => [e.kind, new Big(e.amount).toFixed(2)])).toEqual([
        ['point', '-4875.00'],
        ['balance', '-50.00'],
        ['point', '-4875.00'],
        ['balance', '-50.00'],
      ]);
    });

    it('a checkout paid wholly by the wallet is paid at creation; bad deduction_ids are a 400 naming the field', async () => {
      const u = await loginUser(t, 'w-free');
      await give(u, 0, '500.00');
      const d = await makeDeal(t, a.tenantId, a.shopId, { price: new Big('30.00') });
      const bad = await createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 1 }], deduction_ids: ['cash'] });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toContain('deduction_ids');
      const res = await createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 2 }], deduction_ids: ['balance'] });
      expect(res.body.data).toMatchObject({ total_price: '0.00', deduction_price: '60.00' });
      const [o] = await orderRows(res.body.data.pay_no);
      expect(Number(o.status)).toBe(1);
      expect(await wallet(u)).toEqual({ point: 0, balance: '440.00' });
      await expectLedgerMatches(u);
    });
  });

  describe('concurrency: one balance, many checkouts, two instances', () => {
    let second: Instance;
    beforeAll(async () => (second = await secondInstance(t)));
    afterAll(() => second.close());

    it('never below zero, never debited twice; the wallet equals its ledger after', async () => {
      const u = await loginUser(t, 'w-race');
      await give(u, 0, '100.00');
      const d = await makeDeal(t, a.tenantId, a.shopId, { price: new Big('30.00'), stock: 1000 });
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 1 }], deduction_ids: ['balance'] }, i % 2 ? second.http : t.http),
        ),
      );
      const ok = results.filter((r) => r.status === 200);
      results.filter((r) => r.status !== 200).forEach((r) => expect([r.status, r.body.status]).toEqual([409, 1001]));
      const used = ok.reduce((s, r) => s.plus(r.body.data.deduction_price), new Big(0));
      const w = await wallet(u);
      expect(new Big(w.balance).plus(used).toFixed(2)).toBe('100.00');
      expect(new Big(w.balance).gte(0)).toBe(true);
      expect(ok.length).toBeGreaterThanOrEqual(3);
      await expectLedgerMatches(u);
      // every debited checkout exists exactly once in the ledger
      const [{ n }] = await t.ds.query(
        "SELECT COUNT(DISTINCT checkout_id) AS n FROM wallet_ledger WHERE user_id = ? AND reason = 'checkout'",
        [u.id],
      );
      expect(Number(n)).toBe(ok.filter((r) => new Big(r.body.data.deduction_price).gt(0)).length);
    });
  });

  describe('returns, refunds and rewards', () => {
    const buyWithWallet = async (u: User, dealId: number, qty = 1) => {
      const res = await createOrder(t, u.token, { goods: [{ product_id: dealId, quantity: qty }], deduction_ids: 'point,balance' });
      expect(res.status).toBe(200);
      return res.body.data as { pay_no: string; orders: { code: string }[]; deduction_price: string; total_price: string };
    };

    it('cancel gives the points and balance back once (reason return)', async () => {
      await setSettings(a.token, { pointValue: 100, pointMaxRate: 50, pointRewardRate: 1 });
      const u = await loginUser(t, 'w-cancel');
      await give(u, 1000, '5.00');
      const d = await makeDeal(t, a.tenantId, a.shopId, { price: new Big('40.00') });
      const c = await buyWithWallet(u, d.id);
      expect(c).toMatchObject({ deduction_price: '15.00', total_price: '25.00' });
      expect(await wallet(u)).toEqual({ point: 0, balance: '0.00' });
      expect((await t.http.post('/api/group/order/cancel').set(userAuth(u.token)).send({ code: c.orders[0].code })).body.status).toBe(200);
      expect((await t.http.post('/api/group/order/cancel').set(userAuth(u.token)).send({ code: c.orders[0].code })).status).toBe(409);
      expect(await wallet(u)).toEqual({ point: 1000, balance: '5.00' });
      const ret = await t.ds.query("SELECT kind, amount FROM wallet_ledger WHERE user_id = ? AND reason = 'return' ORDER BY id", [u.id]);
      expect(ret.map((r: { kind: string; amount: string }) => [r.kind, new Big(r.amount).toFixed(2)])).toEqual([
        ['point', '1000.00'],
        ['balance', '5.00'],
      ]);
      await expectLedgerMatches(u);
    });

    it('expiry gives it back through the sweep; returnForCheckouts again changes nothing', async () => {
      const u = await loginUser(t, 'w-expire');
      await give(u, 300, '1.00');
      const d = await makeDeal(t, a.tenantId, a.shopId, { price: new Big('10.00') });
      const c = await buyWithWallet(u, d.id);
      expect(c.deduction_price).toBe('4.00');
      await t.ds.query('UPDATE checkout SET expire_time = ? WHERE pay_no = ?', [new Date(Date.now() - 60_000), c.pay_no]);
      await t.app.get(SweepService).runOnce({ budgetMs: 60_000 });
      expect(Number((await orderRows(c.pay_no))[0].status)).toBe(5);
      expect(await wallet(u)).toEqual({ point: 300, balance: '1.00' });
      const [{ id }] = await t.ds.query('SELECT id FROM checkout WHERE pay_no = ?', [c.pay_no]);
      await t.ds.transaction((em) => t.app.get(MemberWalletService).returnForCheckouts(em, [Number(id)]));
      expect(await wallet(u)).toEqual({ point: 300, balance: '1.00' });
      await expectLedgerMatches(u);
    });

    it('refund gives back the order’s share and refunds only its money; completion rewards points, refund takes them back (never below 0)', async () => {
      const u = await loginUser(t, 'w-refund');
      await give(u, 2000, '10.00');
      const d1 = await makeDeal(t, a.tenantId, a.shopId, { price: new Big('60.00') });
      const d2 = await makeDeal(t, a.tenantId, a.shopId, { price: new Big('20.00') });
      const res = await createOrder(t, u.token, {
        goods: [
          { product_id: d1.id, quantity: 1 },
          { product_id: d2.id, quantity: 1 },
        ],
        deduction_ids: ['point', 'balance'],
      });
      // goods 80: points ≤ 40.00 but 2000 points = 20.00; balance 10.00 → pay 50.00
      expect(res.body.data).toMatchObject({ deduction_price: '30.00', total_price: '50.00' });
      expect(res.body.data.orders.map((o: { deduction_price: string }) => o.deduction_price)).toEqual(['22.50', '7.50']);
      expect((await payOrder(t, u.token, res.body.data.orders[0].code)).body.status).toBe(701);
      const [o1, o2] = await orderRows(res.body.data.pay_no);
      expect(new Big(o1.money).toFixed(2)).toBe('37.50');

      // o1 picked up → completed: floor(37.50 × 1) = 37 points
      const [{ deliver_code }] = await t.ds.query('SELECT deliver_code FROM group_buying_order WHERE id = ?', [o1.id]);
      const pick = await t.http
        .post('/api/marketing/groupbuying/deliverorder')
        .set(adminAuth(a.token))
        .send({ shopId: a.shopId, type: 1, code: deliver_code, id: o1.id });
      expect(pick.body.status).toBe(200);
      expect(await wallet(u)).toEqual({ point: 37, balance: '0.00' });
      // spend some, so the take-back stops at zero
      await adjust(a.token, { userId: u.id, kind: 'point', amount: -30 });

      const refund = await t.http.post(`/api/marketing/groupbuying/refundorder?id=${o1.id}`).set(adminAuth(a.token));
      expect(refund.body).toMatchObject({ status: 200, data: { refundStatus: 'success' } });
      const [pr] = await t.ds.query('SELECT amount FROM payment_refund WHERE order_id = ?', [o1.id]);
      expect(new Big(pr.amount).toFixed(2)).toBe('37.50');
      // the 7 reward points left are taken back (not 37: never below zero), then its share: 1500 points (15.00) and 7.50
      expect(await wallet(u)).toEqual({ point: 1500, balance: '7.50' });
      const back = await t.ds.query("SELECT kind, amount FROM wallet_ledger WHERE user_id = ? AND reason = 'refund' ORDER BY id", [u.id]);
      expect(back.map((r: { kind: string; amount: string }) => [r.kind, new Big(r.amount).toFixed(2)])).toEqual([
        ['point', '-7.00'],
        ['point', '1500.00'],
        ['balance', '7.50'],
      ]);
      expect(Number(o2.status)).toBe(1);
      await expectLedgerMatches(u);
    });
  });

  describe('invoice', () => {
    const d = () => makeDeal(t, a.tenantId, a.shopId, { price: new Big('9.90') });
    it('validates the fields (400 naming the field), stores it on the checkout, shows it in storefront and admin views', async () => {
      const u = await loginUser(t, 'w-invoice');
      const deal = await d();
      const goods = [{ product_id: deal.id, quantity: 1 }];
      const cases: [object, string][] = [
        [{ invoice_type: 0, rise_type: 0, call: '某公司' }, 'company_number'],
        [{ invoice_type: 0, rise_type: 0, call: '某公司', company_number: '12345' }, 'company_number'],
        [{ invoice_type: 0, rise_type: 0, call: '某公司', ncompany_numberote: '91440101ma59xxxx0x' }, 'ncompany_numberote'],
        [{ invoice_type: 2, rise_type: 1, call: '张三' }, 'invoice_type'],
        [{ invoice_type: 0, call: '张三' }, 'rise_type'],
        [{ invoice_type: 0, rise_type: 1 }, 'call'],
        [{ rise_type: 1, call: '张三' }, 'invoice_type'],
        [{ invoice_type: 0, rise_type: 1, call: '张三', email: 'not-mail' }, 'email'],
      ];
      for (const [inv, field] of cases) {
        const res = await createOrder(t, u.token, { goods, ...inv });
        expect([res.status, field]).toEqual([400, field]);
        expect(JSON.stringify(res.body)).toContain(field);
      }
      const ok = await createOrder(t, u.token, {
        goods,
        invoice_type: '0',
        rise_type: '0',
        call: '广州某某有限公司',
        ncompany_numberote: '91440101MA59ABCD1X',
        email: 'a@b.cn',
      });
      expect(ok.status).toBe(200);
      const invoice = { invoice_type: 0, rise_type: 0, call: '广州某某有限公司', company_number: '91440101MA59ABCD1X', email: 'a@b.cn' };
      const code = ok.body.data.orders[0].code;
      expect((await t.http.get(`/api/group/order/order_info/${code}`).set(userAuth(u.token))).body.data.invoice).toEqual(invoice);
      const list = await t.http.post('/api/group/order/order_list').set(userAuth(u.token)).send({});
      expect(list.body.data.list[0].invoice).toEqual(invoice);
      const [o] = await orderRows(ok.body.data.pay_no);
      const admin = await t.http.get(`/api/marketing/groupbuying/getorder?id=${o.id}`).set(adminAuth(a.token));
      expect(admin.body).toMatchObject({ invoice, deductionMoney: 0 });
      const personal = await createOrder(t, u.token, { goods, invoice_type: 1, rise_type: 1, call: '张三' });
      expect(personal.status).toBe(200);
    });
  });
});
