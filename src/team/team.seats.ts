import { EntityManager } from 'typeorm';
import { isDuplicateKeyError } from '../common/exception.filter';
import { DomainError } from '../common/errors';
import { dbDate, execute, forUpdate, insertId, rows } from '../database/sql';
import { newDeliverCode } from '../order/order-code';

/**
 * Team buy (contract §7) inside the order transactions: plain SQL on a transactional manager, so
 * checkout, settlement and the sweep share one lock order: checkout row → team row → deal row.
 * A seat is a team_member row (pending → paid → success | fail, or left when its checkout is released).
 */

export const ROBOT_NICKNAME = '我是机器人';

export interface TeamRow {
  id: number;
  tenant_id: number;
  group_buying_id: number;
  user_id: number;
  team_size: number;
  user_count: number;
  pay_user_count: number;
  expire_at: Date | string;
  status: string;
}

const asDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(`${String(v).replace(' ', 'T')}Z`));

/** Opens a team led by the caller: one place held. */
export async function openTeam(
  em: EntityManager,
  t: { tenantId: number; dealId: number; userId: number; price: string; teamSize: number; expireAt: Date },
): Promise<number> {
  return insertId(
    em,
    "INSERT INTO team (tenant_id, group_buying_id, user_id, price, team_size, user_count, pay_user_count, expire_at, status) VALUES (?, ?, ?, ?, ?, 1, 0, ?, 'active')",
    [t.tenantId, t.dealId, t.userId, t.price, t.teamSize, dbDate(em, t.expireAt)],
  );
}

/**
 * Takes a place in an open team with one conditional update (the rule in the WHERE), which also holds
 * the team row lock until commit, so the "already in it" check below is exact and seats never exceed
 * team_size. Any refusal is a 1001 (the transaction rolls back).
 */
export async function joinTeam(em: EntityManager, teamId: number, dealId: number, userId: number, now: Date): Promise<void> {
  const took = await execute(
    em,
    "UPDATE team SET user_count = user_count + 1, update_time = CURRENT_TIMESTAMP WHERE id = ? AND group_buying_id = ? AND status = 'active' AND user_count < team_size AND expire_at > ?",
    [teamId, dealId, dbDate(em, now)],
  );
  if (took !== 1) {
    const [t] = await rows<TeamRow>(em, 'SELECT * FROM team WHERE id = ?', [teamId]);
    throw DomainError.cannotBuy(refusal(t, dealId, now));
  }
  const [mine] = await rows<{ id: number }>(em, "SELECT id FROM team_member WHERE team_id = ? AND user_id = ? AND status IN ('pending', 'paid', 'success')", [teamId, userId]);
  if (mine) throw DomainError.cannotBuy('您已在该拼团中 (already in this team)');
}

function refusal(t: TeamRow | undefined, dealId: number, now: Date): string {
  if (!t) return '拼团不存在 (team not found)';
  if (Number(t.group_buying_id) !== dealId) return '拼团不属于该团购 (team of another deal)';
  if (t.status === 'success') return '拼团已成团 (team already formed)';
  if (t.status !== 'active') return '拼团已失败 (team failed)';
  if (asDate(t.expire_at) <= now) return '拼团已过期 (team expired)';
  return '拼团人数已满 (team is full)';
}

export async function addMember(em: EntityManager, m: { teamId: number; userId: number; orderId: number; orderCode: string }): Promise<void> {
  const [u] = await rows<{ nickname: string; avatar: string }>(em, 'SELECT nickname, avatar FROM app_user WHERE id = ?', [m.userId]);
  await insertId(em, "INSERT INTO team_member (team_id, user_id, order_id, order_code, status, nickname, avatar, is_robot) VALUES (?, ?, ?, ?, 'pending', ?, ?, 0)", [
    m.teamId,
    m.userId,
    m.orderId,
    m.orderCode,
    u?.nickname ?? '',
    u?.avatar ?? '',
  ]);
}

/** The team row, locked until commit (MySQL); SQLite's write transaction already excludes the others. */
export async function lockTeam(em: EntityManager, teamId: number): Promise<TeamRow | undefined> {
  const [t] = await rows<TeamRow>(em, `SELECT * FROM team WHERE id = ?${forUpdate(em)}`, [teamId]);
  return t;
}

/**
 * A team order was paid (under the team row lock, taken by the caller): the member is paid; when the
 * paid members reach team_size the team forms and every paid pickup order of it gets its code.
 * A member of a team that failed meanwhile stays `paid`: the sweep refunds it.
 */
export async function memberPaid(em: EntityManager, teamId: number, orderId: number): Promise<'formed' | 'paid' | 'noop'> {
  const t = await lockTeam(em, teamId);
  if (!t) return 'noop';
  const n = await execute(em, "UPDATE team_member SET status = 'paid', update_time = CURRENT_TIMESTAMP WHERE order_id = ? AND status = 'pending'", [orderId]);
  if (n !== 1) return 'noop';
  await execute(em, 'UPDATE team SET pay_user_count = pay_user_count + 1, update_time = CURRENT_TIMESTAMP WHERE id = ?', [teamId]);
  if (t.status === 'success') {
    // formed while this place was awaiting payment: it is part of the formed team
    await execute(em, "UPDATE team_member SET status = 'success', update_time = CURRENT_TIMESTAMP WHERE order_id = ?", [orderId]);
    await giveTeamCodes(em, teamId);
    return 'paid';
  }
  if (t.status === 'active' && Number(t.pay_user_count) + 1 >= Number(t.team_size)) {
    await formTeam(em, teamId);
    return 'formed';
  }
  return 'paid';
}

/** active → success (caller holds the team lock): members paid → success, pickup codes handed out. */
export async function formTeam(em: EntityManager, teamId: number): Promise<boolean> {
  const won = await execute(em, "UPDATE team SET status = 'success', update_time = CURRENT_TIMESTAMP WHERE id = ? AND status = 'active'", [teamId]);
  if (won !== 1) return false;
  await execute(em, "UPDATE team_member SET status = 'success', update_time = CURRENT_TIMESTAMP WHERE team_id = ? AND status = 'paid'", [teamId]);
  await giveTeamCodes(em, teamId);
  return true;
}

/** Every paid pickup order of the team's successful members without a code gets one. */
export async function giveTeamCodes(em: EntityManager, teamId: number): Promise<void> {
  const due = await rows<{ id: number }>(
    em,
    "SELECT o.id FROM group_buying_order o JOIN team_member m ON m.order_id = o.id WHERE m.team_id = ? AND m.status = 'success' AND o.status IN (1, 8) AND o.deliver_type = 1 AND o.deliver_code IS NULL ORDER BY o.id",
    [teamId],
  );
  for (const o of due) await assignDeliverCode(em, Number(o.id));
}

/** 8-digit pickup code, unique among the shop's open orders (unique index on shop_id + open_deliver_code). */
export async function assignDeliverCode(em: EntityManager, orderId: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const code = newDeliverCode();
    try {
      await execute(em, 'UPDATE group_buying_order SET deliver_code = ?, open_deliver_code = ?, update_time = CURRENT_TIMESTAMP WHERE id = ? AND deliver_code IS NULL', [code, code, orderId]);
      return;
    } catch (e) {
      if (!isDuplicateKeyError(e) || attempt >= 20) throw e;
    }
  }
}

/**
 * The checkout of an unpaid place was released (expired, cancelled, closed by the team sweep): the
 * seat is freed. The leader leaving before anyone paid fails an active team.
 */
export async function memberLeft(em: EntityManager, teamId: number, orderId: number): Promise<void> {
  const t = await lockTeam(em, teamId);
  if (!t) return;
  const [m] = await rows<{ user_id: number | null }>(em, "SELECT user_id FROM team_member WHERE order_id = ? AND status = 'pending'", [orderId]);
  if (!m) return;
  const n = await execute(em, "UPDATE team_member SET status = 'left', update_time = CURRENT_TIMESTAMP WHERE order_id = ? AND status = 'pending'", [orderId]);
  if (n !== 1) return;
  await execute(em, 'UPDATE team SET user_count = user_count - 1, update_time = CURRENT_TIMESTAMP WHERE id = ? AND user_count > 0', [teamId]);
  if (t.status === 'active' && Number(m.user_id) === Number(t.user_id) && Number(t.pay_user_count) === 0) {
    await execute(em, "UPDATE team SET status = 'fail', update_time = CURRENT_TIMESTAMP WHERE id = ? AND status = 'active' AND pay_user_count = 0", [teamId]);
  }
}

/** Robot members (no user, no order) completing a virtual team up to team_size (caller holds the lock). */
export async function addRobots(em: EntityManager, teamId: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await insertId(em, "INSERT INTO team_member (team_id, user_id, order_id, order_code, status, nickname, avatar, is_robot) VALUES (?, NULL, NULL, NULL, 'success', ?, '', 1)", [
      teamId,
      ROBOT_NICKNAME,
    ]);
  }
  if (count > 0) {
    await execute(em, 'UPDATE team SET user_count = user_count + ?, pay_user_count = pay_user_count + ?, update_time = CURRENT_TIMESTAMP WHERE id = ?', [count, count, teamId]);
  }
}

/** A paid member of a still forming team was refunded (admin refund): its seat is given back. */
export async function memberRefunded(em: EntityManager, teamId: number, orderId: number): Promise<void> {
  const t = await lockTeam(em, teamId);
  if (!t || t.status !== 'active') return;
  const n = await execute(em, "UPDATE team_member SET status = 'left', update_time = CURRENT_TIMESTAMP WHERE order_id = ? AND status = 'paid'", [orderId]);
  if (n !== 1) return;
  await execute(em, 'UPDATE team SET user_count = user_count - 1, pay_user_count = pay_user_count - 1, update_time = CURRENT_TIMESTAMP WHERE id = ? AND user_count > 0 AND pay_user_count > 0', [teamId]);
}
