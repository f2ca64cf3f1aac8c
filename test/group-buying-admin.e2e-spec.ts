import Big from 'big.js';
import { DealCountersService } from '../src/order/deal-counters.service';
import { bootApp, TestApp } from './support/app';
import { adminToken, loginUser, makeDeal, newShop, newTenant, shanghaiDate, Tenant } from './support/builders';
import { OrderRollupRepository } from '../src/order/order-rollup.repository';

const P = '/api/marketing/groupbuying';
const DATE_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** Seed 001's create example, as the admin UI sends it (orders, orderUsers, counters and names included), with real values. */
function seedBody(shopId: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  const order = {
    shopId: 1,
    shopName: '',
    groupBuyingId: 3,
    groupBuyingName: '',
    code: '',
    sequence: 6,
    status: 0,
    statusName: '',
    userId: 8,
    userOpenId: '',
    userName: '',
    userProfile: '',
    deliverType: 1,
    deliverTypeName: '',
    address: '',
    lbs: '',
    phone: '',
    remark: '',
    productName: '',
    spec: '',
    qty: 19,
    money: 20.0,
    payTime: '2026-01-15 10:11:41',
    deliverCode: '',
    createTime: '2026-01-15 10:11:41',
    id: 24,
  };
  return {
    shopId,
    shopName: '别人的门店',
    name: '赣南脐橙 5 斤装',
    description: '当季现摘',
    startTime: '2026-01-15 10:11:41',
    endTime: '2026-02-15 10:11:41',
    deliverType: 1,
    address: '广州市白云区',
    lbs: '113.26,23.13',
    phone: '020-12345678',
    inUse: true,
    productId: 11,
    productName: '赣南脐橙',
    productCode: 'FRUIT-001',
    imagePath: '/images/orange.jpg',
    price: 15.0,
    spec: '5斤/箱',
    stock: 17,
    payedCount: 18,
    orderCount: 19,
    visitTimes: 20,
    userId: 21,
    userName: 'someone-else',
    createTime: '2020-01-15 10:11:41',
    orders: [order, order],
    orderUsers: [
      { openId: '', name: '', profile: '', id: 4 },
      { openId: '', name: '', profile: '', id: 4 },
    ],
    id: 24,
    ...over,
  };
}

let orderSeq = 0;

describe('GroupBuying admin (MariaDB)', () => {
  let t: TestApp;
  let superToken: string;
  let a: Tenant;
  let b: Tenant;
  let shopA: number;
  let shopA2: number;
  let shopB: number;
  let adminAId: number;

  const post = (token: string, path: string, body: unknown = {}) =>
    t.http
      .post(`${P}/${path}`)
      .set('Authorization', `Bearer ${token}`)
      .send(body as object);
  const get = (token: string, path: string, query: Record<string, unknown> = {}) =>
    t.http.get(`${P}/${path}`).set('Authorization', `Bearer ${token}`).query(query);

  const adminIdOf = async (username: string) =>
    Number((await t.ds.query('SELECT id FROM admin_user WHERE username = ?', [username]))[0].id);

  /** Orders are written directly: checkout is another module's job. Times are UTC. */
  async function insertOrder(o: {
    tenantId: number;
    shopId: number;
    dealId: number;
    userId: number;
    status: number;
    qty: number;
    money: string;
    deliverType?: number;
    phone?: string;
    productName?: string;
    createTime?: string;
    payTime?: string | null;
    sequence?: number | null;
    code?: string;
  }): Promise<{ id: number; code: string }> {
    orderSeq += 1;
    const code = o.code ?? `tg${Date.now()}${String(orderSeq).padStart(4, '0')}`;
    const createTime = o.createTime ?? '2025-06-01 02:00:00';
    const r = await t.ds.query(
      `INSERT INTO group_buying_order (code, pay_no, checkout_id, tenant_id, shop_id, group_buying_id, user_id, status, deliver_type, price, qty,
        goods_money, coupon_money, deliver_fee, money, sequence, deliver_code, pay_time, expire_time, address, lbs, phone, remark, product_name, spec,
        create_time, update_time)
       VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, '10.00', ?, ?, '0.00', '0.00', ?, ?, NULL, ?, ?, '广州', '', ?, '备注', ?, '5斤/箱', ?, ?)`,
      [
        code,
        `pay${code}`,
        o.tenantId,
        o.shopId,
        o.dealId,
        o.userId,
        o.status,
        o.deliverType ?? 1,
        o.qty,
        o.money,
        o.money,
        o.sequence ?? null,
        o.payTime === undefined ? null : o.payTime,
        createTime,
        o.phone ?? '13800000000',
        o.productName ?? '赣南脐橙',
        createTime,
        createTime,
      ],
    );
    // written around the order module: the rollup of the admin lists' totals is rebuilt from the orders
    await t.app.get(OrderRollupRepository).rebuild();
    return { id: Number(r.insertId), code };
  }

  async function dealRow(id: number) {
    const [row] = await t.ds.query('SELECT * FROM group_buying WHERE id = ?', [id]);
    return row;
  }

  beforeAll(async () => {
    t = await bootApp('gb_admin');
    superToken = await adminToken(t);
    a = await newTenant(t, superToken, 'TenantA');
    b = await newTenant(t, superToken, 'TenantB');
    shopA = await newShop(t, a.token, 'A 店');
    shopA2 = await newShop(t, a.token, 'A 二店');
    shopB = await newShop(t, b.token, 'B 店');
    adminAId = await adminIdOf('tenanta_admin');
  });
  afterAll(() => t.close());

  describe('OpenAPI', () => {
    it.each([
      ['get', 'get'],
      ['get', 'getlist'],
      ['get', 'getorder'],
      ['get', 'getorderlistbygroupbuying'],
      ['get', 'getorderlist'],
      ['get', 'getdelivertypelist'],
      ['get', 'getorderstatuslist'],
      ['get', 'getgroupbuyingvisitor'],
      ['post', 'create'],
      ['post', 'update'],
      ['post', 'delete'],
      ['post', 'changeusing'],
    ])('documents %s %s with a summary and a response schema', async (method, route) => {
      const res = await t.http.get('/docs-json');
      const op = res.body.paths[`${P}/${route}`]?.[method];
      expect(op).toBeDefined();
      expect(op.summary).toMatch(/[\u4e00-\u9fa5]/);
      expect(op.responses['200'].content['application/json'].schema).toBeDefined();
    });

    it('documents the deal view with its fields and the create body', async () => {
      const res = await t.http.get('/docs-json');
      const schemas = res.body.components.schemas;
      expect(Object.keys(schemas.DealDetailView.properties)).toEqual(
        expect.arrayContaining([
          'shopName',
          'payedCount',
          'visitTimes',
          'orders',
          'orderUsers',
          'limitPerUser',
          'deliverFee',
          'teamSize',
          'teamHours',
          'virtualTeam',
        ]),
      );
      expect(schemas.DealView.properties.visitTimes.description).toBe('访问次数');
      expect(schemas.CreateDealDto.required).toEqual(
        expect.arrayContaining(['shopId', 'name', 'productName', 'price', 'startTime', 'endTime']),
      );
    });
  });

  describe('create and get', () => {
    it('accepts seed 001 example body as-is: ignores orders, orderUsers, counters and names', async () => {
      const res = await post(a.token, 'create', seedBody(shopA));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ data: expect.any(Number), status: 200, message: '' });
      const id = res.body.data;
      expect(id).not.toBe(24);

      const got = await get(a.token, 'get', { id });
      expect(got.status).toBe(200);
      expect(got.body).toEqual({
        id,
        shopId: shopA,
        shopName: 'A 店',
        name: '赣南脐橙 5 斤装',
        description: '当季现摘',
        startTime: '2026-01-15 10:11:41',
        endTime: '2026-02-15 10:11:41',
        deliverType: 1,
        address: '广州市白云区',
        lbs: '113.26,23.13',
        phone: '020-12345678',
        inUse: true,
        productId: 11,
        productName: '赣南脐橙',
        productCode: 'FRUIT-001',
        imagePath: '/images/orange.jpg',
        price: 15,
        spec: '5斤/箱',
        stock: 17,
        payedCount: 0,
        orderCount: 0,
        visitTimes: 0,
        userId: adminAId,
        userName: 'tenanta_admin',
        createTime: expect.stringMatching(DATE_RE),
        limitPerUser: 0,
        deliverFee: 0,
        teamSize: 0,
        teamHours: 24,
        virtualTeam: false,
        preSale: false,
        deposit: null,
        depositValue: null,
        tailEndTime: null,
        orders: [],
        orderUsers: [],
      });
      expect(got.body.createTime).not.toBe('2020-01-15 10:11:41');
      const row = await dealRow(id);
      expect(row.tenant_id).toBe(a.tenantId);
      expect(row.price).toBe('15.00');
      expect(await t.ds.query('SELECT id FROM group_buying_order')).toEqual([]);
    });

    it('accepts numeric strings and our own fields', async () => {
      const res = await post(
        a.token,
        'create',
        seedBody(shopA, {
          shopId: String(shopA),
          price: '29.90',
          stock: '5',
          deliverType: '2',
          inUse: 'false',
          productId: '12',
          limitPerUser: '3',
          deliverFee: '8.5',
          teamSize: '3',
          teamHours: '48',
          virtualTeam: 'true',
          phone: '+86 138-0000-0000',
        }),
      );
      expect(res.status).toBe(200);
      const id = res.body.data as number;
      const got = await get(a.token, 'get', { id: String(id) });
      expect(got.body).toMatchObject({
        shopId: shopA,
        price: 29.9,
        stock: 5,
        deliverType: 2,
        inUse: false,
        productId: 12,
        limitPerUser: 3,
        deliverFee: 8.5,
        teamSize: 3,
        teamHours: 48,
        virtualTeam: true,
        phone: '+86 138-0000-0000',
      });
      const row = await dealRow(id);
      expect(row.price).toBe('29.90');
      expect(row.deliver_fee).toBe('8.50');
    });

    it('applies defaults for a minimal body', async () => {
      const res = await post(a.token, 'create', {
        shopId: shopA,
        name: '最少字段',
        productName: '商品',
        price: 1,
        startTime: '2026-01-01',
        endTime: '2026-01-02T12:00:00+08:00',
      });
      expect(res.status).toBe(200);
      const got = await get(a.token, 'get', { id: res.body.data });
      expect(got.body).toMatchObject({
        description: '',
        deliverType: 1,
        address: '',
        lbs: '',
        phone: '',
        inUse: true,
        productId: null,
        productCode: '',
        imagePath: '',
        spec: '',
        stock: 0,
        limitPerUser: 0,
        deliverFee: 0,
        teamSize: 0,
        teamHours: 24,
        virtualTeam: false,
        startTime: '2026-01-01 00:00:00',
        endTime: '2026-01-02 12:00:00',
      });
    });

    it("404 when the shop is another tenant's or unknown", async () => {
      const res = await post(a.token, 'create', seedBody(shopB));
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ status: 404, message: expect.any(String) });
      const unknown = await post(a.token, 'create', seedBody(999999));
      expect(unknown.status).toBe(404);
      const [row] = await t.ds.query('SELECT COUNT(*) AS n FROM group_buying WHERE shop_id = ?', [shopB]);
      expect(Number(row.n)).toBe(0);
    });

    it('get: 404 for an unknown id, 400 for a non-integer id', async () => {
      expect((await get(a.token, 'get', { id: 999999 })).status).toBe(404);
      const bad = await get(a.token, 'get', { id: 'abc' });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('id');
    });

    it('refuses a storefront token and no token', async () => {
      const user = await loginUser(t, 'oAdminRoute');
      expect((await get(user.token, 'getlist')).status).toBe(403);
      expect((await t.http.get(`${P}/getlist`)).status).toBe(401);
    });
  });

  describe('validation (400 naming the field)', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['missing name', { name: undefined }, 'name'],
      ['empty name', { name: '  ' }, 'name'],
      ['missing productName', { productName: undefined }, 'productName'],
      ['empty productName (seed default "")', { productName: '' }, 'productName'],
      ['price 0', { price: 0 }, 'price'],
      ['price -1', { price: -1 }, 'price'],
      ['price 1.234', { price: 1.234 }, 'price'],
      ['price "1.234"', { price: '1.234' }, 'price'],
      ['price missing', { price: undefined }, 'price'],
      ['stock -1', { stock: -1 }, 'stock'],
      ['stock 1.5', { stock: 1.5 }, 'stock'],
      ['stock "abc"', { stock: 'abc' }, 'stock'],
      ['startTime = endTime', { startTime: '2026-01-15 10:11:41', endTime: '2026-01-15 10:11:41' }, 'endTime'],
      ['startTime > endTime', { startTime: '2026-03-01 00:00:00', endTime: '2026-02-01 00:00:00' }, 'endTime'],
      ['missing startTime', { startTime: undefined }, 'startTime'],
      ['missing endTime', { endTime: undefined }, 'endTime'],
      ['bad date', { startTime: '2026-13-45 10:00:00' }, 'startTime'],
      ['not a date', { endTime: 'tomorrow' }, 'endTime'],
      ['deliverType 3', { deliverType: 3 }, 'deliverType'],
      ['teamHours 0', { teamHours: 0 }, 'teamHours'],
      ['teamHours 721', { teamHours: 721 }, 'teamHours'],
      ['teamSize 1', { teamSize: 1 }, 'teamSize'],
      ['teamSize 101', { teamSize: 101 }, 'teamSize'],
      ['limitPerUser -1', { limitPerUser: -1 }, 'limitPerUser'],
      ['deliverFee -1', { deliverFee: -1 }, 'deliverFee'],
      ['deliverFee 0.001', { deliverFee: 0.001 }, 'deliverFee'],
      ['bad phone', { phone: 'call me' }, 'phone'],
      ['phone too short', { phone: '1234' }, 'phone'],
      ['inUse not a bool', { inUse: 'maybe' }, 'inUse'],
      ['shopId missing', { shopId: undefined }, 'shopId'],
    ];

    it.each(cases)('%s', async (_label, over, field) => {
      const res = await post(a.token, 'create', seedBody(shopA, over));
      expect(res.status).toBe(400);
      expect(res.body.status).toBe(400);
      expect(res.body.message).toMatch(new RegExp(`^参数错误 ${field}: `));
    });

    it('the seed example with its placeholder values ("" names, equal times) is a 400, not a 500', async () => {
      const res = await post(a.token, 'create', seedBody(shopA, { name: '', productName: '' }));
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('name');
    });

    it('empty phone is fine', async () => {
      const res = await post(a.token, 'create', seedBody(shopA, { phone: '' }));
      expect(res.status).toBe(200);
    });

    it('nothing was stored by the refused requests', async () => {
      const [row] = await t.ds.query('SELECT COUNT(*) AS n FROM group_buying WHERE tenant_id = ? AND name = ?', [a.tenantId, '']);
      expect(Number(row.n)).toBe(0);
    });
  });

  describe('update, changeusing, delete', () => {
    let id: number;
    beforeAll(async () => {
      id = (await makeDeal(t, a.tenantId, shopA, { name: '待修改', userId: adminAId, userName: 'tenanta_admin' })).id;
      await t.ds.query('UPDATE group_buying SET payed_count = 7, order_count = 3, visit_times = 11 WHERE id = ?', [id]);
    });

    it('update replaces the deal but never the counters or the creator', async () => {
      const res = await post(
        a.token,
        'update',
        seedBody(shopA2, {
          id,
          name: '已修改',
          productName: '新商品',
          price: '20.5',
          stock: 9,
          deliverType: 2,
          teamSize: 2,
          teamHours: 12,
          startTime: '2026-01-10 08:00:00',
          endTime: '2026-03-10 20:00:00',
          payedCount: 999,
          orderCount: 999,
          visitTimes: 999,
          userId: 1,
          userName: 'hacker',
        }),
      );
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 200, message: '' });
      const got = await get(a.token, 'get', { id });
      expect(got.body).toMatchObject({
        id,
        shopId: shopA2,
        shopName: 'A 二店',
        name: '已修改',
        productName: '新商品',
        price: 20.5,
        stock: 9,
        deliverType: 2,
        teamSize: 2,
        teamHours: 12,
        startTime: '2026-01-10 08:00:00',
        endTime: '2026-03-10 20:00:00',
        payedCount: 7,
        orderCount: 3,
        visitTimes: 11,
        userId: adminAId,
        userName: 'tenanta_admin',
      });
    });

    it('update keeps stored values for left-out optional fields, and checks the window against them', async () => {
      const res = await post(a.token, 'update', { id, shopId: shopA2, name: '再改', productName: '新商品', price: 20.5 });
      expect(res.status).toBe(200);
      const got = await get(a.token, 'get', { id });
      expect(got.body).toMatchObject({
        name: '再改',
        stock: 9,
        deliverType: 2,
        startTime: '2026-01-10 08:00:00',
        endTime: '2026-03-10 20:00:00',
      });
      const bad = await post(a.token, 'update', {
        id,
        shopId: shopA2,
        name: '再改',
        productName: '新商品',
        price: 20.5,
        endTime: '2026-01-01 00:00:00',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('endTime');
    });

    it('update validates like create', async () => {
      const res = await post(a.token, 'update', seedBody(shopA, { id, price: 0 }));
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('price');
      const noId = await post(a.token, 'update', seedBody(shopA, { id: undefined }));
      expect(noId.status).toBe(400);
      expect(noId.body.message).toContain('id');
    });

    it("update to another tenant's shop is a 404", async () => {
      const res = await post(a.token, 'update', seedBody(shopB, { id }));
      expect(res.status).toBe(404);
      expect((await dealRow(id)).shop_id).toBe(shopA2);
    });

    it('changeusing toggles inUse and moves the window', async () => {
      const off = await post(a.token, 'changeusing', { id, inUse: false });
      expect(off.body).toEqual({ status: 200, message: '' });
      expect((await get(a.token, 'get', { id })).body.inUse).toBe(false);
      const on = await post(a.token, 'changeusing', {
        id: String(id),
        inUse: 'true',
        startTime: '2026-02-01 00:00:00',
        endTime: '2026-04-01 00:00:00',
      });
      expect(on.status).toBe(200);
      expect((await get(a.token, 'get', { id })).body).toMatchObject({
        inUse: true,
        startTime: '2026-02-01 00:00:00',
        endTime: '2026-04-01 00:00:00',
      });
    });

    it('changeusing checks startTime < endTime using the stored value for the missing one', async () => {
      const a1 = await post(a.token, 'changeusing', { id, inUse: true, startTime: '2026-04-01 00:00:00' });
      expect(a1.status).toBe(400);
      expect(a1.body.message).toContain('endTime');
      const a2 = await post(a.token, 'changeusing', { id, inUse: true, endTime: '2026-01-01 00:00:00' });
      expect(a2.status).toBe(400);
      const a3 = await post(a.token, 'changeusing', { id, inUse: true, startTime: '2026-03-01', endTime: '2026-02-01' });
      expect(a3.status).toBe(400);
      const missing = await post(a.token, 'changeusing', { id });
      expect(missing.status).toBe(400);
      expect(missing.body.message).toContain('inUse');
      const bad = await post(a.token, 'changeusing', { id, inUse: true, startTime: 'soon' });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('startTime');
      expect((await get(a.token, 'get', { id })).body).toMatchObject({ startTime: '2026-02-01 00:00:00', endTime: '2026-04-01 00:00:00' });
      expect((await post(a.token, 'changeusing', { id: 999999, inUse: true })).status).toBe(404);
    });

    it('delete is soft: gone from get and getlist, orders stay readable', async () => {
      const victim = (await makeDeal(t, a.tenantId, shopA, { name: '将删除' })).id;
      const u = (await loginUser(t, 'oDeleted', { nickname: '删前买家' })).id;
      const order = await insertOrder({
        tenantId: a.tenantId,
        shopId: shopA,
        dealId: victim,
        userId: u,
        status: 1,
        qty: 1,
        money: '15.00',
        payTime: '2025-06-01 02:00:00',
        sequence: 1,
      });
      const res = await t.http.post(`${P}/delete?id=${victim}`).set('Authorization', `Bearer ${a.token}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 200, message: '' });
      expect((await get(a.token, 'get', { id: victim })).status).toBe(404);
      const list = await get(a.token, 'getlist', { keyword: '将删除' });
      expect(list.body.totalCount).toBe(0);
      expect((await dealRow(victim)).deleted_at).not.toBeNull();
      expect((await post(a.token, 'update', seedBody(shopA, { id: victim }))).status).toBe(404);
      expect((await post(a.token, 'changeusing', { id: victim, inUse: true })).status).toBe(404);
      expect((await t.http.post(`${P}/delete?id=${victim}`).set('Authorization', `Bearer ${a.token}`)).status).toBe(404);
      const o = await get(a.token, 'getorder', { id: order.id });
      expect(o.status).toBe(200);
      expect(o.body).toMatchObject({ groupBuyingId: victim, groupBuyingName: '将删除' });
      const byDeal = await get(a.token, 'getorderlistbygroupbuying', { groupBuyingId: victim });
      expect(byDeal.body.totalCount).toBe(1);
      const byName = await get(a.token, 'getorderlist', { name: '将删除' });
      expect(byName.body.data.map((x: { id: number }) => x.id)).toEqual([order.id]);
    });

    it('delete without id is a 400', async () => {
      const res = await t.http.post(`${P}/delete`).set('Authorization', `Bearer ${a.token}`);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('id');
    });
  });

  describe('cross-tenant isolation', () => {
    let id: number;
    beforeAll(async () => {
      id = (await makeDeal(t, a.tenantId, shopA, { name: 'A 的团购' })).id;
    });

    it("tenant B can't read, change or delete A's deal (404) and A's row is unchanged", async () => {
      const before = await dealRow(id);
      expect((await get(b.token, 'get', { id })).status).toBe(404);
      const upd = await post(b.token, 'update', seedBody(shopB, { id, name: 'stolen' }));
      expect(upd.status).toBe(404);
      expect(upd.body.status).toBe(404);
      expect((await post(b.token, 'changeusing', { id, inUse: false })).status).toBe(404);
      expect((await t.http.post(`${P}/delete?id=${id}`).set('Authorization', `Bearer ${b.token}`)).status).toBe(404);
      expect((await get(b.token, 'getgroupbuyingvisitor', { groupBuyingId: id })).status).toBe(404);
      expect((await get(b.token, 'getorderlistbygroupbuying', { groupBuyingId: id })).status).toBe(404);
      const after = await dealRow(id);
      expect(after).toEqual(before);
      expect(after.deleted_at).toBeNull();
    });

    it("B's list does not show A's deals; the 404 message is the same as for an unknown id", async () => {
      const list = await get(b.token, 'getlist');
      expect(list.body.data.find((d: { id: number }) => d.id === id)).toBeUndefined();
      const other = await get(b.token, 'get', { id });
      const unknown = await get(b.token, 'get', { id: 987654 });
      expect(other.body).toEqual(unknown.body);
    });

    it("B can't create a deal in A's shop", async () => {
      const res = await post(b.token, 'create', seedBody(shopA, { name: 'B 偷 A 店' }));
      expect(res.status).toBe(404);
      const [row] = await t.ds.query('SELECT COUNT(*) AS n FROM group_buying WHERE name = ?', ['B 偷 A 店']);
      expect(Number(row.n)).toBe(0);
    });
  });

  describe('getlist: paging, sumData, filters', () => {
    let c: Tenant;
    let shopC1: number;
    let shopC2: number;
    const ids: number[] = [];

    beforeAll(async () => {
      c = await newTenant(t, superToken, 'TenantList');
      shopC1 = await newShop(t, c.token, 'C 一店');
      shopC2 = await newShop(t, c.token, 'C 二店');
      const creator = { userId: await adminIdOf('tenantlist_admin'), userName: 'tenantlist_admin' };
      // 25 deals: stock i, in two shops, windows one day each in Jan 2026 (Asia/Shanghai)
      for (let i = 1; i <= 25; i += 1) {
        const day = String(i).padStart(2, '0');
        ids.push(
          (
            await makeDeal(t, c.tenantId, i % 2 ? shopC1 : shopC2, {
              name: i === 7 ? '特价苹果' : `团购${i}`,
              productName: i === 8 ? '山东苹果' : `商品${i}`,
              productCode: i === 9 ? 'APPLE-9' : `CODE-${i}`,
              price: new Big('15'),
              stock: i,
              startTime: shanghaiDate(`2026-01-${day} 08:00:00`),
              endTime: shanghaiDate(`2026-01-${day} 20:00:00`),
              ...creator,
            })
          ).id,
        );
      }
      for (let i = 0; i < ids.length; i += 1) {
        await t.ds.query('UPDATE group_buying SET payed_count = ?, order_count = ?, visit_times = ? WHERE id = ?', [i + 1, 2, 10, ids[i]]);
      }
    });

    it('first page: newest first, 20 items, sums over all 25 deals', async () => {
      const res = await get(c.token, 'getlist');
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['data', 'pageIndex', 'pageSize', 'sumData', 'totalCount']);
      expect(res.body).toMatchObject({ pageIndex: 1, pageSize: 20, totalCount: 25 });
      expect(res.body.data).toHaveLength(20);
      expect(res.body.data.map((d: { id: number }) => d.id)).toEqual([...ids].reverse().slice(0, 20));
      // 1+…+25 = 325
      expect(res.body.sumData).toEqual({ stock: 325, payedCount: 325, orderCount: 50, visitTimes: 250 });
      const first = res.body.data[0];
      expect(first.orders).toBeUndefined();
      expect(first.orderUsers).toBeUndefined();
      expect(first).toMatchObject({
        id: ids[24],
        shopId: shopC1,
        shopName: 'C 一店',
        name: '团购25',
        stock: 25,
        price: 15,
        inUse: true,
        userName: 'tenantlist_admin',
      });
      expect(Object.keys(first).sort()).toEqual(
        [
          'address',
          'createTime',
          'deliverFee',
          'deliverType',
          'deposit',
          'depositValue',
          'description',
          'endTime',
          'id',
          'imagePath',
          'inUse',
          'lbs',
          'limitPerUser',
          'name',
          'orderCount',
          'payedCount',
          'phone',
          'preSale',
          'price',
          'productCode',
          'productId',
          'productName',
          'shopId',
          'shopName',
          'spec',
          'startTime',
          'stock',
          'tailEndTime',
          'teamHours',
          'teamSize',
          'userId',
          'userName',
          'virtualTeam',
          'visitTimes',
        ].sort(),
      );
    });

    it('last partial page and an empty page beyond the end keep totalCount and sumData', async () => {
      const last = await get(c.token, 'getlist', { pageIndex: 2, pageSize: 20 });
      expect(last.body).toMatchObject({ pageIndex: 2, pageSize: 20, totalCount: 25 });
      expect(last.body.data.map((d: { id: number }) => d.id)).toEqual([ids[4], ids[3], ids[2], ids[1], ids[0]]);
      expect(last.body.sumData.stock).toBe(325);
      const beyond = await get(c.token, 'getlist', { pageIndex: 9, pageSize: '10' });
      expect(beyond.status).toBe(200);
      expect(beyond.body).toEqual({
        data: [],
        pageIndex: 9,
        pageSize: 10,
        totalCount: 25,
        sumData: { stock: 325, payedCount: 325, orderCount: 50, visitTimes: 250 },
      });
    });

    it('pageSize above 100 is served as 100; bad paging is a 400', async () => {
      const res = await get(c.token, 'getlist', { pageSize: 500 });
      expect(res.body.pageSize).toBe(100);
      expect(res.body.data).toHaveLength(25);
      const zero = await get(c.token, 'getlist', { pageIndex: 0 });
      expect(zero.status).toBe(400);
      expect(zero.body.message).toContain('pageIndex');
      const neg = await get(c.token, 'getlist', { pageSize: -1 });
      expect(neg.status).toBe(400);
      expect(neg.body.message).toContain('pageSize');
    });

    it('keyword matches name, productName and productCode', async () => {
      const res = await get(c.token, 'getlist', { keyword: '苹果' });
      expect(res.body.data.map((d: { id: number }) => d.id)).toEqual([ids[7], ids[6]]);
      expect(res.body.totalCount).toBe(2);
      expect(res.body.sumData).toEqual({ stock: 15, payedCount: 15, orderCount: 4, visitTimes: 20 });
      const code = await get(c.token, 'getlist', { keyword: 'APPLE' });
      expect(code.body.data.map((d: { id: number }) => d.id)).toEqual([ids[8]]);
      const none = await get(c.token, 'getlist', { keyword: '不存在的' });
      expect(none.body).toMatchObject({ data: [], totalCount: 0, sumData: { stock: 0, payedCount: 0, orderCount: 0, visitTimes: 0 } });
    });

    it('shopId filters, with sums over the filtered set', async () => {
      const res = await get(c.token, 'getlist', { shopId: shopC2, pageSize: 5 });
      // even i: 2+4+…+24 = 156, 12 deals
      expect(res.body).toMatchObject({
        totalCount: 12,
        pageSize: 5,
        sumData: { stock: 156, payedCount: 156, orderCount: 24, visitTimes: 120 },
      });
      expect(res.body.data).toHaveLength(5);
      expect(res.body.data.every((d: { shopId: number }) => d.shopId === shopC2)).toBe(true);
      const foreign = await get(c.token, 'getlist', { shopId: shopA });
      expect(foreign.body.totalCount).toBe(0);
    });

    it('startDate/endDate keep deals whose window overlaps the range', async () => {
      const days = await get(c.token, 'getlist', { startDate: '2026-01-10', endDate: '2026-01-12' });
      expect(days.body.data.map((d: { id: number }) => d.id)).toEqual([ids[11], ids[10], ids[9]]);
      const partial = await get(c.token, 'getlist', { startDate: '2026-01-10 19:00:00', endDate: '2026-01-11 09:00:00' });
      expect(partial.body.data.map((d: { id: number }) => d.id)).toEqual([ids[10], ids[9]]);
      const onlyEnd = await get(c.token, 'getlist', { endDate: '2026-01-02' });
      expect(onlyEnd.body.data.map((d: { id: number }) => d.id)).toEqual([ids[1], ids[0]]);
      const onlyStart = await get(c.token, 'getlist', { startDate: '2026-01-25 20:00:01' });
      expect(onlyStart.body.totalCount).toBe(0);
      const bad = await get(c.token, 'getlist', { startDate: 'yesterday' });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('startDate');
    });
  });

  describe('lookup lists', () => {
    it('getdelivertypelist', async () => {
      const res = await get(a.token, 'getdelivertypelist');
      expect(res.status).toBe(200);
      expect(res.body).toEqual([
        { key: 1, value: '自提' },
        { key: 2, value: '快递' },
      ]);
    });

    it('getorderstatuslist', async () => {
      const res = await get(a.token, 'getorderstatuslist');
      expect(res.body).toEqual([
        { key: 0, value: '未支付' },
        { key: 1, value: '已支付' },
        { key: 2, value: '已退款' },
        { key: 3, value: '已发货' },
        { key: 4, value: '已完成' },
        { key: 5, value: '已过期' },
        { key: 6, value: '已关闭' },
        { key: 7, value: '支付失败' },
        { key: 8, value: '已确认' },
        { key: 9, value: '已付定金' },
      ]);
    });
  });

  describe('orders of a deal', () => {
    let deal: number;
    let deal2: number;
    let dealB: number;
    let u1: number;
    let u2: number;
    let u3: number;
    const o: Record<string, { id: number; code: string }> = {};

    beforeAll(async () => {
      deal = (await makeDeal(t, a.tenantId, shopA, { name: '订单团购', productName: '脐橙' })).id;
      deal2 = (await makeDeal(t, a.tenantId, shopA2, { name: '另一个团购', productName: '大米', deliverType: 2 })).id;
      dealB = (await makeDeal(t, b.tenantId, shopB, { name: 'B 团购' })).id;
      u1 = (await loginUser(t, 'oBuyer1', { nickname: '张三', avatar: 'https://img.example.com/1.png' })).id;
      u2 = (await loginUser(t, 'oBuyer2', { nickname: '李四', avatar: 'https://img.example.com/2.png' })).id;
      u3 = (await loginUser(t, 'oBuyer3', { nickname: '王五' })).id;
      const base = { tenantId: a.tenantId, shopId: shopA, dealId: deal };
      // times are UTC: 02:00Z = 10:00 Asia/Shanghai
      o.paid1 = await insertOrder({
        ...base,
        userId: u1,
        status: 1,
        qty: 2,
        money: '0.10',
        createTime: '2026-01-20 02:00:00',
        payTime: '2026-01-20 02:01:00',
        sequence: 1,
        phone: '13811112222',
      });
      o.unpaid = await insertOrder({ ...base, userId: u2, status: 0, qty: 1, money: '0.20', createTime: '2026-01-21 02:00:00' });
      o.done = await insertOrder({
        ...base,
        userId: u1,
        status: 4,
        qty: 3,
        money: '30.00',
        createTime: '2026-01-22 02:00:00',
        payTime: '2026-01-22 03:00:00',
        sequence: 2,
      });
      o.closed = await insertOrder({ ...base, userId: u3, status: 6, qty: 5, money: '50.00', createTime: '2026-01-23 02:00:00' });
      o.shipped = await insertOrder({
        ...base,
        userId: u2,
        status: 3,
        qty: 1,
        money: '10.05',
        deliverType: 2,
        createTime: '2026-01-24 02:00:00',
        payTime: '2026-01-24 02:30:00',
        sequence: 3,
      });
      o.other = await insertOrder({
        tenantId: a.tenantId,
        shopId: shopA2,
        dealId: deal2,
        userId: u3,
        status: 8,
        qty: 4,
        money: '99.99',
        deliverType: 2,
        productName: '大米',
        createTime: '2026-02-01 02:00:00',
        payTime: '2026-02-01 02:05:00',
        sequence: 1,
      });
      o.b = await insertOrder({
        tenantId: b.tenantId,
        shopId: shopB,
        dealId: dealB,
        userId: u1,
        status: 1,
        qty: 1,
        money: '1.00',
        sequence: 1,
        payTime: '2026-01-20 02:01:00',
      });
    });

    it('getorder returns the seed 001 order shape with names', async () => {
      const res = await get(a.token, 'getorder', { id: o.paid1.id });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: o.paid1.id,
        code: o.paid1.code,
        shopId: shopA,
        shopName: 'A 店',
        groupBuyingId: deal,
        groupBuyingName: '订单团购',
        sequence: 1,
        status: 1,
        statusName: '已支付',
        userId: u1,
        userOpenId: 'oBuyer1',
        userName: '张三',
        userProfile: 'https://img.example.com/1.png',
        deliverType: 1,
        deliverTypeName: '自提',
        address: '广州',
        lbs: '',
        phone: '13811112222',
        remark: '备注',
        productName: '赣南脐橙',
        spec: '5斤/箱',
        qty: 2,
        money: 0.1,
        payTime: '2026-01-20 10:01:00',
        deliverCode: null,
        createTime: '2026-01-20 10:00:00',
        payNo: `pay${o.paid1.code}`,
        goodsMoney: 0.1,
        couponMoney: 0,
        deliverFee: 0,
        trackingNo: null,
        teamId: null,
        refundStatus: 'none',
        deductionMoney: 0,
        invoice: null,
        preSale: null,
      });
    });

    it("getorder: another tenant's order is a 404; bad id 400", async () => {
      expect((await get(a.token, 'getorder', { id: o.b.id })).status).toBe(404);
      expect((await get(b.token, 'getorder', { id: o.paid1.id })).status).toBe(404);
      expect((await get(a.token, 'getorder', { id: 'x' })).status).toBe(400);
    });

    it('get lists the latest orders and the distinct paying buyers', async () => {
      const res = await get(a.token, 'get', { id: deal });
      expect(res.body.orders.map((x: { id: number }) => x.id)).toEqual([o.shipped.id, o.closed.id, o.done.id, o.unpaid.id, o.paid1.id]);
      expect(res.body.orders[0]).toMatchObject({
        groupBuyingName: '订单团购',
        shopName: 'A 店',
        userName: '李四',
        userOpenId: 'oBuyer2',
        money: 10.05,
        statusName: '已发货',
      });
      // u1 paid twice (status 1 and 4), u2 paid once (3), u3 only closed: latest payer first
      expect(res.body.orderUsers).toEqual([
        { id: u2, name: '李四', openId: 'oBuyer2', profile: 'https://img.example.com/2.png' },
        { id: u1, name: '张三', openId: 'oBuyer1', profile: 'https://img.example.com/1.png' },
      ]);
    });

    it('getorderlistbygroupbuying: page, sums over the filtered set, filters', async () => {
      const all = await get(a.token, 'getorderlistbygroupbuying', { groupBuyingId: deal, pageSize: 2 });
      expect(all.status).toBe(200);
      expect(all.body).toMatchObject({ pageIndex: 1, pageSize: 2, totalCount: 5, sumData: { qty: 12, money: 90.35 } });
      expect(all.body.data.map((x: { id: number }) => x.id)).toEqual([o.shipped.id, o.closed.id]);
      const p3 = await get(a.token, 'getorderlistbygroupbuying', { groupBuyingId: deal, pageSize: 2, pageIndex: 3 });
      expect(p3.body.data.map((x: { id: number }) => x.id)).toEqual([o.paid1.id]);

      const status = await get(a.token, 'getorderlistbygroupbuying', { groupBuyingId: deal, status: '1' });
      expect(status.body.data.map((x: { id: number }) => x.id)).toEqual([o.paid1.id]);
      expect(status.body.sumData).toEqual({ qty: 2, money: 0.1 });
      const express = await get(a.token, 'getorderlistbygroupbuying', { groupBuyingId: deal, deliverType: 2 });
      expect(express.body.data.map((x: { id: number }) => x.id)).toEqual([o.shipped.id]);
      const byUser = await get(a.token, 'getorderlistbygroupbuying', { groupBuyingId: deal, keyword: '张三' });
      expect(byUser.body.data.map((x: { id: number }) => x.id)).toEqual([o.done.id, o.paid1.id]);
      expect(byUser.body.sumData).toEqual({ qty: 5, money: 30.1 });
      const byPhone = await get(a.token, 'getorderlistbygroupbuying', { groupBuyingId: deal, keyword: '1381111' });
      expect(byPhone.body.data.map((x: { id: number }) => x.id)).toEqual([o.paid1.id]);
      const byCode = await get(a.token, 'getorderlistbygroupbuying', { groupBuyingId: deal, keyword: o.closed.code });
      expect(byCode.body.data.map((x: { id: number }) => x.id)).toEqual([o.closed.id]);
      const byProduct = await get(a.token, 'getorderlistbygroupbuying', { groupBuyingId: deal, keyword: '脐橙' });
      expect(byProduct.body.totalCount).toBe(5);
      const empty = await get(a.token, 'getorderlistbygroupbuying', { groupBuyingId: deal, keyword: 'nothing' });
      expect(empty.body).toEqual({ data: [], pageIndex: 1, pageSize: 20, totalCount: 0, sumData: { qty: 0, money: 0 } });
    });

    it('getorderlistbygroupbuying: groupBuyingId is required; bad filters are 400', async () => {
      const res = await get(a.token, 'getorderlistbygroupbuying');
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('groupBuyingId');
      const dt = await get(a.token, 'getorderlistbygroupbuying', { groupBuyingId: deal, deliverType: 5 });
      expect(dt.status).toBe(400);
      expect(dt.body.message).toContain('deliverType');
      expect((await get(a.token, 'getorderlistbygroupbuying', { groupBuyingId: dealB })).status).toBe(404);
    });

    it("getorderlist: the tenant's orders only, newest first, sums", async () => {
      const res = await get(a.token, 'getorderlist', { startDate: '2026-01-19', endDate: '2026-02-28' });
      expect(res.status).toBe(200);
      expect(res.body.data.map((x: { id: number }) => x.id)).toEqual([
        o.other.id,
        o.shipped.id,
        o.closed.id,
        o.done.id,
        o.unpaid.id,
        o.paid1.id,
      ]);
      expect(res.body.sumData).toEqual({ qty: 16, money: 190.34 });
      expect(res.body.data[0]).toMatchObject({
        shopName: 'A 二店',
        groupBuyingName: '另一个团购',
        userName: '王五',
        statusName: '已确认',
        deliverTypeName: '快递',
        money: 99.99,
      });
      const b1 = await get(b.token, 'getorderlist');
      expect(b1.body.data.map((x: { id: number }) => x.id)).toEqual([o.b.id]);
    });

    it('getorderlist: filters by date, name, shopId, status, deliverType, keyword', async () => {
      const ids = (r: { body: { data: Array<{ id: number }> } }) => r.body.data.map((x) => x.id);
      // createTime 2026-01-22 10:00 to 2026-01-23 10:00 Asia/Shanghai
      expect(ids(await get(a.token, 'getorderlist', { startDate: '2026-01-22', endDate: '2026-01-23' }))).toEqual([o.closed.id, o.done.id]);
      expect(ids(await get(a.token, 'getorderlist', { startDate: '2026-01-22 10:00:01', endDate: '2026-01-23 10:00:00' }))).toEqual([
        o.closed.id,
      ]);
      expect(ids(await get(a.token, 'getorderlist', { startDate: '2026-01-19', name: '另一个' }))).toEqual([o.other.id]);
      expect(ids(await get(a.token, 'getorderlist', { startDate: '2026-01-19', shopId: shopA2 }))).toEqual([o.other.id]);
      expect(ids(await get(a.token, 'getorderlist', { startDate: '2026-01-19', status: 4 }))).toEqual([o.done.id]);
      expect(ids(await get(a.token, 'getorderlist', { startDate: '2026-01-19', deliverType: 2 }))).toEqual([o.other.id, o.shipped.id]);
      expect(ids(await get(a.token, 'getorderlist', { startDate: '2026-01-19', keyword: '大米' }))).toEqual([o.other.id]);
      expect(ids(await get(a.token, 'getorderlist', { startDate: '2026-01-19', keyword: '李四' }))).toEqual([o.shipped.id, o.unpaid.id]);
      const bad = await get(a.token, 'getorderlist', { endDate: '2026-02-30' });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('endDate');
    });

    it('getorderlist: sort and order', async () => {
      const ids = (r: { body: { data: Array<{ id: number }> } }) => r.body.data.map((x) => x.id);
      const q = { startDate: '2026-01-19', shopId: shopA };
      expect(ids(await get(a.token, 'getorderlist', { ...q, sort: 'money' }))).toEqual([
        o.closed.id,
        o.done.id,
        o.shipped.id,
        o.unpaid.id,
        o.paid1.id,
      ]);
      expect(ids(await get(a.token, 'getorderlist', { ...q, sort: 'money', order: 'true' }))).toEqual([
        o.paid1.id,
        o.unpaid.id,
        o.shipped.id,
        o.done.id,
        o.closed.id,
      ]);
      expect(ids(await get(a.token, 'getorderlist', { ...q, sort: 'qty', order: true }))).toEqual([
        o.unpaid.id,
        o.shipped.id,
        o.paid1.id,
        o.done.id,
        o.closed.id,
      ]);
      expect(ids(await get(a.token, 'getorderlist', { ...q, sort: 'createTime', order: 'true' }))).toEqual([
        o.paid1.id,
        o.unpaid.id,
        o.done.id,
        o.closed.id,
        o.shipped.id,
      ]);
      expect(ids(await get(a.token, 'getorderlist', { ...q, sort: 'createTime', order: 'false' }))).toEqual([
        o.shipped.id,
        o.closed.id,
        o.done.id,
        o.unpaid.id,
        o.paid1.id,
      ]);
      const byPay = ids(await get(a.token, 'getorderlist', { ...q, sort: 'payTime' }));
      expect(byPay.slice(0, 3)).toEqual([o.shipped.id, o.done.id, o.paid1.id]);
      const bySeq = ids(await get(a.token, 'getorderlist', { ...q, sort: 'sequence', order: true, pageSize: 5 }));
      expect(bySeq.slice(2)).toEqual([o.paid1.id, o.done.id, o.shipped.id]);
    });

    it('getorderlist: an unknown sort is a 400 naming sort', async () => {
      const res = await get(a.token, 'getorderlist', { sort: 'id; DROP TABLE x' });
      expect(res.status).toBe(400);
      expect(res.body.status).toBe(400);
      expect(res.body.message).toContain('sort');
      const name = await get(a.token, 'getorderlist', { sort: 'name' });
      expect(name.status).toBe(400);
    });
  });

  describe(DealCountersService.name, () => {
    it('recomputes payedCount (status 1,3,4,8 units) and orderCount (not 5,6) from the orders', async () => {
      const sut = t.app.get(DealCountersService);
      const deal = (await makeDeal(t, a.tenantId, shopA, { name: '计数' })).id;
      const other = (await makeDeal(t, a.tenantId, shopA, { name: '计数2' })).id;
      const u = (await loginUser(t, 'oCounter', { nickname: '计数人' })).id;
      const base = { tenantId: a.tenantId, shopId: shopA, dealId: deal, userId: u, money: '1.00' };
      let seq = 0;
      for (const [status, qty] of [
        [0, 1],
        [1, 2],
        [2, 4],
        [3, 8],
        [4, 16],
        [5, 32],
        [6, 64],
        [7, 128],
        [8, 256],
      ]) {
        const paid = [1, 3, 4, 8].includes(status);
        await insertOrder({ ...base, status, qty, sequence: paid ? ++seq : null, payTime: paid ? '2026-01-20 02:01:00' : null });
      }
      await t.ds.query('UPDATE group_buying SET payed_count = 5, order_count = 5 WHERE id IN (?, ?)', [deal, other]);
      await sut.recompute([deal]);
      expect(await dealRow(deal)).toMatchObject({ payed_count: 2 + 8 + 16 + 256, order_count: 7 });
      expect(await dealRow(other)).toMatchObject({ payed_count: 5, order_count: 5 });
      await sut.recompute([]);
      expect(await dealRow(other)).toMatchObject({ payed_count: 5 });
      await sut.recompute();
      expect(await dealRow(other)).toMatchObject({ payed_count: 0, order_count: 0 });
      expect(await dealRow(deal)).toMatchObject({ payed_count: 282, order_count: 7 });
      const got = await get(a.token, 'get', { id: deal });
      expect(got.body).toMatchObject({ payedCount: 282, orderCount: 7 });
    });
  });
});
