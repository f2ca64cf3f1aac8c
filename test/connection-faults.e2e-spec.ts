import { createConnection } from 'mysql2/promise';
import { bootApp, TestApp } from './support/app';
import { createOrder, loginUser, makeDeal, newTenantWithShop, adminToken } from './support/builders';

/** An idle pooled connection killed under the app (a failover, a proxy, wait_timeout) costs no request a 500. */
describe('Killed database connections (MariaDB)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootApp('conn-faults', { LOGIN_RATE_LIMIT_PER_MINUTE: '100000' });
  });
  afterAll(() => t.close());

  /** Kills every idle connection of the app's database from outside, as the server would. */
  async function killIdle(): Promise<number> {
    const admin = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
    try {
      const [ids] = (await admin.query("SELECT id FROM information_schema.processlist WHERE db = ? AND command = 'Sleep'", [
        t.db!.name,
      ])) as unknown as [{ id: number }[]];
      for (const { id } of ids) await admin.query(`KILL ${Number(id)}`);
      return ids.length;
    } finally {
      await admin.end();
    }
  }

  it('reads, checkouts and payments after the idle connections were killed answer as usual', async () => {
    const a = await newTenantWithShop(t, await adminToken(t), 'FaultA');
    const d = await makeDeal(t, a.tenantId, a.shopId, { stock: 100 });
    const u = await loginUser(t, 'fault-user');
    for (let round = 0; round < 5; round++) {
      expect(await killIdle()).toBeGreaterThan(0);
      const statuses = await Promise.all([
        t.http.get('/api/group/groupbuying/list').then((r) => r.status),
        t.http.get(`/api/group/groupbuying/detail/${d.id}`).then((r) => r.status),
        t.http
          .post('/api/group/order/order_list')
          .set({ 'Authori-Zation': `Bearer ${u.token}` })
          .send({})
          .then((r) => r.status),
        createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 1 }] }).then((r) => r.status),
      ]);
      expect(statuses).toEqual([200, 200, 200, 200]);
    }
  });
});
