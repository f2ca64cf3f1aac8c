import Big from 'big.js';
import { SweepService } from '../src/jobs/sweep.service';
import { bootApp, TestApp } from './support/app';
import {
  adminAuth,
  adminToken,
  createOrder,
  dealCounters,
  HOUR,
  loginUser,
  makeDeal,
  newTenantWithShop,
  payOrder,
  userAuth,
} from './support/builders';

describe('Team buy 拼团 (MariaDB)', () => {
  let t: TestApp;
  let tenantId: number;
  let shopId: number;
  let tenantToken: string;
  let sweep: SweepService;
  let n = 0;

  beforeAll(async () => {
    t = await bootApp('team', { LOGIN_RATE_LIMIT_PER_MINUTE: '100000' });
    ({ tenantId, token: tenantToken, shopId } = await newTenantWithShop(t, await adminToken(t), 'TeamA', '拼团门店'));
    sweep = t.app.get(SweepService);
  });
  afterAll(() => t.close());

  const user = () => loginUser(t, `team-u-${++n}`);
  const teamDeal = (over: Parameters<typeof makeDeal>[3] = {}) =>
    makeDeal(t, tenantId, shopId, { name: '拼团商品', price: new Big('9.90'), teamSize: 3, teamHours: 24, ...over });
  const create = (token: string, dealId: number, teamId?: number) =>
    createOrder(t, token, { goods: [{ product_id: dealId, quantity: 1 }], ...(teamId !== undefined ? { team_id: teamId } : {}) });
  const team = async (id: number) => (await t.ds.query('SELECT * FROM team WHERE id = ?', [id]))[0];
  const members = (id: number) => t.ds.query('SELECT * FROM team_member WHERE team_id = ? ORDER BY id', [id]);
  const order = async (code: string) => (await t.ds.query('SELECT * FROM group_buying_order WHERE code = ?', [code]))[0];
  /** The team and its unpaid checkouts past their time (the sweep then sees them as expired). */
  const expireTeam = async (teamId: number) => {
    await t.ds.query('UPDATE team SET expire_at = ? WHERE id = ?', [new Date(Date.now() - 1000), teamId]);
  };
  const expireCheckoutOf = async (code: string) => {
    const past = new Date(Date.now() - 1000);
    await t.ds.query('UPDATE checkout SET expire_time = ? WHERE id = (SELECT checkout_id FROM group_buying_order WHERE code = ?)', [
      past,
      code,
    ]);
    await t.ds.query('UPDATE group_buying_order SET expire_time = ? WHERE code = ?', [past, code]);
  };

  /** A team of the deal opened by a fresh leader; returns the team id and the leader's order. */
  const openTeam = async (dealId: number) => {
    const leader = await user();
    const res = await create(leader.token, dealId);
    expect(res.status).toBe(200);
    return { leader, teamId: res.body.data.orders[0].team_id as number, code: res.body.data.orders[0].code as string };
  };

  describe('createOrder', () => {
    it('without team_id opens a team led by the caller; the answer and the order carry team_id', async () => {
      const d = await teamDeal({ teamHours: 2 });
      const { leader, teamId, code } = await openTeam(d.id);
      expect(teamId).toEqual(expect.any(Number));
      const row = await team(teamId);
      expect(row).toMatchObject({
        status: 'active',
        user_id: leader.id,
        team_size: 3,
        user_count: 1,
        pay_user_count: 0,
        group_buying_id: d.id,
      });
      const expireAt = new Date(row.expire_at).getTime();
      expect(Math.abs(expireAt - (Date.now() + 2 * HOUR))).toBeLessThan(60_000);
      expect((await order(code)).team_id).toBe(teamId);
      expect(await members(teamId)).toEqual([
        expect.objectContaining({ user_id: leader.id, status: 'pending', order_code: code, is_robot: 0 }),
      ]);
    });

    it('a team ends with its deal when the deal ends first', async () => {
      const end = new Date(Date.now() + HOUR);
      const d = await teamDeal({ teamHours: 24, endTime: end });
      const { teamId } = await openTeam(d.id);
      expect(Math.abs(new Date((await team(teamId)).expire_at).getTime() - end.getTime())).toBeLessThan(1000);
    });

    it('with team_id joins; full, already in, wrong deal and expired teams are 1001', async () => {
      const d = await teamDeal();
      const { leader, teamId } = await openTeam(d.id);
      const again = await create(leader.token, d.id, teamId);
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ status: 1001, msg: expect.stringContaining('已在该拼团') });
      const u2 = await user();
      const u3 = await user();
      const j2 = await create(u2.token, d.id, teamId);
      expect(j2.status).toBe(200);
      expect(j2.body.data.orders[0].team_id).toBe(teamId);
      expect((await create(u3.token, d.id, teamId)).status).toBe(200);
      const u4 = await user();
      const full = await create(u4.token, d.id, teamId);
      expect(full.status).toBe(409);
      expect(full.body).toMatchObject({ status: 1001, msg: expect.stringContaining('已满') });
      expect((await team(teamId)).user_count).toBe(3);
      expect((await dealCounters(t, d.id)).stock).toBe(97);

      const other = await teamDeal();
      const wrong = await create(u4.token, other.id, teamId);
      expect(wrong.status).toBe(409);
      expect(wrong.body.status).toBe(1001);

      const d2 = await teamDeal();
      const late = await openTeam(d2.id);
      await expireTeam(late.teamId);
      const expired = await create(u4.token, d2.id, late.teamId);
      expect(expired.status).toBe(409);
      expect(expired.body).toMatchObject({ status: 1001, msg: expect.stringContaining('过期') });

      const unknown = await create(u4.token, d2.id, 99999999);
      expect(unknown.body.status).toBe(1001);
      // nothing written by the refusals
      expect((await dealCounters(t, d2.id)).stock).toBe(99);
    });

    it('a team_id on a plain deal is 1001; a team deal with a second line is a 400 naming goods', async () => {
      const plain = await makeDeal(t, tenantId, shopId);
      const d = await teamDeal();
      const { teamId } = await openTeam(d.id);
      const u = await user();
      const res = await create(u.token, plain.id, teamId);
      expect(res.status).toBe(409);
      expect(res.body.status).toBe(1001);
      const two = await createOrder(t, u.token, {
        goods: [
          { product_id: d.id, quantity: 1 },
          { product_id: plain.id, quantity: 1 },
        ],
      });
      expect(two.status).toBe(400);
      expect(two.body.msg).toContain('goods');
      expect((await dealCounters(t, plain.id)).stock).toBe(100);
    });

    it('12 users joining a team of 3 at once: exactly 2 get in, seats never above 3', async () => {
      const d = await teamDeal();
      const { teamId } = await openTeam(d.id);
      const users = await Promise.all(Array.from({ length: 12 }, () => user()));
      const res = await Promise.all(users.map((u) => create(u.token, d.id, teamId)));
      expect(res.filter((r) => r.status === 200)).toHaveLength(2);
      expect(res.filter((r) => r.status === 409 && r.body.status === 1001)).toHaveLength(10);
      expect(await team(teamId)).toMatchObject({ user_count: 3 });
      expect(await members(teamId)).toHaveLength(3);
      expect((await dealCounters(t, d.id)).stock).toBe(97);
    });
  });

  describe('payment and formation', () => {
    it('paid members wait without a code; the last two paying at once form the team once, every member gets a code', async () => {
      const d = await teamDeal();
      const { leader, teamId, code } = await openTeam(d.id);
      const u2 = await user();
      const u3 = await user();
      const c2 = (await create(u2.token, d.id, teamId)).body.data.orders[0].code;
      const c3 = (await create(u3.token, d.id, teamId)).body.data.orders[0].code;

      expect((await payOrder(t, leader.token, code)).body.status).toBe(701);
      const o1 = await order(code);
      expect(o1).toMatchObject({ status: 1, sequence: 1, deliver_code: null });
      expect(await team(teamId)).toMatchObject({ status: 'active', pay_user_count: 1, user_count: 3 });
      const info = await t.http.get(`/api/group/order/order_info/${code}`).set(userAuth(leader.token));
      expect(info.body.data.deliver_code).toBeNull();
      expect(info.body.data.team).toMatchObject({ id: teamId, status: 'active', pay_user_count: 1, user_count: 3, member_count: 3 });

      // forming team: deliverorder 409, confirmorder skips
      const deliver = await t.http
        .post('/api/marketing/groupbuying/deliverorder')
        .set(adminAuth(tenantToken))
        .send({ shopId, type: 1, code: '12345678', id: o1.id });
      expect(deliver.status).toBe(409);
      const confirm = await t.http.post('/api/marketing/groupbuying/confirmorder').set(adminAuth(tenantToken)).send([o1.id]);
      expect(confirm.status).toBe(200);
      expect(confirm.body.data).toEqual({ confirmed: [], skipped: [{ id: o1.id, reason: expect.stringContaining('拼团') }] });

      const pays = await Promise.all([payOrder(t, u2.token, c2), payOrder(t, u3.token, c3)]);
      expect(pays.map((p) => p.body.status)).toEqual([701, 701]);
      expect(await team(teamId)).toMatchObject({ status: 'success', pay_user_count: 3, user_count: 3 });
      expect((await members(teamId)).map((m: { status: string }) => m.status)).toEqual(['success', 'success', 'success']);
      const orders = [await order(code), await order(c2), await order(c3)];
      for (const o of orders) expect(o.deliver_code).toMatch(/^\d{8}$/);
      expect(orders.map((o) => o.sequence).sort()).toEqual([1, 2, 3]);
      expect(await dealCounters(t, d.id)).toMatchObject({ payed_count: 3, last_sequence: 3 });
      const [{ formed }] = await t.ds.query("SELECT COUNT(*) AS formed FROM order_log WHERE action = 'team_formed' AND detail = ?", [
        `team ${teamId}`,
      ]);
      expect(Number(formed)).toBe(1);

      // formed: deliverable and confirmable
      const ok = await t.http.post('/api/marketing/groupbuying/confirmorder').set(adminAuth(tenantToken)).send([o1.id]);
      expect(ok.body.data.confirmed).toEqual([o1.id]);
      const done = await t.http
        .post('/api/marketing/groupbuying/deliverorder')
        .set(adminAuth(tenantToken))
        .send({ shopId, type: 1, code: orders[0].deliver_code, id: o1.id });
      expect(done.status).toBe(200);
    });

    it('an unpaid member whose checkout expires frees the seat, and someone else can join', async () => {
      const d = await teamDeal({ teamSize: 2 });
      const { teamId } = await openTeam(d.id);
      const u2 = await user();
      const c2 = (await create(u2.token, d.id, teamId)).body.data.orders[0].code;
      const u3 = await user();
      expect((await create(u3.token, d.id, teamId)).body.status).toBe(1001);
      await expireCheckoutOf(c2);
      const run = await sweep.runOnce();
      expect(run.expired).toBeGreaterThanOrEqual(1);
      expect(await team(teamId)).toMatchObject({ user_count: 1, status: 'active' });
      expect((await members(teamId))[1]).toMatchObject({ user_id: u2.id, status: 'left' });
      expect((await create(u3.token, d.id, teamId)).status).toBe(200);
      expect((await team(teamId)).user_count).toBe(2);
    });

    it('an admin refund of a paid member of a forming team gives the seat back', async () => {
      const d = await teamDeal({ teamSize: 2 });
      const { leader, teamId, code } = await openTeam(d.id);
      expect((await payOrder(t, leader.token, code)).body.status).toBe(701);
      const o = await order(code);
      const res = await t.http.post(`/api/marketing/groupbuying/refundorder?id=${o.id}`).set(adminAuth(tenantToken));
      expect(res.status).toBe(200);
      expect(await order(code)).toMatchObject({ status: 2, refund_status: 'success' });
      expect(await team(teamId)).toMatchObject({ status: 'active', user_count: 0, pay_user_count: 0 });
      expect((await members(teamId))[0].status).toBe('left');
    });

    it('the leader cancelling before anyone paid fails the team', async () => {
      const d = await teamDeal();
      const { leader, teamId, code } = await openTeam(d.id);
      const res = await t.http.post('/api/group/order/cancel').set(userAuth(leader.token)).send({ code });
      expect(res.status).toBe(200);
      expect(await team(teamId)).toMatchObject({ status: 'fail', user_count: 0 });
      expect((await create((await user()).token, d.id, teamId)).body.status).toBe(1001);
    });
  });

  describe('expiry (sweep)', () => {
    it('a team that did not form fails: paid members refunded in full, unpaid places released', async () => {
      const d = await teamDeal();
      const { leader, teamId, code } = await openTeam(d.id);
      const u2 = await user();
      const c2 = (await create(u2.token, d.id, teamId)).body.data.orders[0].code;
      expect((await payOrder(t, leader.token, code)).body.status).toBe(701);
      expect((await dealCounters(t, d.id)).stock).toBe(98);
      await expireTeam(teamId);
      const run = await sweep.runOnce();
      expect(run.teamsClosed).toBe(1);
      expect(await team(teamId)).toMatchObject({ status: 'fail', user_count: 1, pay_user_count: 1 });
      expect(await order(code)).toMatchObject({ status: 2, refund_status: 'success', deliver_code: null });
      expect(await order(c2)).toMatchObject({ status: 5 });
      expect((await members(teamId)).map((m: { status: string }) => m.status)).toEqual(['fail', 'left']);
      expect((await dealCounters(t, d.id)).stock).toBe(100);
      const [r] = await t.ds.query(
        'SELECT amount, status FROM payment_refund WHERE order_id = (SELECT id FROM group_buying_order WHERE code = ?)',
        [code],
      );
      expect(r).toMatchObject({ status: 'success' });
      expect(new Big(r.amount).eq('9.90')).toBe(true);
      // a second run changes nothing
      expect((await sweep.runOnce()).teamsClosed).toBe(0);
      expect(
        await t.ds.query('SELECT id FROM payment_refund WHERE order_id = (SELECT id FROM group_buying_order WHERE code = ?)', [code]),
      ).toHaveLength(1);
    });

    it('a virtualTeam team is completed with robots and its paid members get their codes', async () => {
      const d = await teamDeal({ virtualTeam: true, teamSize: 4 });
      const { leader, teamId, code } = await openTeam(d.id);
      const u2 = await user();
      const c2 = (await create(u2.token, d.id, teamId)).body.data.orders[0].code;
      const u3 = await user();
      const c3 = (await create(u3.token, d.id, teamId)).body.data.orders[0].code;
      expect((await payOrder(t, leader.token, code)).body.status).toBe(701);
      expect((await payOrder(t, u2.token, c2)).body.status).toBe(701);
      await expireTeam(teamId);
      expect((await sweep.runOnce()).teamsClosed).toBe(1);
      expect(await team(teamId)).toMatchObject({ status: 'success', user_count: 4, pay_user_count: 4 });
      const ms = await members(teamId);
      expect(ms.filter((m: { is_robot: number }) => m.is_robot === 1)).toEqual([
        expect.objectContaining({ user_id: null, order_id: null, nickname: '我是机器人', status: 'success' }),
        expect.objectContaining({ user_id: null, nickname: '我是机器人', status: 'success' }),
      ]);
      expect((await order(code)).deliver_code).toMatch(/^\d{8}$/);
      expect((await order(c2)).deliver_code).toMatch(/^\d{8}$/);
      expect(await order(c3)).toMatchObject({ status: 5, deliver_code: null });

      const page = await t.http.get(`/api/group/team/${teamId}`);
      expect(page.body.data.members.filter((m: { is_robot: boolean }) => m.is_robot)).toEqual([
        expect.objectContaining({ nickname: '我是机器人', is_robot: true, status: 'success' }),
        expect.objectContaining({ nickname: '我是机器人', is_robot: true }),
      ]);
    });

    it('a virtualTeam team with no paid member fails: robots never make a team alone', async () => {
      const d = await teamDeal({ virtualTeam: true });
      const { teamId, code } = await openTeam(d.id);
      await expireTeam(teamId);
      expect((await sweep.runOnce()).teamsClosed).toBe(1);
      expect(await team(teamId)).toMatchObject({ status: 'fail', user_count: 0, pay_user_count: 0 });
      expect(await order(code)).toMatchObject({ status: 5 });
      expect((await members(teamId)).filter((m: { is_robot: number }) => m.is_robot === 1)).toHaveLength(0);
      expect((await dealCounters(t, d.id)).stock).toBe(100);
    });

    it('a member paying into a team that failed meanwhile is refunded by the sweep', async () => {
      const d = await teamDeal();
      const { leader, teamId, code } = await openTeam(d.id);
      const u2 = await user();
      const c2 = (await create(u2.token, d.id, teamId)).body.data.orders[0].code;
      await t.http.post('/api/group/order/cancel').set(userAuth(leader.token)).send({ code });
      expect((await team(teamId)).status).toBe('fail');
      expect((await payOrder(t, u2.token, c2)).body.status).toBe(701);
      expect(await order(c2)).toMatchObject({ status: 1, deliver_code: null });
      await sweep.runOnce();
      expect(await order(c2)).toMatchObject({ status: 2, refund_status: 'success' });
      expect((await members(teamId)).map((m: { status: string }) => m.status)).toEqual(['left', 'fail']);
      expect((await dealCounters(t, d.id)).stock).toBe(100);
    });

    it('two sweeps at once close each team exactly once', async () => {
      const d = await teamDeal();
      const teams: { teamId: number; code: string }[] = [];
      for (let i = 0; i < 5; i++) {
        const o = await openTeam(d.id);
        expect((await payOrder(t, o.leader.token, o.code)).body.status).toBe(701);
        teams.push(o);
      }
      for (const o of teams) await expireTeam(o.teamId);
      const [a, b] = await Promise.all([sweep.runOnce(), sweep.runOnce()]);
      expect(a.teamsClosed + b.teamsClosed).toBe(5);
      for (const o of teams) {
        expect((await team(o.teamId)).status).toBe('fail');
        expect(await order(o.code)).toMatchObject({ status: 2, refund_status: 'success' });
        expect(
          await t.ds.query('SELECT id FROM payment_refund WHERE order_id = (SELECT id FROM group_buying_order WHERE code = ?)', [o.code]),
        ).toHaveLength(1);
      }
      expect((await dealCounters(t, d.id)).stock).toBe(100);
      const [{ logs }] = await t.ds.query("SELECT COUNT(*) AS logs FROM order_log WHERE action = 'team_fail'");
      expect(Number(logs)).toBeGreaterThanOrEqual(5);
    });
  });

  describe('GET /api/group/team/{id}', () => {
    it("answers the team page without a token, in the contract shape, without members' user ids or order codes", async () => {
      const d = await teamDeal();
      const { leader, teamId, code } = await openTeam(d.id);
      const u2 = await user();
      const c2 = (await create(u2.token, d.id, teamId)).body.data.orders[0].code;
      await payOrder(t, leader.token, code);
      const res = await t.http.get(`/api/group/team/${teamId}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        status: 200,
        msg: 'ok',
        data: {
          id: teamId,
          group_buying_id: d.id,
          user_id: leader.id,
          price: '9.90',
          member_count: 3,
          max_count: 3,
          user_count: 2,
          pay_user_count: 1,
          expire_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
          status: 'active',
          members: [
            {
              id: expect.any(Number),
              status: 'paid',
              nickname: expect.any(String),
              avatar: null,
              is_robot: false,
              created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
            },
            {
              id: expect.any(Number),
              status: 'pending',
              nickname: expect.any(String),
              avatar: null,
              is_robot: false,
              created_at: expect.any(String),
            },
          ],
        },
      });
      // the member's own order view names the caller's seat, and only it
      const list = await t.http.post('/api/group/order/order_list').set(userAuth(leader.token)).send({});
      const [mine, other] = list.body.data.list[0].team.members;
      expect(mine).toEqual({ ...res.body.data.members[0], user_id: leader.id, order_code: code });
      expect(other).toEqual(res.body.data.members[1]);
      expect(other).not.toHaveProperty('order_code', c2);
      expect((await t.http.get('/api/group/team/99999999')).status).toBe(404);
    });

    it('is in the OpenAPI document', async () => {
      const doc = await t.http.get('/docs-json');
      expect(doc.body.paths['/api/group/team/{id}']).toBeDefined();
      expect(doc.body.paths['/api/group/team/{id}'].get.summary).toBe('拼团详情');
    });
  });
});
