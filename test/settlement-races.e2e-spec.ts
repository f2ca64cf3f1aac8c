import Big from 'big.js';
import { runTx } from '../src/database/sql';
import { RefundService } from '../src/order/refund.service';
import { SettlementService } from '../src/order/settlement.service';
import { TeamClosingService } from '../src/order/team-closing.service';
import { TeamRepository } from '../src/team/team.repository';
import { bootApp, TestApp } from './support/app';
import { adminToken, loginUser, makeDeal, newShop, newTenant } from './support/builders';

const auth = (token: string) => ({ 'Authori-Zation': `Bearer ${token}` });
const SYSTEM = { type: 'system' as const, id: null };

/** Settlement and team closing where two workers race (service level, on MariaDB). */
describe(SettlementService.name, () => {
  let t: TestApp;
  let sut: SettlementService;
  let tenantId: number;
  let shopId: number;
  let n = 0;

  beforeAll(async () => {
    t = await bootApp('settlement-races', { LOGIN_RATE_LIMIT_PER_MINUTE: '100000' });
    sut = t.app.get(SettlementService);
    const a = await newTenant(t, await adminToken(t), 'RaceA');
    tenantId = a.tenantId;
    shopId = await newShop(t, a.token, '并发门店');
  });
  afterAll(() => t.close());
  afterEach(() => jest.restoreAllMocks());

  const user = () => loginUser(t, `race-u-${++n}`);
  const checkout = async (token: string, dealId: number, extra: Record<string, unknown> = {}) => {
    const res = await t.http
      .post('/api/group/order/createOrder')
      .set(auth(token))
      .send({ goods: [{ product_id: dealId, quantity: 1 }], ...extra });
    expect(res.status).toBe(200);
    const code = res.body.data.orders[0].code as string;
    const [o] = await t.ds.query('SELECT id, checkout_id, team_id FROM group_buying_order WHERE code = ?', [code]);
    return { code, checkoutId: Number(o.checkout_id), orderId: Number(o.id), teamId: o.team_id === null ? null : Number(o.team_id) };
  };
  const dealRow = async (id: number) =>
    (await t.ds.query('SELECT stock, payed_count, order_count, last_sequence FROM group_buying WHERE id = ?', [id]))[0];

  it('pay and cancel racing on one checkout: exactly one wins, stock and sequences stay exact', async () => {
    const d = await makeDeal(t, tenantId, shopId, { stock: 40, price: new Big('3.00') });
    const u = await user();
    const made = [];
    for (let i = 0; i < 16; i++) made.push(await checkout(u.token, d.id));
    const outcomes = await Promise.all(
      made.map((m) =>
        Promise.all([
          runTx(t.ds, (em) => sut.settle(em, m.checkoutId, new Date(), SYSTEM, { transactionId: `race-${m.checkoutId}` })),
          runTx(t.ds, (em) => sut.release(em, m.checkoutId, 6, SYSTEM)),
        ]),
      ),
    );
    for (const [paid, closed] of outcomes) expect(Number(paid) + Number(closed)).toBe(1);
    const paidCount = outcomes.filter(([paid]) => paid).length;
    const statuses = await t.ds.query('SELECT status, COUNT(*) AS n FROM checkout WHERE id IN (?) GROUP BY status', [
      made.map((m) => m.checkoutId),
    ]);
    expect(statuses.map((r: { status: number; n: string }) => [r.status, Number(r.n)]).sort()).toEqual(
      [
        [1, paidCount],
        [6, 16 - paidCount],
      ].filter(([, k]) => k > 0),
    );
    expect(await dealRow(d.id)).toMatchObject({
      stock: 40 - paidCount,
      payed_count: paidCount,
      order_count: paidCount,
      last_sequence: paidCount,
    });
    const seqs = await t.ds.query('SELECT sequence FROM group_buying_order WHERE group_buying_id = ? AND status = 1 ORDER BY sequence', [
      d.id,
    ]);
    expect(seqs.map((r: { sequence: number }) => r.sequence)).toEqual(Array.from({ length: paidCount }, (_, i) => i + 1));
  });

  it('two late payments reported at once for one expired checkout: settled once, stock taken once', async () => {
    const d = await makeDeal(t, tenantId, shopId, { stock: 5 });
    const m = await checkout((await user()).token, d.id);
    await t.ds.query('UPDATE checkout SET expire_time = ? WHERE id = ?', [new Date(Date.now() - 1000), m.checkoutId]);
    expect(await runTx(t.ds, (em) => sut.release(em, m.checkoutId, 5, SYSTEM, { onlyIfExpired: true }))).toBe(true);
    expect(await dealRow(d.id)).toMatchObject({ stock: 5 });
    const results = await Promise.all(
      ['wx-a', 'wx-b', 'wx-c'].map((txn) => runTx(t.ds, (em) => sut.settleLate(em, m.checkoutId, new Date(), SYSTEM, txn))),
    );
    expect(results.sort()).toEqual(['noop', 'noop', 'paid']);
    expect(await dealRow(d.id)).toMatchObject({ stock: 4, payed_count: 1, last_sequence: 1 });
  });

  it('the last two seats of a team paid at once: the team forms once and every pickup order gets one code', async () => {
    const d = await makeDeal(t, tenantId, shopId, { teamSize: 3, stock: 10 });
    const leader = await checkout((await user()).token, d.id);
    const joined = [
      await checkout((await user()).token, d.id, { team_id: leader.teamId }),
      await checkout((await user()).token, d.id, { team_id: leader.teamId }),
    ];
    expect(await runTx(t.ds, (em) => sut.settle(em, leader.checkoutId, new Date(), SYSTEM))).toBe(true);
    const won = await Promise.all(joined.map((j) => runTx(t.ds, (em) => sut.settle(em, j.checkoutId, new Date(), SYSTEM))));
    expect(won).toEqual([true, true]);
    const [team] = await t.ds.query('SELECT status, pay_user_count FROM team WHERE id = ?', [leader.teamId]);
    expect(team).toMatchObject({ status: 'success', pay_user_count: 3 });
    const formed = await t.ds.query("SELECT COUNT(*) AS n FROM order_log WHERE action = 'team_formed' AND detail = ?", [
      `team ${leader.teamId}`,
    ]);
    expect(Number(formed[0].n)).toBe(1);
    const codes = await t.ds.query('SELECT deliver_code FROM group_buying_order WHERE team_id = ?', [leader.teamId]);
    expect(codes.every((r: { deliver_code: string | null }) => /^\d{8}$/.test(r.deliver_code ?? ''))).toBe(true);
    expect(new Set(codes.map((r: { deliver_code: string }) => r.deliver_code)).size).toBe(3);
  });
});

describe(TeamClosingService.name, () => {
  let t: TestApp;
  let tenantId: number;
  let shopId: number;
  let n = 0;

  beforeAll(async () => {
    t = await bootApp('team-closing-races', { LOGIN_RATE_LIMIT_PER_MINUTE: '100000' });
    const a = await newTenant(t, await adminToken(t), 'CloseA');
    tenantId = a.tenantId;
    shopId = await newShop(t, a.token, '成团门店');
  });
  afterAll(() => t.close());
  afterEach(() => jest.restoreAllMocks());

  const paidLeader = async (virtualTeam: boolean) => {
    const d = await makeDeal(t, tenantId, shopId, { teamSize: 3, virtualTeam, stock: 10 });
    const u = await loginUser(t, `close-u-${++n}`);
    const res = await t.http
      .post('/api/group/order/createOrder')
      .set(auth(u.token))
      .send({ goods: [{ product_id: d.id, quantity: 1 }] });
    const code = res.body.data.orders[0].code as string;
    expect((await t.http.get(`/api/group/order/payOrder/${code}`).set(auth(u.token))).body.status).toBe(701);
    const [o] = await t.ds.query('SELECT id, team_id FROM group_buying_order WHERE code = ?', [code]);
    await t.ds.query('UPDATE team SET expire_at = ? WHERE id = ?', [new Date(Date.now() - 1000), o.team_id]);
    return { dealId: d.id, orderId: Number(o.id), teamId: Number(o.team_id) };
  };
  const teamOf = async (id: number) => (await t.ds.query('SELECT status, user_count, pay_user_count FROM team WHERE id = ?', [id]))[0];
  const robots = async (id: number) =>
    Number((await t.ds.query('SELECT COUNT(*) AS n FROM team_member WHERE team_id = ? AND is_robot = 1', [id]))[0].n);

  it('a refund that lands while a virtual team is being closed: the team fails, never robots alone', async () => {
    const { orderId, teamId } = await paidLeader(true);
    const repo = t.app.get(TeamRepository);
    const lock = repo.lock.bind(repo);
    // the refund of the only paid member commits just before the closing worker takes the team lock
    jest.spyOn(repo, 'lock').mockImplementationOnce(async (em, id) => {
      const out = await t.app.get(RefundService).refundOrder(tenantId, orderId, SYSTEM, 'race');
      expect(out.refundStatus).toBe('success');
      return lock(em, id);
    });
    expect(await t.app.get(TeamClosingService).closeTeam(teamId, true, SYSTEM)).toBe(true);
    expect(await teamOf(teamId)).toMatchObject({ status: 'fail', pay_user_count: 0 });
    expect(await robots(teamId)).toBe(0);
  });

  it('two workers closing one expired virtual team: one closes it, robots are added once', async () => {
    const { teamId } = await paidLeader(true);
    const sut = t.app.get(TeamClosingService);
    const results = await Promise.all([
      sut.closeTeam(teamId, true, SYSTEM),
      sut.closeTeam(teamId, true, SYSTEM),
      sut.closeTeam(teamId, true, SYSTEM),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await teamOf(teamId)).toMatchObject({ status: 'success', user_count: 3, pay_user_count: 3 });
    expect(await robots(teamId)).toBe(2);
    const codes = await t.ds.query('SELECT deliver_code FROM group_buying_order WHERE team_id = ?', [teamId]);
    expect(codes).toEqual([{ deliver_code: expect.stringMatching(/^\d{8}$/) }]);
  });
});
