import { JwtService } from '@nestjs/jwt';
import { bootApp, TEST_JWT_SECRET, TestApp } from './support/app';
import { adminToken, loginUser, newShop, newTenant, Tenant } from './support/builders';

describe('Foundation (MariaDB)', () => {
  let t: TestApp;
  let superToken: string;
  const jwt = new JwtService({ secret: TEST_JWT_SECRET });

  beforeAll(async () => {
    t = await bootApp('foundation');
    superToken = await adminToken(t);
  });
  afterAll(() => t.close());

  describe('health and docs', () => {
    it('GET /health pings the database', async () => {
      const res = await t.http.get('/health');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok', db: 'up' });
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('runs every MySQL session in UTC and READ COMMITTED', async () => {
      const qr = t.ds.createQueryRunner();
      await qr.connect();
      try {
        await qr.query('SELECT 1');
        const [row] = await qr.query('SELECT @@session.time_zone AS tz, @@tx_isolation AS iso');
        expect(row).toEqual({ tz: '+00:00', iso: 'READ-COMMITTED' });
      } finally {
        await qr.release();
      }
    });

    it('echoes a given x-request-id and sets security headers', async () => {
      const res = await t.http.get('/health').set('x-request-id', 'abc-123');
      expect(res.headers['x-request-id']).toBe('abc-123');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    });

    it("sends helmet's full header set and a request id on answers, refusals, 404s and the docs", async () => {
      const expected = {
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-resource-policy': 'same-origin',
        'origin-agent-cluster': '?1',
        'referrer-policy': 'no-referrer',
        'strict-transport-security': 'max-age=31536000; includeSubDomains',
        'x-content-type-options': 'nosniff',
        'x-dns-prefetch-control': 'off',
        'x-download-options': 'noopen',
        'x-frame-options': 'SAMEORIGIN',
        'x-permitted-cross-domain-policies': 'none',
        'x-xss-protection': '0',
      };
      const answers = [
        await t.http.get('/api/group/groupbuying/list'),
        await t.http.post('/api/group/order/order_list').send({}),
        await t.http.get('/api/group/nope'),
        await t.http.get('/docs'),
      ];
      expect(answers.map((r) => r.status)).toEqual([200, 401, 404, 200]);
      for (const r of answers) {
        expect(r.headers).toEqual(expect.objectContaining(expected));
        expect(r.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
        expect(r.headers['content-security-policy']).toBeUndefined();
      }
      expect(new Set(answers.map((r) => r.headers['x-request-id'])).size).toBe(answers.length);
    });

    it('serves the OpenAPI 3 document with the login routes and Swagger UI', async () => {
      const res = await t.http.get('/docs-json');
      expect(res.status).toBe(200);
      expect(res.body.openapi).toMatch(/^3\./);
      expect(res.body.paths['/api/group/auth/login'].post).toBeDefined();
      expect(res.body.paths['/api/marketing/auth/login'].post).toBeDefined();
      expect(res.body.paths['/api/marketing/tenant/create'].post).toBeDefined();
      expect(res.body.paths['/api/marketing/shop/getlist'].get).toBeDefined();
      // every operation documents what it does and what it answers
      const gaps: string[] = [];
      for (const [path, ops] of Object.entries<
        Record<string, { summary?: string; responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>
      >(res.body.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          const r = op.responses ?? {};
          if (!op.summary) gaps.push(`${method} ${path}: no summary`);
          if (!r['200']?.content?.['application/json']?.schema && !r['204']) gaps.push(`${method} ${path}: no response schema`);
        }
      }
      expect(gaps).toEqual([]);
      expect(Object.keys(res.body.paths).length).toBeGreaterThanOrEqual(40);
      const ui = await t.http.get('/docs');
      expect(ui.status).toBe(200);
      expect(ui.text).toContain('swagger');
    });
  });

  describe('storefront login', () => {
    it('dev login by openId creates the user once and returns a storefront token', async () => {
      const a = await t.http.post('/api/group/auth/login').send({ openId: 'oA', nickname: '小明', avatar: 'https://x/a.png' });
      expect(a.status).toBe(200);
      expect(a.body.status).toBe(200);
      expect(a.body.msg).toBe('ok');
      expect(a.body.data.user).toEqual({ id: expect.any(Number), open_id: 'oA', nickname: '小明', avatar: 'https://x/a.png' });
      expect(a.body.data.expires_in).toBeGreaterThan(0);
      const claims = jwt.decode(a.body.data.token);
      expect(claims.aud).toBe('storefront');
      expect(claims.sub).toBe(String(a.body.data.user.id));
      const b = await t.http.post('/api/group/auth/login').send({ openId: 'oA' });
      expect(b.body.data.user.id).toBe(a.body.data.user.id);
    });

    it('accepts a form-encoded body (seed 000 posts forms)', async () => {
      const res = await t.http.post('/api/group/auth/login').type('form').send('openId=oForm&nickname=form');
      expect(res.status).toBe(200);
      expect(res.body.data.user.open_id).toBe('oForm');
    });

    it('400 names the field when neither code nor openId is given', async () => {
      const res = await t.http.post('/api/group/auth/login').send({ nickname: 'x' });
      expect(res.status).toBe(400);
      expect(res.body.status).toBe(400);
      expect(res.body.msg).toContain('code');
    });
  });

  describe('admin login', () => {
    it('logs the super-admin in with an admin token', async () => {
      const res = await t.http.post('/api/marketing/auth/login').send({ username: 'admin', password: 'admin-pass-123' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 200,
        message: '',
        data: { user: { username: 'admin', role: 'super', tenantId: expect.any(Number) } },
      });
      expect(res.body.data.expiresIn).toBeGreaterThan(0);
      expect(jwt.decode(res.body.data.token).aud).toBe('admin');
    });

    it('401 on a wrong password or unknown user, same message', async () => {
      const a = await t.http.post('/api/marketing/auth/login').send({ username: 'admin', password: 'wrong-password' });
      const b = await t.http.post('/api/marketing/auth/login').send({ username: 'nobody', password: 'wrong-password' });
      expect(a.status).toBe(401);
      expect(b.status).toBe(401);
      expect(a.body.status).toBe(401);
      expect(a.body.message).toBe(b.body.message);
    });

    it('stores the password hashed', async () => {
      const [row] = await t.ds.query('SELECT password_hash FROM admin_user WHERE username = ?', ['admin']);
      expect(row.password_hash).toMatch(/^scrypt\$/);
      expect(row.password_hash).not.toContain('admin-pass-123');
    });
  });

  describe('token rejection', () => {
    const shopList = '/api/marketing/shop/getlist';

    it('401 without a token', async () => {
      const res = await t.http.get(shopList);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ status: 401, message: expect.any(String) });
    });

    it('401 with a bad signature', async () => {
      const forged = new JwtService({ secret: 'another-secret-another-secret-another-secret' }).sign(
        { sub: '1', tid: 1, role: 'super' },
        { audience: 'admin' },
      );
      const res = await t.http.get(shopList).set('Authorization', `Bearer ${forged}`);
      expect(res.status).toBe(401);
    });

    it('401 with an expired token', async () => {
      const expired = jwt.sign({ sub: '1', tid: 1, role: 'super', exp: Math.floor(Date.now() / 1000) - 60 }, { audience: 'admin' });
      const res = await t.http.get(shopList).set('Authorization', `Bearer ${expired}`);
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/expired/);
    });

    it('401 with garbage', async () => {
      const res = await t.http.get(shopList).set('Authorization', 'Bearer not-a-jwt');
      expect(res.status).toBe(401);
    });

    it('403 for a storefront token on an admin route, and the reverse', async () => {
      const user = (await loginUser(t, 'oAud')).token;
      const a = await t.http.get(shopList).set('Authorization', `Bearer ${user}`);
      expect(a.status).toBe(403);
      expect(a.body.status).toBe(403);
      const noAud = jwt.sign({ sub: '1' });
      const b = await t.http.get(shopList).set('Authorization', `Bearer ${noAud}`);
      expect(b.status).toBe(401);
    });

    it('403 for a tenant admin on a super-admin route', async () => {
      const { token } = await newTenant(t, superToken, 'TenantForbidden');
      const res = await t.http
        .post('/api/marketing/tenant/create')
        .set('Authorization', `Bearer ${token}`)
        .send({ name: 'x', adminUsername: 'xx_admin', adminPassword: 'password-123' });
      expect(res.status).toBe(403);
    });
  });

  describe('tenants and shops', () => {
    let a: Tenant;
    let b: Tenant;
    let shopA: number;

    beforeAll(async () => {
      a = await newTenant(t, superToken, 'TenantA');
      b = await newTenant(t, superToken, 'TenantB');
      shopA = await newShop(t, a.token, 'A 店');
    });

    it('a duplicate admin username is a 409', async () => {
      const res = await t.http
        .post('/api/marketing/tenant/create')
        .set('Authorization', `Bearer ${superToken}`)
        .send({ name: 'again', adminUsername: 'tenanta_admin', adminPassword: 'password-123' });
      expect(res.status).toBe(409);
    });

    it('creates, reads, updates and lists a shop in the own tenant', async () => {
      const get = await t.http.get(`/api/marketing/shop/get?id=${shopA}`).set('Authorization', `Bearer ${a.token}`);
      expect(get.status).toBe(200);
      expect(get.body).toMatchObject({ id: shopA, tenantId: a.tenantId, name: 'A 店', phone: '020-12345678', lbs: '113.26,23.13' });
      expect(get.body.createTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      const upd = await t.http
        .post('/api/marketing/shop/update')
        .set('Authorization', `Bearer ${a.token}`)
        .send({ id: shopA, name: 'A 店 2' });
      expect(upd.body).toEqual({ status: 200, message: '' });
      const list = await t.http.get('/api/marketing/shop/getlist').set('Authorization', `Bearer ${a.token}`);
      expect(list.body).toMatchObject({ pageIndex: 1, pageSize: 20, totalCount: 1 });
      expect(list.body.data.map((s: { name: string }) => s.name)).toEqual(['A 店 2']);
    });

    it("another tenant's shop is a 404 for get and update, and absent from its list", async () => {
      const get = await t.http.get(`/api/marketing/shop/get?id=${shopA}`).set('Authorization', `Bearer ${b.token}`);
      expect(get.status).toBe(404);
      expect(get.body.status).toBe(404);
      const upd = await t.http
        .post('/api/marketing/shop/update')
        .set('Authorization', `Bearer ${b.token}`)
        .send({ id: shopA, name: 'stolen' });
      expect(upd.status).toBe(404);
      const list = await t.http.get('/api/marketing/shop/getlist').set('Authorization', `Bearer ${b.token}`);
      expect(list.body.totalCount).toBe(0);
      const [row] = await t.ds.query('SELECT name FROM shop WHERE id = ?', [shopA]);
      expect(row.name).toBe('A 店 2');
    });
  });

  describe('validation and error envelopes', () => {
    it('400 names the invalid field (admin envelope)', async () => {
      const res = await t.http
        .post('/api/marketing/shop/create')
        .set('Authorization', `Bearer ${superToken}`)
        .send({ name: 'x', phone: 'abc' });
      expect(res.status).toBe(400);
      expect(res.body.status).toBe(400);
      expect(res.body.message).toContain('phone');
      expect(res.body.msg).toBeUndefined();
    });

    it('400 on a non-integer id in a query', async () => {
      const res = await t.http.get('/api/marketing/shop/get?id=abc').set('Authorization', `Bearer ${superToken}`);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('id');
    });

    it('400 on malformed JSON', async () => {
      const res = await t.http.post('/api/group/auth/login').set('content-type', 'application/json').send('{"openId":');
      expect(res.status).toBe(400);
      expect(res.body.status).toBe(400);
    });

    it('413 on a body over 100 KB', async () => {
      const res = await t.http.post('/api/group/auth/login').send({ openId: 'big', nickname: 'x'.repeat(120 * 1024) });
      expect(res.status).toBe(413);
      expect(res.body.status).toBe(413);
    });

    it('404 envelope on unknown routes, per family', async () => {
      const s = await t.http.get('/api/group/nope');
      expect(s.status).toBe(404);
      expect(s.body).toEqual({ status: 404, msg: expect.any(String) });
      const a = await t.http.get('/api/marketing/nope');
      expect(a.body).toEqual({ status: 404, message: expect.any(String) });
    });

    it('500 without internals when the database is gone, and /health says 503', async () => {
      await t.ds.destroy();
      const res = await t.http.get('/api/marketing/shop/getlist').set('Authorization', `Bearer ${superToken}`);
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ status: 500, message: '服务器内部错误 (internal error)' });
      expect(JSON.stringify(res.body)).not.toMatch(/SELECT|at .*\.ts|Error:/);
      const h = await t.http.get('/health');
      expect(h.status).toBe(503);
      expect(h.body).toEqual({ status: 'error', db: 'down' });
    });
  });
});
