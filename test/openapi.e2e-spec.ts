import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as ts from 'typescript';
import { ADMIN_PASSWORD, ADMIN_USERNAME, bootApp, TestApp } from './support/app';

/**
 * The OpenAPI document as a product (what client teams build against): it passes Redocly's recommended
 * rules (redocly.yaml), every operation declares its security and a 4xx answer, a TypeScript client
 * generated from it with openapi-typescript compiles against a checkout and an admin list, and Swagger UI's
 * "Try it out" works on the demo data of the embedded default (SQLite, as `npm start` runs it).
 */
const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
type Json = Record<string, unknown>;

describe('OpenAPI document (SQLite demo)', () => {
  let t: TestApp;
  let doc: Json;
  let dir: string;
  let docFile: string;

  beforeAll(async () => {
    t = await bootApp('openapi', {}, { sqlite: true });
    const res = await t.http.get('/docs-json').expect(200);
    doc = res.body as Json;
    dir = mkdtempSync(join(tmpdir(), 'gb-openapi-'));
    docFile = join(dir, 'openapi.json');
    writeFileSync(docFile, JSON.stringify(doc));
  });
  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function operations(): Array<{ name: string; op: Json }> {
    return Object.entries(doc.paths as Json).flatMap(([path, item]) =>
      METHODS.filter((m) => (item as Json)[m]).map((m) => ({ name: `${m.toUpperCase()} ${path}`, op: (item as Json)[m] as Json })),
    );
  }

  it('passes `redocly lint` with the recommended rules: no error, no warning', async () => {
    const cli = join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
    const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
    const out = await run(process.execPath, [cli, 'lint', docFile, '--config', join(ROOT, 'redocly.yaml'), '--format', 'summary'], {
      env,
      cwd: ROOT,
    }).then(
      (r) => ({ code: 0, text: r.stdout + r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, text: e.stdout + e.stderr }),
    );
    expect(out.text).toMatch(/valid/i);
    expect({ code: out.code, problems: out.text.split('\n').filter((l) => /^(error|warning)\s/.test(l.trim())) }).toEqual({
      code: 0,
      problems: [],
    });
  }, 240000);

  it('every operation declares its security and documents a 4xx answer with the §2 envelope', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThanOrEqual(45);
    const schemes = (doc.components as { securitySchemes: Json }).securitySchemes;
    expect(schemes.storefront).toEqual(expect.objectContaining({ type: 'apiKey', in: 'header', name: 'Authori-Zation' }));
    expect(schemes.admin).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    const problems: string[] = [];
    for (const { name, op } of ops) {
      if (!Array.isArray(op.security)) problems.push(`${name}: no security`);
      const codes = Object.keys(op.responses as Json);
      if (!codes.some((c) => /^4\d\d$/.test(c))) problems.push(`${name}: no 4xx`);
      const path = name.split(' ')[1];
      const security = JSON.stringify(op.security);
      if (path.startsWith('/api/marketing/') && !/auth\/login/.test(path) && security !== '[{"admin":[]}]')
        problems.push(`${name}: ${security}`);
    }
    expect(problems).toEqual([]);
    const byName = Object.fromEntries(ops.map((o) => [o.name, o.op]));
    expect(byName['GET /health'].security).toEqual([]);
    expect(byName['GET /api/group/team/{id}'].security).toEqual([]);
    expect(byName['GET /api/group/groupbuying/detail/{id}'].security).toEqual([{}, { storefront: [] }]);
    expect(byName['POST /api/group/order/createOrder'].security).toEqual([{ storefront: [] }]);
    const conflict = (byName['POST /api/group/order/createOrder'].responses as Json)['409'] as Json;
    const schema = ((conflict.content as Json)['application/json'] as Json).schema as { required: string[]; properties: Json };
    expect(schema.required).toEqual(['status', 'msg']);
    expect((schema.properties.status as { enum: number[] }).enum.sort((a, b) => a - b)).toEqual([409, 801, 1001, 1002]);
    const adminNotFound = (byName['GET /api/marketing/groupbuying/getorder'].responses as Json)['404'] as Json;
    expect((((adminNotFound.content as Json)['application/json'] as Json).schema as { required: string[] }).required).toEqual([
      'status',
      'message',
    ]);
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect((doc.info as Json).license).toEqual(expect.objectContaining({ name: expect.any(String) }));
  });

  it('generates a TypeScript client with openapi-typescript that compiles a checkout and an admin list', async () => {
    const typesFile = join(dir, 'api.ts');
    await run(process.execPath, [join(ROOT, 'test', 'support', 'openapi-types.mjs'), docFile, typesFile], { cwd: ROOT });
    const program = join(dir, 'client.ts');
    writeFileSync(program, CLIENT_PROGRAM);
    const compiled = ts.createProgram([program], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts'],
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules', '@types')],
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(compiled)
      .map(
        (d) =>
          `${d.file ? `${d.file.fileName.replace(dir, '')}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1} ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
      );
    expect(diagnostics).toEqual([]);
  }, 240000);

  it('Swagger UI "Try it out": a storefront checkout and an admin list on the demo data, called as the console sends them', async () => {
    // Authorize → storefront: the value `Bearer <token>` goes in the Authori-Zation header (apiKey scheme)
    const login = await t.http
      .post('/api/group/auth/login')
      .set('content-type', 'application/json')
      .send({ openId: 'o-swagger-console' })
      .expect(200);
    const store = { 'Authori-Zation': `Bearer ${login.body.data.token}`, accept: 'application/json' };
    const deals = await t.http.get('/api/group/groupbuying/list?page=1&limit=10').set('accept', 'application/json').expect(200);
    const pickup = (deals.body.data.list as Array<{ id: number; deliver_type: number; name: string }>).find(
      (d) => d.name === '赣南脐橙 5 斤装',
    )!;
    expect(pickup.deliver_type).toBe(1);
    const goods = [{ product_id: pickup.id, quantity: 2 }];
    const computed = await t.http.post('/api/group/order/computedOrder').set(store).set('content-type', 'application/json').send({ goods });
    expect(computed.status).toBe(200);
    expect(computed.body.data.total_price).toBe('59.80');
    const created = await t.http.post('/api/group/order/createOrder').set(store).set('content-type', 'application/json').send({ goods });
    expect(created.status).toBe(200);
    const code = created.body.data.orders[0].code as string;
    const paid = await t.http.get(`/api/group/order/payOrder/${code}`).set(store).expect(200);
    expect(paid.body).toEqual({
      status: 701,
      msg: '支付成功',
      data: expect.objectContaining({ paid: true, pay_no: created.body.data.pay_no }),
    });

    // Authorize → admin: the http bearer scheme sends `Authorization: Bearer <token>`
    const admin = await t.http
      .post('/api/marketing/auth/login')
      .set('content-type', 'application/json')
      .send({ username: ADMIN_USERNAME, password: ADMIN_PASSWORD })
      .expect(200);
    const list = await t.http
      .get('/api/marketing/groupbuying/getorderlist?pageIndex=1&pageSize=20&sort=createTime')
      .set({ Authorization: `Bearer ${admin.body.data.token}`, accept: 'application/json' })
      .expect(200);
    expect(list.body.totalCount).toBe(1);
    expect(list.body.data[0]).toEqual(expect.objectContaining({ code, status: 1, money: 59.8, qty: 2 }));
  });
});

/** What a client team writes against the generated types: it must compile with `strict`. */
const CLIENT_PROGRAM = `
import type { paths } from './api';

type Op<P extends keyof paths, M extends keyof paths[P]> = NonNullable<paths[P][M]>;
type JsonBody<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type Answer<O, S extends number> = O extends { responses: { [K in S]: { content: { 'application/json': infer R } } } } ? R : never;
type Query<O> = O extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

type Compute = Op<'/api/group/order/computedOrder', 'post'>;
type Create = Op<'/api/group/order/createOrder', 'post'>;
type Pay = Op<'/api/group/order/payOrder/{code}', 'get'>;
type AdminOrders = Op<'/api/marketing/groupbuying/getorderlist', 'get'>;

async function call<T>(base: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<T> {
  const res = await fetch(base + path, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  return (await res.json()) as T;
}

export async function checkout(base: string, token: string): Promise<string> {
  const headers = { 'Authori-Zation': 'Bearer ' + token, 'Idempotency-Key': 'checkout-1' };
  const body: JsonBody<Create> = { goods: [{ product_id: 11, quantity: 2 }], coupon_id: 3, remark: '少放辣', team_id: 7 };
  const quote: JsonBody<Compute> = { goods: '[{"product_id":11,"quantity":2}]' };
  const computed = await call<Answer<Compute, 200>>(base, 'POST', '/api/group/order/computedOrder', headers, quote);
  const total: string = computed.data.total_price;
  const coupons: Array<{ id: number; valid: boolean; reason: string | null }> = computed.data.discount.member_coupons;
  const created = await call<Answer<Create, 200> | Answer<Create, 409> | Answer<Create, 400>>(base, 'POST', '/api/group/order/createOrder', headers, body);
  if (!('data' in created)) {
    const why: string = created.msg;
    const code: 400 | 409 | 801 | 1001 | 1002 = created.status;
    return why + code;
  }
  const line = created.data.orders[0];
  const code: string | undefined = line.code;
  const team: number | undefined = line.team_id;
  const payNo: string | undefined = created.data.pay_no;
  const paid = await call<Answer<Pay, 200>>(base, 'GET', '/api/group/order/payOrder/' + code, headers);
  const done: boolean = paid.data.paid;
  return [total, coupons.length, team, payNo, done].join(' ');
}

export async function adminOrders(base: string, token: string): Promise<number> {
  const q: Query<AdminOrders> = { pageIndex: 1, pageSize: 20, status: 1, sort: 'createTime', keyword: 'tg' };
  const search = new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, String(v)]));
  const page = await call<Answer<AdminOrders, 200>>(base, 'GET', '/api/marketing/groupbuying/getorderlist?' + search, { Authorization: 'Bearer ' + token });
  const money: number = page.sumData.money;
  const first: { code: string; status: number; money: number; deliverCode: string | null } | undefined = page.data[0];
  const denied = await call<Answer<AdminOrders, 401> | Answer<AdminOrders, 403>>(base, 'GET', '/api/marketing/groupbuying/getorderlist', {});
  const message: string = denied.message;
  return page.totalCount + money + (first ? first.money : 0) + message.length;
}
`;
