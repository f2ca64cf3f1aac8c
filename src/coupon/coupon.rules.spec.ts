import { hasEnded, isExhausted, isMemberCouponValid, isTemplateUsable, memberCouponWindow, reachedUserLimit } from './coupon.rules';

describe('coupon rules', () => {
  const at = (s: string) => new Date(s);

  it('opens a timeDays window at receipt, or copies the fixed window', () => {
    const got = at('2026-01-01T10:00:00Z');
    expect(memberCouponWindow({ timeLimit: 0, timeDays: 30, timeStart: null, timeEnd: null }, got)).toEqual({
      timeStart: got,
      timeEnd: at('2026-01-31T10:00:00Z'),
    });
    const fixed = { timeLimit: 1, timeDays: 0, timeStart: at('2026-02-01T00:00:00Z'), timeEnd: at('2026-03-01T00:00:00Z') };
    expect(memberCouponWindow(fixed, got)).toEqual({ timeStart: fixed.timeStart, timeEnd: fixed.timeEnd });
  });

  it('knows exhausted templates and per-user limits (-1 and 0 unlimited)', () => {
    expect(isExhausted({ total: -1, receivedCount: 1e6 })).toBe(false);
    expect(isExhausted({ total: 10, receivedCount: 9 })).toBe(false);
    expect(isExhausted({ total: 10, receivedCount: 10 })).toBe(true);
    expect(isExhausted({ total: 0, receivedCount: 0 })).toBe(true);
    expect(reachedUserLimit(-1, 99)).toBe(false);
    expect(reachedUserLimit(0, 99)).toBe(false);
    expect(reachedUserLimit(2, 1)).toBe(false);
    expect(reachedUserLimit(2, 2)).toBe(true);
  });

  it('a fixed window ends at timeEnd (exclusive); a timeDays template never ends', () => {
    const c = { timeLimit: 1, timeDays: 0, timeStart: at('2026-01-01T00:00:00Z'), timeEnd: at('2026-02-01T00:00:00Z') };
    expect(hasEnded(c, at('2026-01-31T23:59:59Z'))).toBe(false);
    expect(hasEnded(c, at('2026-02-01T00:00:00Z'))).toBe(true);
    expect(hasEnded({ timeLimit: 0, timeDays: 5, timeStart: null, timeEnd: null }, at('2099-01-01T00:00:00Z'))).toBe(false);
  });

  it('a member coupon is valid when unused, in [timeStart, timeEnd) and its template usable', () => {
    const mc = { used: false, timeStart: at('2026-01-01T00:00:00Z'), timeEnd: at('2026-02-01T00:00:00Z') };
    expect(isMemberCouponValid(mc, true, at('2026-01-01T00:00:00Z'))).toBe(true);
    expect(isMemberCouponValid(mc, true, at('2025-12-31T23:59:59Z'))).toBe(false);
    expect(isMemberCouponValid(mc, true, at('2026-02-01T00:00:00Z'))).toBe(false);
    expect(isMemberCouponValid({ ...mc, used: true }, true, at('2026-01-15T00:00:00Z'))).toBe(false);
    expect(isMemberCouponValid(mc, false, at('2026-01-15T00:00:00Z'))).toBe(false);
    expect(isTemplateUsable({ inUse: true, deletedAt: null })).toBe(true);
    expect(isTemplateUsable({ inUse: false, deletedAt: null })).toBe(false);
    expect(isTemplateUsable({ inUse: true, deletedAt: new Date() })).toBe(false);
  });
});
