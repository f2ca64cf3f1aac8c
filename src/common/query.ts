import Big from 'big.js';
import { DomainError } from './errors';
import { moneyNumber } from './money';
import { parseDate } from './time';

const DATE_ONLY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Lower bound of a date filter: a bare `YYYY-MM-DD` is that day's 00:00 in APP_TZ. */
export function rangeStart(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : (parseDate(value) ?? undefined);
}

/** Upper bound (inclusive) of a date filter: a bare `YYYY-MM-DD` covers the whole day. */
export function rangeEnd(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const s = value.trim();
  if (DATE_ONLY_RE.test(s)) {
    const [y, m, d] = s.split('-').map(Number);
    const next = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
    const nextStart = parseDate(next);
    return nextStart ? new Date(nextStart.getTime() - 1) : undefined;
  }
  return parseDate(s) ?? undefined;
}

/** A request date the DTO already validated. */
export function requireDate(value: string, field: string): Date {
  const d = parseDate(value);
  if (!d) throw DomainError.badRequest(`参数错误 ${field}: ${field} must be a date as YYYY-MM-DD HH:mm:ss (or ISO 8601)`);
  return d;
}

export function assertWindow(start: Date, end: Date): void {
  if (end.getTime() <= start.getTime()) throw DomainError.badRequest('参数错误 endTime: endTime must be later than startTime');
}

/** COUNT/SUM of integers as the driver returns them (MySQL: string, SQLite: number). */
export const intOf = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** SUM of a DECIMAL(12,2) column: exact on MySQL (string); SQLite sums floats, so round back to the fen. */
export const moneySumOf = (v: unknown): number => moneyNumber(new Big(v === null || v === undefined || v === '' ? 0 : String(v)).round(2));
