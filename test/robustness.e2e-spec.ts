import { bootApp, TestApp } from './support/app';
import { adminToken, loginUser } from './support/builders';
/** Hostile input on every write route and odd query strings: a client can never cause a 500. */
describe('Robustness: malformed input never causes a 500 (MariaDB)', () => {
  let t: TestApp;
  let u: string;
  let a: string;
  beforeAll(async () => {
    t = await bootApp('robust', { LOGIN_RATE_LIMIT_PER_MINUTE: '100000' });
    u = (await loginUser(t, 'fz')).token;
    a = await adminToken(t);
  });
  afterAll(() => t.close());
  it('answers 4xx, never 5xx', async () => {
    const bodies: unknown[] = [
      [1],
      null,
      'str',
      123,
      { goods: null },
      { goods: [null] },
      { goods: [[1]] },
      { goods: '[{"product_id":1e30,"quantity":1}]' },
      { goods: [{ product_id: 1, quantity: 1 }], address: '%%%' },
      { goods: [{ product_id: 1, quantity: 1 }], address: [1] },
      { code: ['a'] },
      { code: 'x'.repeat(40) },
      { status: 'abc' },
      { id: [1] },
      { id: { a: 1 } },
      { shopId: '1e5', type: 1, code: '12345678' },
    ];
    const routes = [
      ['post', '/api/group/order/computedOrder', u, 'Authori-Zation'],
      ['post', '/api/group/order/createOrder', u, 'Authori-Zation'],
      ['post', '/api/group/order/cancel', u, 'Authori-Zation'],
      ['post', '/api/group/order/order_list', u, 'Authori-Zation'],
      ['post', '/api/group/order/comment', u, 'Authori-Zation'],
      ['post', '/api/group/coupon/receive', u, 'Authori-Zation'],
      ['post', '/api/marketing/groupbuying/create', a, 'Authorization'],
      ['post', '/api/marketing/groupbuying/update', a, 'Authorization'],
      ['post', '/api/marketing/groupbuying/changeusing', a, 'Authorization'],
      ['post', '/api/marketing/groupbuying/verifydelivercode', a, 'Authorization'],
      ['post', '/api/marketing/groupbuying/deliverorder', a, 'Authorization'],
      ['post', '/api/marketing/groupbuying/confirmorder', a, 'Authorization'],
      ['post', '/api/marketing/coupon/create', a, 'Authorization'],
      ['post', '/api/marketing/shop/create', a, 'Authorization'],
      ['post', '/api/marketing/tenant/create', a, 'Authorization'],
      ['post', '/api/group/auth/login', '', 'x'],
      ['post', '/api/marketing/auth/login', '', 'x'],
    ];
    const bad: string[] = [];
    for (const [m, path, tok, h] of routes)
      for (const b of bodies) {
        const req = (t.http as unknown as Record<string, (p: string) => ReturnType<TestApp['http']['post']>>)
          [m](path)
          .set(h, `Bearer ${tok}`)
          .set('content-type', 'application/json')
          .send(JSON.stringify(b));
        const res = await req;
        if (res.status >= 500) bad.push(`${path} ${JSON.stringify(b)} -> ${res.status} ${JSON.stringify(res.body)}`);
      }
    const gets = [
      '/api/group/order/order_info/%00',
      '/api/group/order/payOrder/' + 'x'.repeat(300),
      '/api/marketing/groupbuying/get?id=1e999',
      '/api/marketing/groupbuying/getlist?pageIndex=99999999999999999999',
      '/api/marketing/groupbuying/getorderlist?sort=payTime&order=maybe',
      '/api/marketing/groupbuying/getlist?startDate=2026-13-45',
      '/api/marketing/coupon/getlist?pageSize=-1',
      '/api/group/groupbuying/detail/abc',
      '/api/group/groupbuying/list?shop_id[]=1',
      '/api/group/coupon/mine?status=zzz',
      '/api/marketing/groupbuying/getorderlistbygroupbuying?groupBuyingId=abc',
    ];
    for (const g of gets) {
      const res = await t.http
        .get(g)
        .set('Authori-Zation', `Bearer ${g.includes('/group/') ? u : a}`)
        .set('Authorization', `Bearer ${g.includes('/group/') ? u : a}`);
      if (res.status >= 500) bad.push(`${g} -> ${res.status}`);
    }
    expect(bad).toEqual([]);
  });

  it("the router's own refusals come in the envelope: a parameter too long to name anything is a 404, an undecodable URL a 400", async () => {
    const long = await t.http.get('/api/group/order/payOrder/' + 'x'.repeat(300)).set('Authori-Zation', `Bearer ${u}`);
    expect(long.status).toBe(404);
    expect(long.body).toEqual({ status: 404, msg: expect.stringContaining('route not found') });
    const undecodable = await t.http.get('/api/group/groupbuying/detail/%E0%A4%A').set('Authori-Zation', `Bearer ${u}`);
    expect(undecodable.status).toBe(400);
    expect(undecodable.body).toEqual({ status: 400, msg: expect.stringContaining('bad request') });
  });
});
