import Big from 'big.js';
import { DEMO_OPEN_ID } from '../src/demo/demo-data.provider';
import { bootApp, TestApp } from './support/app';
import { adminAuth, adminToken, loginUser, payOrder, userAuth } from './support/builders';

describe('Member wallet on the embedded SQLite default (main path)', () => {
  let t: TestApp;
  let tenantId: number;

  beforeAll(async () => {
    t = await bootApp('wallet-sqlite', {}, { sqlite: true });
    [{ id: tenantId }] = await t.ds.query('SELECT id FROM tenant WHERE platform = 1');
  });
  afterAll(() => t.close());

  const ledgerMatches = async (userId: number) => {
    const [w] = await t.ds.query('SELECT point, balance FROM member_wallet WHERE tenant_id = ? AND user_id = ?', [tenantId, userId]);
    const sums = await t.ds.query('SELECT kind, SUM(amount) AS s FROM wallet_ledger WHERE tenant_id = ? AND user_id = ? GROUP BY kind', [
      tenantId,
      userId,
    ]);
    const by = new Map(sums.map((r: { kind: string; s: number }) => [r.kind, new Big(r.s).toFixed(2)]));
    expect(by.get('point')).toBe(new Big(w.point).toFixed(2));
    expect(by.get('balance')).toBe(new Big(w.balance).toFixed(2));
  };

  it('the demo shopper has points and balance, spends them at checkout, gets them back on cancel and refund', async () => {
    const u = await loginUser(t, DEMO_OPEN_ID);
    const h = userAuth(u.token);
    const wallet = async () => (await t.http.get(`/api/group/member/wallet?tenant_id=${tenantId}`).set(h)).body.data;
    expect(await wallet()).toEqual({ point: 500, balance: '50.00', point_value: 100 });

    const list = await t.http.get('/api/group/groupbuying/list');
    const orange = list.body.data.list.find((d: { price: string; deliver_type: number }) => d.price === '29.90' && d.deliver_type === 1);
    const goods = JSON.stringify([{ product_id: orange.id, quantity: 2 }]);
    // 59.80: points ≤ 50 % but 500 points = 5.00; balance 50.00; 4.80 to pay
    const computed = await t.http
      .post('/api/group/order/computedOrder')
      .set(h)
      .type('form')
      .send({ goods, deduction_ids: 'point,balance' });
    expect(computed.body.data).toMatchObject({ deduction_price: '55.00', total_price: '4.80' });
    const created = await t.http.post('/api/group/order/createOrder').set(h).type('form').send({ goods, deduction_ids: 'point,balance' });
    expect(created.body.data).toMatchObject({ deduction_price: '55.00', total_price: '4.80' });
    expect(await wallet()).toEqual({ point: 0, balance: '0.00', point_value: 100 });
    await t.http.post('/api/group/order/cancel').set(h).send({ code: created.body.data.orders[0].code });
    expect(await wallet()).toEqual({ point: 500, balance: '50.00', point_value: 100 });

    const again = await t.http.post('/api/group/order/createOrder').set(h).type('form').send({ goods, deduction_ids: 'balance' });
    expect(again.body.data).toMatchObject({ deduction_price: '50.00', total_price: '9.80' });
    const code = again.body.data.orders[0].code;
    expect((await payOrder(t, u.token, code)).body.status).toBe(701);
    const [o] = await t.ds.query('SELECT id FROM group_buying_order WHERE code = ?', [code]);
    const refund = await t.http.post(`/api/marketing/groupbuying/refundorder?id=${o.id}`).set(adminAuth(await adminToken(t)));
    expect(refund.body).toMatchObject({ status: 200, data: { refundStatus: 'success' } });
    expect(await wallet()).toEqual({ point: 500, balance: '50.00', point_value: 100 });
    const ledger = await t.http.get(`/api/group/member/ledger?tenant_id=${tenantId}&kind=balance`).set(h);
    expect(ledger.body.data.list.map((e: { reason: string; amount: string }) => [e.reason, e.amount])).toEqual([
      ['refund', '50.00'],
      ['checkout', '-50.00'],
      ['return', '50.00'],
      ['checkout', '-50.00'],
      ['admin', '50.00'],
    ]);
    await ledgerMatches(u.id);
  });
});
