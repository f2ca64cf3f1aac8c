import { PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { ACCESS_KEY } from '../src/auth/auth.decorators';
import { hashPassword } from '../src/auth/password';
import { escapeLike, LIKE_ESCAPE } from '../src/common/like';
import { bootApp, Instance, secondInstance, TestApp } from './support/app';
import { ADDRESS, adminToken, loginUser, makeDeal, newShop, newTenant } from './support/builders';

/** Contract §3 and §12: access rules, shared login limits, the username lockout, hostile keys and bounds, avatars. */
describe('Security (MariaDB)', () => {
  let t: TestApp;
  let superToken: string;
  let tenant: { tenantId: number; token: string };
  let shopId: number;
  let dealId: number;

  beforeAll(async () => {
    t = await bootApp('security', { LOGIN_RATE_LIMIT_PER_MINUTE: '100000' });
    superToken = await adminToken(t);
    tenant = await newTenant(t, superToken, 'SecTenant');
    shopId = await newShop(t, tenant.token, '安全门店');
    dealId = (await makeDeal(t, tenant.tenantId, shopId, { name: '安全团购' })).id;
  });
  afterAll(() => t.close());

  /** A request from a given client address (the server sees it as req.ip). */
  const from = (ip: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    t.app.getHttpAdapter().getInstance().inject({ method, url, payload, remoteAddress: ip });

  describe('access rules (§12)', () => {
    it('every route of the app declares an access rule', () => {
      const missing: string[] = [];
      let routes = 0;
      for (const mod of t.app.get(ModulesContainer).values()) {
        for (const wrapper of mod.controllers.values()) {
          const type = wrapper.metatype as (new (...a: unknown[]) => object) | undefined;
          if (!type) continue;
          for (const name of Object.getOwnPropertyNames(type.prototype)) {
            const handler = (type.prototype as Record<string, unknown>)[name];
            if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined)
              continue;
            routes++;
            if (Reflect.getMetadata(ACCESS_KEY, handler) === undefined && Reflect.getMetadata(ACCESS_KEY, type) === undefined)
              missing.push(`${type.name}.${name}`);
          }
        }
      }
      expect(routes).toBeGreaterThanOrEqual(40);
      expect(missing).toEqual([]);
    });

    it('every public route still answers without a token', async () => {
      const answers: Record<string, number> = {};
      const hit = async (label: string, res: { status: number; body: { message?: string; msg?: string } }) => {
        answers[label] = res.status;
        expect(`${res.body?.msg ?? ''} ${res.body?.message ?? ''}`).not.toMatch(/token|凭证|access rule/);
      };
      await hit('health', await t.http.get('/health'));
      await hit('docs', await t.http.get('/docs'));
      await hit('docs-json', await t.http.get('/docs-json'));
      await hit('docs-yaml', await t.http.get('/docs-yaml'));
      await hit('store login', await t.http.post('/api/group/auth/login').send({ openId: 'oPublic' }));
      await hit('admin login', await t.http.post('/api/marketing/auth/login').send({ username: 'admin', password: 'admin-pass-123' }));
      await hit('deal list', await t.http.get('/api/group/groupbuying/list'));
      await hit('deal detail', await t.http.get(`/api/group/groupbuying/detail/${dealId}`));
      await hit('team page', await t.http.get('/api/group/team/999999'));
      await hit('wechat notify', await t.http.post('/api/group/pay/notify/wechat').send({}));
      expect(answers).toEqual({
        health: 200,
        docs: 200,
        'docs-json': 200,
        'docs-yaml': 200,
        'store login': 200,
        'admin login': 200,
        'deal list': 200,
        'deal detail': 200,
        'team page': 404, // unknown team: the route itself is open
        'wechat notify': 404, // sandbox payments: WeChat Pay is not enabled, answered in WeChat's shape
      });
    });
  });

  describe('admin passwords', () => {
    it('a hash of an older scrypt cost still logs in and is upgraded to the current cost', async () => {
      await newTenant(t, superToken, 'OldHash');
      const old = await hashPassword('tenant-pass-123', { N: 16384, r: 8, p: 1 });
      await t.ds.query('UPDATE admin_user SET password_hash = ? WHERE username = ?', [old, 'oldhash_admin']);
      const res = await t.http.post('/api/marketing/auth/login').send({ username: 'oldhash_admin', password: 'tenant-pass-123' });
      expect(res.status).toBe(200);
      const [row] = await t.ds.query('SELECT password_hash FROM admin_user WHERE username = ?', ['oldhash_admin']);
      expect(row.password_hash).toMatch(/^scrypt\$131072\$8\$1\$/);
      expect(row.password_hash).not.toBe(old);
      const again = await t.http.post('/api/marketing/auth/login').send({ username: 'oldhash_admin', password: 'tenant-pass-123' });
      expect(again.status).toBe(200);
      const wrong = await t.http.post('/api/marketing/auth/login').send({ username: 'oldhash_admin', password: 'wrong-password' });
      expect(wrong.status).toBe(401);
    });
  });

  describe('admin username lockout (§3)', () => {
    const login = (ip: string, username: string, password: string) => from(ip, 'POST', '/api/marketing/auth/login', { username, password });

    it('10 wrong passwords lock the username for 15 minutes whatever the IP, even for the right password', async () => {
      await newTenant(t, superToken, 'LockMe');
      const codes: number[] = [];
      for (let i = 1; i <= 10; i++) codes.push((await login(`10.0.0.${i}`, 'lockme_admin', 'wrong-password')).statusCode);
      expect(codes).toEqual(Array(10).fill(401));
      const eleventh = await login('10.0.1.1', 'lockme_admin', 'wrong-password');
      expect(eleventh.statusCode).toBe(429);
      expect(eleventh.json()).toEqual({ status: 429, message: expect.stringMatching(/15/) });
      const right = await login('10.0.2.2', 'lockme_admin', 'tenant-pass-123');
      expect(right.statusCode).toBe(429);
      // the same account spelt in another case is the same account
      expect((await login('10.0.2.3', 'LockMe_Admin', 'tenant-pass-123')).statusCode).toBe(429);
      // another username from one of the same addresses is not affected
      expect((await login('10.0.0.1', 'admin', 'admin-pass-123')).statusCode).toBe(200);
    });

    it('the lock is kept in the database for 15 minutes and lifts when it expires', async () => {
      const [admin] = await t.ds.query('SELECT id FROM admin_user WHERE username = ?', ['lockme_admin']);
      const key = `admin-login-failures:${admin.id}`;
      const rows: { hits: number; expires_at: string }[] = await t.ds.query(
        'SELECT hits, expires_at FROM rate_limit_counter WHERE counter_key = ?',
        [key],
      );
      expect(rows).toHaveLength(1);
      const left = Number(rows[0].expires_at) - Date.now();
      expect(left).toBeGreaterThan(14 * 60_000);
      expect(left).toBeLessThanOrEqual(15 * 60_000);
      await t.ds.query('UPDATE rate_limit_counter SET expires_at = ? WHERE counter_key = ?', [Date.now() - 1000, key]);
      expect((await login('10.0.3.3', 'lockme_admin', 'tenant-pass-123')).statusCode).toBe(200);
    });

    it('a successful login clears the wrong-password count', async () => {
      await newTenant(t, superToken, 'Forgetful');
      for (let i = 0; i < 9; i++) expect((await login('10.1.0.1', 'forgetful_admin', 'wrong-password')).statusCode).toBe(401);
      expect((await login('10.1.0.1', 'forgetful_admin', 'tenant-pass-123')).statusCode).toBe(200);
      for (let i = 0; i < 9; i++) expect((await login('10.1.0.1', 'forgetful_admin', 'wrong-password')).statusCode).toBe(401);
      expect((await login('10.1.0.1', 'forgetful_admin', 'tenant-pass-123')).statusCode).toBe(200);
    });

    it('parallel wrong guesses get at most 10 password checks', async () => {
      await newTenant(t, superToken, 'Burst');
      const res = await Promise.all(Array.from({ length: 30 }, (_, i) => login(`10.2.0.${i + 1}`, 'burst_admin', 'wrong-password')));
      const codes = res.map((r) => r.statusCode);
      expect(codes.filter((c) => c === 401)).toHaveLength(10);
      expect(codes.filter((c) => c === 429)).toHaveLength(20);
    });
  });

  describe('hostile keys in bodies and queries (§12)', () => {
    let user: string;
    beforeAll(async () => {
      user = (await loginUser(t, 'oHostile')).token;
    });

    it.each([
      ['a nested constructor', '{"openId":"oK1","x":{"constructor":"y"}}', 'constructor'],
      ['__proto__', '{"openId":"oK2","__proto__":{"admin":true}}', '__proto__'],
      ['prototype', '{"openId":"oK3","prototype":{"x":1}}', 'prototype'],
      ['constructor.prototype', '{"openId":"oK4","constructor":{"prototype":{"x":1}}}', 'constructor'],
    ])('%s in a JSON body is a 400 naming the key', async (_, body, key) => {
      const res = await t.http.post('/api/group/auth/login').set('content-type', 'application/json').send(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        status: 400,
        msg: expect.stringContaining(key),
        errors: [{ field: expect.any(String), message: `key "${key}" is not allowed` }],
      });
    });

    it('a constructor inside a goods line is a 400, not a 500', async () => {
      const res = await t.http
        .post('/api/group/order/createOrder')
        .set('Authori-Zation', `Bearer ${user}`)
        .set('content-type', 'application/json')
        .send('{"goods":[{"constructor":{}}]}');
      expect(res.status).toBe(400);
      expect(res.body.msg).toContain('constructor');
    });

    it('on an admin route the 400 uses the admin envelope', async () => {
      const res = await t.http
        .post('/api/marketing/shop/create')
        .set('Authorization', `Bearer ${tenant.token}`)
        .set('content-type', 'application/json')
        .send('{"name":"x","address":"y","phone":"020-1234567","lbs":"1,2","extra":[{"constructor":1}]}');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        status: 400,
        message: expect.stringContaining('constructor'),
        errors: [{ field: 'extra[0].constructor' }],
      });
      expect(res.body.msg).toBeUndefined();
    });

    it('such keys inside JSON sent as a string field (seed 000 forms) never cause a 500', async () => {
      const h = { 'Authori-Zation': `Bearer ${user}` };
      const goods = await t.http
        .post('/api/group/order/computedOrder')
        .set(h)
        .type('form')
        .send({ goods: `[{"constructor":{"prototype":{"x":1}},"product_id":${dealId},"quantity":1}]` });
      expect(goods.status).toBe(200); // dropped (§12 allows either)
      const proto = await t.http.post('/api/group/order/computedOrder').set(h).type('form').send({ goods: '[{"__proto__":{"x":1}}]' });
      expect(proto.status).toBe(400);
      expect(proto.body.msg).toMatch(/product_id/);
      const address = await t.http
        .post('/api/group/order/computedOrder')
        .set(h)
        .type('form')
        .send({
          goods: JSON.stringify([{ product_id: dealId, quantity: 1 }]),
          address: `{"constructor":{"prototype":{}},${JSON.stringify(ADDRESS).slice(1)}`,
        });
      expect(address.status).toBe(200);
      let deep = '1';
      for (let i = 0; i < 5000; i++) deep = `[${deep}]`;
      const nested = await t.http.post('/api/group/order/computedOrder').set(h).type('form').send({ goods: deep });
      expect(nested.status).toBe(400);
      const ids = await t.http.post('/api/marketing/coupon/create').set('Authorization', `Bearer ${tenant.token}`).send({
        name: 'c',
        couponMethod: 1,
        enough: 10,
        deduct: 1,
        useType: 2,
        groupBuyingIds: '[{"constructor":{}}]',
        timeLimit: 0,
        timeDays: 3,
      });
      expect(ids.status).toBe(400);
    });

    it('a form body with such a key is a 400', async () => {
      const res = await t.http.post('/api/group/auth/login').type('form').send('openId=oForm2&constructor=x');
      expect(res.status).toBe(400);
      expect(res.body.msg).toContain('constructor');
    });

    it.each(['constructor=1', '__proto__=1', 'prototype=1', 'page=1&constructor[x]=1'])('query %s is a 400 naming the key', async (q) => {
      const res = await t.http.get(`/api/group/groupbuying/list?${q}`);
      expect(res.status).toBe(400);
      expect(res.body.msg).toMatch(/constructor|__proto__|prototype/);
    });

    it('ordinary keys that merely contain those words pass', async () => {
      const res = await t.http.post('/api/group/auth/login').send({ openId: 'oWords', nickname: 'constructor prototype', avatar: '' });
      expect(res.status).toBe(200);
    });
  });

  describe('bounds on numbers that reach SQL (§12)', () => {
    it.each([
      ['/api/marketing/shop/getlist?pageIndex=1000000000000000000000000', 'pageIndex'],
      ['/api/marketing/shop/getlist?pageIndex=1000001', 'pageIndex'],
      ['/api/marketing/groupbuying/getlist?pageIndex=1000001', 'pageIndex'],
      ['/api/marketing/coupon/getlist?pageIndex=1e24', 'pageIndex'],
      ['/api/marketing/shop/get?id=2147483648', 'id'],
      ['/api/marketing/groupbuying/get?id=99999999999', 'id'],
      ['/api/marketing/groupbuying/getorderlistbygroupbuying?groupBuyingId=2147483648', 'groupBuyingId'],
    ])('admin %s is a 400 naming %s', async (url, field) => {
      const res = await t.http.get(url).set('Authorization', `Bearer ${tenant.token}`);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(field);
    });

    it('the largest allowed values are served', async () => {
      const page = await t.http.get('/api/marketing/shop/getlist?pageIndex=1000000').set('Authorization', `Bearer ${tenant.token}`);
      expect(page.status).toBe(200);
      expect(page.body.data).toEqual([]);
      const shop = await t.http.get('/api/marketing/shop/get?id=2147483647').set('Authorization', `Bearer ${tenant.token}`);
      expect(shop.status).toBe(404);
    });

    it.each([
      ['/api/group/groupbuying/list?page=1000001', 'page'],
      ['/api/group/groupbuying/list?page=100000000000000000000', 'page'],
      ['/api/group/groupbuying/list?shop_id=2147483648', 'shop_id'],
      ['/api/group/groupbuying/detail/2147483648', 'id'],
      ['/api/group/team/2147483648', 'id'],
    ])('storefront %s is a 400 naming %s', async (url, field) => {
      const res = await t.http.get(url);
      expect(res.status).toBe(400);
      expect(res.body.msg).toContain(field);
    });

    it('order_list page above 1,000,000 and a goods product_id above 2^31-1 are 400s', async () => {
      const user = (await loginUser(t, 'oBounds')).token;
      const h = { 'Authori-Zation': `Bearer ${user}` };
      const list = await t.http.post('/api/group/order/order_list').set(h).send({ page: 1000001 });
      expect(list.status).toBe(400);
      expect(list.body.msg).toContain('page');
      const compute = await t.http
        .post('/api/group/order/computedOrder')
        .set(h)
        .send({ goods: [{ product_id: 2147483648, quantity: 1 }] });
      expect(compute.status).toBe(400);
      expect(compute.body.msg).toContain('product_id');
    });
  });

  describe('keyword filters match % and _ literally (§12)', () => {
    beforeAll(async () => {
      for (const name of ['百分百%纯', '百分百纯', 'a_b 店', 'axb 店']) await newShop(t, tenant.token, name);
    });
    const names = async (kw: string) => {
      const res = await t.http
        .get(`/api/marketing/shop/getlist?pageSize=100&keyword=${encodeURIComponent(kw)}`)
        .set('Authorization', `Bearer ${tenant.token}`);
      expect(res.status).toBe(200);
      return (res.body.data as { name: string }[]).map((s) => s.name).sort();
    };

    it('% matches only a percent sign', async () => {
      expect(await names('%')).toEqual(['百分百%纯']);
    });

    it('_ matches only an underscore', async () => {
      expect(await names('a_b')).toEqual(['a_b 店']);
    });

    it('the escape character itself is literal too', async () => {
      expect(await names('!')).toEqual([]);
    });

    it('escapeLike patterns match %, _ and ! literally on MariaDB', async () => {
      const like = async (text: string, keyword: string) =>
        Number((await t.ds.query(`SELECT ? LIKE ? ${LIKE_ESCAPE} AS m`, [text, `%${escapeLike(keyword)}%`]))[0].m);
      expect([await like('100%纯', '%'), await like('100纯', '%')]).toEqual([1, 0]);
      expect([await like('a_b', 'a_b'), await like('axb', 'a_b')]).toEqual([1, 0]);
      expect([await like('wow!', '!'), await like('wow', '!')]).toEqual([1, 0]);
    });
  });

  describe('avatars (§7)', () => {
    const login = (openId: string, avatar: string) => t.http.post('/api/group/auth/login').send({ openId, avatar });
    const stored = async (openId: string) =>
      ((await t.ds.query('SELECT avatar FROM app_user WHERE open_id = ?', [openId])) as { avatar: string }[])[0].avatar;

    it.each([
      'javascript:alert(1)',
      'http://x.example/a.png',
      'data:image/png;base64,AAAA',
      '//x.example/a.png',
      'HTTPS:',
      ' https://x.example/a.png',
    ])('drops %j at login', async (avatar) => {
      const openId = `oAv${Buffer.from(avatar).toString('hex').slice(0, 24)}`;
      const res = await login(openId, avatar);
      expect(res.status).toBe(200);
      expect(res.body.data.user.avatar).toBe('');
      expect(await stored(openId)).toBe('');
    });

    it('keeps an https URL, and a later bad one replaces it with empty', async () => {
      const ok = await login('oAvGood', 'https://img.example.com/a.png');
      expect(ok.body.data.user.avatar).toBe('https://img.example.com/a.png');
      expect(await stored('oAvGood')).toBe('https://img.example.com/a.png');
      const bad = await login('oAvGood', 'javascript:alert(1)');
      expect(bad.body.data.user.avatar).toBe('');
      expect(await stored('oAvGood')).toBe('');
    });
  });
});

describe('Login rate limits shared by two instances (MariaDB)', () => {
  let a: TestApp;
  let b: Instance;

  beforeAll(async () => {
    a = await bootApp('ratelimit', { LOGIN_RATE_LIMIT_PER_MINUTE: '3' });
    b = await secondInstance(a, { LOGIN_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('the storefront login count is one count across instances, per route', async () => {
    const codes = [
      (await a.http.post('/api/group/auth/login').send({ openId: 'r1' })).status,
      (await b.http.post('/api/group/auth/login').send({ openId: 'r2' })).status,
      (await a.http.post('/api/group/auth/login').send({ openId: 'r3' })).status,
    ];
    expect(codes).toEqual([200, 200, 200]);
    const fourth = await b.http.post('/api/group/auth/login').send({ openId: 'r4' });
    expect(fourth.status).toBe(429);
    expect(fourth.body).toEqual({ status: 429, msg: expect.any(String) });
    expect((await a.http.post('/api/group/auth/login').send({ openId: 'r5' })).status).toBe(429);
    // the admin login route has its own count
    expect((await b.http.post('/api/marketing/auth/login').send({ username: 'admin', password: 'admin-pass-123' })).status).toBe(200);
  });

  it('the admin login count is shared too, and answers in the admin envelope', async () => {
    expect((await a.http.post('/api/marketing/auth/login').send({ username: 'admin', password: 'wrong-password' })).status).toBe(401);
    expect((await b.http.post('/api/marketing/auth/login').send({ username: 'admin', password: 'admin-pass-123' })).status).toBe(200);
    const res = await a.http.post('/api/marketing/auth/login').send({ username: 'admin', password: 'admin-pass-123' });
    expect(res.status).toBe(429);
    expect(res.body).toEqual({ status: 429, message: expect.any(String) });
  });
});
