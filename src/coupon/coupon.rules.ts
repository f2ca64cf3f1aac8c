/** Pure coupon rules (no I/O): method/time-rule codes, receivability, a member coupon's window and validity. */

export const CouponMethod = { DEDUCT: 1, DISCOUNT: 2 } as const; // 1 满减, 2 折扣
export const UseType = { ALL: 0, DEALS: 2 } as const; // 0 all deals of the tenant, 2 only groupBuyingIds
export const TimeLimit = { DAYS: 0, RANGE: 1 } as const; // 0: timeDays after receiving; 1: timeStart–timeEnd
export const UNLIMITED = -1;
export const MAX_TIME_DAYS = 3650;
const DAY_MS = 86_400_000;

export interface TemplateState {
  inUse: boolean;
  deletedAt: Date | null;
}

export interface TemplateStock {
  total: number;
  receivedCount: number;
}

export interface TemplateTime {
  timeLimit: number;
  timeDays: number;
  timeStart: Date | null;
  timeEnd: Date | null;
}

/** The template can still be used at checkout: switched on and not deleted. */
export const isTemplateUsable = (c: TemplateState): boolean => c.inUse && !c.deletedAt;

/** Every coupon of the template has been handed out (`total` -1 is unlimited). */
export const isExhausted = (c: TemplateStock): boolean => c.total !== UNLIMITED && c.receivedCount >= c.total;

/** The user already holds `getMax` of it (-1, and 0 as stored by older data, mean no limit). */
export const reachedUserLimit = (getMax: number, received: number): boolean => getMax > 0 && received >= getMax;

/** A fixed-window template whose window has closed can no longer be received. */
export const hasEnded = (c: TemplateTime, now: Date): boolean =>
  c.timeLimit === TimeLimit.RANGE && (!c.timeEnd || c.timeEnd.getTime() <= now.getTime());

/** The window [timeStart, timeEnd) of a member coupon received at `getTime`. */
export function memberCouponWindow(c: TemplateTime, getTime: Date): { timeStart: Date; timeEnd: Date } {
  if (c.timeLimit === TimeLimit.RANGE && c.timeStart && c.timeEnd) return { timeStart: c.timeStart, timeEnd: c.timeEnd };
  return { timeStart: getTime, timeEnd: new Date(getTime.getTime() + c.timeDays * DAY_MS) };
}

/** Usable now: not used, `now` within [timeStart, timeEnd), and its template still usable. */
export function isMemberCouponValid(mc: { used: boolean; timeStart: Date; timeEnd: Date }, templateUsable: boolean, now: Date): boolean {
  const t = now.getTime();
  return !mc.used && templateUsable && mc.timeStart.getTime() <= t && t < mc.timeEnd.getTime();
}
