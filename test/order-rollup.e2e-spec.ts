import Big from 'big.js';
import { SweepService } from '../src/jobs/sweep.service';
import { rollupFromOrders } from '../src/order/order-rollup.repository';
import { bootApp, TestApp } from './support/app';
import {
  ADDRESS,
  adminAuth,
  adminToken,
  Checkout,
  checkout,
  createOrder,
  Line,
  loginUser,
  makeDeal,
  newShop,
  newTenantWithShop,
  payOrder,
  shanghai,
  Tenant,
  User,
  userAuth,
} from './support/builders';

/** A small seeded PRNG (mulberry32): the same mix of actions on every run. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

type Key = string;
interface Sums {
  n: number;
  q: number;
  m: string;
}

describe.each([
  ['MariaDB', false],
  ['SQLite', true],
])('order_rollup = GROUP BY over the orders after a random mix of order events (%s)', (_label, sqlite) => {
  let t: TestApp;
  let a: Tenant;
  let shop1: number;
  let shop2: number;
  let deals: Array<{ id: number; express: boolean }>;
  let users: User[];

  beforeAll(async () => {
    t = await bootApp(
      sqlite ? 'rollup-sqlite' : 'rollup',
      { JOBS_ENABLED: 'false', LOGIN_RATE_LIMIT_PER_MINUTE: '100000', ORDER_RATE_LIMIT_PER_MINUTE: '100000', MAX_UNPAID_CHECKOUTS: '1000' },
      { sqlite },
    );
    const su = await adminToken(t);
    ({ shopId: shop1, ...a } = await newTenantWithShop(t, su, `Rollup${sqlite ? 'S' : 'M'}`, '一店'));
    shop2 = await newShop(t, a.token, '二店');
    deals = [];
    for (const [shop, price, express] of [
      [shop1, '12.30', false],
      [shop1, '0.10', false],
      [shop2, '99.99', false],
      [shop2, '7.05', true],
    ] as const) {
      const d = await makeDeal(t, a.tenantId, shop, { price: new Big(price), stock: 100_000, deliverType: express ? 2 : 1 });
      deals.push({ id: d.id, express });
    }
    users = [];
    for (let i = 0; i < 12; i++) users.push(await loginUser(t, `rollup-${sqlite ? 's' : 'm'}-${i}`, { nickname: `买家${i}` }));
  }, 60_000);
  afterAll(() => t.close());

  const admin = () => adminAuth(a.token);
  const ordersOf = async (payNo: string) =>
    (await t.ds.query('SELECT id, code, status, deliver_type, deliver_code FROM group_buying_order WHERE pay_no = ? ORDER BY id', [
      payNo,
    ])) as Array<{
      id: number;
      code: string;
      status: number;
      deliver_type: number;
      deliver_code: string | null;
    }>;

  async function rollupRows(): Promise<Map<Key, Sums>> {
    const found = (await t.ds.query(
      'SELECT tenant_id, day, shop_id, group_buying_id, status, deliver_type, order_count, qty, money FROM order_rollup WHERE order_count <> 0 OR qty <> 0 OR money <> 0',
    )) as Array<Record<string, unknown>>;
    const out = new Map<Key, Sums>();
    for (const r of found) {
      const day = r.day instanceof Date ? r.day.toISOString().slice(0, 10) : String(r.day).slice(0, 10);
      const key = [r.tenant_id, day, r.shop_id, r.group_buying_id, r.status, r.deliver_type].join('|');
      const sums = { n: Number(r.order_count), q: Number(r.qty), m: new Big(String(r.money)).toFixed(2) };
      // rows whose orders all moved on stay behind at zero (SQLite sums money as floats: zero to the fen)
      if (sums.n !== 0 || sums.q !== 0 || sums.m !== '0.00') out.set(key, sums);
    }
    return out;
  }

  async function expected(): Promise<Map<Key, Sums>> {
    const out = new Map<Key, Sums>();
    for (const d of await rollupFromOrders(t.ds)) {
      out.set([d.tenantId, d.day, d.shopId, d.dealId, d.status, d.deliverType].join('|'), { n: d.count, q: d.qty, m: d.money.toFixed(2) });
    }
    return out;
  }

  it('checkouts (some at once), payments, cancels, expiries, refunds, pickups, shipping and confirmations keep the rollup exact', async () => {
    const rnd = prng(sqlite ? 7 : 42);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
    const unpaid: Array<{ c: Checkout; u: User }> = [];
    const paid: Array<{ c: Checkout; u: User }> = [];
    const goodsFor = (): Line[] => {
      const ds = [pick(deals)];
      if (rnd() < 0.3) ds.push(pick(deals));
      return [...new Set(ds)].map((d) => ({ product_id: d.id, quantity: 1 + Math.floor(rnd() * 3) }));
    };
    const expressIn = (goods: Line[]) => goods.some((g) => deals.find((d) => d.id === g.product_id)!.express);
    const counts: Record<string, number> = {};
    for (let step = 0; step < 90; step++) {
      const r = rnd();
      const action =
        r < 0.1
          ? 'burst'
          : r < 0.35
            ? 'checkout'
            : r < 0.55
              ? 'pay'
              : r < 0.62
                ? 'cancel'
                : r < 0.67
                  ? 'expire'
                  : r < 0.75
                    ? 'refund'
                    : r < 0.85
                      ? 'deliver'
                      : 'confirm';
      counts[action] = (counts[action] ?? 0) + 1;
      if (action === 'burst') {
        // concurrent checkouts of the same deal by different buyers
        const d = pick(deals);
        const goods = [{ product_id: d.id, quantity: 1 }];
        const res = await Promise.all(
          users.slice(0, 8).map((u) => createOrder(t, u.token, { goods, ...(d.express ? { address: ADDRESS } : {}) })),
        );
        expect(res.map((x) => x.status)).toEqual(Array(8).fill(200));
        for (let i = 0; i < 8; i++) {
          const payNo = res[i].body.data.pay_no as string;
          const [row] = await t.ds.query('SELECT id FROM checkout WHERE pay_no = ?', [payNo]);
          unpaid.push({
            u: users[i],
            c: { id: Number(row.id), payNo, codes: res[i].body.data.orders.map((o: { code: string }) => o.code), total: '' },
          });
        }
      } else if (action === 'checkout' || (unpaid.length === 0 && action !== 'deliver' && action !== 'refund' && action !== 'confirm')) {
        const u = pick(users);
        const goods = goodsFor();
        unpaid.push({ u, c: await checkout(t, u.token, goods, expressIn(goods) ? { address: ADDRESS } : {}) });
      } else if (action === 'pay') {
        const x = unpaid.splice(Math.floor(rnd() * unpaid.length), 1)[0];
        expect((await payOrder(t, x.u.token, x.c.codes[0])).body.status).toBe(701);
        paid.push(x);
      } else if (action === 'cancel') {
        const x = unpaid.splice(Math.floor(rnd() * unpaid.length), 1)[0];
        expect((await t.http.post('/api/group/order/cancel').set(userAuth(x.u.token)).send({ code: x.c.codes[0] })).status).toBe(200);
      } else if (action === 'expire') {
        const x = unpaid.splice(Math.floor(rnd() * unpaid.length), 1)[0];
        const at = new Date(Date.now() - 60_000);
        await t.ds.query('UPDATE checkout SET expire_time = ? WHERE pay_no = ?', [
          sqlite ? at.toISOString().replace('T', ' ').slice(0, 23) : at,
          x.c.payNo,
        ]);
        await t.ds.query('UPDATE group_buying_order SET expire_time = ? WHERE pay_no = ?', [
          sqlite ? at.toISOString().replace('T', ' ').slice(0, 23) : at,
          x.c.payNo,
        ]);
        await t.app.get(SweepService).runOnce();
        expect((await ordersOf(x.c.payNo)).map((o) => o.status)).toEqual(x.c.codes.map(() => 5));
      } else if (paid.length) {
        const x = pick(paid);
        const open = (await ordersOf(x.c.payNo)).filter((o) => o.status === 1);
        if (!open.length) continue;
        const o = open[0];
        if (action === 'refund') {
          const res = await t.http.post(`/api/marketing/groupbuying/refundorder?id=${o.id}`).set(admin());
          expect(res.body.data).toEqual({ refundStatus: 'success' });
        } else if (action === 'deliver') {
          const [shop] = await t.ds.query('SELECT shop_id FROM group_buying_order WHERE id = ?', [o.id]);
          const body =
            o.deliver_type === 1
              ? { shopId: shop.shop_id, type: 1, code: o.deliver_code, id: o.id }
              : { shopId: shop.shop_id, type: 2, code: `SF${o.id}`, id: o.id };
          expect((await t.http.post('/api/marketing/groupbuying/deliverorder').set(admin()).send(body)).body).toEqual({
            status: 200,
            message: '',
          });
        } else {
          const res = await t.http.post('/api/marketing/groupbuying/confirmorder').set(admin()).send([o.id]);
          expect(res.body.data.confirmed).toEqual([o.id]);
        }
      }
    }
    expect(Object.keys(counts).length).toBeGreaterThanOrEqual(7);
    const [{ n }] = await t.ds.query('SELECT COUNT(*) AS n FROM group_buying_order WHERE tenant_id = ?', [a.tenantId]);
    expect(Number(n)).toBeGreaterThan(50);
    const statuses = await t.ds.query('SELECT DISTINCT status FROM group_buying_order WHERE tenant_id = ? ORDER BY status', [a.tenantId]);
    expect(statuses.map((s: { status: number }) => Number(s.status)).length).toBeGreaterThanOrEqual(5);
    expect(await rollupRows()).toEqual(await expected());
  }, 240_000);

  it('the lists’ totals equal a COUNT/SUM over the orders, for every filter and for partial-day time ranges', async () => {
    const direct = async (where: string, params: unknown[]) => {
      const [r] = await t.ds.query(
        `SELECT COUNT(*) AS n, COALESCE(SUM(qty), 0) AS q, COALESCE(SUM(money), 0) AS m FROM group_buying_order WHERE tenant_id = ? ${where}`,
        [a.tenantId, ...params],
      );
      return { totalCount: Number(r.n), sumData: { qty: Number(r.q), money: Number(new Big(String(r.m)).toFixed(2)) } };
    };
    const list = async (q: Record<string, string | number>) => {
      const res = await t.http.get('/api/marketing/groupbuying/getorderlist').query(q).set(admin());
      expect(res.status).toBe(200);
      return { totalCount: res.body.totalCount, sumData: res.body.sumData };
    };
    const now = new Date();
    const date = (d: Date) => (sqlite ? d.toISOString().replace('T', ' ').slice(0, 23) : d);
    const hourAgo = new Date(Math.floor((now.getTime() - 3_600_000) / 1000) * 1000);
    const inHour = new Date(Math.floor((now.getTime() + 3_600_000) / 1000) * 1000);
    const today = shanghai(now).slice(0, 10);
    expect(await list({})).toEqual(await direct('', []));
    expect(await list({ status: 1 })).toEqual(await direct('AND status = ?', [1]));
    expect(await list({ status: 5 })).toEqual(await direct('AND status = ?', [5]));
    expect(await list({ shopId: shop2 })).toEqual(await direct('AND shop_id = ?', [shop2]));
    expect(await list({ deliverType: 2 })).toEqual(await direct('AND deliver_type = ?', [2]));
    expect(await list({ startDate: today, endDate: today })).toEqual(await direct('', []));
    expect(await list({ startDate: shanghai(hourAgo), endDate: shanghai(inHour), status: 1 })).toEqual(
      await direct('AND create_time >= ? AND create_time <= ? AND status = ?', [date(hourAgo), date(inHour), 1]),
    );
    expect(await list({ startDate: shanghai(hourAgo) })).toEqual(await direct('AND create_time >= ?', [date(hourAgo)]));
    expect(await list({ endDate: shanghai(hourAgo) })).toEqual(await direct('AND create_time <= ?', [date(hourAgo)]));
    const byDeal = await t.http
      .get('/api/marketing/groupbuying/getorderlistbygroupbuying')
      .query({ groupBuyingId: deals[0].id, status: 1 })
      .set(admin());
    expect({ totalCount: byDeal.body.totalCount, sumData: byDeal.body.sumData }).toEqual(
      await direct('AND group_buying_id = ? AND status = ?', [deals[0].id, 1]),
    );
  });
});
