import { spawnSync } from 'node:child_process';
import { escapeLike, LIKE_ESCAPE } from '../src/common/like';
import { GroupBuyingService } from '../src/group-buying/group-buying.service';
import { bootApp, TestApp } from './support/app';
import { loginUser, payOrder, userAuth } from './support/builders';

describe('Embedded SQLite default (smoke)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootApp('sqlite', { LOGIN_RATE_LIMIT_PER_MINUTE: '5' }, { sqlite: true });
  });
  afterAll(() => t.close());

  it('starts on SQLite with the database up', async () => {
    const res = await t.http.get('/health');
    expect(res.body).toEqual({ status: 'ok', db: 'up' });
    expect(t.ds.options.type).toBe('better-sqlite3');
  });

  it('seeds demo data in the platform tenant: a shop, deals and two coupons', async () => {
    const [tenant] = await t.ds.query('SELECT id FROM tenant WHERE platform = 1');
    const shops = await t.ds.query('SELECT id FROM shop WHERE tenant_id = ?', [tenant.id]);
    const deals = await t.ds.query('SELECT id, price, stock FROM group_buying WHERE tenant_id = ?', [tenant.id]);
    const coupons = await t.ds.query('SELECT id, coupon_method FROM coupon WHERE tenant_id = ?', [tenant.id]);
    expect(shops).toHaveLength(1);
    expect(deals.length).toBeGreaterThanOrEqual(3);
    expect(coupons.map((c: { coupon_method: number }) => c.coupon_method).sort()).toEqual([1, 2]);
  });

  it('logs in a storefront user and the super-admin', async () => {
    expect((await loginUser(t, 'oSqlite')).token).toMatch(/^ey/);
    const res = await t.http.post('/api/marketing/auth/login').send({ username: 'admin', password: 'admin-pass-123' });
    expect(res.status).toBe(200);
    expect(res.body.data.user.role).toBe('super');
  });

  it('a shopper buys a demo deal end to end on SQLite: list, compute, create, pay', async () => {
    const { token } = await loginUser(t, 'oSqliteBuyer');
    const h = userAuth(token);
    const list = await t.http.get('/api/group/groupbuying/list');
    expect(list.status).toBe(200);
    expect(list.body.data.total).toBeGreaterThanOrEqual(3);
    const pickup = list.body.data.list.find((d: { deliver_type: number; pre_sale: boolean }) => d.deliver_type === 1 && !d.pre_sale);
    const goods = JSON.stringify([{ product_id: pickup.id, quantity: 2 }]);
    const computed = await t.http.post('/api/group/order/computedOrder').set(h).type('form').send({ goods });
    expect(computed.status).toBe(200);
    const created = await t.http.post('/api/group/order/createOrder').set(h).type('form').send({ goods });
    expect(created.status).toBe(200);
    expect(created.body.data.total_price).toBe(computed.body.data.total_price);
    const code = created.body.data.orders[0].code;
    const paid = await payOrder(t, token, code);
    expect(paid.body).toMatchObject({ status: 701, data: { paid: true } });
    const info = await t.http.get(`/api/group/order/order_info/${code}`).set(h);
    expect(info.body.data).toMatchObject({ status: 1, sequence: 1, quantity: 2 });
    expect(info.body.data.deliver_code).toMatch(/^\d{8}$/);
    const mine = await t.http.post('/api/group/order/order_list').set(h).send({ status: 1 });
    expect(mine.body.data).toEqual({ list: [info.body.data], total: 1, page: 1, limit: 10 });
    const [deal] = await t.ds.query('SELECT stock, payed_count FROM group_buying WHERE id = ?', [pickup.id]);
    expect(deal).toEqual({ stock: pickup.stock - 2, payed_count: 2 });
  });

  it('detail views are written by the flush on SQLite too: one relative update, the visitor upsert on both sides', async () => {
    const { id: userId, token } = await loginUser(t, 'oSqliteVisitor');
    const [deal] = await t.ds.query('SELECT id, visit_times FROM group_buying WHERE deleted_at IS NULL ORDER BY id LIMIT 1');
    const view = () => t.http.get(`/api/group/groupbuying/detail/${deal.id}`).set(userAuth(token)).expect(200);
    const flush = () => t.app.get(GroupBuyingService).flushVisits();
    await Promise.all([view(), view(), view()]);
    await flush();
    await view();
    await t.http.get(`/api/group/groupbuying/detail/${deal.id}`).expect(200);
    await flush();
    const [after] = await t.ds.query('SELECT visit_times FROM group_buying WHERE id = ?', [deal.id]);
    expect(after.visit_times).toBe(deal.visit_times + 5);
    expect(await t.ds.query('SELECT user_id, visits FROM group_buying_visitor WHERE group_buying_id = ?', [deal.id])).toEqual([
      { user_id: userId, visits: 4 },
    ]);
  });

  it('LIKE patterns built with escapeLike match %, _ and ! literally on SQLite', async () => {
    const like = async (text: string, keyword: string) =>
      Number((await t.ds.query(`SELECT ? LIKE ? ${LIKE_ESCAPE} AS m`, [text, `%${escapeLike(keyword)}%`]))[0].m);
    expect([await like('100%纯', '%'), await like('100纯', '%')]).toEqual([1, 0]);
    expect([await like('a_b', 'a_b'), await like('axb', 'a_b')]).toEqual([1, 0]);
    expect([await like('wow!', '!'), await like('wow', '!')]).toEqual([1, 0]);
  });

  it('rate limits a login route per IP (LOGIN_RATE_LIMIT_PER_MINUTE)', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await t.http.post('/api/marketing/auth/login').send({ username: 'admin', password: 'wrong-password' });
      codes.push(res.status);
    }
    // one admin login above was already counted
    expect(codes.filter((c) => c === 401)).toHaveLength(4);
    expect(codes.slice(4)).toEqual([429, 429, 429]);
    const res = await t.http.post('/api/marketing/auth/login').send({ username: 'admin', password: 'wrong-password' });
    expect(res.body).toMatchObject({ status: 429 });
  });

  it('the process refuses to start in production without JWT_SECRET, saying why in one line', () => {
    const env = { ...process.env, NODE_ENV: 'production', JWT_SECRET: '', DATA_DIR: t.dataDir };
    const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^groupbuy: refusing to start: JWT_SECRET is required/);
  });
});
