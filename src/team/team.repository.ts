import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { dbDate, execute, forUpdate, insertId, marks, rows } from '../database/sql';
import { MemberStatus, TeamStatus } from './team.state';

export interface TeamRow {
  id: number;
  tenant_id: number;
  group_buying_id: number;
  user_id: number;
  price: string | number;
  team_size: number;
  user_count: number;
  pay_user_count: number;
  expire_at: Date | string;
  status: string;
}

export interface MemberRow {
  id: number;
  team_id: number;
  user_id: number | null;
  order_id: number | null;
  order_code: string | null;
  status: string;
  nickname: string;
  avatar: string;
  is_robot: number | boolean;
  create_time: Date | string;
}

const S = TeamStatus;
const M = MemberStatus;

/** Every statement on the team and team_member tables. Writes run on the caller's transactional manager. */
@Injectable()
export class TeamRepository {
  constructor(private readonly ds: DataSource) {}

  insertTeam(
    em: EntityManager,
    t: { tenantId: number; dealId: number; userId: number; price: string; teamSize: number; expireAt: Date },
  ): Promise<number> {
    return insertId(
      em,
      'INSERT INTO team (tenant_id, group_buying_id, user_id, price, team_size, user_count, pay_user_count, expire_at, status) VALUES (?, ?, ?, ?, ?, 1, 0, ?, ?)',
      [t.tenantId, t.dealId, t.userId, t.price, t.teamSize, dbDate(em, t.expireAt), S.ACTIVE],
    );
  }

  /** One more seat in an open team (the rule in the WHERE); holds the team row lock until commit. */
  async takeSeat(em: EntityManager, teamId: number, dealId: number, now: Date): Promise<boolean> {
    const n = await execute(
      em,
      'UPDATE team SET user_count = user_count + 1, update_time = CURRENT_TIMESTAMP WHERE id = ? AND group_buying_id = ? AND status = ? AND user_count < team_size AND expire_at > ?',
      [teamId, dealId, S.ACTIVE, dbDate(em, now)],
    );
    return n === 1;
  }

  async find(db: DataSource | EntityManager, teamId: number): Promise<TeamRow | undefined> {
    const [t] = await rows<TeamRow>(db, 'SELECT * FROM team WHERE id = ?', [teamId]);
    return t;
  }

  /** The team row, locked until commit (MySQL); SQLite's write transaction already excludes the others. */
  async lock(em: EntityManager, teamId: number): Promise<TeamRow | undefined> {
    const [t] = await rows<TeamRow>(em, `SELECT * FROM team WHERE id = ?${forUpdate(em)}`, [teamId]);
    return t;
  }

  async heldSeatOf(em: EntityManager, teamId: number, userId: number): Promise<boolean> {
    const found = await rows(em, 'SELECT id FROM team_member WHERE team_id = ? AND user_id = ? AND status IN (?, ?, ?)', [
      teamId,
      userId,
      M.PENDING,
      M.PAID,
      M.SUCCESS,
    ]);
    return found.length > 0;
  }

  async insertMember(em: EntityManager, m: { teamId: number; userId: number; orderId: number; orderCode: string }): Promise<void> {
    const [u] = await rows<{ nickname: string; avatar: string }>(em, 'SELECT nickname, avatar FROM app_user WHERE id = ?', [m.userId]);
    await insertId(
      em,
      'INSERT INTO team_member (team_id, user_id, order_id, order_code, status, nickname, avatar, is_robot) VALUES (?, ?, ?, ?, ?, ?, ?, 0)',
      [m.teamId, m.userId, m.orderId, m.orderCode, M.PENDING, u?.nickname ?? '', u?.avatar ?? ''],
    );
  }

  async insertRobots(em: EntityManager, teamId: number, count: number, nickname: string): Promise<void> {
    for (let i = 0; i < count; i++) {
      await insertId(
        em,
        "INSERT INTO team_member (team_id, user_id, order_id, order_code, status, nickname, avatar, is_robot) VALUES (?, NULL, NULL, NULL, ?, ?, '', 1)",
        [teamId, M.SUCCESS, nickname],
      );
    }
  }

  async pendingMemberOf(em: EntityManager, orderId: number): Promise<{ user_id: number | null } | undefined> {
    const [m] = await rows<{ user_id: number | null }>(em, 'SELECT user_id FROM team_member WHERE order_id = ? AND status = ?', [
      orderId,
      M.PENDING,
    ]);
    return m;
  }

  /** A seat moved from one of `from` to `to` (conditional); true when this call moved it. */
  async moveMember(em: EntityManager, orderId: number, from: string[], to: string): Promise<boolean> {
    const n = await execute(
      em,
      `UPDATE team_member SET status = ?, update_time = CURRENT_TIMESTAMP WHERE order_id = ? AND status IN (${marks(from.length)})`,
      [to, orderId, ...from],
    );
    return n === 1;
  }

  async moveMemberById(em: EntityManager, memberId: number, from: string, to: string): Promise<boolean> {
    const n = await execute(em, 'UPDATE team_member SET status = ?, update_time = CURRENT_TIMESTAMP WHERE id = ? AND status = ?', [
      to,
      memberId,
      from,
    ]);
    return n === 1;
  }

  async moveAllMembers(em: EntityManager, teamId: number, from: string, to: string): Promise<void> {
    await execute(em, 'UPDATE team_member SET status = ?, update_time = CURRENT_TIMESTAMP WHERE team_id = ? AND status = ?', [
      to,
      teamId,
      from,
    ]);
  }

  /** Seat counters changed by a relative amount (never below zero). */
  async addCounts(em: EntityManager, teamId: number, seats: number, paid: number): Promise<void> {
    await execute(
      em,
      'UPDATE team SET user_count = user_count + ?, pay_user_count = pay_user_count + ?, update_time = CURRENT_TIMESTAMP WHERE id = ? AND user_count + ? >= 0 AND pay_user_count + ? >= 0',
      [seats, paid, teamId, seats, paid],
    );
  }

  /** The teams' rows locked until commit, in id order (the lock order of every path). */
  lockMany(em: EntityManager, teamIds: number[]): Promise<TeamRow[]> {
    const ids = [...new Set(teamIds)].sort((a, b) => a - b);
    return rows<TeamRow>(em, `SELECT * FROM team WHERE id IN (${marks(ids.length)}) ORDER BY id${forUpdate(em)}`, ids);
  }

  /** The seats among these orders still awaiting payment. */
  pendingMembersOfOrders(em: EntityManager, orderIds: number[]): Promise<{ team_id: number; order_id: number; user_id: number | null }[]> {
    return rows(em, `SELECT team_id, order_id, user_id FROM team_member WHERE order_id IN (${marks(orderIds.length)}) AND status = ?`, [
      ...orderIds,
      M.PENDING,
    ]);
  }

  /** Seats of these orders moved from `from` to `to` (conditional); how many moved. */
  moveMembers(em: EntityManager, orderIds: number[], from: string, to: string): Promise<number> {
    return execute(
      em,
      `UPDATE team_member SET status = ?, update_time = CURRENT_TIMESTAMP WHERE order_id IN (${marks(orderIds.length)}) AND status = ?`,
      [to, ...orderIds, from],
    );
  }

  /** `user_count` of each team down by its number of freed seats, one statement (never below zero). */
  async releaseSeats(em: EntityManager, freed: Map<number, number>): Promise<void> {
    const ids = [...freed.keys()].sort((a, b) => a - b);
    const cases = ids.map(() => 'WHEN ? THEN ?').join(' ');
    const n = ids.flatMap((id) => [id, freed.get(id)]);
    await execute(
      em,
      `UPDATE team SET user_count = CASE WHEN user_count >= (CASE id ${cases} END) THEN user_count - (CASE id ${cases} END) ELSE user_count END, update_time = CURRENT_TIMESTAMP WHERE id IN (${marks(ids.length)})`,
      [...n, ...n, ...ids],
    );
  }

  /** The team's status moved from `from` to `to` (conditional); true when this call moved it. */
  async moveTeam(em: EntityManager, teamId: number, from: string, to: string, extra = '', params: unknown[] = []): Promise<boolean> {
    const n = await execute(em, `UPDATE team SET status = ?, update_time = CURRENT_TIMESTAMP WHERE id = ? AND status = ?${extra}`, [
      to,
      teamId,
      from,
      ...params,
    ]);
    return n === 1;
  }

  async orderIdsOfMembers(db: DataSource | EntityManager, teamId: number, status: string): Promise<number[]> {
    const found = await rows<{ order_id: number }>(
      db,
      'SELECT order_id FROM team_member WHERE team_id = ? AND status = ? AND order_id IS NOT NULL ORDER BY order_id',
      [teamId, status],
    );
    return found.map((r) => Number(r.order_id));
  }

  /** Active teams past their expiry, by id, after the cursor. */
  dueForClosing(
    now: Date,
    after: number,
    limit: number,
    scope: { tenantId?: number; dealId?: number },
  ): Promise<{ id: number; group_buying_id: number }[]> {
    const where = ['status = ?', 'expire_at <= ?', 'id > ?'];
    const params: unknown[] = [S.ACTIVE, dbDate(this.ds, now), after];
    if (scope.tenantId) {
      where.push('tenant_id = ?');
      params.push(scope.tenantId);
    }
    if (scope.dealId) {
      where.push('group_buying_id = ?');
      params.push(scope.dealId);
    }
    return rows(this.ds, `SELECT id, group_buying_id FROM team WHERE ${where.join(' AND ')} ORDER BY id LIMIT ${Number(limit)}`, params);
  }

  /** Paid seats of failed teams (to be refunded). */
  failedPaidSeats(tenantId: number | undefined, limit: number): Promise<{ member_id: number; order_id: number; tenant_id: number }[]> {
    const where = ['t.status = ?', 'm.status = ?'];
    const params: unknown[] = [S.FAIL, M.PAID];
    if (tenantId) {
      where.push('t.tenant_id = ?');
      params.push(tenantId);
    }
    return rows(
      this.ds,
      `SELECT m.id AS member_id, m.order_id, t.tenant_id FROM team_member m JOIN team t ON t.id = m.team_id WHERE ${where.join(' AND ')} ORDER BY m.id LIMIT ${Number(limit)}`,
      params,
    );
  }

  async statusesOf(ids: number[]): Promise<Map<number, string>> {
    if (!ids.length) return new Map();
    const found = await rows<{ id: number; status: string }>(
      this.ds,
      `SELECT id, status FROM team WHERE id IN (${marks(ids.length)})`,
      ids,
    );
    return new Map(found.map((r) => [Number(r.id), r.status]));
  }

  teams(db: DataSource | EntityManager, ids: number[]): Promise<TeamRow[]> {
    return rows<TeamRow>(
      db,
      `SELECT id, tenant_id, group_buying_id, user_id, price, team_size, user_count, pay_user_count, expire_at, status FROM team WHERE id IN (${marks(ids.length)})`,
      ids,
    );
  }

  members(db: DataSource | EntityManager, teamIds: number[]): Promise<MemberRow[]> {
    return rows<MemberRow>(
      db,
      `SELECT id, team_id, user_id, order_id, order_code, status, nickname, avatar, is_robot, create_time FROM team_member WHERE team_id IN (${marks(teamIds.length)}) AND status <> ? ORDER BY id`,
      [...teamIds, M.LEFT],
    );
  }
}
