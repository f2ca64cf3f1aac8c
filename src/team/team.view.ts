import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { money } from '../common/money';
import { formatDate } from '../common/time';
import { readDate } from '../database/sql';
import type { MemberRow, TeamRow } from './team.repository';

/** A member of a team (seed 002 `groupon.members`). */
export class TeamMemberView {
  @ApiProperty({ description: '成员 id' }) id: number;
  @ApiPropertyOptional({ description: '用户 id：只在调用者自己的订单详情中、且只对调用者本人给出', type: Number }) user_id?: number;
  @ApiPropertyOptional({ description: '订单编号：只在调用者自己的订单详情中、且只对调用者本人给出', type: String }) order_code?: string;
  @ApiProperty({ description: 'pending:待支付; paid:已支付; success:已成团; fail:拼团失败; left:已退出', example: 'success' })
  status: string;
  @ApiProperty({ description: '昵称', example: '我是机器人' }) nickname: string;
  @ApiProperty({ description: '头像（https 地址，否则为 null）', nullable: true, type: String }) avatar: string | null;
  @ApiProperty({ description: '是否机器人' }) is_robot: boolean;
  @ApiProperty({ description: '加入时间', example: '2018-09-03 18:52:43' }) created_at: string;
}

/** 拼团 (seed 002 `groupon`). */
export class TeamView {
  @ApiProperty({ description: '拼团 id' }) id: number;
  @ApiProperty({ description: '团购 id' }) group_buying_id: number;
  @ApiProperty({ description: '团长用户 id' }) user_id: number;
  @ApiProperty({ description: '拼团价', example: '9.90' }) price: string;
  @ApiProperty({ description: '成团人数（= teamSize）' }) member_count: number;
  @ApiProperty({ description: '最多人数（= teamSize）' }) max_count: number;
  @ApiProperty({ description: '已占位人数（已支付或待支付）' }) user_count: number;
  @ApiProperty({ description: '已支付人数' }) pay_user_count: number;
  @ApiProperty({ description: '截止时间', example: '2018-09-06 16:08:40' }) expire_at: string;
  @ApiProperty({ description: 'active:拼团中; success:已成团; fail:拼团失败', enum: ['active', 'success', 'fail'] }) status: string;
  @ApiProperty({ description: '成员', type: [TeamMemberView] }) members: TeamMemberView[];
}

export class TeamResponse {
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ example: 'ok' }) msg: string;
  @ApiProperty({ type: TeamView }) data: TeamView;
}

const nullableId = (v: number | null) => (v === null || v === undefined ? null : Number(v));

const httpsOnly = (url: string | null | undefined): string | null => (url && /^https:\/\/[^\s"'<>]+$/i.test(url) ? url : null);

/**
 * Team rows and their (not left) members as the views of seed 002's `groupon`. The page is shared
 * publicly, so a member's user id and order code are shown only to that member (`viewerId`).
 */
export function toTeamViews(teams: TeamRow[], members: MemberRow[], viewerId?: number): Map<number, TeamView> {
  const out = new Map<number, TeamView>();
  for (const t of teams) {
    const size = Number(t.team_size);
    out.set(Number(t.id), {
      id: Number(t.id),
      group_buying_id: Number(t.group_buying_id),
      user_id: Number(t.user_id),
      price: money(String(t.price)).toFixed(2),
      member_count: size,
      max_count: size,
      user_count: Number(t.user_count),
      pay_user_count: Number(t.pay_user_count),
      expire_at: formatDate(readDate(t.expire_at))!,
      status: t.status,
      members: [],
    });
  }
  for (const m of members) {
    const mine = viewerId !== undefined && nullableId(m.user_id) === viewerId;
    out.get(Number(m.team_id))?.members.push({
      id: Number(m.id),
      ...(mine ? { user_id: viewerId, order_code: m.order_code ?? undefined } : {}),
      status: m.status,
      nickname: m.nickname,
      avatar: httpsOnly(m.avatar),
      is_robot: m.is_robot === true || Number(m.is_robot) === 1,
      created_at: formatDate(readDate(m.create_time))!,
    });
  }
  return out;
}
