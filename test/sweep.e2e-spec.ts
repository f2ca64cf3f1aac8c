import { SchedulerRegistry } from '@nestjs/schedule';
import Big from 'big.js';
import { dbDate, runTx } from '../src/database/sql';
import { DealStockService } from '../src/group-buying/deal-stock.service';
import { SweepService, SWEEP_INTERVAL_NAME } from '../src/jobs/sweep.service';
import { DealCountersService } from '../src/order/deal-counters.service';
import { lateRefundNo, SettlementService } from '../src/order/settlement.service';
import {
  NotifyEvent,
  PAYMENT_PROVIDER,
  PaymentProvider,
  QueryOutcome,
  RefundOutcome,
  RefundQueryOutcome,
  RefundRequest,
} from '../src/payment/payment-provider';
import { TenantScope } from '../src/tenant/tenant-scope';
import { bootApp, Instance, secondInstance, TestApp } from './support/app';
import {
  ADDRESS,
  adminToken,
  Checkout,
  checkout,
  createOrder,
  dealCounters,
  giveCoupon,
  loginUser,
  makeCoupon,
  makeDeal,
  newTenantWithShop,
  payOrder,
  Tenant,
  userAuth,
} from './support/builders';
import { FakeWechat } from './support/fake-wechat';
import { sweepWorker } from './support/sweep-worker';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SYSTEM = { type: 'system' as const, id: null };

/** A provider whose query answers are set per pay_no (states the protocol fake can't produce: unknown, a wrong amount). */
class ScriptedWechat implements PaymentProvider {
  readonly name = 'wechat' as const;
  answers = new Map<string, QueryOutcome>();
  closed: string[] = [];
  queried: string[] = [];
  refunds: RefundRequest[] = [];
  async pay(): Promise<never> {
    throw new Error('not used');
  }
  async query(payNo: string): Promise<QueryOutcome> {
    this.queried.push(payNo);
    return this.answers.get(payNo) ?? { state: 'unknown' };
  }
  async close(payNo: string): Promise<void> {
    this.closed.push(payNo);
  }
  async refund(req: RefundRequest): Promise<RefundOutcome> {
    this.refunds.push(req);
    return { status: 'success', providerRefundId: `wx-refund-${req.outRefundNo}` };
  }
  /** Refunds it never received are unknown to it: the sweep sends them (again, same number). */
  async queryRefund(no: string): Promise<RefundQueryOutcome> {
    const sent = this.refunds.find((r) => r.outRefundNo === no);
    return sent ? { status: 'success', providerRefundId: `wx-refund-${no}` } : { status: 'missing' };
  }
  verifyNotify(): NotifyEvent {
    throw new Error('not used');
  }
}

describe(SweepService.name, () => {
  let t: TestApp;
  let sut: SweepService;
  let settlement: SettlementService;
  let tenantId: number;
  let shopId: number;
  let tenantToken: string;
  let other: Tenant;
  let otherShop: number;

  beforeAll(async () => {
    t = await bootApp('sweep', { JOBS_ENABLED: 'false', LOGIN_RATE_LIMIT_PER_MINUTE: '100000' });
    sut = t.app.get(SweepService);
    settlement = t.app.get(SettlementService);
    const su = await adminToken(t);
    ({ tenantId, token: tenantToken, shopId } = await newTenantWithShop(t, su, 'SweepA', '过期门店'));
    ({ shopId: otherShop, ...other } = await newTenantWithShop(t, su, 'SweepB', '别家门店'));
  });
  // every test leaves no expired backlog behind, so the counts of the next one are exact
  afterEach(async () => {
    jest.restoreAllMocks();
    await sut.runOnce({ budgetMs: 60_000 });
  });
  afterAll(() => t.close());

  /** A second SweepService built by hand on the same database (another worker), with its own provider. */
  const handBuilt = (provider: PaymentProvider = t.app.get<PaymentProvider>(PAYMENT_PROVIDER)) => sweepWorker(t, provider);

  const checkoutOf = async (payNo: string) =>
    (await t.ds.query('SELECT id, status, transaction_id FROM checkout WHERE pay_no = ?', [payNo]))[0];
  const orderStatuses = async (payNo: string) =>
    (await t.ds.query('SELECT status FROM group_buying_order WHERE pay_no = ? ORDER BY id', [payNo])).map(
      (r: { status: number }) => r.status,
    );
  const couponRow = async (id: number) => (await t.ds.query('SELECT used_count FROM coupon WHERE id = ?', [id]))[0].used_count as number;

  /** Moves the expiry of checkouts (and their orders) to `at`. */
  async function expireAt(payNos: string[], at: Date): Promise<void> {
    const marks = payNos.map(() => '?').join(', ');
    await t.ds.query(`UPDATE checkout SET expire_time = ? WHERE pay_no IN (${marks})`, [at, ...payNos]);
    await t.ds.query(`UPDATE group_buying_order SET expire_time = ? WHERE pay_no IN (${marks})`, [at, ...payNos]);
  }
  const past = () => new Date(Date.now() - 60_000);

  describe('expiry', () => {
    it('expires an unpaid checkout past expire_time: orders 5, stock, orderCount and the coupon back, once', async () => {
      const u = await loginUser(t, 's-expire');
      const d1 = await makeDeal(t, tenantId, shopId, { price: new Big('20.00'), stock: 50 });
      const d2 = await makeDeal(t, tenantId, shopId, { price: new Big('30.00'), stock: 50 });
      const coupon = await makeCoupon(t, tenantId, { enough: new Big('10'), deduct: new Big('5') });
      const mc = await giveCoupon(t, coupon, u.id);
      const c = await checkout(
        t,
        u.token,
        [
          { product_id: d1.id, quantity: 2 },
          { product_id: d2.id, quantity: 1 },
        ],
        { couponId: mc.id },
      );
      const fresh = await checkout(t, u.token, [{ product_id: d1.id, quantity: 1 }]);
      expect(c.total).toBe('65.00');
      expect(await dealCounters(t, d1.id)).toMatchObject({ stock: 47, order_count: 2 });
      expect(await couponRow(coupon.id)).toBe(1);
      await expireAt([c.payNo], past());

      const counts = await sut.runOnce();
      expect(counts).toMatchObject({ expired: 1, settled: 0, errors: 0, partial: false });
      expect(counts.dealsRecomputed).toBe(2);
      expect((await checkoutOf(c.payNo)).status).toBe(5);
      expect(await orderStatuses(c.payNo)).toEqual([5, 5]);
      expect(await dealCounters(t, d1.id)).toMatchObject({ stock: 49, order_count: 1, payed_count: 0 });
      expect(await dealCounters(t, d2.id)).toMatchObject({ stock: 50, order_count: 0, payed_count: 0 });
      const [mcRow] = await t.ds.query('SELECT used, pay_no FROM member_coupon WHERE id = ?', [mc.id]);
      expect(Number(mcRow.used)).toBe(0);
      expect(mcRow.pay_no).toBeNull();
      expect(await couponRow(coupon.id)).toBe(0);
      // the checkout that is not due is untouched
      expect((await checkoutOf(fresh.payNo)).status).toBe(0);
      const logs = await t.ds.query(
        "SELECT actor_type, from_status, to_status FROM order_log WHERE action = 'expire' AND order_id IN (SELECT id FROM group_buying_order WHERE pay_no = ?)",
        [c.payNo],
      );
      expect(logs).toEqual([
        { actor_type: 'system', from_status: 0, to_status: 5 },
        { actor_type: 'system', from_status: 0, to_status: 5 },
      ]);

      // a second run finds nothing; paying now is 1003
      expect(await sut.runOnce()).toMatchObject({ expired: 0, errors: 0 });
      expect(await dealCounters(t, d1.id)).toMatchObject({ stock: 49, order_count: 1 });
      const pay = await payOrder(t, u.token, c.codes[0]);
      expect(pay.status).toBe(409);
      expect(pay.body.status).toBe(1003);
      // the returned coupon can be used again
      const again = await checkout(t, u.token, [{ product_id: d2.id, quantity: 1 }], { couponId: mc.id });
      expect(again.total).toBe('25.00');
    });

    it('expires a 7 (payment failed) checkout too, and leaves paid and closed ones alone', async () => {
      const u = await loginUser(t, 's-seven');
      const d = await makeDeal(t, tenantId, shopId, { stock: 10 });
      const failed = await checkout(t, u.token, [{ product_id: d.id, quantity: 1 }]);
      const paid = await checkout(t, u.token, [{ product_id: d.id, quantity: 2 }]);
      const closed = await checkout(t, u.token, [{ product_id: d.id, quantity: 3 }]);
      await t.ds.query('UPDATE checkout SET status = 7 WHERE pay_no = ?', [failed.payNo]);
      await t.ds.query('UPDATE group_buying_order SET status = 7 WHERE pay_no = ?', [failed.payNo]);
      expect((await payOrder(t, u.token, paid.codes[0])).body.status).toBe(701);
      expect((await t.http.post('/api/group/order/cancel').set(userAuth(u.token)).send({ code: closed.codes[0] })).status).toBe(200);
      await expireAt([failed.payNo, paid.payNo, closed.payNo], past());
      expect(await sut.runOnce()).toMatchObject({ expired: 1, errors: 0 });
      expect((await checkoutOf(failed.payNo)).status).toBe(5);
      expect((await checkoutOf(paid.payNo)).status).toBe(1);
      expect((await checkoutOf(closed.payNo)).status).toBe(6);
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 8, payed_count: 2, order_count: 1 });
    });

    it('works through the backlog in batches and stops at the time budget, the rest left for the next run', async () => {
      const u = await loginUser(t, 's-batches');
      const d = await makeDeal(t, tenantId, shopId, { stock: 100 });
      const made: Checkout[] = [];
      for (let i = 0; i < 12; i++) made.push(await checkout(t, u.token, [{ product_id: d.id, quantity: 1 }]));
      // every third one failed its payment (7): both unpaid statuses, interleaved in expiry order
      const failed = made.filter((_, i) => i % 3 === 0).map((m) => m.payNo);
      await t.ds.query('UPDATE checkout SET status = 7 WHERE pay_no IN (?)', [failed]);
      await t.ds.query('UPDATE group_buying_order SET status = 7 WHERE pay_no IN (?)', [failed]);
      for (const [i, m] of made.entries()) await expireAt([m.payNo], new Date(Date.now() - 60_000 + i * 10));
      expect(await sut.runOnce({ budgetMs: 0 })).toMatchObject({ expired: 0, partial: true });
      expect(await sut.runOnce({ batchSize: 5 })).toMatchObject({ expired: 12, partial: false });
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 100, order_count: 0 });
      const logs = await t.ds.query(
        "SELECT COUNT(*) AS n FROM order_log WHERE action = 'expire' AND order_id IN (SELECT id FROM group_buying_order WHERE group_buying_id = ?)",
        [d.id],
      );
      expect(Number(logs[0].n)).toBe(12);
    });
  });

  describe('exactly once', () => {
    it('two sweeps at once in one app, a hand-built one and a second app instance: exact stock, orderCount and coupon usedCount', async () => {
      const d1 = await makeDeal(t, tenantId, shopId, { price: new Big('20.00'), stock: 1000 });
      const d2 = await makeDeal(t, tenantId, shopId, { price: new Big('15.00'), stock: 1000 });
      const coupon = await makeCoupon(t, tenantId, { enough: new Big('10'), deduct: new Big('3'), getMax: 100 });
      const users = await Promise.all(Array.from({ length: 6 }, (_, i) => loginUser(t, `s-par-${i}`)));
      const made: Checkout[] = [];
      let qty1 = 0;
      let qty2 = 0;
      for (let round = 0; round < 10; round++) {
        const batch = await Promise.all(
          users.map(async (u, j) => {
            const i = round * users.length + j;
            const goods = [{ product_id: d1.id, quantity: (i % 3) + 1 }];
            if (i % 2 === 0) goods.push({ product_id: d2.id, quantity: 2 });
            const mc = i % 3 === 0 ? await giveCoupon(t, coupon, u.id) : undefined;
            return { m: await checkout(t, u.token, goods, { couponId: mc?.id }), goods };
          }),
        );
        for (const { m, goods } of batch) {
          made.push(m);
          qty1 += goods[0].quantity;
          qty2 += goods[1]?.quantity ?? 0;
        }
      }
      expect(made).toHaveLength(60);
      expect(await dealCounters(t, d1.id)).toMatchObject({ stock: 1000 - qty1, order_count: 60 });
      expect(await dealCounters(t, d2.id)).toMatchObject({ stock: 1000 - qty2, order_count: 30 });
      expect(await couponRow(coupon.id)).toBe(20);
      await expireAt(
        made.map((m) => m.payNo),
        past(),
      );

      const app2 = await secondInstance(t);
      try {
        const results = await Promise.all([
          sut.runOnce({ batchSize: 7 }),
          sut.runOnce({ batchSize: 7 }),
          handBuilt().runOnce({ batchSize: 11 }),
          app2.app.get(SweepService).runOnce({ batchSize: 5 }),
        ]);
        expect(results.reduce((n, r) => n + r.expired, 0)).toBe(60);
        expect(results.every((r) => r.errors === 0)).toBe(true);
      } finally {
        await app2.close();
      }
      expect(await dealCounters(t, d1.id)).toMatchObject({ stock: 1000, order_count: 0, payed_count: 0 });
      expect(await dealCounters(t, d2.id)).toMatchObject({ stock: 1000, order_count: 0, payed_count: 0 });
      expect(await couponRow(coupon.id)).toBe(0);
      const [{ n: usedLeft }] = await t.ds.query('SELECT COUNT(*) AS n FROM member_coupon WHERE coupon_id = ? AND used = 1', [coupon.id]);
      expect(Number(usedLeft)).toBe(0);
      const [{ n: logs }] = await t.ds.query(
        "SELECT COUNT(*) AS n FROM order_log WHERE action = 'expire' AND order_id IN (SELECT id FROM group_buying_order WHERE group_buying_id IN (?, ?))",
        [d1.id, d2.id],
      );
      expect(Number(logs)).toBe(90);
      const statuses = await t.ds.query('SELECT DISTINCT status FROM checkout WHERE pay_no IN (?)', [made.map((m) => m.payNo)]);
      expect(statuses).toEqual([{ status: 5 }]);
    });

    it('counters recomputed while checkouts are being released stay exact (no lost update)', async () => {
      const x = await newTenantWithShop(t, await adminToken(t), 'SweepDrift');
      const deals = [];
      for (let i = 0; i < 6; i++) deals.push(await makeDeal(t, x.tenantId, x.shopId, { stock: 1000 }));
      const u = await loginUser(t, 's-drift');
      const made: Checkout[] = [];
      for (let i = 0; i < 300; i++) made.push(await checkout(t, u.token, [{ product_id: deals[i % deals.length].id, quantity: 1 }]));
      let done = false;
      let refreshes = 0;
      const hammers = [0, 1, 2].map(async () => {
        while (!done) {
          await sut.refresh(new TenantScope(x.tenantId));
          refreshes++;
        }
      });
      // cancels on four connections; the recomputes stop before the last ones, so a lost update would stay
      await Promise.all(
        [0, 1, 2, 3].map(async (w) => {
          for (let i = w; i < made.length; i += 4) {
            if (i > 240) done = true;
            await runTx(t.ds, (em) => settlement.release(em, made[i].id, 6, SYSTEM));
          }
        }),
      );
      done = true;
      await Promise.all(hammers);
      expect(refreshes).toBeGreaterThan(3);
      for (const d of deals) expect(await dealCounters(t, d.id)).toMatchObject({ stock: 1000, order_count: 0, payed_count: 0 });
    });

    it('a run that fails half way through a batch changes nothing of that batch, and the next run converges', async () => {
      const u = await loginUser(t, 's-crash');
      const d = await makeDeal(t, tenantId, shopId, { stock: 100 });
      const coupon = await makeCoupon(t, tenantId, { enough: new Big('5'), deduct: new Big('1'), getMax: 100 });
      const made: Checkout[] = [];
      for (let i = 0; i < 12; i++)
        made.push(await checkout(t, u.token, [{ product_id: d.id, quantity: 2 }], { couponId: (await giveCoupon(t, coupon, u.id)).id }));
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 76, order_count: 12 });
      await expireAt(
        made.map((m) => m.payNo),
        past(),
      );
      const stock = t.app.get(DealStockService);
      const real = stock.giveBackMany.bind(stock);
      let calls = 0;
      // the 2nd batch does all its writes and then dies, and so does every release after it (the database went away)
      jest.spyOn(stock, 'giveBackMany').mockImplementation(async (...args) => {
        await real(...args);
        if (++calls === 2) throw new Error('killed half way');
      });
      jest.spyOn(settlement, 'release').mockRejectedValue(new Error('database gone'));
      const first = await sut.runOnce({ batchSize: 4 });
      // batch 1 committed; batch 2 rolled back as a whole and its 4 checkouts failed one by one too; the run stopped there
      expect(first).toMatchObject({ expired: 4, errors: 5 });
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 84, order_count: 8 });
      expect(await couponRow(coupon.id)).toBe(8);
      const left = await t.ds.query('SELECT pay_no FROM checkout WHERE pay_no IN (?) AND status = 0', [made.map((m) => m.payNo)]);
      expect(left).toHaveLength(8);
      for (const l of left) expect(await orderStatuses(l.pay_no)).toEqual([0]);

      jest.restoreAllMocks();
      expect(await sut.runOnce()).toMatchObject({ expired: 8, errors: 0 });
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 100, order_count: 0, payed_count: 0 });
      expect(await couponRow(coupon.id)).toBe(0);
    });

    it('a batch that fails is expired one checkout at a time in the same run, so one bad checkout holds no other back', async () => {
      const u = await loginUser(t, 's-fallback');
      const d = await makeDeal(t, tenantId, shopId, { stock: 100 });
      const made: Checkout[] = [];
      for (let i = 0; i < 6; i++) made.push(await checkout(t, u.token, [{ product_id: d.id, quantity: 1 }]));
      await expireAt(
        made.map((m) => m.payNo),
        past(),
      );
      jest.spyOn(t.app.get(DealStockService), 'giveBackMany').mockRejectedValue(new Error('batch fault'));
      const real = settlement.release.bind(settlement);
      // …and one checkout can't be released at all
      jest.spyOn(settlement, 'release').mockImplementation(async (em, id, ...rest) => {
        if (id === made[2].id) throw new Error('bad checkout');
        return real(em, id, ...rest);
      });
      expect(await sut.runOnce({ batchSize: 100 })).toMatchObject({ expired: 5, errors: 2 });
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 99, order_count: 1 });
      expect((await checkoutOf(made[2].payNo)).status).toBe(0);
      const [{ n: logs }] = await t.ds.query(
        "SELECT COUNT(*) AS n FROM order_log WHERE action = 'expire' AND order_id IN (SELECT id FROM group_buying_order WHERE group_buying_id = ?)",
        [d.id],
      );
      expect(Number(logs)).toBe(5);
      jest.restoreAllMocks();
      expect(await sut.runOnce()).toMatchObject({ expired: 1, errors: 0 });
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 100, order_count: 0 });
    });

    it('a counter recompute that fails is an error of that run only; the next run recomputes', async () => {
      const u = await loginUser(t, 's-counter-fail');
      const d = await makeDeal(t, tenantId, shopId, { stock: 10 });
      const c = await checkout(t, u.token, [{ product_id: d.id, quantity: 3 }]);
      await expireAt([c.payNo], past());
      await t.ds.query('UPDATE group_buying SET payed_count = 42 WHERE id = ?', [d.id]);
      jest.spyOn(t.app.get(DealCountersService), 'recomputeOne').mockRejectedValueOnce(new Error('db went away'));
      expect(await sut.runOnce()).toMatchObject({ expired: 1, errors: 1, dealsRecomputed: 0 });
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 10, order_count: 0, payed_count: 42 });
      const res = await t.http
        .post('/api/marketing/groupbuying/refreshorder')
        .query({ groupBuyingId: d.id })
        .set('Authorization', `Bearer ${tenantToken}`);
      expect(res.body.data).toEqual({ expired: 0, settled: 0, dealsRecomputed: 1 });
      expect(await dealCounters(t, d.id)).toMatchObject({ payed_count: 0, order_count: 0 });
    });

    it('payOrder racing the sweep at the expiry instant: every checkout ends paid or expired, never both, stock exact', async () => {
      const d = await makeDeal(t, tenantId, shopId, { price: new Big('3.00'), stock: 500 });
      const u = await loginUser(t, 's-race');
      const made: { m: Checkout; qty: number; pay: number }[] = [];
      for (let i = 0; i < 30; i++) {
        const qty = (i % 3) + 1;
        const m = await checkout(t, u.token, [{ product_id: d.id, quantity: qty }]);
        // expiry lands somewhere inside the time payOrder and the sweep take to get to their updates
        await expireAt([m.payNo], new Date(Date.now() + 10 + (i % 6) * 6));
        const [pay] = await Promise.all([payOrder(t, u.token, m.codes[0]), sut.runOnce(), i % 2 ? sut.runOnce() : null]);
        expect([701, 1003]).toContain(pay.body.status);
        made.push({ m, qty, pay: pay.body.status });
      }
      await sleep(20);
      await sut.runOnce();
      let paidQty = 0;
      let paidOrders = 0;
      for (const { m, qty, pay } of made) {
        const c = await checkoutOf(m.payNo);
        const os = await orderStatuses(m.payNo);
        expect([1, 5]).toContain(c.status);
        expect(os).toEqual([c.status]);
        // the buyer was told the truth
        expect(pay === 701).toBe(c.status === 1);
        const logs = await t.ds.query(
          "SELECT action FROM order_log WHERE order_id IN (SELECT id FROM group_buying_order WHERE pay_no = ?) AND action IN ('pay', 'expire')",
          [m.payNo],
        );
        expect(logs).toEqual([{ action: c.status === 1 ? 'pay' : 'expire' }]);
        if (c.status === 1) {
          paidQty += qty;
          paidOrders++;
        }
      }
      const row = await dealCounters(t, d.id);
      expect(row.stock + paidQty).toBe(500);
      expect(row).toMatchObject({ payed_count: paidQty, order_count: paidOrders, last_sequence: paidOrders });
      const seqs = (
        await t.ds.query('SELECT sequence FROM group_buying_order WHERE group_buying_id = ? AND status = 1 ORDER BY sequence', [d.id])
      ).map((r: { sequence: number }) => r.sequence);
      expect(seqs).toEqual(Array.from({ length: paidOrders }, (_, i) => i + 1));
    });
  });

  describe('late payment (settleLate)', () => {
    const late = (id: number, txn: string) =>
      runTx(t.ds, (em) => settlement.settleLate(em, id, new Date(), { type: 'provider', id: null }, txn));

    it('enough stock: takes it again and pays the orders with the next sequence; the returned coupon stays returned; twice is a noop', async () => {
      const u = await loginUser(t, 's-late-ok');
      const d1 = await makeDeal(t, tenantId, shopId, { price: new Big('40.00'), stock: 20 });
      const d2 = await makeDeal(t, tenantId, shopId, { price: new Big('10.00'), stock: 20, deliverType: 2 });
      const coupon = await makeCoupon(t, tenantId, { enough: new Big('50'), deduct: new Big('10') });
      const mc = await giveCoupon(t, coupon, u.id);
      const c = await checkout(
        t,
        u.token,
        [
          { product_id: d1.id, quantity: 2 },
          { product_id: d2.id, quantity: 1 },
        ],
        { couponId: mc.id, address: ADDRESS },
      );
      // someone else paid d1 first: the late order must get sequence 2
      const early = await checkout(t, u.token, [{ product_id: d1.id, quantity: 1 }]);
      await payOrder(t, u.token, early.codes[0]);
      await expireAt([c.payNo], past());
      await sut.runOnce();
      expect(await dealCounters(t, d1.id)).toMatchObject({ stock: 19, order_count: 1, payed_count: 1 });
      expect(await couponRow(coupon.id)).toBe(0);

      expect(await late(c.id, 'wx-late-1')).toBe('paid');
      expect(await checkoutOf(c.payNo)).toMatchObject({ status: 1, transaction_id: 'wx-late-1' });
      const orders = await t.ds.query(
        'SELECT group_buying_id, status, sequence, deliver_code, pay_time FROM group_buying_order WHERE pay_no = ? ORDER BY group_buying_id',
        [c.payNo],
      );
      expect(orders.map((o: { status: number }) => o.status)).toEqual([1, 1]);
      expect(orders[0]).toMatchObject({ group_buying_id: d1.id, sequence: 2 });
      expect(orders[0].deliver_code).toMatch(/^\d{8}$/);
      expect(orders[1]).toMatchObject({ group_buying_id: d2.id, sequence: 1, deliver_code: null });
      expect(orders[0].pay_time).toBeTruthy();
      expect(await dealCounters(t, d1.id)).toMatchObject({ stock: 17, order_count: 2, payed_count: 3, last_sequence: 2 });
      expect(await dealCounters(t, d2.id)).toMatchObject({ stock: 19, order_count: 1, payed_count: 1, last_sequence: 1 });
      const [mcRow] = await t.ds.query('SELECT used FROM member_coupon WHERE id = ?', [mc.id]);
      expect(Number(mcRow.used)).toBe(0);
      expect(await couponRow(coupon.id)).toBe(0);
      const logs = await t.ds.query(
        "SELECT from_status, to_status, actor_type FROM order_log WHERE action = 'pay' AND order_id IN (SELECT id FROM group_buying_order WHERE pay_no = ?)",
        [c.payNo],
      );
      expect(logs).toEqual([
        { from_status: 5, to_status: 1, actor_type: 'provider' },
        { from_status: 5, to_status: 1, actor_type: 'provider' },
      ]);

      expect(await late(c.id, 'wx-late-1')).toBe('noop');
      expect(await dealCounters(t, d1.id)).toMatchObject({ stock: 17, payed_count: 3 });
      // and for checkouts that are not expired
      expect(await late(early.id, 'x')).toBe('noop');
    });

    it('not enough stock for one line: nothing taken, everything stays 5, the full amount is to be refunded; the sweep sends it once', async () => {
      const u = await loginUser(t, 's-late-short');
      const d1 = await makeDeal(t, tenantId, shopId, { price: new Big('12.50'), stock: 20 });
      const d2 = await makeDeal(t, tenantId, shopId, { price: new Big('7.00'), stock: 5 });
      const c = await checkout(t, u.token, [
        { product_id: d1.id, quantity: 2 },
        { product_id: d2.id, quantity: 3 },
      ]);
      await expireAt([c.payNo], past());
      await sut.runOnce();
      // d2 sold out to others meanwhile
      await t.ds.query('UPDATE group_buying SET stock = 2 WHERE id = ?', [d2.id]);
      const before1 = await dealCounters(t, d1.id);
      expect(before1).toMatchObject({ stock: 20, order_count: 0 });

      expect(await late(c.id, 'wx-late-2')).toBe('refund');
      expect(await checkoutOf(c.payNo)).toMatchObject({ status: 5, transaction_id: 'wx-late-2' });
      expect(await orderStatuses(c.payNo)).toEqual([5, 5]);
      expect(await dealCounters(t, d1.id)).toEqual(before1);
      expect(await dealCounters(t, d2.id)).toMatchObject({ stock: 2, order_count: 0 });
      const logs = await t.ds.query(
        "SELECT o.money, l.detail FROM order_log l JOIN group_buying_order o ON o.id = l.order_id WHERE l.action = 'late_refund' AND o.pay_no = ? ORDER BY o.id",
        [c.payNo],
      );
      expect(logs.map((l: { money: string }) => l.money)).toEqual(['25.00', '21.00']);
      expect(logs[0].detail).toContain('wx-late-2');
      const refunds = await t.ds.query(
        'SELECT r.out_refund_no, r.amount, r.status, o.refund_status, o.code FROM payment_refund r JOIN group_buying_order o ON o.id = r.order_id WHERE r.pay_no = ? ORDER BY o.id',
        [c.payNo],
      );
      expect(refunds.map((r: { amount: string }) => r.amount)).toEqual(['25.00', '21.00']);
      expect(
        refunds.every(
          (r: { out_refund_no: string; code: string; status: string; refund_status: string }) =>
            r.out_refund_no === lateRefundNo(r.code) && r.status === 'processing' && r.refund_status === 'processing',
        ),
      ).toBe(true);
      expect(await late(c.id, 'wx-late-2')).toBe('noop');

      // nobody sent them (the process died after the commit): a minute later the sweep does, once
      expect(await sut.runOnce()).toMatchObject({ refundsSent: 0 });
      await t.ds.query('UPDATE payment_refund SET update_time = ? WHERE pay_no = ?', [past(), c.payNo]);
      const runs = await Promise.all([sut.runOnce(), sut.runOnce(), handBuilt().runOnce()]);
      expect(runs.reduce((n, r) => n + r.refundsSent, 0)).toBe(2);
      const after = await t.ds.query(
        'SELECT r.status, r.provider_refund_id, o.refund_status, o.status AS order_status FROM payment_refund r JOIN group_buying_order o ON o.id = r.order_id WHERE r.pay_no = ?',
        [c.payNo],
      );
      expect(after).toHaveLength(2);
      expect(
        after.every(
          (r: { status: string; refund_status: string; provider_refund_id: string; order_status: number }) =>
            r.status === 'success' && r.refund_status === 'success' && r.provider_refund_id && r.order_status === 5,
        ),
      ).toBe(true);
      const [{ n }] = await t.ds.query(
        "SELECT COUNT(*) AS n FROM order_log WHERE action = 'refund_success' AND order_id IN (SELECT id FROM group_buying_order WHERE pay_no = ?)",
        [c.payNo],
      );
      expect(Number(n)).toBe(2);
      await t.ds.query('UPDATE payment_refund SET update_time = ? WHERE pay_no = ?', [past(), c.payNo]);
      expect(await sut.runOnce()).toMatchObject({ refundsSent: 0 });
    });
  });

  describe('with WeChat Pay (prepay made): ask first', () => {
    it('paid → settled (even past expiry), unpaid/closed → closed at WeChat then expired, unknown → left for the next run, wrong amount → left', async () => {
      const u = await loginUser(t, 's-wx');
      const d = await makeDeal(t, tenantId, shopId, { price: new Big('9.90'), stock: 50 });
      const made: Checkout[] = [];
      for (let i = 0; i < 6; i++) made.push(await checkout(t, u.token, [{ product_id: d.id, quantity: i + 1 }]));
      await t.ds.query('UPDATE checkout SET prepay_id = CONCAT(?, id), prepay_time = ?, provider = ? WHERE pay_no IN (?)', [
        'wx',
        past(),
        'wechat',
        made.slice(0, 5).map((m) => m.payNo),
      ]);
      await expireAt(
        made.map((m) => m.payNo),
        past(),
      );
      const wx = new ScriptedWechat();
      wx.answers.set(made[0].payNo, { state: 'paid', transactionId: '4200001', amount: new Big('9.90') });
      wx.answers.set(made[1].payNo, { state: 'unpaid' });
      wx.answers.set(made[2].payNo, { state: 'closed' });
      wx.answers.set(made[4].payNo, { state: 'paid', transactionId: '4200005', amount: new Big('1.00') });
      const counts = await handBuilt(wx).runOnce();
      expect(counts).toMatchObject({ settled: 1, expired: 3, skipped: 1, errors: 1 });
      expect(wx.queried.filter((p) => p === made[5].payNo)).toEqual([]);
      expect(wx.closed.sort()).toEqual([made[1].payNo, made[2].payNo].sort());
      expect(await checkoutOf(made[0].payNo)).toMatchObject({ status: 1, transaction_id: '4200001' });
      expect(await orderStatuses(made[0].payNo)).toEqual([1]);
      expect((await checkoutOf(made[1].payNo)).status).toBe(5);
      expect((await checkoutOf(made[2].payNo)).status).toBe(5);
      expect((await checkoutOf(made[3].payNo)).status).toBe(0);
      expect((await checkoutOf(made[4].payNo)).status).toBe(0);
      expect((await checkoutOf(made[5].payNo)).status).toBe(5);
      // 1 paid, 4 + 5 still held
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 50 - 1 - 4 - 5, payed_count: 1, order_count: 3 });
      // WeChat answers at last: the unknown one was unpaid
      wx.answers.set(made[3].payNo, { state: 'unpaid' });
      wx.answers.set(made[4].payNo, { state: 'unpaid' });
      expect(await handBuilt(wx).runOnce()).toMatchObject({ expired: 2, errors: 0 });
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 49, payed_count: 1, order_count: 1 });
    });

    it('a lost notify: a pending checkout paid at WeChat is settled; one expired with a prepay and paid late is settled late', async () => {
      const u = await loginUser(t, 's-wx-lost');
      const d = await makeDeal(t, tenantId, shopId, { price: new Big('5.00'), stock: 10 });
      const pending = await checkout(t, u.token, [{ product_id: d.id, quantity: 1 }]);
      const young = await checkout(t, u.token, [{ product_id: d.id, quantity: 1 }]);
      const expired = await checkout(t, u.token, [{ product_id: d.id, quantity: 2 }]);
      await t.ds.query('UPDATE checkout SET prepay_id = CONCAT(?, id), prepay_time = ? WHERE pay_no IN (?)', [
        'wx',
        past(),
        [pending.payNo, expired.payNo],
      ]);
      await t.ds.query('UPDATE checkout SET prepay_id = ?, prepay_time = ? WHERE pay_no = ?', ['wx-young', new Date(), young.payNo]);
      // expired by a sweep that could not see the payment yet
      await expireAt([expired.payNo], new Date(Date.now() - 5_000));
      const wx = new ScriptedWechat();
      wx.answers.set(expired.payNo, { state: 'unpaid' });
      expect(await handBuilt(wx).runOnce()).toMatchObject({ expired: 1 });
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 8 });

      wx.answers.set(pending.payNo, { state: 'paid', transactionId: 'wx-p', amount: new Big('5.00') });
      wx.answers.set(young.payNo, { state: 'paid', transactionId: 'wx-y', amount: new Big('5.00') });
      wx.answers.set(expired.payNo, { state: 'paid', transactionId: 'wx-e', amount: new Big('10.00') });
      expect(await handBuilt(wx).runOnce()).toMatchObject({ settled: 2, errors: 0 });
      expect(await checkoutOf(pending.payNo)).toMatchObject({ status: 1, transaction_id: 'wx-p' });
      // the scheduled run gives a fresh prepay a minute for its notify
      expect((await checkoutOf(young.payNo)).status).toBe(0);
      expect(await checkoutOf(expired.payNo)).toMatchObject({ status: 1, transaction_id: 'wx-e' });
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 6, payed_count: 3, order_count: 3, last_sequence: 2 });
    });
    it('the scheduled run asks about pending checkouts one batch per run, round the set', async () => {
      const u = await loginUser(t, 's-wx-rr');
      const d = await makeDeal(t, tenantId, shopId, { stock: 10 });
      const made: Checkout[] = [];
      for (let i = 0; i < 3; i++) made.push(await checkout(t, u.token, [{ product_id: d.id, quantity: 1 }]));
      const ours = made.map((m) => m.payNo);
      await t.ds.query('UPDATE checkout SET prepay_id = CONCAT(?, id), prepay_time = ? WHERE pay_no IN (?)', ['wx', past(), ours]);
      const wx = new ScriptedWechat();
      const sweep = handBuilt(wx);
      const asked = async () => {
        wx.queried = [];
        await sweep.runOnce({ batchSize: 2 });
        return wx.queried.filter((p) => ours.includes(p));
      };
      const first = await asked();
      const second = await asked();
      expect(first).toHaveLength(2);
      expect(new Set([...first, ...second])).toEqual(new Set(ours));
      for (const m of made) expect((await checkoutOf(m.payNo)).status).toBe(0);
    });
  });

  describe('against the protocol-faithful fake WeChat (a second instance with PAYMENT_PROVIDER=wechat)', () => {
    let wx: FakeWechat;
    let wxApp: Instance;
    let wxSweep: SweepService;
    beforeAll(async () => {
      wx = await new FakeWechat().start();
      wxApp = await secondInstance(t, wx.env());
      wxSweep = wxApp.app.get(SweepService);
    });
    afterAll(async () => {
      await wxApp.close();
      await wx.stop();
    });

    /** createOrder, then payOrder: a JSAPI prepay at WeChat, nothing paid yet. */
    async function prepaid(u: { token: string }, dealId: number, qty: number): Promise<Checkout> {
      const m = await checkout(t, u.token, [{ product_id: dealId, quantity: qty }], { http: wxApp.http });
      const res = await payOrder(t, u.token, m.codes[0], wxApp.http);
      expect(res.body.data).toMatchObject({ paid: false, pay_no: m.payNo });
      return m;
    }

    it('asks WeChat before expiring: paid (notify lost) → settled, unpaid → closed at WeChat and expired, never sent → expired', async () => {
      const u = await loginUser(t, 's-wx-proto');
      const d = await makeDeal(t, tenantId, shopId, { price: new Big('4.00'), stock: 20 });
      const a = await prepaid(u, d.id, 1);
      const b = await prepaid(u, d.id, 2);
      const c = await checkout(t, u.token, [{ product_id: d.id, quantity: 3 }], { http: wxApp.http });
      wx.pay(a.payNo); // the notify never arrives
      await expireAt([a.payNo, b.payNo, c.payNo], past());

      expect(await wxSweep.runOnce()).toMatchObject({ settled: 1, expired: 2, errors: 0 });
      expect(await checkoutOf(a.payNo)).toMatchObject({ status: 1, transaction_id: wx.transactions.get(a.payNo)!.transactionId });
      expect(await orderStatuses(a.payNo)).toEqual([1]);
      expect((await checkoutOf(b.payNo)).status).toBe(5);
      expect(wx.transactions.get(b.payNo)!.state).toBe('CLOSED');
      expect((await checkoutOf(c.payNo)).status).toBe(5);
      expect(wx.transactions.has(c.payNo)).toBe(false);
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 19, payed_count: 1, order_count: 1, last_sequence: 1 });
      expect(wx.badRequests).toBe(0);
    });

    it('a lost notify on a checkout still in time: the sweep settles it after a minute, refreshorder at once', async () => {
      const u = await loginUser(t, 's-wx-pending');
      const d = await makeDeal(t, tenantId, shopId, { price: new Big('4.00'), stock: 20 });
      const old = await prepaid(u, d.id, 1);
      const young = await prepaid(u, d.id, 1);
      wx.pay(old.payNo);
      wx.pay(young.payNo);
      await t.ds.query('UPDATE checkout SET prepay_time = ? WHERE pay_no = ?', [new Date(Date.now() - 120_000), old.payNo]);
      expect(await wxSweep.runOnce()).toMatchObject({ settled: 1, expired: 0 });
      expect((await checkoutOf(old.payNo)).status).toBe(1);
      expect((await checkoutOf(young.payNo)).status).toBe(0);
      const res = await wxApp.http
        .post('/api/marketing/groupbuying/refreshorder')
        .query({ groupBuyingId: d.id })
        .set('Authorization', `Bearer ${tenantToken}`);
      expect(res.body).toEqual({ status: 200, message: '', data: { expired: 0, settled: 1, dealsRecomputed: 1 } });
      expect((await checkoutOf(young.payNo)).status).toBe(1);
      expect(await dealCounters(t, d.id)).toMatchObject({ stock: 18, payed_count: 2, order_count: 2, last_sequence: 2 });
    });

    it('a payment that lands after expiry: stock taken again when there is some, else refunded in full (resent until WeChat confirms)', async () => {
      const u = await loginUser(t, 's-wx-late');
      const d1 = await makeDeal(t, tenantId, shopId, { price: new Big('4.00'), stock: 10 });
      const d2 = await makeDeal(t, tenantId, shopId, { price: new Big('4.00'), stock: 3 });
      const x = await prepaid(u, d1.id, 2);
      const y = await prepaid(u, d2.id, 3);
      await expireAt([x.payNo, y.payNo], past());
      expect(await wxSweep.runOnce()).toMatchObject({ expired: 2 });
      expect(await dealCounters(t, d1.id)).toMatchObject({ stock: 10, order_count: 0 });
      expect(await dealCounters(t, d2.id)).toMatchObject({ stock: 3, order_count: 0 });
      // d2 sells out meanwhile; then WeChat reports both paid after all (a clock at the edge of time_expire)
      await t.ds.query('UPDATE group_buying SET stock = 0 WHERE id = ?', [d2.id]);
      for (const [m, txn] of [
        [x, '4200late01'],
        [y, '4200late02'],
      ] as const)
        Object.assign(wx.transactions.get(m.payNo)!, { state: 'SUCCESS', transactionId: txn });

      expect(await wxSweep.runOnce()).toMatchObject({ settled: 1, lateRefunds: 1, errors: 0 });
      expect(await checkoutOf(x.payNo)).toMatchObject({ status: 1, transaction_id: '4200late01' });
      expect(await dealCounters(t, d1.id)).toMatchObject({ stock: 8, payed_count: 2, order_count: 1, last_sequence: 1 });
      expect(await checkoutOf(y.payNo)).toMatchObject({ status: 5, transaction_id: '4200late02' });
      expect(await dealCounters(t, d2.id)).toMatchObject({ stock: 0, payed_count: 0, order_count: 0 });
      const outNo = lateRefundNo(y.codes[0]);
      expect(wx.refunds.get(outNo)).toMatchObject({ outTradeNo: y.payNo, refund: 1200, total: 1200, status: 'PROCESSING' });
      const [o] = await t.ds.query('SELECT status, refund_status FROM group_buying_order WHERE pay_no = ?', [y.payNo]);
      expect(o).toEqual({ status: 5, refund_status: 'processing' });

      // still processing a minute later: asked about by its out_refund_no (never sent under a new one); WeChat has finished it
      wx.refunds.get(outNo)!.status = 'SUCCESS';
      await t.ds.query('UPDATE payment_refund SET update_time = ? WHERE out_refund_no = ?', [past(), outNo]);
      expect(await wxSweep.runOnce()).toMatchObject({ refundsSettled: 1, refundsSent: 0, settled: 0, lateRefunds: 0, errors: 0 });
      expect(wx.refunds.size).toBeGreaterThanOrEqual(1);
      expect([...wx.refunds.keys()].filter((k) => k === outNo)).toHaveLength(1);
      const [o2] = await t.ds.query('SELECT status, refund_status FROM group_buying_order WHERE pay_no = ?', [y.payNo]);
      expect(o2).toEqual({ status: 5, refund_status: 'success' });
      expect(await wxSweep.runOnce()).toMatchObject({ settled: 0, lateRefunds: 0, refundsSent: 0, refundsSettled: 0 });
    });
  });

  describe('POST /api/marketing/groupbuying/refreshorder', () => {
    const refresh = (token: string | null, groupBuyingId?: unknown) => {
      const req = t.http.post('/api/marketing/groupbuying/refreshorder').query(groupBuyingId === undefined ? {} : { groupBuyingId });
      return token ? req.set('Authorization', `Bearer ${token}`) : req;
    };

    it("expires the tenant's due checkouts now (that deal only when given) and recomputes the counters", async () => {
      const u = await loginUser(t, 's-refresh');
      const dA = await makeDeal(t, tenantId, shopId, { stock: 10 });
      const dA2 = await makeDeal(t, tenantId, shopId, { stock: 10 });
      const dB = await makeDeal(t, other.tenantId, otherShop, { stock: 10 });
      const a = await checkout(t, u.token, [{ product_id: dA.id, quantity: 2 }]);
      const a2 = await checkout(t, u.token, [{ product_id: dA2.id, quantity: 3 }]);
      const b = await checkout(t, u.token, [{ product_id: dB.id, quantity: 4 }]);
      await expireAt([a.payNo, a2.payNo, b.payNo], past());
      await t.ds.query('UPDATE group_buying SET payed_count = 7, order_count = 9 WHERE id = ?', [dA.id]);

      const one = await refresh(tenantToken, String(dA.id));
      expect(one.status).toBe(200);
      expect(one.body).toEqual({ status: 200, message: '', data: { expired: 1, settled: 0, dealsRecomputed: 1 } });
      expect(await dealCounters(t, dA.id)).toMatchObject({ stock: 10, payed_count: 0, order_count: 0 });
      expect((await checkoutOf(a2.payNo)).status).toBe(0);
      expect((await checkoutOf(b.payNo)).status).toBe(0);

      const all = await refresh(tenantToken);
      expect(all.status).toBe(200);
      expect(all.body.data.expired).toBe(1);
      const [{ n }] = await t.ds.query('SELECT COUNT(*) AS n FROM group_buying WHERE tenant_id = ?', [tenantId]);
      expect(all.body.data.dealsRecomputed).toBe(Number(n));
      expect((await checkoutOf(a2.payNo)).status).toBe(5);
      // the other tenant's checkout is not this admin's business
      expect((await checkoutOf(b.payNo)).status).toBe(0);
      const theirs = await refresh(other.token, dB.id);
      expect(theirs.body.data).toEqual({ expired: 1, settled: 0, dealsRecomputed: 1 });
      const log = await t.ds.query(
        "SELECT actor_type FROM order_log WHERE action = 'expire' AND order_id IN (SELECT id FROM group_buying_order WHERE pay_no = ?)",
        [b.payNo],
      );
      expect(log).toEqual([{ actor_type: 'admin' }]);
    });

    it("404 for another tenant's or an unknown deal, 400 for a bad id, 401 without a token, 403 with a storefront token", async () => {
      const dB = await makeDeal(t, other.tenantId, otherShop);
      const deleted = await makeDeal(t, tenantId, shopId, { deletedAt: new Date() });
      for (const id of [dB.id, 99999999, deleted.id]) {
        const res = await refresh(tenantToken, id);
        expect(res.status).toBe(404);
        expect(res.body.status).toBe(404);
      }
      const bad = await refresh(tenantToken, 'abc');
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('groupBuyingId');
      expect((await refresh(null)).status).toBe(401);
      const u = await loginUser(t, 's-refresh-user');
      expect((await refresh(u.token)).status).toBe(403);
    });

    it('is in the OpenAPI document', async () => {
      const res = await t.http.get('/docs-json');
      const op = res.body.paths['/api/marketing/groupbuying/refreshorder']?.post;
      expect(op).toBeDefined();
      expect(op.summary).toBe('刷新团购订单');
      expect(op.parameters).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'groupBuyingId', in: 'query', required: false })]),
      );
      const schema = op.responses['200'].content['application/json'].schema;
      expect(schema.$ref).toMatch(/RefreshOrderResponse$/);
      const data = res.body.components.schemas.RefreshOrderResult;
      expect(Object.keys(data.properties).sort()).toEqual(['dealsRecomputed', 'expired', 'settled']);
    });
  });

  describe('schedule', () => {
    it('JOBS_ENABLED=false registers no interval', () => {
      expect(t.app.get(SchedulerRegistry).getIntervals()).toEqual([]);
    });

    it('JOBS_ENABLED=true with JOB_INTERVAL_SECONDS=1 expires a past-due checkout within ~3 s, and the interval goes at shutdown', async () => {
      const u = await loginUser(t, 's-live');
      const d = await makeDeal(t, tenantId, shopId, { stock: 10 });
      const c = await checkout(t, u.token, [{ product_id: d.id, quantity: 4 }]);
      await expireAt([c.payNo], past());
      const live = await secondInstance(t, { JOBS_ENABLED: 'true', JOB_INTERVAL_SECONDS: '1' });
      const registry = live.app.get(SchedulerRegistry);
      try {
        expect(registry.getIntervals()).toEqual([SWEEP_INTERVAL_NAME]);
        const until = Date.now() + 3_000;
        while ((await checkoutOf(c.payNo)).status !== 5 && Date.now() < until) await sleep(100);
        expect((await checkoutOf(c.payNo)).status).toBe(5);
        expect(await dealCounters(t, d.id)).toMatchObject({ stock: 10, order_count: 0 });
      } finally {
        await live.close();
      }
      expect(registry.getIntervals()).toEqual([]);
    });
  });
});

describe(`${SweepService.name} on the embedded SQLite default`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootApp('sweep-sqlite', { JOBS_ENABLED: 'false' }, { sqlite: true });
  });
  afterAll(() => t.close());

  it('expires a due checkout and recomputes its deal', async () => {
    const su = await adminToken(t);
    const a = await newTenantWithShop(t, su, 'SweepLite');
    const d = await makeDeal(t, a.tenantId, a.shopId, { stock: 10 });
    const u = await loginUser(t, 's-lite');
    const res = await createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 3 }] });
    expect(res.status).toBe(200);
    const payNo = res.body.data.pay_no;
    const due = dbDate(t.ds, new Date(Date.now() - 60_000));
    await t.ds.query('UPDATE checkout SET expire_time = ? WHERE pay_no = ?', [due, payNo]);
    await t.ds.query('UPDATE group_buying_order SET expire_time = ? WHERE pay_no = ?', [due, payNo]);
    const sut = t.app.get(SweepService);
    const [one, two] = await Promise.all([sut.runOnce({ batchSize: 1 }), sut.runOnce()]);
    expect(one.expired + two.expired).toBe(1);
    expect(one.errors + two.errors).toBe(0);
    const [c] = await t.ds.query('SELECT status FROM checkout WHERE pay_no = ?', [payNo]);
    expect(c.status).toBe(5);
    const [row] = await t.ds.query('SELECT stock, order_count FROM group_buying WHERE id = ?', [d.id]);
    expect(row).toMatchObject({ stock: 10, order_count: 0 });
    const refreshed = await t.http.post('/api/marketing/groupbuying/refreshorder').set('Authorization', `Bearer ${a.token}`);
    expect(refreshed.body).toEqual({ status: 200, message: '', data: { expired: 0, settled: 0, dealsRecomputed: 1 } });
  });
});
