import { bootApp, Instance, secondInstance, TestApp } from './support/app';
import { adminToken, createOrder, loginUser, makeDeal, newTenantWithShop, Tenant, userAuth } from './support/builders';

/** Unpaid checkouts and the createOrder rate per user (contract §1, §12), shared by two instances. */
describe('Abuse limits: unpaid checkouts and order rate (MariaDB, two instances)', () => {
  let t: TestApp;
  let second: Instance;
  let a: Tenant & { shopId: number };
  let b: Tenant & { shopId: number };
  let n = 0;

  beforeAll(async () => {
    const env = { MAX_UNPAID_CHECKOUTS: '3', ORDER_RATE_LIMIT_PER_MINUTE: '12', LOGIN_RATE_LIMIT_PER_MINUTE: '100000' };
    t = await bootApp('abuse-limits', env);
    second = await secondInstance(t, env);
    const su = await adminToken(t);
    a = await newTenantWithShop(t, su, 'LimitA');
    b = await newTenantWithShop(t, su, 'LimitB');
  });
  afterAll(async () => {
    await second.close();
    await t.close();
  });

  const buy = (token: string, dealId: number, http = t.http) =>
    createOrder(t, token, { goods: [{ product_id: dealId, quantity: 1 }] }, http);

  it('a shopper holds at most MAX_UNPAID_CHECKOUTS unpaid checkouts per tenant, even all at once on two instances', async () => {
    const u = await loginUser(t, `limit-${++n}`);
    const d = await makeDeal(t, a.tenantId, a.shopId, { stock: 100 });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => buy(u.token, d.id, i % 2 ? second.http : t.http)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    const refused = results.find((r) => r.status === 429)!;
    expect(refused.body).toMatchObject({ status: 429, msg: expect.stringContaining('unpaid checkouts') });
    expect(Number((await t.ds.query('SELECT stock FROM group_buying WHERE id = ?', [d.id]))[0].stock)).toBe(97);
    // another tenant's deals are counted apart
    const other = await makeDeal(t, b.tenantId, b.shopId, { stock: 5 });
    expect((await buy(u.token, other.id)).status).toBe(200);
    // paying or cancelling one frees a place
    const code = results.find((r) => r.status === 200)!.body.data.orders[0].code;
    expect((await t.http.post('/api/group/order/cancel').set(userAuth(u.token)).send({ code })).status).toBe(200);
    expect((await buy(u.token, d.id)).status).toBe(200);
  });

  it('createOrder is limited per user per minute across instances; another user is not affected', async () => {
    const u = await loginUser(t, `rate-${++n}`);
    const v = await loginUser(t, `rate-${++n}`);
    const d = await makeDeal(t, a.tenantId, a.shopId, { stock: 0 });
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) statuses.push((await buy(u.token, d.id, i % 2 ? second.http : t.http)).status);
    // sold out answers count too: the limit is on calls, whatever they answer
    expect(statuses.slice(0, 12)).toEqual(Array(12).fill(409));
    expect(statuses.slice(12)).toEqual([429, 429]);
    const refused = await buy(u.token, d.id);
    expect(refused.body).toMatchObject({ status: 429, msg: expect.stringContaining('createOrder calls a minute') });
    expect((await buy(v.token, d.id)).status).toBe(409);
  });

  it('a sold-out storm answered from memory still counts every call: of 15 at once on two instances, 10 are 1002 and 5 are 429', async () => {
    const u = await loginUser(t, `rate-${++n}`);
    const d = await makeDeal(t, a.tenantId, a.shopId, { stock: 0 });
    // one call on each instance: both have now seen the deal sold out (and the user has used 2 of 12)
    expect((await buy(u.token, d.id)).body.status).toBe(1002);
    expect((await buy(u.token, d.id, second.http)).body.status).toBe(1002);
    const storm = await Promise.all(Array.from({ length: 15 }, (_, i) => buy(u.token, d.id, i % 2 ? second.http : t.http)));
    const statuses = storm.map((r) => r.body.status).sort();
    expect(statuses).toEqual([...Array(10).fill(1002), ...Array(5).fill(429)].sort());
    const [counter] = await t.ds.query('SELECT hits FROM rate_limit_counter WHERE counter_key = ?', [`order:create:${u.id}`]);
    expect(Number(counter.hits)).toBe(17);
  });
});
