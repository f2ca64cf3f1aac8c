import Big from 'big.js';
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

/** A pre-sale deal's terms as stored (contract §10). */
export interface PreSaleTerms {
  preSale: boolean;
  price: Big;
  deposit: Big | null;
  depositValue: Big | null;
  endTime: Date;
  tailEndTime: Date | null;
  teamSize: number;
}

/** The first rule of §10 a deal breaks, as `{field, message}`, or null (a plain deal never breaks one). */
export function preSaleProblem(t: PreSaleTerms): { field: string; message: string } | null {
  if (!t.preSale) return null;
  if (t.teamSize >= 2) return { field: 'preSale', message: 'a pre-sale deal cannot be a team deal (teamSize must be 0)' };
  if (!t.deposit) return { field: 'deposit', message: 'deposit is required for a pre-sale deal' };
  if (!t.deposit.gt(0) || !t.deposit.lt(t.price)) return { field: 'deposit', message: 'deposit must be > 0 and < price' };
  const value = t.depositValue ?? t.deposit;
  if (value.lt(t.deposit) || !value.lt(t.price)) return { field: 'depositValue', message: 'depositValue must be ≥ deposit and < price' };
  if (!t.tailEndTime) return { field: 'tailEndTime', message: 'tailEndTime is required for a pre-sale deal' };
  if (t.tailEndTime <= t.endTime) return { field: 'tailEndTime', message: 'tailEndTime must be after endTime' };
  return null;
}

/** A pre-sale deal (contract §10) is bought alone, without coupons or wallet deductions. */
export const isPreSaleDeal = (d: { pre_sale?: number | boolean | null }): boolean => truthy(d.pre_sale);
