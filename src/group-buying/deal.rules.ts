import { readDate } from '../database/sql';
import type { DealWindowRow } from './deal.repository';

const truthy = (v: unknown) => v === true || v === 1 || v === '1';

/** Why a deal can't be bought now (contract §5: deleted, not in use, not started, ended), or null. */
export function unbuyableReason(d: Pick<DealWindowRow, 'in_use' | 'deleted_at' | 'start_time' | 'end_time'>, now: Date): string | null {
  if (d.deleted_at) return '团购已删除 (deleted)';
  if (!truthy(d.in_use)) return '团购未启用 (not in use)';
  if (readDate(d.start_time) > now) return '团购未开始 (not started)';
  if (readDate(d.end_time) <= now) return '团购已结束 (ended)';
  return null;
}

/** A team deal (teamSize ≥ 2) sells only in teams (contract §7). */
export const isTeamDeal = (d: { team_size: number }): boolean => Number(d.team_size) >= 2;

export const DELIVER_TYPE_NAMES: Record<number, string> = { 1: '自提', 2: '快递' };

/** A code → name table as the admin's `{key, value}` list, by key. */
export const keyValues = (names: Record<number, string>): { key: number; value: string }[] =>
  Object.entries(names)
    .map(([key, value]) => ({ key: Number(key), value }))
    .sort((a, b) => a.key - b.key);
