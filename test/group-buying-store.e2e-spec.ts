import Big from 'big.js';
import { DealRepository } from '../src/group-buying/deal.repository';
import { GroupBuyingService } from '../src/group-buying/group-buying.service';
import { bootApp, secondInstance, TestApp } from './support/app';
import { adminToken, fromNow, HOUR, loginUser, makeDeal, newShop, newTenant, shanghai, Tenant } from './support/builders';

const S = '/api/group/groupbuying';
const A = '/api/marketing/groupbuying';

describe('GroupBuying storefront (MariaDB)', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let shopA1: number;
  let shopA2: number;
  let shopB: number;
  const deal: Record<string, number> = {};
  const win = { startTime: fromNow(-HOUR), endTime: fromNow(48 * HOUR) };

  const adminGet = (id: number) => t.http.get(`${A}/get?id=${id}`).set('Authorization', `Bearer ${a.token}`);
  const visitorsOf = (id: number, token = a.token) =>
    t.http.get(`${A}/getgroupbuyingvisitor`).query({ groupBuyingId: id }).set('Authorization', `Bearer ${token}`);
  const ids = (res: { body: { data: { list: Array<{ id: number }> } } }) => res.body.data.list.map((x) => x.id);
  // views are counted in memory and written about once a second: a test that reads the counts writes them first
  const flushVisits = () => t.app.get(GroupBuyingService).flushVisits();

  beforeAll(async () => {
    t = await bootApp('gb_store');
    const superToken = await adminToken(t);
    a = await newTenant(t, superToken, 'StoreA');
    b = await newTenant(t, superToken, 'StoreB');
    shopA1 = await newShop(t, a.token, 'A 一店');
    shopA2 = await newShop(t, a.token, 'A 二店');
    shopB = await newShop(t, b.token, 'B 店');
    deal.main = (
      await makeDeal(t, a.tenantId, shopA1, {
        ...win,
        name: '五常大米 10kg',
        description: '快递到家',
        productId: 12,
        productName: '五常大米',
        productCode: 'RICE-010',
        spec: '10kg/袋',
        imagePath: '/images/rice.jpg',
        price: new Big('29.9'),
        stock: 50,
        deliverType: 2,
        deliverFee: new Big('8'),
        address: '广州市白云区',
        lbs: '113.26,23.13',
        phone: '020-12345678',
        limitPerUser: 2,
        teamSize: 3,
      })
    ).id;
    deal.a2 = (await makeDeal(t, a.tenantId, shopA2, { ...win, name: 'A2 团购' })).id;
    deal.b = (await makeDeal(t, b.tenantId, shopB, { ...win, name: 'B 团购' })).id;
    deal.future = (await makeDeal(t, a.tenantId, shopA1, { name: '未开始', startTime: fromNow(HOUR), endTime: fromNow(2 * HOUR) })).id;
    deal.past = (await makeDeal(t, a.tenantId, shopA1, { name: '已结束', startTime: fromNow(-2 * HOUR), endTime: fromNow(-HOUR) })).id;
    deal.disabled = (await makeDeal(t, a.tenantId, shopA1, { ...win, name: '已停用', inUse: false })).id;
    deal.deleted = (await makeDeal(t, a.tenantId, shopA1, { ...win, name: '已删除' })).id;
    const del = await t.http.post(`${A}/delete?id=${deal.deleted}`).set('Authorization', `Bearer ${a.token}`);
    expect(del.status).toBe(200);
  });
  afterAll(() => t.close());

  it('documents both routes with a summary and a response schema', async () => {
    const res = await t.http.get('/docs-json');
    for (const path of [`${S}/list`, `${S}/detail/{id}`]) {
      const op = res.body.paths[path]?.get;
      expect(op).toBeDefined();
      expect(op.summary).toMatch(/团购/);
      expect(op.responses['200'].content['application/json'].schema).toBeDefined();
    }
    const item = res.body.components.schemas.StoreDealView.properties;
    expect(Object.keys(item)).toEqual(
      expect.arrayContaining(['product_id', 'image_path', 'payed_count', 'deliver_fee', 'shop_name', 'limit_per_user', 'team_size']),
    );
  });

  describe('list', () => {
    it('shows in-use, in-win, not-deleted deals of every tenant, newest first, without a token', async () => {
      const res = await t.http.get(`${S}/list`);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe(200);
      expect(res.body.msg).toBe('ok');
      expect(res.body.data).toMatchObject({ total: 3, page: 1, limit: 10 });
      expect(ids(res)).toEqual([deal.b, deal.a2, deal.main]);
    });

    it('items carry the storefront fields, money as strings', async () => {
      const res = await t.http.get(`${S}/list`).query({ shop_id: shopA1 });
      expect(res.body.data.list).toEqual([
        {
          id: deal.main,
          name: '五常大米 10kg',
          description: '快递到家',
          product_id: 12,
          product_name: '五常大米',
          product_code: 'RICE-010',
          spec: '10kg/袋',
          image_path: '/images/rice.jpg',
          price: '29.90',
          stock: 50,
          payed_count: 0,
          start_time: shanghai(win.startTime),
          end_time: shanghai(win.endTime),
          deliver_type: 2,
          deliver_fee: '8.00',
          shop_id: shopA1,
          shop_name: 'A 一店',
          address: '广州市白云区',
          lbs: '113.26,23.13',
          phone: '020-12345678',
          limit_per_user: 2,
          team_size: 3,
          in_use: true,
        },
      ]);
    });

    it('filters by tenant_id and shop_id (numeric strings too)', async () => {
      expect(ids(await t.http.get(`${S}/list`).query({ tenant_id: a.tenantId }))).toEqual([deal.a2, deal.main]);
      expect(ids(await t.http.get(`${S}/list`).query({ tenant_id: String(b.tenantId) }))).toEqual([deal.b]);
      expect(ids(await t.http.get(`${S}/list`).query({ shop_id: String(shopA2) }))).toEqual([deal.a2]);
      expect(ids(await t.http.get(`${S}/list`).query({ shop_id: shopA2, tenant_id: b.tenantId }))).toEqual([]);
      const bad = await t.http.get(`${S}/list`).query({ shop_id: 'x' });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ status: 400, msg: expect.stringContaining('shop_id') });
    });

    it('pages: page/limit, limit above 50 served as 50, beyond the end is empty', async () => {
      const p2 = await t.http.get(`${S}/list`).query({ page: 2, limit: 1 });
      expect(p2.body.data).toMatchObject({ total: 3, page: 2, limit: 1 });
      expect(ids(p2)).toEqual([deal.a2]);
      const last = await t.http.get(`${S}/list`).query({ page: 2, limit: 2 });
      expect(ids(last)).toEqual([deal.main]);
      const big = await t.http.get(`${S}/list`).query({ limit: 500 });
      expect(big.body.data.limit).toBe(50);
      const beyond = await t.http.get(`${S}/list`).query({ page: 5 });
      expect(beyond.body.data).toEqual({ list: [], total: 3, page: 5, limit: 10 });
      const zero = await t.http.get(`${S}/list`).query({ page: 0 });
      expect(zero.status).toBe(400);
      expect(zero.body.msg).toContain('page');
    });

    it('follows changeusing: a disabled deal leaves the list, re-enabled it comes back', async () => {
      await t.http.post(`${A}/changeusing`).set('Authorization', `Bearer ${a.token}`).send({ id: deal.a2, inUse: false });
      expect(ids(await t.http.get(`${S}/list`))).toEqual([deal.b, deal.main]);
      await t.http.post(`${A}/changeusing`).set('Authorization', `Bearer ${a.token}`).send({ id: deal.a2, inUse: true });
      expect(ids(await t.http.get(`${S}/list`))).toEqual([deal.b, deal.a2, deal.main]);
    });
  });

  describe('detail', () => {
    it('answers the deal in the storefront envelope and counts an anonymous visit', async () => {
      const before = (await adminGet(deal.main)).body.visitTimes;
      const res = await t.http.get(`${S}/detail/${deal.main}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 200,
        msg: 'ok',
        data: { id: deal.main, name: '五常大米 10kg', price: '29.90', deliver_fee: '8.00', shop_name: 'A 一店', in_use: true },
      });
      await t.http.get(`${S}/detail/${deal.main}`);
      await flushVisits();
      expect((await adminGet(deal.main)).body.visitTimes).toBe(before + 2);
      const [visitors] = await t.ds.query('SELECT COUNT(*) AS n FROM group_buying_visitor WHERE group_buying_id = ?', [deal.main]);
      expect(Number(visitors.n)).toBe(0);
    });

    it('records a logged-in visitor once per user and lists them for the admin', async () => {
      const u1 = await loginUser(t, 'oVisitor1', { nickname: '访客一', avatar: 'https://img.example.com/v1.png' });
      const u2 = await loginUser(t, 'oVisitor2', { nickname: '访客二' });
      const before = (await adminGet(deal.a2)).body.visitTimes;
      await t.http.get(`${S}/detail/${deal.a2}`).set('Authori-Zation', `Bearer ${u1.token}`).expect(200);
      await t.http.get(`${S}/detail/${deal.a2}`).set('Authorization', `Bearer ${u1.token}`).expect(200);
      await t.http.get(`${S}/detail/${deal.a2}`).set('Authori-Zation', `Bearer ${u2.token}`).expect(200);
      await flushVisits();
      expect((await adminGet(deal.a2)).body.visitTimes).toBe(before + 3);
      const rows = await t.ds.query('SELECT user_id, visits FROM group_buying_visitor WHERE group_buying_id = ? ORDER BY user_id', [
        deal.a2,
      ]);
      expect(rows).toEqual([
        { user_id: u1.id, visits: 2 },
        { user_id: u2.id, visits: 1 },
      ]);
      const res = await visitorsOf(deal.a2);
      expect(res.status).toBe(200);
      expect(res.body).toEqual([
        { id: u2.id, name: '访客二', openId: 'oVisitor2', profile: '' },
        { id: u1.id, name: '访客一', openId: 'oVisitor1', profile: 'https://img.example.com/v1.png' },
      ]);
    });

    it('a burst of first visits by one user makes one visitor row and counts every visit', async () => {
      const u = await loginUser(t, 'oBurst', { nickname: '并发访客' });
      const before = await t.http.get(`${A}/get?id=${deal.b}`).set('Authorization', `Bearer ${b.token}`);
      expect(before.body.visitTimes).toBe(0);
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => t.http.get(`${S}/detail/${deal.b}`).set('Authori-Zation', `Bearer ${u.token}`)),
      );
      expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
      await flushVisits();
      const rows = await t.ds.query('SELECT user_id, visits FROM group_buying_visitor WHERE group_buying_id = ?', [deal.b]);
      expect(rows).toEqual([{ user_id: u.id, visits: 8 }]);
      const after = await t.http.get(`${A}/get?id=${deal.b}`).set('Authorization', `Bearer ${b.token}`);
      expect(after.body.visitTimes).toBe(8);
    });

    it('an invalid user token is treated as anonymous', async () => {
      const res = await t.http.get(`${S}/detail/${deal.future}`).set('Authori-Zation', 'Bearer not-a-token');
      expect(res.status).toBe(200);
      await flushVisits();
      const [row] = await t.ds.query('SELECT COUNT(*) AS n FROM group_buying_visitor WHERE group_buying_id = ?', [deal.future]);
      expect(Number(row.n)).toBe(0);
      expect((await adminGet(deal.future)).body.visitTimes).toBe(1);
    });

    it('shows a deal that is not on sale (in_use false) but a deleted or unknown one is a 404', async () => {
      const off = await t.http.get(`${S}/detail/${deal.disabled}`);
      expect(off.status).toBe(200);
      expect(off.body.data.in_use).toBe(false);
      const gone = await t.http.get(`${S}/detail/${deal.deleted}`);
      expect(gone.status).toBe(404);
      expect(gone.body).toEqual({ status: 404, msg: expect.any(String) });
      await flushVisits();
      const [row] = await t.ds.query('SELECT visit_times FROM group_buying WHERE id = ?', [deal.deleted]);
      expect(row.visit_times).toBe(0);
      expect((await t.http.get(`${S}/detail/99999999`)).status).toBe(404);
      const bad = await t.http.get(`${S}/detail/abc`);
      expect(bad.status).toBe(400);
      expect(bad.body.msg).toContain('id');
    });

    it('50 concurrent views then a flush: visit_times +50 exactly, one visitor row per user with its count', async () => {
      const id = (await makeDeal(t, a.tenantId, shopA2, { ...win, name: '并发浏览' })).id;
      const users = await Promise.all([0, 1, 2, 3, 4].map((i) => loginUser(t, `oMany${i}`)));
      // five users six times each, twenty anonymous
      const tokens: Array<string | undefined> = [
        ...users.flatMap((u) => Array<string>(6).fill(u.token)),
        ...Array<undefined>(20).fill(undefined),
      ];
      const answers = await Promise.all(
        tokens.map((tk) => (tk ? t.http.get(`${S}/detail/${id}`).set('Authori-Zation', `Bearer ${tk}`) : t.http.get(`${S}/detail/${id}`))),
      );
      expect(answers.map((r) => r.status)).toEqual(Array(50).fill(200));
      await flushVisits();
      const visitTimes = async () => (await t.ds.query('SELECT visit_times FROM group_buying WHERE id = ?', [id]))[0].visit_times;
      const visitors = () =>
        t.ds.query('SELECT user_id, visits FROM group_buying_visitor WHERE group_buying_id = ? ORDER BY user_id', [id]);
      expect(await visitTimes()).toBe(50);
      const byUser = [...users].sort((x, y) => x.id - y.id);
      expect(await visitors()).toEqual(byUser.map((u) => ({ user_id: u.id, visits: 6 })));
      // the next batch adds to the rows (the upsert's update side); a flush with nothing counted writes nothing
      await Promise.all([0, 1, 2].map(() => t.http.get(`${S}/detail/${id}`).set('Authori-Zation', `Bearer ${byUser[0].token}`)));
      await flushVisits();
      await flushVisits();
      expect(await visitTimes()).toBe(53);
      expect(await visitors()).toEqual(byUser.map((u, i) => ({ user_id: u.id, visits: i === 0 ? 9 : 6 })));
      expect((await visitorsOf(id)).body[0]).toMatchObject({ id: byUser[0].id });
    });

    it.each(['addVisits', 'addVisitors'] as const)('a flush whose %s fails keeps the counts for the next flush', async (method) => {
      const id = (await makeDeal(t, a.tenantId, shopA2, { ...win, name: `写失败 ${method}` })).id;
      const u = await loginUser(t, `oFail-${method}`);
      await flushVisits();
      const failing = jest.spyOn(t.app.get(DealRepository), method).mockRejectedValueOnce(new Error('lost connection'));
      try {
        for (let i = 0; i < 3; i++) await t.http.get(`${S}/detail/${id}`).set('Authori-Zation', `Bearer ${u.token}`).expect(200);
        // this flush or the module's own timer meets the failure; the counts stay for the next one
        const first = await flushVisits().then(
          () => 'written',
          (e: Error) => e.message,
        );
        expect(['written', 'lost connection']).toContain(first);
        await t.http.get(`${S}/detail/${id}`).expect(200);
        await flushVisits();
        expect(await failing.mock.results[0].value.catch((e: Error) => e.message)).toBe('lost connection');
      } finally {
        failing.mockRestore();
      }
      expect((await t.ds.query('SELECT visit_times FROM group_buying WHERE id = ?', [id]))[0].visit_times).toBe(4);
      expect(await t.ds.query('SELECT user_id, visits FROM group_buying_visitor WHERE group_buying_id = ?', [id])).toEqual([
        { user_id: u.id, visits: 3 },
      ]);
    });

    it('reads a hot deal from the database about once per second, whatever the number of views', async () => {
      const id = (await makeDeal(t, a.tenantId, shopA2, { ...win, name: '热门' })).id;
      const read = jest.spyOn(t.app.get(DealRepository), 'storeView');
      try {
        const answers = await Promise.all(Array.from({ length: 30 }, () => t.http.get(`${S}/detail/${id}`)));
        expect(answers.every((r) => r.status === 200 && r.body.data.name === '热门')).toBe(true);
        // concurrent misses share one read; a second one only if the TTL ran out meanwhile
        expect(read.mock.calls.length).toBeGreaterThanOrEqual(1);
        expect(read.mock.calls.length).toBeLessThanOrEqual(2);
      } finally {
        read.mockRestore();
      }
      await flushVisits();
    });

    it('an admin change shows at once in this instance and within the TTL in another; a deleted deal is a 404 at once', async () => {
      const id = (await makeDeal(t, a.tenantId, shopA2, { ...win, name: '改名前', stock: 5 })).id;
      const other = await secondInstance(t);
      try {
        expect((await t.http.get(`${S}/detail/${id}`)).body.data).toMatchObject({ name: '改名前', stock: 5 });
        expect((await other.http.get(`${S}/detail/${id}`)).body.data).toMatchObject({ name: '改名前', stock: 5 });
        const upd = await t.http
          .post(`${A}/update`)
          .set('Authorization', `Bearer ${a.token}`)
          .send({ id, shopId: shopA2, name: '改名后', productName: '商品', price: 3, stock: 7 });
        expect(upd.status).toBe(200);
        expect((await t.http.get(`${S}/detail/${id}`)).body.data).toMatchObject({ name: '改名后', stock: 7 });
        await new Promise((r) => setTimeout(r, 1100));
        expect((await other.http.get(`${S}/detail/${id}`)).body.data).toMatchObject({ name: '改名后', stock: 7 });
        // the other instance's views are written by its clean stop
        await other.http.get(`${S}/detail/${id}`).expect(200);
      } finally {
        await other.close();
      }
      await flushVisits();
      expect((await t.ds.query('SELECT visit_times FROM group_buying WHERE id = ?', [id]))[0].visit_times).toBe(5);
      await t.http.post(`${A}/delete?id=${id}`).set('Authorization', `Bearer ${a.token}`).expect(200);
      expect((await t.http.get(`${S}/detail/${id}`)).status).toBe(404);
    });

    it('deleted, past, future and disabled deals are never listed', async () => {
      const all = ids(await t.http.get(`${S}/list`).query({ limit: 50 }));
      for (const k of ['deleted', 'past', 'future', 'disabled']) expect(all).not.toContain(deal[k]);
    });
  });

  describe('getgroupbuyingvisitor (admin)', () => {
    it('is empty for a deal nobody logged in opened', async () => {
      const res = await visitorsOf(deal.main);
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
    });

    it("404 for another tenant's or an unknown deal; 400 without groupBuyingId", async () => {
      expect((await visitorsOf(deal.b)).status).toBe(404);
      expect((await visitorsOf(deal.a2, b.token)).status).toBe(404);
      expect((await visitorsOf(424242)).status).toBe(404);
      const missing = await t.http.get(`${A}/getgroupbuyingvisitor`).set('Authorization', `Bearer ${a.token}`);
      expect(missing.status).toBe(400);
      expect(missing.body.message).toContain('groupBuyingId');
    });
  });
});
