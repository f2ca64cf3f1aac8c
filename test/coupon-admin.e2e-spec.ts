import Big from 'big.js';
import { bootApp, TestApp } from './support/app';
import { adminToken, couponBody, loginUser, makeCoupon, makeDeal, newTenant, newTenantWithShop, Tenant } from './support/builders';

const BASE = '/api/marketing/coupon';

describe('Coupon admin API (MariaDB)', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let dealA1: number;
  let dealA2: number;
  let dealB: number;
  let deletedDealA: number;

  const post = (path: string, token: string, body: unknown = {}) =>
    t.http
      .post(`${BASE}/${path}`)
      .set('Authorization', `Bearer ${token}`)
      .send(body as object);
  const get = (path: string, token: string) => t.http.get(`${BASE}/${path}`).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    t = await bootApp('coupon_admin');
    const superToken = await adminToken(t);
    const { shopId: shopA, ...tenantA } = await newTenantWithShop(t, superToken, 'CouponA', 'A 店');
    const { shopId: shopB, ...tenantB } = await newTenantWithShop(t, superToken, 'CouponB', 'B 店');
    a = tenantA;
    b = tenantB;
    dealA1 = (await makeDeal(t, a.tenantId, shopA, { name: 'A 团 1' })).id;
    dealA2 = (await makeDeal(t, a.tenantId, shopA, { name: 'A 团 2' })).id;
    dealB = (await makeDeal(t, b.tenantId, shopB, { name: 'B 团' })).id;
    deletedDealA = (await makeDeal(t, a.tenantId, shopA, { name: 'A 团 已删', deletedAt: new Date() })).id;
  });
  afterAll(() => t.close());

  describe('create and get', () => {
    it('creates a 满减 coupon valid timeDays after receiving and returns its id (HTTP 200)', async () => {
      const res = await post(
        'create',
        a.token,
        couponBody({ name: '满100减10', enough: 100, deduct: 10.5, timeDays: 7, total: 50, getMax: 2 }),
      );
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 200, message: '', data: expect.any(Number) });
      const view = await get(`get?id=${res.body.data}`, a.token);
      expect(view.status).toBe(200);
      expect(view.body).toEqual({
        id: res.body.data,
        tenantId: a.tenantId,
        name: '满100减10',
        couponMethod: 1,
        enough: 100,
        deduct: 10.5,
        discount: 0,
        useType: 0,
        groupBuyingIds: null,
        timeLimit: 0,
        timeDays: 7,
        timeStart: null,
        timeEnd: null,
        total: 50,
        getMax: 2,
        inUse: true,
        receivedCount: 0,
        usedCount: 0,
        createTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
      });
    });

    it('creates a 折扣 coupon with a fixed window from numeric strings (as the seeds send them)', async () => {
      const res = await post(
        'create',
        a.token,
        couponBody({
          name: '全场85折',
          couponMethod: '2',
          enough: '50.00',
          deduct: '0.00',
          discount: '8.5',
          timeLimit: '1',
          timeDays: 0,
          timeStart: '2030-01-01 00:00:00',
          timeEnd: '2030-02-01 12:30:00',
          total: '-1',
          getMax: '-1',
          inUse: 'true',
        }),
      );
      expect(res.status).toBe(200);
      const view = await get(`get?id=${res.body.data}`, a.token);
      expect(view.body).toMatchObject({
        couponMethod: 2,
        enough: 50,
        deduct: 0,
        discount: 8.5,
        timeLimit: 1,
        timeDays: 0,
        timeStart: '2030-01-01 00:00:00',
        timeEnd: '2030-02-01 12:30:00',
        total: -1,
        getMax: -1,
        inUse: true,
      });
      // stored exactly as DECIMAL, in UTC
      const [row] = await t.ds.query('SELECT discount, enough, time_start FROM coupon WHERE id = ?', [res.body.data]);
      expect(String(row.discount)).toBe('8.50');
      expect(String(row.enough)).toBe('50.00');
    });

    it('accepts ISO 8601 dates', async () => {
      const res = await post(
        'create',
        a.token,
        couponBody({ timeLimit: 1, timeStart: '2030-03-01T00:00:00+08:00', timeEnd: '2030-03-02T00:00:00Z' }),
      );
      expect(res.status).toBe(200);
      const view = await get(`get?id=${res.body.data}`, a.token);
      expect(view.body.timeStart).toBe('2030-03-01 00:00:00');
      expect(view.body.timeEnd).toBe('2030-03-02 08:00:00');
    });

    it('ignores server-owned fields and the other method/time rule fields', async () => {
      const res = await post(
        'create',
        a.token,
        couponBody({
          id: 999999,
          tenantId: b.tenantId,
          receivedCount: 99,
          usedCount: 42,
          createTime: '2000-01-01 00:00:00',
          discount: 'junk',
          timeStart: 'junk',
          groupBuyingIds: 'junk',
        }),
      );
      expect(res.status).toBe(200);
      expect(res.body.data).not.toBe(999999);
      const view = await get(`get?id=${res.body.data}`, a.token);
      expect(view.body).toMatchObject({
        tenantId: a.tenantId,
        receivedCount: 0,
        usedCount: 0,
        discount: 0,
        timeStart: null,
        groupBuyingIds: null,
      });
    });

    it('restricts a coupon to own deals (useType 2), deduplicated', async () => {
      const res = await post('create', a.token, couponBody({ useType: 2, groupBuyingIds: [dealA1, String(dealA2), dealA1] }));
      expect(res.status).toBe(200);
      const view = await get(`get?id=${res.body.data}`, a.token);
      expect(view.body.useType).toBe(2);
      expect(view.body.groupBuyingIds).toEqual([dealA1, dealA2]);
    });

    it("404 when groupBuyingIds holds another tenant's deal, a deleted deal or an unknown id", async () => {
      for (const ids of [[dealA1, dealB], [deletedDealA], [987654]]) {
        const res = await post('create', a.token, couponBody({ useType: 2, groupBuyingIds: ids }));
        expect(res.status).toBe(404);
        expect(res.body.status).toBe(404);
        expect(res.body.message).not.toContain('CouponB');
      }
    });

    it('defaults: enough 0, total -1, getMax 1, inUse true, useType 0', async () => {
      const res = await post('create', a.token, { name: '无门槛减5', couponMethod: 1, deduct: 5, timeLimit: 0, timeDays: 1 });
      expect(res.status).toBe(200);
      const view = await get(`get?id=${res.body.data}`, a.token);
      expect(view.body).toMatchObject({ enough: 0, deduct: 5, total: -1, getMax: 1, inUse: true, useType: 0, groupBuyingIds: null });
    });
  });

  describe('validation: 400 naming the field', () => {
    const cases: Array<[string, string, Record<string, unknown>]> = [
      ['name missing', 'name', { name: undefined }],
      ['name empty', 'name', { name: '   ' }],
      ['name too long', 'name', { name: 'x'.repeat(101) }],
      ['couponMethod missing', 'couponMethod', { couponMethod: undefined }],
      ['couponMethod 3', 'couponMethod', { couponMethod: 3 }],
      ['enough negative', 'enough', { enough: -1 }],
      ['enough three decimals', 'enough', { enough: 1.234 }],
      ['enough not a number', 'enough', { enough: 'abc' }],
      ['满减 without deduct', 'deduct', { couponMethod: 1, deduct: undefined }],
      ['满减 deduct 0', 'deduct', { couponMethod: 1, deduct: 0 }],
      ['满减 deduct three decimals', 'deduct', { couponMethod: 1, deduct: '1.001' }],
      ['折扣 without discount', 'discount', { couponMethod: 2, discount: undefined }],
      ['折扣 discount 0', 'discount', { couponMethod: 2, discount: 0 }],
      ['折扣 discount 10', 'discount', { couponMethod: 2, discount: 10 }],
      ['折扣 discount 12', 'discount', { couponMethod: 2, discount: 12 }],
      ['折扣 discount three decimals', 'discount', { couponMethod: 2, discount: 8.555 }],
      ['useType 1', 'useType', { useType: 1 }],
      ['useType 2 without groupBuyingIds', 'groupBuyingIds', { useType: 2, groupBuyingIds: undefined }],
      ['useType 2 with an empty list', 'groupBuyingIds', { useType: 2, groupBuyingIds: [] }],
      ['useType 2 with id 0', 'groupBuyingIds', { useType: 2, groupBuyingIds: [0] }],
      ['useType 2 with a word', 'groupBuyingIds', { useType: 2, groupBuyingIds: ['x'] }],
      ['timeLimit missing', 'timeLimit', { timeLimit: undefined }],
      ['timeLimit 2', 'timeLimit', { timeLimit: 2 }],
      ['timeDays missing', 'timeDays', { timeLimit: 0, timeDays: undefined }],
      ['timeDays 0', 'timeDays', { timeLimit: 0, timeDays: 0 }],
      ['timeDays 3651', 'timeDays', { timeLimit: 0, timeDays: 3651 }],
      ['timeDays 1.5', 'timeDays', { timeLimit: 0, timeDays: 1.5 }],
      ['timeStart missing', 'timeStart', { timeLimit: 1, timeStart: undefined, timeEnd: '2030-01-02 00:00:00' }],
      ['timeEnd missing', 'timeEnd', { timeLimit: 1, timeStart: '2030-01-01 00:00:00', timeEnd: undefined }],
      ['timeEnd not a date', 'timeEnd', { timeLimit: 1, timeStart: '2030-01-01 00:00:00', timeEnd: '2030-13-45 99:00:00' }],
      ['timeStart after timeEnd', 'timeEnd', { timeLimit: 1, timeStart: '2030-01-02 00:00:00', timeEnd: '2030-01-01 00:00:00' }],
      ['timeStart equal to timeEnd', 'timeEnd', { timeLimit: 1, timeStart: '2030-01-01 00:00:00', timeEnd: '2030-01-01 00:00:00' }],
      ['total -2', 'total', { total: -2 }],
      ['total 1.5', 'total', { total: 1.5 }],
      ['getMax 0', 'getMax', { getMax: 0 }],
      ['getMax -2', 'getMax', { getMax: -2 }],
      ['getMax a word', 'getMax', { getMax: 'many' }],
      ['inUse not a boolean', 'inUse', { inUse: 'maybe' }],
    ];

    it.each(cases)('%s → 400 naming %s', async (_label, field, over) => {
      const body = couponBody(over);
      for (const k of Object.keys(over)) if (over[k] === undefined) delete body[k];
      const res = await post('create', a.token, body);
      expect(res.status).toBe(400);
      expect(res.body.status).toBe(400);
      expect(res.body.message).toContain(field);
    });

    it('nothing is written by a refused create', async () => {
      const [{ n }] = await t.ds.query('SELECT COUNT(*) AS n FROM coupon WHERE name = ?', ['x'.repeat(101)]);
      expect(Number(n)).toBe(0);
    });

    it('update without id → 400 naming id; get with a bad id → 400', async () => {
      const res = await post('update', a.token, couponBody());
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('id');
      const g = await get('get?id=abc', a.token);
      expect(g.status).toBe(400);
      expect(g.body.message).toContain('id');
    });
  });

  describe('update', () => {
    it('replaces the terms; switching method and time rule clears the other fields', async () => {
      const { id } = await makeCoupon(t, a.tenantId, { name: '旧', couponMethod: 1, deduct: new Big('10') });
      const res = await post('update', a.token, {
        id: String(id),
        name: '新 9 折',
        couponMethod: 2,
        enough: 30,
        deduct: 10,
        discount: 9,
        useType: 2,
        groupBuyingIds: [dealA2],
        timeLimit: 1,
        timeStart: '2030-05-01 00:00:00',
        timeEnd: '2030-06-01 00:00:00',
        total: 20,
        getMax: 3,
        inUse: false,
        receivedCount: 1000,
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 200, message: '' });
      const view = await get(`get?id=${id}`, a.token);
      expect(view.body).toMatchObject({
        id,
        name: '新 9 折',
        couponMethod: 2,
        enough: 30,
        deduct: 0,
        discount: 9,
        useType: 2,
        groupBuyingIds: [dealA2],
        timeLimit: 1,
        timeDays: 0,
        timeStart: '2030-05-01 00:00:00',
        timeEnd: '2030-06-01 00:00:00',
        total: 20,
        getMax: 3,
        inUse: false,
        receivedCount: 0,
      });
    });

    it('validates like create (400) and checks deals (404)', async () => {
      const { id } = await makeCoupon(t, a.tenantId);
      const bad = await post('update', a.token, couponBody({ id, couponMethod: 2, discount: 10 }));
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('discount');
      const foreign = await post('update', a.token, couponBody({ id, useType: 2, groupBuyingIds: [dealB] }));
      expect(foreign.status).toBe(404);
      const view = await get(`get?id=${id}`, a.token);
      expect(view.body.useType).toBe(0);
    });

    it('409 when total would drop below receivedCount; equal or unlimited is fine', async () => {
      const { id } = await makeCoupon(t, a.tenantId, { total: 10 });
      await t.ds.query('UPDATE coupon SET received_count = 5 WHERE id = ?', [id]);
      const low = await post('update', a.token, couponBody({ id, total: 4 }));
      expect(low.status).toBe(409);
      expect(low.body.status).toBe(409);
      expect(low.body.message).toMatch(/receivedCount/);
      expect((await get(`get?id=${id}`, a.token)).body.total).toBe(10);
      expect((await post('update', a.token, couponBody({ id, total: 5 }))).status).toBe(200);
      expect((await post('update', a.token, couponBody({ id, total: -1 }))).status).toBe(200);
      const view = await get(`get?id=${id}`, a.token);
      expect(view.body).toMatchObject({ total: -1, receivedCount: 5 });
    });
  });

  describe('list, paging and sums', () => {
    let c: Tenant;
    const ids: number[] = [];

    beforeAll(async () => {
      c = await newTenant(t, await adminToken(t), 'CouponPaging');
      for (let i = 1; i <= 5; i++) ids.push((await makeCoupon(t, c.tenantId, { name: i % 2 ? `春节券 ${i}` : `日常券 ${i}` })).id);
      await t.ds.query('UPDATE coupon SET received_count = id % 7 + 1, used_count = id % 3 WHERE tenant_id = ?', [c.tenantId]);
    });

    it('pages newest first with pageIndex/pageSize and sums over the whole set', async () => {
      const res = await get('getlist?pageIndex=2&pageSize=2', c.token);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ pageIndex: 2, pageSize: 2, totalCount: 5 });
      expect(res.body.data.map((x: { id: number }) => x.id)).toEqual([ids[2], ids[1]]);
      const rows = await t.ds.query('SELECT SUM(received_count) AS r, SUM(used_count) AS u FROM coupon WHERE tenant_id = ?', [c.tenantId]);
      expect(res.body.sumData).toEqual({ receivedCount: Number(rows[0].r), usedCount: Number(rows[0].u) });
      expect(res.body.data[0]).toMatchObject({ name: expect.any(String), couponMethod: 1, enough: 100, deduct: 10 });
    });

    it('defaults to page 1 of 20 and serves a pageSize above 100 as 100', async () => {
      const d = await get('getlist', c.token);
      expect(d.body).toMatchObject({ pageIndex: 1, pageSize: 20, totalCount: 5 });
      expect(d.body.data).toHaveLength(5);
      const big = await get('getlist?pageSize=1000', c.token);
      expect(big.body.pageSize).toBe(100);
      const bad = await get('getlist?pageIndex=0', c.token);
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('pageIndex');
    });

    it('filters by keyword on the name, sums following the filter', async () => {
      const res = await get(`getlist?keyword=${encodeURIComponent('春节')}`, c.token);
      expect(res.body.totalCount).toBe(3);
      expect(res.body.data.every((x: { name: string }) => x.name.startsWith('春节券'))).toBe(true);
      const [row] = await t.ds.query("SELECT SUM(received_count) AS r FROM coupon WHERE tenant_id = ? AND name LIKE '春节%'", [c.tenantId]);
      expect(res.body.sumData.receivedCount).toBe(Number(row.r));
      const none = await get(`getlist?keyword=${encodeURIComponent('%')}`, c.token);
      expect(none.body.totalCount).toBe(0);
      expect(none.body.sumData).toEqual({ receivedCount: 0, usedCount: 0 });
    });
  });

  describe('soft delete', () => {
    it('gone from get, list, update and delete; the row stays', async () => {
      const { id } = await makeCoupon(t, b.tenantId, { name: '待删除' });
      const del = await t.http.post(`${BASE}/delete?id=${id}`).set('Authorization', `Bearer ${b.token}`);
      expect(del.status).toBe(200);
      expect(del.body).toEqual({ status: 200, message: '' });
      expect((await get(`get?id=${id}`, b.token)).status).toBe(404);
      const list = await get('getlist?pageSize=100', b.token);
      expect(list.body.data.map((x: { id: number }) => x.id)).not.toContain(id);
      expect((await post('update', b.token, couponBody({ id }))).status).toBe(404);
      expect((await t.http.post(`${BASE}/delete?id=${id}`).set('Authorization', `Bearer ${b.token}`)).status).toBe(404);
      const [row] = await t.ds.query('SELECT deleted_at FROM coupon WHERE id = ?', [id]);
      expect(row.deleted_at).not.toBeNull();
    });

    it('400 without an id', async () => {
      const res = await t.http.post(`${BASE}/delete`).set('Authorization', `Bearer ${b.token}`);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('id');
    });
  });

  describe('tenant isolation', () => {
    it("another tenant's coupon is a 404 for get, update and delete, and absent from its list", async () => {
      const { id } = await makeCoupon(t, a.tenantId, { name: 'A 专属' });
      const g = await get(`get?id=${id}`, b.token);
      expect(g.status).toBe(404);
      expect(g.body.status).toBe(404);
      expect((await post('update', b.token, couponBody({ id, name: 'stolen' }))).status).toBe(404);
      expect((await t.http.post(`${BASE}/delete?id=${id}`).set('Authorization', `Bearer ${b.token}`)).status).toBe(404);
      const list = await get('getlist?pageSize=100', b.token);
      expect(list.body.data.map((x: { id: number }) => x.id)).not.toContain(id);
      const [row] = await t.ds.query('SELECT name, deleted_at FROM coupon WHERE id = ?', [id]);
      expect(row).toEqual({ name: 'A 专属', deleted_at: null });
    });

    it('401 without a token, 403 with a storefront token', async () => {
      expect((await t.http.get(`${BASE}/getlist`)).status).toBe(401);
      const user = (await loginUser(t, 'oCouponAdmin')).token;
      const res = await t.http.post(`${BASE}/create`).set('Authorization', `Bearer ${user}`).send(couponBody());
      expect(res.status).toBe(403);
    });
  });

  describe('Swagger', () => {
    it('documents every admin coupon route with its schema', async () => {
      const res = await t.http.get('/docs-json');
      const paths = res.body.paths;
      for (const [path, method] of [
        ['create', 'post'],
        ['update', 'post'],
        ['delete', 'post'],
        ['get', 'get'],
        ['getlist', 'get'],
      ]) {
        const op = paths[`${BASE}/${path}`]?.[method];
        expect(op).toBeDefined();
        expect(op.summary).toBeTruthy();
        expect(op.responses['200']).toBeDefined();
      }
      const schemas = res.body.components.schemas;
      expect(schemas.CreateCouponDto.properties.name.description).toBe('优惠券名');
      expect(schemas.CreateCouponDto.properties.enough.description).toContain('金额限制');
      expect(schemas.CouponView.properties.deduct.description).toContain('优惠金额');
      expect(schemas.CouponView.properties.discount.description).toContain('优惠折扣');
      expect(schemas.CouponPage.properties.sumData).toBeDefined();
    });
  });
});
