import Big from 'big.js';
import { SweepService } from '../src/jobs/sweep.service';
import { PaymentEventsService } from '../src/order/payment-events.service';
import { bootApp, TestApp } from './support/app';
import { adminAuth, adminToken, createOrder, loginUser, makeDeal, newTenantWithShop, User } from './support/builders';

describe('Member wallet: late payments and orders paid wholly by the wallet (MariaDB, §6/§11)', () => {
  let t: TestApp;
  let a: { tenantId: number; shopId: number; token: string };

  beforeAll(async () => {
    t = await bootApp('wallet-late', { LOGIN_RATE_LIMIT_PER_MINUTE: '100000' });
    a = await newTenantWithShop(t, await adminToken(t), 'WalletLate', '门店');
  });
  afterAll(() => t.close());

  const adjust = (u: User, kind: string, amount: number | string) =>
    t.http.post('/api/marketing/member/adjust').set(adminAuth(a.token)).send({ userId: u.id, kind, amount });
  const wallet = async (u: User) => {
    const [w] = await t.ds.query('SELECT point, balance FROM member_wallet WHERE tenant_id = ? AND user_id = ?', [a.tenantId, u.id]);
    return { point: Number(w.point), balance: new Big(w.balance).toFixed(2) };
  };
  const ledgerSum = async (u: User) => {
    const rows = await t.ds.query('SELECT kind, SUM(amount) AS s FROM wallet_ledger WHERE tenant_id = ? AND user_id = ? GROUP BY kind', [
      a.tenantId,
      u.id,
    ]);
    const by = new Map<string, Big>(rows.map((r: { kind: string; s: string }) => [r.kind, new Big(r.s)]));
    return { point: Number((by.get('point') ?? new Big(0)).toFixed(0)), balance: (by.get('balance') ?? new Big(0)).toFixed(2) };
  };
  /** a checkout with the wallet, expired by the sweep (its deductions given back) */
  const expiredCheckout = async (u: User) => {
    const d = await makeDeal(t, a.tenantId, a.shopId, { price: new Big('10.00'), stock: 5 });
    const res = await createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 1 }], deduction_ids: ['point', 'balance'] });
    expect(res.body.data).toMatchObject({ deduction_price: '7.00', total_price: '3.00' });
    const [c] = await t.ds.query('SELECT id FROM checkout WHERE pay_no = ?', [res.body.data.pay_no]);
    await t.ds.query('UPDATE checkout SET expire_time = ? WHERE id = ?', [new Date(Date.now() - 60_000), c.id]);
    await t.app.get(SweepService).runOnce({ budgetMs: 60_000 });
    return { checkoutId: Number(c.id), payNo: res.body.data.pay_no as string };
  };

  it('a late payment takes the returned points and balance again', async () => {
    const u = await loginUser(t, 'late-ok');
    await adjust(u, 'point', 500);
    await adjust(u, 'balance', '2.00');
    const c = await expiredCheckout(u);
    expect(await wallet(u)).toEqual({ point: 500, balance: '2.00' });
    expect(await t.app.get(PaymentEventsService).settleReported(c.checkoutId, 'tx-late-ok', new Big('3.00'))).toBe('paid');
    expect(await wallet(u)).toEqual({ point: 0, balance: '0.00' });
    const [o] = await t.ds.query('SELECT status FROM group_buying_order WHERE pay_no = ?', [c.payNo]);
    expect(Number(o.status)).toBe(1);
    expect(await ledgerSum(u)).toEqual(await wallet(u));
  });

  it('a late payment whose points were spent meanwhile is refunded in full, the wallet untouched', async () => {
    const u = await loginUser(t, 'late-spent');
    await adjust(u, 'point', 500);
    await adjust(u, 'balance', '2.00');
    const c = await expiredCheckout(u);
    await adjust(u, 'point', -400);
    expect(await t.app.get(PaymentEventsService).settleReported(c.checkoutId, 'tx-late-spent', new Big('3.00'))).toBe('refunded');
    expect(await wallet(u)).toEqual({ point: 100, balance: '2.00' });
    const [o] = await t.ds.query('SELECT status, refund_status FROM group_buying_order WHERE pay_no = ?', [c.payNo]);
    expect(Number(o.status)).toBe(5);
    expect(await ledgerSum(u)).toEqual(await wallet(u));
  });

  it('an order paid wholly by the wallet is refunded without the provider: its share comes back', async () => {
    const u = await loginUser(t, 'all-wallet');
    await adjust(u, 'balance', '25.00');
    const d = await makeDeal(t, a.tenantId, a.shopId, { price: new Big('20.00') });
    const res = await createOrder(t, u.token, { goods: [{ product_id: d.id, quantity: 1 }], deduction_ids: 'balance' });
    expect(res.body.data.total_price).toBe('0.00');
    const [o] = await t.ds.query('SELECT id, status FROM group_buying_order WHERE pay_no = ?', [res.body.data.pay_no]);
    expect(Number(o.status)).toBe(1);
    const refund = await t.http.post(`/api/marketing/groupbuying/refundorder?id=${o.id}`).set(adminAuth(a.token));
    expect(refund.body).toMatchObject({ status: 200, data: { refundStatus: 'success' } });
    expect(await wallet(u)).toEqual({ point: 0, balance: '25.00' });
    expect(await ledgerSum(u)).toEqual(await wallet(u));
  });
});
