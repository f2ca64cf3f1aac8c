import Big from 'big.js';
import { DealStockService } from '../src/group-buying/deal-stock.service';
import { SweepService } from '../src/jobs/sweep.service';
import { CheckoutExpiryService } from '../src/order/checkout-expiry.service';
import { CheckoutRepository } from '../src/order/checkout.repository';
import { emptyCounts, SweepCounts, SweepRun } from '../src/order/sweep.types';
import { bootApp, secondInstance, TestApp } from './support/app';
import { adminToken, createOrder, loginUser, makeCoupon, makeDeal, newTenantWithShop, User } from './support/builders';

const INITIAL_STOCK = 100_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The sweep's set-based batches (issue 9 item 7): a batch of expired checkouts claimed with SKIP LOCKED and
 * expired in one transaction. Exactly once with two app instances on one backlog of 1,000+; nothing of a
 * batch stays when it fails half way or its connection is killed, and the next run completes it.
 */
describe('sweep in set-based batches', () => {
  let t: TestApp;
  let sut: SweepService;
  let user: User;
  let seq = 0;

  beforeAll(async () => {
    t = await bootApp('sweepbatch', { JOBS_ENABLED: 'false', LOGIN_RATE_LIMIT_PER_MINUTE: '100000' });
    sut = t.app.get(SweepService);
    user = await loginUser(t, 'sb-user');
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => t.close());

  interface Backlog {
    tenantId: number;
    deals: number[];
    couponId: number;
    checkouts: number;
    orders: number;
    coupons: number;
    teams: number[];
  }

  /**
   * `size` unpaid checkouts past expiry inserted in bulk (one or two lines each, every third with a
   * member coupon, their stock and coupon counts taken as createOrder does), plus `teams` teams opened
   * and joined through createOrder (two pending seats each), all expired.
   */
  async function backlog(size: number, teams: number): Promise<Backlog> {
    const su = await adminToken(t);
    const x = await newTenantWithShop(t, su, `SweepBatch${++seq}`);
    const deals: number[] = [];
    for (let i = 0; i < 4; i++) deals.push((await makeDeal(t, x.tenantId, x.shopId, { stock: INITIAL_STOCK })).id);
    const coupon = await makeCoupon(t, x.tenantId, { enough: new Big('1'), deduct: new Big('1'), getMax: 100_000, total: 100_000 });
    const expire = new Date(Date.now() - 3600_000);
    const payNo = (i: number) => `tgsb${seq}${String(i).padStart(10, '0')}`;
    const rowsOf = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));
    for (let i = 0; i < size; i += 500) {
      const part = rowsOf(Math.min(500, size - i), (j) => i + j);
      await t.ds.query(
        `INSERT INTO checkout (pay_no, tenant_id, user_id, status, goods_price, discount_price, dispatch_price, total_price, expire_time, provider) VALUES ${part
          .map(() => "(?, ?, ?, ?, '19.80', '0.00', '0.00', '19.80', ?, 'sandbox')")
          .join(', ')}`,
        part.flatMap((k) => [payNo(k), x.tenantId, user.id, k % 4 === 3 ? 7 : 0, new Date(expire.getTime() - (k % 600) * 1000)]),
      );
    }
    const ids = new Map<string, number>(
      (await t.ds.query('SELECT id, pay_no FROM checkout WHERE tenant_id = ?', [x.tenantId])).map((r: { id: number; pay_no: string }) => [
        r.pay_no,
        Number(r.id),
      ]),
    );
    const held = new Map<number, { qty: number; n: number }>();
    const orders: unknown[][] = [];
    const coupons: unknown[][] = [];
    for (let k = 0; k < size; k++) {
      const lines = k % 5 === 0 ? [deals[k % 4], deals[(k + 1) % 4]] : [deals[k % 4]];
      lines.forEach((dealId, j) => {
        const qty = (k % 3) + 1;
        orders.push([`tgo${seq}${String(k).padStart(10, '0')}${j}`, payNo(k), ids.get(payNo(k)), x.tenantId, x.shopId, dealId, user.id]);
        orders[orders.length - 1].push(k % 4 === 3 ? 7 : 0, qty, expire);
        const h = held.get(dealId) ?? { qty: 0, n: 0 };
        held.set(dealId, { qty: h.qty + qty, n: h.n + 1 });
      });
      if (k % 3 === 0) coupons.push([x.tenantId, coupon.id, user.id, expire, payNo(k), expire, expire, new Date(Date.now() + 86_400_000)]);
    }
    for (let i = 0; i < orders.length; i += 500) {
      const part = orders.slice(i, i + 500);
      await t.ds.query(
        `INSERT INTO group_buying_order (code, pay_no, checkout_id, tenant_id, shop_id, group_buying_id, user_id, status, qty, expire_time, deliver_type, price, goods_money, coupon_money, deliver_fee, money, product_name, spec) VALUES ${part
          .map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, '9.90', '9.90', '0.00', '0.00', '9.90', '商品', '1份')")
          .join(', ')}`,
        part.flat(),
      );
    }
    for (let i = 0; i < coupons.length; i += 500) {
      const part = coupons.slice(i, i + 500);
      await t.ds.query(
        `INSERT INTO member_coupon (tenant_id, coupon_id, user_id, used, use_time, pay_no, get_time, time_start, time_end) VALUES ${part
          .map(() => '(?, ?, ?, 1, ?, ?, ?, ?, ?)')
          .join(', ')}`,
        part.flat(),
      );
    }
    await t.ds.query('UPDATE coupon SET used_count = ?, received_count = ? WHERE id = ?', [coupons.length, coupons.length, coupon.id]);
    for (const [dealId, h] of held)
      await t.ds.query('UPDATE group_buying SET stock = stock - ?, order_count = order_count + ? WHERE id = ?', [h.qty, h.n, dealId]);

    // teams through the API: a leader opens, a second shopper joins, neither pays
    const teamIds: number[] = [];
    const teamDeal = teams ? (await makeDeal(t, x.tenantId, x.shopId, { stock: INITIAL_STOCK, teamSize: 3, teamHours: 24 })).id : 0;
    if (teams) deals.push(teamDeal);
    for (let i = 0; i < teams; i++) {
      const leader = await loginUser(t, `sb-leader-${seq}-${i}`);
      const joiner = await loginUser(t, `sb-joiner-${seq}-${i}`);
      const opened = await createOrder(t, leader.token, { goods: [{ product_id: teamDeal, quantity: 1 }] });
      expect(opened.status).toBe(200);
      const teamId = opened.body.data.orders[0].team_id as number;
      expect((await createOrder(t, joiner.token, { goods: [{ product_id: teamDeal, quantity: 1 }], team_id: teamId })).status).toBe(200);
      teamIds.push(teamId);
    }
    await t.ds.query('UPDATE checkout SET expire_time = ? WHERE tenant_id = ? AND expire_time > ?', [expire, x.tenantId, expire]);
    await t.ds.query('UPDATE group_buying_order SET expire_time = ? WHERE tenant_id = ? AND expire_time > ?', [expire, x.tenantId, expire]);
    return {
      tenantId: x.tenantId,
      deals,
      couponId: coupon.id,
      checkouts: size + 2 * teams,
      orders: orders.length + 2 * teams,
      coupons: coupons.length,
      teams: teamIds,
    };
  }

  /** Everything a batch changes, as stored. */
  async function snapshot(b: Backlog): Promise<unknown> {
    const q = (sql: string, params: unknown[]) => t.ds.query(sql, params);
    const teams = b.teams.length ? b.teams : [0];
    return {
      checkouts: await q('SELECT status, COUNT(*) AS n FROM checkout WHERE tenant_id = ? GROUP BY status ORDER BY status', [b.tenantId]),
      orders: await q('SELECT status, COUNT(*) AS n FROM group_buying_order WHERE tenant_id = ? GROUP BY status ORDER BY status', [
        b.tenantId,
      ]),
      deals: await q('SELECT id, stock, order_count, payed_count FROM group_buying WHERE id IN (?) ORDER BY id', [b.deals]),
      coupon: await q('SELECT used_count FROM coupon WHERE id = ?', [b.couponId]),
      memberCoupons: await q(
        'SELECT used, COUNT(*) AS n, COUNT(pay_no) AS withPayNo FROM member_coupon WHERE coupon_id = ? GROUP BY used',
        [b.couponId],
      ),
      teams: await q('SELECT id, user_count, pay_user_count, status FROM team WHERE id IN (?) ORDER BY id', [teams]),
      seats: await q('SELECT status, COUNT(*) AS n FROM team_member WHERE team_id IN (?) GROUP BY status ORDER BY status', [teams]),
      logs: await q('SELECT COUNT(*) AS n FROM order_log WHERE tenant_id = ?', [b.tenantId]),
    };
  }

  /** Every checkout and order 5, stock and coupons back exactly once, one 'expire' log per order, team seats freed. */
  async function expectAllExpiredOnce(b: Backlog): Promise<void> {
    const s = (await snapshot(b)) as Record<string, { [k: string]: unknown }[]>;
    expect(s.checkouts.map((r) => [Number(r.status), Number(r.n)])).toEqual([[5, b.checkouts]]);
    expect(s.orders.map((r) => [Number(r.status), Number(r.n)])).toEqual([[5, b.orders]]);
    for (const d of s.deals) expect(d).toMatchObject({ stock: INITIAL_STOCK, order_count: 0, payed_count: 0 });
    expect(Number(s.coupon[0].used_count)).toBe(0);
    expect(s.memberCoupons.map((r) => [Number(r.used), Number(r.n), Number(r.withPayNo)])).toEqual([[0, b.coupons, 0]]);
    // as many 'expire' rows as orders, each order once
    const [{ n: logs, orders: logged }] = await t.ds.query(
      "SELECT COUNT(*) AS n, COUNT(DISTINCT order_id) AS orders FROM order_log WHERE tenant_id = ? AND action = 'expire'",
      [b.tenantId],
    );
    expect([Number(logs), Number(logged)]).toEqual([b.orders, b.orders]);
    for (const team of s.teams) expect(team).toMatchObject({ user_count: 0, pay_user_count: 0, status: 'fail' });
    if (b.teams.length) expect(s.seats.map((r) => [r.status, Number(r.n)])).toEqual([['left', 2 * b.teams.length]]);
  }

  const total = (rs: SweepCounts[], k: 'expired' | 'errors') => rs.reduce((n, r) => n + r[k], 0);

  it('two app instances sweeping the same 1,200 expired checkouts at once: each one expired exactly once', async () => {
    const b = await backlog(1200, 3);
    const app2 = await secondInstance(t);
    let results: SweepCounts[];
    try {
      const other = app2.app.get(SweepService);
      results = await Promise.all([
        sut.runOnce({ batchSize: 100 }),
        other.runOnce({ batchSize: 100 }),
        sut.runOnce({ batchSize: 150 }),
        other.runOnce({ batchSize: 150 }),
      ]);
    } finally {
      await app2.close();
    }
    expect(total(results, 'expired')).toBe(b.checkouts);
    expect(total(results, 'errors')).toBe(0);
    // the work was shared, not done by one runner while the others waited
    expect(results.filter((r) => r.expired > 0).length).toBeGreaterThanOrEqual(2);
    await expectAllExpiredOnce(b);
    expect(await sut.runOnce()).toMatchObject({ expired: 0, errors: 0 });
    await expectAllExpiredOnce(b);
  });

  it('a batch that fails right after giving back the stock leaves everything as it was; the next run completes it', async () => {
    const b = await backlog(300, 2);
    const before = await snapshot(b);
    const stock = t.app.get(DealStockService);
    const real = stock.giveBackMany.bind(stock);
    const gave: number[] = [];
    jest.spyOn(stock, 'giveBackMany').mockImplementation(async (em, perDeal) => {
      await real(em, perDeal);
      gave.push(perDeal.size);
      throw new Error('fault after the stock update');
    });
    const run: SweepRun = { opts: {}, deadline: Infinity, counts: emptyCounts(), touched: new Set(), stopping: () => false };
    const checkouts = t.app.get(CheckoutRepository);
    await expect(
      t.app
        .get(CheckoutExpiryService)
        .expireBatch(run, (em, now) => checkouts.claimDue(em, now, 1000, { scope: { tenantId: b.tenantId } })),
    ).rejects.toThrow('fault after the stock update');
    // the stock of every deal of the batch was given back inside the transaction, then it rolled back as a whole
    expect(gave).toEqual([b.deals.length]);
    expect(await snapshot(b)).toEqual(before);

    jest.restoreAllMocks();
    expect(await sut.runOnce({ tenantId: b.tenantId })).toMatchObject({ expired: b.checkouts, errors: 0 });
    await expectAllExpiredOnce(b);
  });

  it('a batch whose database connection is killed half way (the instance dies) commits nothing; it is expired once after', async () => {
    const b = await backlog(400, 1);
    const before = await snapshot(b);
    // another transaction holds the deal rows: the batch stops at its first stock UPDATE, its other writes done
    const holder = t.ds.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await holder.query('SELECT id FROM group_buying WHERE id IN (?) FOR UPDATE', [b.deals]);
    const running = sut.runOnce({ tenantId: b.tenantId });
    let victim: number | undefined;
    for (let i = 0; i < 200 && victim === undefined; i++) {
      await sleep(50);
      const [found] = await t.ds.query(
        "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND INFO LIKE 'UPDATE group_buying SET stock%' AND ID <> CONNECTION_ID()",
      );
      victim = found ? Number(found.id) : undefined;
    }
    expect(victim).toBeDefined();
    const [{ logs: uncommittedLogs }] = await t.ds.query('SELECT COUNT(*) AS logs FROM order_log WHERE tenant_id = ?', [b.tenantId]);
    expect(Number(uncommittedLogs)).toBe(0);
    await t.ds.query(`KILL CONNECTION ${Number(victim)}`);
    await sleep(300);
    // killed: rolled back by the server; whatever the run does next waits for the held deal row
    expect(await snapshot(b)).toEqual(before);
    await holder.rollbackTransaction();
    await holder.release();
    const first = await running;
    expect(first.errors).toBeGreaterThanOrEqual(1);
    const second = await sut.runOnce({ tenantId: b.tenantId });
    expect(first.expired + second.expired).toBe(b.checkouts);
    expect(second.errors).toBe(0);
    await expectAllExpiredOnce(b);
  });
});
