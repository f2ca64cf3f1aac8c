import Big from 'big.js';
import { CouponService } from '../src/coupon/coupon.service';
import { DomainError } from '../src/common/errors';
import { bootApp, Instance, secondInstance, TestApp } from './support/app';
import {
  adminToken,
  couponBody,
  DAY,
  fromNow,
  loginUser,
  makeCoupon,
  makeDeal,
  newTenant,
  newTenantWithShop,
  shanghai,
  shanghaiDate,
  Tenant,
  User,
} from './support/builders';

const STORE = '/api/group/coupon';
const ADMIN = '/api/marketing/coupon';

describe('Coupon storefront API and checkout service (MariaDB)', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let dealA: number;
  let svc: CouponService;

  const storeGet = (path: string, token: string) => t.http.get(`${STORE}/${path}`).set('Authori-Zation', `Bearer ${token}`);
  const receive = (token: string, couponId: number | string, http = t.http) =>
    http.post(`${STORE}/receive`).set('Authori-Zation', `Bearer ${token}`).send({ coupon_id: couponId });
  const adminGet = async (id: number, token = a.token) =>
    (await t.http.get(`${ADMIN}/get?id=${id}`).set('Authorization', `Bearer ${token}`)).body as Record<string, unknown>;

  beforeAll(async () => {
    t = await bootApp('coupon_store', { LOGIN_RATE_LIMIT_PER_MINUTE: '10000' });
    const superToken = await adminToken(t);
    const { shopId, ...tenantA } = await newTenantWithShop(t, superToken, 'StoreCouponA');
    a = tenantA;
    b = await newTenant(t, superToken, 'StoreCouponB');
    dealA = (await makeDeal(t, a.tenantId, shopId)).id;
    svc = t.app.get(CouponService);
  });
  afterAll(() => t.close());

  describe('GET list (receivable coupons)', () => {
    let open: number, fixed: number, off: number, deleted: number, exhausted: number, ended: number, other: number;
    let u: User;

    beforeAll(async () => {
      u = await loginUser(t, 'oList');
      open = (await makeCoupon(t, a.tenantId, { name: '满100减10', enough: new Big('100'), deduct: new Big('10'), getMax: 2 })).id;
      fixed = (
        await makeCoupon(t, a.tenantId, {
          name: '9.5折',
          couponMethod: 2,
          discount: new Big('9.5'),
          enough: new Big('0'),
          timeLimit: 1,
          timeStart: fromNow(DAY),
          timeEnd: fromNow(10 * DAY),
        })
      ).id;
      off = (await makeCoupon(t, a.tenantId, { name: '停用', inUse: false })).id;
      deleted = (await makeCoupon(t, a.tenantId, { name: '已删' })).id;
      await t.http.post(`${ADMIN}/delete?id=${deleted}`).set('Authorization', `Bearer ${a.token}`);
      exhausted = (await makeCoupon(t, a.tenantId, { name: '领完', total: 0 })).id;
      ended = (
        await makeCoupon(t, a.tenantId, {
          name: '已结束',
          timeLimit: 1,
          timeStart: shanghaiDate('2020-01-01 00:00:00'),
          timeEnd: shanghaiDate('2020-02-01 00:00:00'),
        })
      ).id;
      other = (await makeCoupon(t, b.tenantId, { name: 'B 券' })).id;
    });

    it('lists in-use, not deleted, not exhausted, not ended coupons of the tenant with storefront money strings', async () => {
      const res = await storeGet(`list?tenant_id=${a.tenantId}`, u.token);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 200, msg: 'ok', data: { total: 2, page: 1, limit: 10 } });
      const ids = res.body.data.list.map((c: { id: number }) => c.id);
      expect(ids).toEqual([fixed, open]);
      for (const hidden of [off, deleted, exhausted, ended, other]) expect(ids).not.toContain(hidden);
      const item = res.body.data.list.find((c: { id: number }) => c.id === open);
      expect(item).toEqual({
        id: open,
        tenant_id: a.tenantId,
        name: '满100减10',
        coupon_method: 1,
        enough: '100.00',
        deduct: '10.00',
        discount: '0.00',
        use_type: 0,
        group_buying_ids: null,
        time_limit: 0,
        time_days: 30,
        time_start: null,
        time_end: null,
        total: -1,
        get_max: 2,
        received_count: 0,
        received: 0,
        can_receive: true,
      });
      const f = res.body.data.list.find((c: { id: number }) => c.id === fixed);
      expect(f).toMatchObject({
        coupon_method: 2,
        discount: '9.50',
        enough: '0.00',
        time_limit: 1,
        time_start: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
      });
    });

    it('without tenant_id lists every tenant', async () => {
      const res = await storeGet('list?limit=50', u.token);
      const ids = res.body.data.list.map((c: { id: number }) => c.id);
      expect(ids).toEqual(expect.arrayContaining([open, fixed, other]));
    });

    it('pages with page/limit (limit above 50 is served as 50)', async () => {
      const p2 = await storeGet(`list?tenant_id=${a.tenantId}&page=2&limit=1`, u.token);
      expect(p2.body.data).toMatchObject({ total: 2, page: 2, limit: 1 });
      expect(p2.body.data.list.map((c: { id: number }) => c.id)).toEqual([open]);
      const big = await storeGet(`list?tenant_id=${a.tenantId}&limit=500`, u.token);
      expect(big.body.data.limit).toBe(50);
      const bad = await storeGet('list?page=0', u.token);
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ status: 400, msg: expect.stringContaining('page') });
    });

    it("shows the caller's received count and whether it can receive more", async () => {
      expect((await receive(u.token, open)).status).toBe(200);
      let item = (await storeGet(`list?tenant_id=${a.tenantId}`, u.token)).body.data.list.find((c: { id: number }) => c.id === open);
      expect(item).toMatchObject({ received: 1, received_count: 1, can_receive: true });
      expect((await receive(u.token, open)).status).toBe(200);
      item = (await storeGet(`list?tenant_id=${a.tenantId}`, u.token)).body.data.list.find((c: { id: number }) => c.id === open);
      expect(item).toMatchObject({ received: 2, received_count: 2, can_receive: false });
      const someoneElse = await loginUser(t, 'oList2');
      item = (await storeGet(`list?tenant_id=${a.tenantId}`, someoneElse.token)).body.data.list.find((c: { id: number }) => c.id === open);
      expect(item).toMatchObject({ received: 0, can_receive: true });
    });

    it('an exhausted coupon leaves the list', async () => {
      const { id } = await makeCoupon(t, b.tenantId, { name: '仅 1 张', total: 1 });
      const u2 = await loginUser(t, 'oList3');
      expect((await storeGet(`list?tenant_id=${b.tenantId}`, u2.token)).body.data.list.map((c: { id: number }) => c.id)).toContain(id);
      expect((await receive(u2.token, id)).status).toBe(200);
      expect((await storeGet(`list?tenant_id=${b.tenantId}`, u2.token)).body.data.list.map((c: { id: number }) => c.id)).not.toContain(id);
    });

    it('401 without a token, 403 with an admin token', async () => {
      expect((await t.http.get(`${STORE}/list`)).status).toBe(401);
      const res = await t.http.get(`${STORE}/list`).set('Authorization', `Bearer ${a.token}`);
      expect(res.status).toBe(403);
      expect(res.body.msg).toBeDefined();
    });
  });

  describe('POST receive', () => {
    let u: User;

    beforeAll(async () => {
      u = await loginUser(t, 'oReceive');
    });

    it('hands out a member coupon valid timeDays from receipt (coupon_id as a string)', async () => {
      const { id } = await makeCoupon(t, a.tenantId, { name: '7 天券', enough: new Big('99.9'), deduct: new Big('5.5'), timeDays: 7 });
      const res = await receive(u.token, String(id));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        status: 200,
        msg: 'ok',
        data: {
          id: expect.any(Number),
          coupon_id: id,
          tenant_id: a.tenantId,
          name: '7 天券',
          used: false,
          use_time: null,
          get_time: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
          expired_at: expect.any(String),
          time_start: expect.any(String),
          time_end: expect.any(String),
          valid: true,
          coupon_method: 1,
          enough: '99.90',
          deduct: '5.50',
          discount: '0.00',
          use_type: 0,
          group_buying_ids: null,
        },
      });
      const d = res.body.data;
      expect(d.time_start).toBe(d.get_time);
      expect(d.expired_at).toBe(d.time_end);
      const [row] = await t.ds.query(
        'SELECT TIMESTAMPDIFF(SECOND, time_start, time_end) AS s, user_id, tenant_id, used FROM member_coupon WHERE id = ?',
        [d.id],
      );
      expect(Number(row.s)).toBe(7 * 86400);
      expect(row.user_id).toBe(u.id);
      expect((await adminGet(id)).receivedCount).toBe(1);
    });

    it('copies a fixed window (timeLimit 1); a form-encoded body works; not yet started → valid false', async () => {
      const start = fromNow(DAY);
      const end = fromNow(5 * DAY);
      const { id } = await makeCoupon(t, a.tenantId, {
        name: '下周 8 折',
        couponMethod: 2,
        discount: new Big('8'),
        timeLimit: 1,
        timeStart: start,
        timeEnd: end,
      });
      const res = await t.http.post(`${STORE}/receive`).set('Authori-Zation', `Bearer ${u.token}`).type('form').send(`coupon_id=${id}`);
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        time_start: shanghai(start),
        time_end: shanghai(end),
        expired_at: shanghai(end),
        valid: false,
        coupon_method: 2,
        discount: '8.00',
      });
    });

    it('409 1001 over the per-user limit', async () => {
      const { id } = await makeCoupon(t, a.tenantId, { getMax: 1 });
      expect((await receive(u.token, id)).status).toBe(200);
      const again = await receive(u.token, id);
      expect(again.status).toBe(409);
      expect(again.body).toEqual({ status: 1001, msg: expect.stringContaining('无法购买') });
      expect((await adminGet(id)).receivedCount).toBe(1);
    });

    it('409 1001 when exhausted or when its window has ended', async () => {
      const none = (await makeCoupon(t, a.tenantId, { total: 0 })).id;
      const r1 = await receive(u.token, none);
      expect(r1.status).toBe(409);
      expect(r1.body.status).toBe(1001);
      const ended = (
        await makeCoupon(t, a.tenantId, {
          timeLimit: 1,
          timeStart: shanghaiDate('2020-01-01 00:00:00'),
          timeEnd: shanghaiDate('2020-01-02 00:00:00'),
        })
      ).id;
      const r2 = await receive(u.token, ended);
      expect(r2.status).toBe(409);
      expect(r2.body.status).toBe(1001);
    });

    it('404 for an unknown, deleted or switched-off coupon', async () => {
      const del = (await makeCoupon(t, a.tenantId)).id;
      await t.http.post(`${ADMIN}/delete?id=${del}`).set('Authorization', `Bearer ${a.token}`);
      const off = (await makeCoupon(t, a.tenantId, { inUse: false })).id;
      for (const id of [98765432, del, off]) {
        const res = await receive(u.token, id);
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ status: 404, msg: expect.any(String) });
      }
    });

    it('400 naming coupon_id when missing or not an id', async () => {
      for (const body of [{}, { coupon_id: 'abc' }, { coupon_id: 0 }, { coupon_id: 1.5 }]) {
        const res = await t.http.post(`${STORE}/receive`).set('Authori-Zation', `Bearer ${u.token}`).send(body);
        expect(res.status).toBe(400);
        expect(res.body.msg).toContain('coupon_id');
      }
    });
  });

  describe('GET mine', () => {
    let u: User;
    let usable: number, used: number, expired: number, orphaned: number, future: number;

    beforeAll(async () => {
      u = await loginUser(t, 'oMine');
      const ids = {
        usable: (await makeCoupon(t, a.tenantId, { name: '可用' })).id,
        used: (await makeCoupon(t, a.tenantId, { name: '已用' })).id,
        expired: (await makeCoupon(t, a.tenantId, { name: '过期' })).id,
        orphaned: (await makeCoupon(t, a.tenantId, { name: '模板已删' })).id,
        future: (await makeCoupon(t, a.tenantId, { name: '未开始', timeLimit: 1, timeStart: fromNow(DAY), timeEnd: fromNow(2 * DAY) })).id,
      };
      usable = (await receive(u.token, ids.usable)).body.data.id;
      used = (await receive(u.token, ids.used)).body.data.id;
      expired = (await receive(u.token, ids.expired)).body.data.id;
      orphaned = (await receive(u.token, ids.orphaned)).body.data.id;
      future = (await receive(u.token, ids.future)).body.data.id;
      await t.ds.transaction((em) => svc.useInTx(em, used, u.id, a.tenantId, 'tg1000000001', new Date()));
      await t.ds.query('UPDATE member_coupon SET time_start = ?, time_end = ? WHERE id = ?', [
        new Date(Date.now() - 10 * DAY),
        new Date(Date.now() - DAY),
        expired,
      ]);
      await t.http.post(`${ADMIN}/delete?id=${ids.orphaned}`).set('Authorization', `Bearer ${a.token}`);
    });

    const mine = async (query = '') => {
      const res = await storeGet(`mine${query}`, u.token);
      expect(res.status).toBe(200);
      return res.body.data as { list: Array<Record<string, unknown>>; total: number; page: number; limit: number };
    };

    it('lists all of the caller’s member coupons, newest first', async () => {
      const d = await mine();
      expect(d).toMatchObject({ total: 5, page: 1, limit: 10 });
      expect(d.list.map((m) => m.id)).toEqual([future, orphaned, expired, used, usable]);
      const byId = new Map(d.list.map((m) => [m.id, m]));
      expect(byId.get(usable)).toMatchObject({ used: false, valid: true, name: '可用' });
      expect(byId.get(used)).toMatchObject({ used: true, valid: false, use_time: expect.stringMatching(/^\d{4}-/) });
      expect(byId.get(expired)).toMatchObject({ used: false, valid: false });
      expect(byId.get(orphaned)).toMatchObject({ used: false, valid: false, name: '模板已删' });
      expect(byId.get(future)).toMatchObject({ used: false, valid: false });
    });

    it('filters by status usable | used | expired', async () => {
      expect((await mine('?status=usable')).list.map((m) => m.id)).toEqual([future, usable]);
      expect((await mine('?status=used')).list.map((m) => m.id)).toEqual([used]);
      expect((await mine('?status=expired')).list.map((m) => m.id)).toEqual([expired]);
      expect((await mine(`?status=usable&tenant_id=${b.tenantId}`)).total).toBe(0);
    });

    it('pages, and 400 on an unknown status', async () => {
      const p = await mine('?page=2&limit=2');
      expect(p).toMatchObject({ total: 5, page: 2, limit: 2 });
      expect(p.list.map((m) => m.id)).toEqual([expired, used]);
      const bad = await storeGet('mine?status=all', u.token);
      expect(bad.status).toBe(400);
      expect(bad.body.msg).toContain('status');
    });

    it("never shows another user's coupons", async () => {
      const other = await loginUser(t, 'oMineOther');
      const res = await storeGet('mine', other.token);
      expect(res.body.data).toMatchObject({ list: [], total: 0 });
    });
  });

  describe('concurrency, across two app instances', () => {
    let second: Instance;

    beforeAll(async () => {
      second = await secondInstance(t, { LOGIN_RATE_LIMIT_PER_MINUTE: '10000' });
    });
    afterAll(() => second.close());

    it('30 users at once on a coupon with total 10: exactly 10 receive it', async () => {
      const { id } = await makeCoupon(t, a.tenantId, { name: '限量 10 张', total: 10, getMax: 1 });
      const users = await Promise.all(Array.from({ length: 30 }, (_, i) => loginUser(t, `oRush${i}`)));
      const results = await Promise.all(users.map((u, i) => receive(u.token, id, i % 2 ? second.http : t.http)));
      const ok = results.filter((r) => r.status === 200);
      const refused = results.filter((r) => r.status === 409);
      expect(ok).toHaveLength(10);
      expect(refused).toHaveLength(20);
      refused.forEach((r) => expect(r.body.status).toBe(1001));
      expect((await adminGet(id)).receivedCount).toBe(10);
      const [row] = await t.ds.query('SELECT COUNT(*) AS n, COUNT(DISTINCT user_id) AS users FROM member_coupon WHERE coupon_id = ?', [id]);
      expect(Number(row.n)).toBe(10);
      expect(Number(row.users)).toBe(10);
    });

    it('one user 10 times at once on a coupon with getMax 2: exactly 2', async () => {
      const { id } = await makeCoupon(t, a.tenantId, { name: '每人 2 张', total: -1, getMax: 2 });
      const u = await loginUser(t, 'oGreedy');
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => receive(u.token, id, i % 2 ? second.http : t.http)));
      expect(results.filter((r) => r.status === 200)).toHaveLength(2);
      expect(results.filter((r) => r.status === 409 && r.body.status === 1001)).toHaveLength(8);
      const [row] = await t.ds.query('SELECT COUNT(*) AS n FROM member_coupon WHERE coupon_id = ? AND user_id = ?', [id, u.id]);
      expect(Number(row.n)).toBe(2);
      expect((await adminGet(id)).receivedCount).toBe(2);
    });

    it('10 users × 3 tries at once, total 5 and getMax 2: 5 handed out, nobody above 2', async () => {
      const { id } = await makeCoupon(t, a.tenantId, { name: '混合', total: 5, getMax: 2 });
      const users = await Promise.all(Array.from({ length: 10 }, (_, i) => loginUser(t, `oMix${i}`)));
      const tries = users.flatMap((u) => [u, u, u]);
      const results = await Promise.all(tries.map((u, i) => receive(u.token, id, i % 2 ? second.http : t.http)));
      expect(results.filter((r) => r.status === 200)).toHaveLength(5);
      expect(results.every((r) => r.status === 200 || (r.status === 409 && r.body.status === 1001))).toBe(true);
      const rows: Array<{ n: number | string }> = await t.ds.query(
        'SELECT COUNT(*) AS n FROM member_coupon WHERE coupon_id = ? GROUP BY user_id',
        [id],
      );
      expect(rows.reduce((s, r) => s + Number(r.n), 0)).toBe(5);
      expect(Math.max(...rows.map((r) => Number(r.n)))).toBeLessThanOrEqual(2);
      expect((await adminGet(id)).receivedCount).toBe(5);
    });
  });

  describe('CouponService for the checkout', () => {
    let u: User;
    let stranger: User;
    let deductId: number;
    let discountId: number;
    let mcDeduct: number;
    let mcDiscount: number;
    let mcB: number;

    beforeAll(async () => {
      u = await loginUser(t, 'oCheckout');
      stranger = await loginUser(t, 'oStranger');
      deductId = (await makeCoupon(t, a.tenantId, { name: '满50减8', enough: new Big('50'), deduct: new Big('8'), getMax: -1 })).id;
      discountId = (
        await makeCoupon(t, a.tenantId, {
          name: '指定团 88 折',
          couponMethod: 2,
          discount: new Big('8.8'),
          enough: new Big('0'),
          useType: 2,
          groupBuyingIds: [dealA],
        })
      ).id;
      const bCoupon = (await makeCoupon(t, b.tenantId, { name: 'B 券' })).id;
      mcDeduct = (await receive(u.token, deductId)).body.data.id;
      mcDiscount = (await receive(u.token, discountId)).body.data.id;
      mcB = (await receive(u.token, bCoupon)).body.data.id;
    });

    it('loadTermsForUser: unused, unexpired coupons of the tenant (or all tenants) as exact terms', async () => {
      const now = new Date();
      const terms = await svc.loadTermsForUser(u.id, a.tenantId, now);
      expect(terms.map((x) => x.memberCouponId).sort()).toEqual([mcDeduct, mcDiscount].sort());
      const d = terms.find((x) => x.memberCouponId === mcDeduct)!;
      expect(d).toMatchObject({
        couponId: deductId,
        tenantId: a.tenantId,
        userId: u.id,
        name: '满50减8',
        couponMethod: 1,
        useType: 0,
        groupBuyingIds: null,
        used: false,
        usable: true,
      });
      expect(d.enough).toBeInstanceOf(Big);
      expect(d.enough.toFixed(2)).toBe('50.00');
      expect(d.deduct.toFixed(2)).toBe('8.00');
      expect(d.timeStart).toBeInstanceOf(Date);
      expect(d.timeEnd.getTime() - d.timeStart.getTime()).toBe(30 * DAY);
      const k = terms.find((x) => x.memberCouponId === mcDiscount)!;
      expect(k).toMatchObject({ couponMethod: 2, useType: 2, groupBuyingIds: [dealA] });
      expect(k.discount.toFixed(2)).toBe('8.80');
      const all = await svc.loadTermsForUser(u.id, null, now);
      expect(all.map((x) => x.memberCouponId)).toEqual(expect.arrayContaining([mcDeduct, mcDiscount, mcB]));
      expect(await svc.loadTermsForUser(u.id, a.tenantId, new Date(Date.now() + 31 * DAY))).toEqual([]);
      expect(await svc.loadTermsForUser(stranger.id, null, now)).toEqual([]);
    });

    it("loadTerms: the user's member coupon, or null when unknown or another user's", async () => {
      const terms = await svc.loadTerms(mcDeduct, u.id);
      expect(terms).toMatchObject({ memberCouponId: mcDeduct, couponId: deductId, used: false, usable: true });
      expect(await svc.loadTerms(mcDeduct, stranger.id)).toBeNull();
      expect(await svc.loadTerms(99999999, u.id)).toBeNull();
    });

    it('useInTx: 20 checkouts at once on one member coupon, exactly one wins', async () => {
      const now = new Date();
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          t.ds.transaction((em) => svc.useInTx(em, mcDeduct, u.id, a.tenantId, `tg20000000${String(i).padStart(2, '0')}`, now)),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(19);
      lost.forEach((r) => {
        expect(r.reason).toBeInstanceOf(DomainError);
        expect((r.reason as DomainError).status).toBe(1001);
        expect((r.reason as DomainError).http).toBe(409);
      });
      expect((await adminGet(deductId)).usedCount).toBe(1);
      const [row] = await t.ds.query('SELECT used, pay_no, use_time FROM member_coupon WHERE id = ?', [mcDeduct]);
      expect(Number(row.used)).toBe(1);
      expect(row.pay_no).toMatch(/^tg20000000\d{2}$/);
      expect(row.use_time).not.toBeNull();
      expect(await svc.loadTerms(mcDeduct, u.id)).toMatchObject({ used: true });
      expect((await svc.loadTermsForUser(u.id, a.tenantId, new Date())).map((x) => x.memberCouponId)).not.toContain(mcDeduct);
    });

    it('returnInTx: gives the coupon back once, however often it is called', async () => {
      const [row] = await t.ds.query('SELECT pay_no FROM member_coupon WHERE id = ?', [mcDeduct]);
      const first = await t.ds.transaction((em) => svc.returnInTx(em, row.pay_no));
      const second = await t.ds.transaction((em) => svc.returnInTx(em, row.pay_no));
      expect(first).toBe(1);
      expect(second).toBe(0);
      expect((await adminGet(deductId)).usedCount).toBe(0);
      const [after] = await t.ds.query('SELECT used, pay_no, use_time FROM member_coupon WHERE id = ?', [mcDeduct]);
      expect(after).toEqual({ used: 0, pay_no: null, use_time: null });
      expect(await svc.loadTerms(mcDeduct, u.id)).toMatchObject({ used: false, usable: true });
      // usable again by a later checkout
      await t.ds.transaction((em) => svc.useInTx(em, mcDeduct, u.id, a.tenantId, 'tg3000000001', new Date()));
      expect((await adminGet(deductId)).usedCount).toBe(1);
    });

    it('returnInTx from several transactions at once returns it exactly once', async () => {
      const counts = await Promise.all(Array.from({ length: 6 }, () => t.ds.transaction((em) => svc.returnInTx(em, 'tg3000000001'))));
      expect(counts.reduce((s, n) => s + n, 0)).toBe(1);
      expect((await adminGet(deductId)).usedCount).toBe(0);
      expect(await t.ds.transaction((em) => svc.returnInTx(em, 'tg9999999999'))).toBe(0);
    });

    it("useInTx refuses another user's, another tenant's, and a not-yet-started coupon (1001)", async () => {
      const now = new Date();
      const attempt = (mc: number, user: number, tenant: number) =>
        t.ds.transaction((em) => svc.useInTx(em, mc, user, tenant, 'tg4000000001', now));
      await expect(attempt(mcDeduct, stranger.id, a.tenantId)).rejects.toMatchObject({ status: 1001, http: 409 });
      await expect(attempt(mcB, u.id, a.tenantId)).rejects.toMatchObject({ status: 1001 });
      await expect(attempt(99999999, u.id, a.tenantId)).rejects.toMatchObject({ status: 1001 });
      const laterId = (await makeCoupon(t, a.tenantId, { timeLimit: 1, timeStart: fromNow(DAY), timeEnd: fromNow(2 * DAY) })).id;
      const later = (await receive(u.token, laterId)).body.data.id;
      await expect(attempt(later, u.id, a.tenantId)).rejects.toMatchObject({ status: 1001 });
      const [row] = await t.ds.query('SELECT COUNT(*) AS n FROM member_coupon WHERE pay_no = ?', ['tg4000000001']);
      expect(Number(row.n)).toBe(0);
    });

    it('useInTx refuses a coupon whose template is switched off or deleted, leaving it unused', async () => {
      const body = couponBody({
        id: discountId,
        name: '指定团 88 折',
        couponMethod: 2,
        discount: 8.8,
        enough: 0,
        useType: 2,
        groupBuyingIds: [dealA],
        inUse: false,
      });
      expect((await t.http.post(`${ADMIN}/update`).set('Authorization', `Bearer ${a.token}`).send(body)).status).toBe(200);
      expect(await svc.loadTerms(mcDiscount, u.id)).toMatchObject({ usable: false });
      // even when the caller keeps its transaction going after the refusal, nothing stays marked
      await t.ds.transaction(async (em) => {
        await expect(svc.useInTx(em, mcDiscount, u.id, a.tenantId, 'tg5000000001', new Date())).rejects.toMatchObject({ status: 1001 });
      });
      const [row] = await t.ds.query('SELECT used, pay_no FROM member_coupon WHERE id = ?', [mcDiscount]);
      expect(row).toEqual({ used: 0, pay_no: null });
      expect((await adminGet(discountId)).usedCount).toBe(0);
      const mine = await storeGet('mine?status=usable', u.token);
      expect(mine.body.data.list.map((m: { id: number }) => m.id)).not.toContain(mcDiscount);
    });
  });

  describe('Swagger', () => {
    it('documents every storefront coupon route', async () => {
      const res = await t.http.get('/docs-json');
      for (const [path, method] of [
        ['list', 'get'],
        ['receive', 'post'],
        ['mine', 'get'],
      ]) {
        const op = res.body.paths[`${STORE}/${path}`]?.[method];
        expect(op).toBeDefined();
        expect(op.summary).toBeTruthy();
        expect(op.responses['200']).toBeDefined();
      }
      const schemas = res.body.components.schemas;
      expect(schemas.MemberCouponView.properties.get_time.description).toBe('领取时间');
      expect(schemas.StoreCouponView.properties.enough.description).toBe('金额限制');
      expect(schemas.ReceiveCouponDto.properties.coupon_id).toBeDefined();
    });
  });
});

describe('Coupons on the embedded SQLite default', () => {
  let t: TestApp;
  let svc: CouponService;

  beforeAll(async () => {
    t = await bootApp('coupon_sqlite', { LOGIN_RATE_LIMIT_PER_MINUTE: '10000' }, { sqlite: true });
    svc = t.app.get(CouponService);
  });
  afterAll(() => t.close());

  it('receives the demo coupons within their limits, also at once, and uses/returns one', async () => {
    const u = await loginUser(t, 'oSqliteCoupon');
    const list = await t.http.get(`${STORE}/list`).set('Authori-Zation', `Bearer ${u.token}`);
    expect(list.status).toBe(200);
    const byName = new Map<string, { id: number; tenant_id: number }>(
      list.body.data.list.map((c: { name: string; id: number; tenant_id: number }) => [c.name, c]),
    );
    const once = byName.get('满100减10')!;
    const twice = byName.get('全场9折')!;
    expect(once && twice).toBeTruthy();
    const first = await t.http.post(`${STORE}/receive`).set('Authori-Zation', `Bearer ${u.token}`).send({ coupon_id: once.id });
    expect(first.status).toBe(200);
    const again = await t.http.post(`${STORE}/receive`).set('Authori-Zation', `Bearer ${u.token}`).send({ coupon_id: once.id });
    expect(again.status).toBe(409);
    expect(again.body.status).toBe(1001);
    const burst = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.http.post(`${STORE}/receive`).set('Authori-Zation', `Bearer ${u.token}`).send({ coupon_id: twice.id }),
      ),
    );
    expect(burst.filter((r) => r.status === 200)).toHaveLength(2);
    expect(burst.filter((r) => r.status === 409)).toHaveLength(3);

    const mc = first.body.data.id as number;
    await t.ds.transaction((em) => svc.useInTx(em, mc, u.id, once.tenant_id, 'tg6000000001', new Date()));
    await expect(t.ds.transaction((em) => svc.useInTx(em, mc, u.id, once.tenant_id, 'tg6000000002', new Date()))).rejects.toMatchObject({
      status: 1001,
    });
    const used = await t.http.get(`${STORE}/mine?status=used`).set('Authori-Zation', `Bearer ${u.token}`);
    expect(used.body.data.list.map((m: { id: number }) => m.id)).toEqual([mc]);
    expect(await t.ds.transaction((em) => svc.returnInTx(em, 'tg6000000001'))).toBe(1);
    expect(await t.ds.transaction((em) => svc.returnInTx(em, 'tg6000000001'))).toBe(0);
    const [row] = await t.ds.query('SELECT received_count, used_count FROM coupon WHERE id = ?', [once.id]);
    expect(row).toEqual({ received_count: 1, used_count: 0 });
    const terms = await svc.loadTermsForUser(u.id, once.tenant_id, new Date());
    expect(terms.map((x) => x.memberCouponId)).toContain(mc);
    const mine = terms.find((x) => x.memberCouponId === mc)!;
    expect(mine).toMatchObject({
      couponId: once.id,
      userId: u.id,
      name: '满100减10',
      couponMethod: 1,
      useType: 0,
      used: false,
      usable: true,
    });
    expect([mine.enough.toFixed(2), mine.deduct.toFixed(2)]).toEqual(['100.00', '10.00']);
    expect(mine.timeEnd.getTime()).toBeGreaterThan(Date.now());
    expect(mine.timeStart.getTime()).toBeLessThanOrEqual(Date.now());
  });
});
