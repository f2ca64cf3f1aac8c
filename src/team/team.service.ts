import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../common/errors';
import { readDate } from '../database/sql';
import { DealStockService } from '../group-buying/deal-stock.service';
import { TeamRepository, TeamRow } from './team.repository';
import { MemberStatus, TeamStatus } from './team.state';
import { toTeamViews, TeamView } from './team.view';

export const ROBOT_NICKNAME = '我是机器人';

/** What paying a seat did to its team: it formed now, the seat joined a team formed meanwhile, or just paid. */
export type SeatPaid = 'formed' | 'joined_formed' | 'paid' | 'noop';

/** An expired team closed by this worker: how it ended and the orders of its unpaid seats (to release). */
export interface ClosedTeam {
  outcome: 'success' | 'fail';
  tenantId: number;
  pendingOrderIds: number[];
}

/**
 * Team buy (contract §7): teams and their seats. Seat changes run inside the order module's
 * transactions (the caller passes its manager) in one lock order: checkout row → team row → deal row.
 * Only this module writes the team and team_member tables; it never touches orders.
 */
@Injectable()
export class TeamService {
  constructor(
    private readonly ds: DataSource,
    private readonly teams: TeamRepository,
    private readonly deals: DealStockService,
  ) {}

  /** The shared team page. */
  async view(id: number): Promise<TeamView> {
    const team = (await this.views([id])).get(id);
    if (!team) throw DomainError.notFound('拼团');
    return team;
  }

  /** Teams with their members, two queries for any number (order lists stay free of N+1); `viewerId` sees its own ids. */
  async views(ids: number[], viewerId?: number): Promise<Map<number, TeamView>> {
    const unique = [...new Set(ids.filter((id) => id !== null && id !== undefined).map(Number))];
    if (!unique.length) return new Map();
    return toTeamViews(await this.teams.teams(this.ds, unique), await this.teams.members(this.ds, unique), viewerId);
  }

  async statuses(ids: number[]): Promise<Map<number, string>> {
    return this.teams.statusesOf([...new Set(ids)]);
  }

  /** Opens a team led by the caller: one place held. */
  open(
    em: EntityManager,
    t: { tenantId: number; dealId: number; userId: number; price: string; teamSize: number; expireAt: Date },
  ): Promise<number> {
    return this.teams.insertTeam(em, t);
  }

  /**
   * Takes a place in an open team with one conditional update, which also holds the team row lock
   * until commit: seats never exceed team_size and the "already in it" check is exact. Refusals are 1001.
   */
  async join(em: EntityManager, teamId: number, dealId: number, userId: number, now: Date): Promise<void> {
    if (!(await this.teams.takeSeat(em, teamId, dealId, now))) {
      throw DomainError.cannotBuy(refusal(await this.teams.find(em, teamId), dealId, now));
    }
    if (await this.teams.heldSeatOf(em, teamId, userId)) throw DomainError.cannotBuy('您已在该拼团中 (already in this team)');
  }

  addMember(em: EntityManager, m: { teamId: number; userId: number; orderId: number; orderCode: string }): Promise<void> {
    return this.teams.insertMember(em, m);
  }

  /** Locks the team row until commit (callers lock teams before deals). */
  async lock(em: EntityManager, teamId: number): Promise<void> {
    await this.teams.lock(em, teamId);
  }

  /**
   * A seat was paid (under the team row lock): when the paid seats reach team_size the team forms.
   * A seat of a team that formed meanwhile is part of it; one of a failed team stays paid (refunded later).
   */
  async seatPaid(em: EntityManager, teamId: number, orderId: number): Promise<SeatPaid> {
    const t = await this.teams.lock(em, teamId);
    if (!t) return 'noop';
    if (!(await this.teams.moveMember(em, orderId, [MemberStatus.PENDING], MemberStatus.PAID))) return 'noop';
    await this.teams.addCounts(em, teamId, 0, 1);
    if (t.status === TeamStatus.SUCCESS) {
      await this.teams.moveMember(em, orderId, [MemberStatus.PAID], MemberStatus.SUCCESS);
      return 'joined_formed';
    }
    if (t.status === TeamStatus.ACTIVE && Number(t.pay_user_count) + 1 >= Number(t.team_size)) {
      if (await this.teams.moveTeam(em, teamId, TeamStatus.ACTIVE, TeamStatus.SUCCESS)) {
        await this.teams.moveAllMembers(em, teamId, MemberStatus.PAID, MemberStatus.SUCCESS);
        return 'formed';
      }
    }
    return 'paid';
  }

  /**
   * The checkout of an unpaid seat was released (expired, cancelled, closed with its team): the seat
   * is freed. The leader leaving before anyone paid fails an active team.
   */
  async seatReleased(em: EntityManager, teamId: number, orderId: number): Promise<void> {
    const t = await this.teams.lock(em, teamId);
    if (!t) return;
    const m = await this.teams.pendingMemberOf(em, orderId);
    if (!m) return;
    if (!(await this.teams.moveMember(em, orderId, [MemberStatus.PENDING], MemberStatus.LEFT))) return;
    await this.teams.addCounts(em, teamId, -1, 0);
    if (t.status === TeamStatus.ACTIVE && Number(m.user_id) === Number(t.user_id) && Number(t.pay_user_count) === 0) {
      await this.teams.moveTeam(em, teamId, TeamStatus.ACTIVE, TeamStatus.FAIL, ' AND pay_user_count = 0');
    }
  }

  /**
   * seatReleased for many released checkouts at once (the sweep's batches), in the caller's
   * transaction: the teams locked in id order, the pending seats of `orderIds` freed in one statement,
   * each team's count down once, and active teams whose leader left before anyone paid failed.
   */
  async seatsReleased(em: EntityManager, orderIds: number[]): Promise<number> {
    if (!orderIds.length) return 0;
    const pending = await this.teams.pendingMembersOfOrders(em, orderIds);
    if (!pending.length) return 0;
    const locked = new Map(
      (
        await this.teams.lockMany(
          em,
          pending.map((m) => Number(m.team_id)),
        )
      ).map((t) => [Number(t.id), t]),
    );
    // re-read under the team locks: a seat paid or released meanwhile is not ours to free
    const seats = (await this.teams.pendingMembersOfOrders(em, orderIds)).filter((m) => locked.has(Number(m.team_id)));
    if (!seats.length) return 0;
    const moved = await this.teams.moveMembers(
      em,
      seats.map((m) => Number(m.order_id)),
      MemberStatus.PENDING,
      MemberStatus.LEFT,
    );
    if (moved !== seats.length) throw new Error(`team seats changed under their team lock (${moved}/${seats.length})`);
    const freed = new Map<number, number>();
    for (const m of seats) freed.set(Number(m.team_id), (freed.get(Number(m.team_id)) ?? 0) + 1);
    await this.teams.releaseSeats(em, freed);
    for (const m of seats) {
      const t = locked.get(Number(m.team_id))!;
      if (t.status === TeamStatus.ACTIVE && Number(m.user_id) === Number(t.user_id) && Number(t.pay_user_count) === 0)
        await this.teams.moveTeam(em, Number(t.id), TeamStatus.ACTIVE, TeamStatus.FAIL, ' AND pay_user_count = 0');
    }
    return seats.length;
  }

  /** A paid seat of a still forming team was refunded: the seat is given back. */
  async seatRefunded(em: EntityManager, teamId: number, orderId: number): Promise<void> {
    const t = await this.teams.lock(em, teamId);
    if (!t || t.status !== TeamStatus.ACTIVE) return;
    if (!(await this.teams.moveMember(em, orderId, [MemberStatus.PAID], MemberStatus.LEFT))) return;
    await this.teams.addCounts(em, teamId, -1, -1);
  }

  /** Orders of the team's seats in a formed team (the order module gives them pickup codes). */
  formedOrderIds(em: EntityManager, teamId: number): Promise<number[]> {
    return this.teams.orderIdsOfMembers(em, teamId, MemberStatus.SUCCESS);
  }

  /** Active teams past expiry, with their deal's virtualTeam flag, after the cursor. */
  async dueForClosing(
    now: Date,
    after: number,
    limit: number,
    scope: { tenantId?: number; dealId?: number },
  ): Promise<{ id: number; virtualTeam: boolean }[]> {
    const due = await this.teams.dueForClosing(now, after, limit, scope);
    const flags = await this.deals.virtualTeamFlags([...new Set(due.map((t) => Number(t.group_buying_id)))]);
    return due.map((t) => ({ id: Number(t.id), virtualTeam: flags.get(Number(t.group_buying_id)) ?? false }));
  }

  /** Orders of a team's unpaid seats (asked about at the provider before the team is closed). */
  pendingOrderIds(teamId: number): Promise<number[]> {
    return this.teams.orderIdsOfMembers(this.ds, teamId, MemberStatus.PENDING);
  }

  /**
   * Closes an expired active team, exactly once across workers: the team row is locked first and the
   * outcome decided under that lock (a refund landing meanwhile can't leave robots alone). With
   * virtualTeam and at least one paid seat it succeeds (completeWithRobots), otherwise it fails.
   * Null when another worker closed it, or it is not due.
   */
  async close(em: EntityManager, teamId: number, virtualTeam: boolean, now: Date): Promise<ClosedTeam | null> {
    const t = await this.teams.lock(em, teamId);
    if (!t || t.status !== TeamStatus.ACTIVE || readDate(t.expire_at) > now) return null;
    const outcome = virtualTeam && Number(t.pay_user_count) > 0 ? TeamStatus.SUCCESS : TeamStatus.FAIL;
    if (!(await this.teams.moveTeam(em, teamId, TeamStatus.ACTIVE, outcome))) return null;
    return {
      outcome,
      tenantId: Number(t.tenant_id),
      pendingOrderIds: await this.teams.orderIdsOfMembers(em, teamId, MemberStatus.PENDING),
    };
  }

  /** A closed virtual team filled up with robot seats; its paid seats become part of the formed team. */
  async completeWithRobots(em: EntityManager, teamId: number): Promise<void> {
    const t = await this.teams.find(em, teamId);
    if (!t) return;
    const robots = Math.max(0, Number(t.team_size) - Number(t.pay_user_count));
    await this.teams.insertRobots(em, teamId, robots, ROBOT_NICKNAME);
    if (robots > 0) await this.teams.addCounts(em, teamId, robots, robots);
    await this.teams.moveAllMembers(em, teamId, MemberStatus.PAID, MemberStatus.SUCCESS);
  }

  /** Paid seats of failed teams, to be refunded by the order module. */
  async failedPaidSeats(tenantId: number | undefined, limit: number): Promise<{ memberId: number; orderId: number; tenantId: number }[]> {
    const due = await this.teams.failedPaidSeats(tenantId, limit);
    return due.map((d) => ({ memberId: Number(d.member_id), orderId: Number(d.order_id), tenantId: Number(d.tenant_id) }));
  }

  /** A failed team's seat whose money went back. */
  async seatRefundedAfterFailure(em: EntityManager, memberId: number): Promise<void> {
    await this.teams.moveMemberById(em, memberId, MemberStatus.PAID, MemberStatus.FAIL);
  }
}

function refusal(t: TeamRow | undefined, dealId: number, now: Date): string {
  if (!t) return '拼团不存在 (team not found)';
  if (Number(t.group_buying_id) !== dealId) return '拼团不属于该团购 (team of another deal)';
  if (t.status === TeamStatus.SUCCESS) return '拼团已成团 (team already formed)';
  if (t.status !== TeamStatus.ACTIVE) return '拼团已失败 (team failed)';
  if (readDate(t.expire_at) <= now) return '拼团已过期 (team expired)';
  return '拼团人数已满 (team is full)';
}
