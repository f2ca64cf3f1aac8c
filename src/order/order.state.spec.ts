import { DomainError } from '../common/errors';
import { ORDER_STATUS_NAMES, OrderStatus } from './order-status';
import { ORDER_ACTIONS, ORDER_TRANSITIONS, assertTransition, canTransition, sourcesOf, validateStateMachine } from './order.state';

/**
 * Contract §2, written out by hand: EXPECTED[from][to] = 1 when allowed.
 * 0 未支付, 1 已支付, 2 已退款, 3 已发货, 4 已完成, 5 已过期, 6 已关闭, 7 支付失败, 8 已确认, 9 已付定金.
 */
// prettier-ignore
const EXPECTED: number[][] = [
  //  to: 0  1  2  3  4  5  6  7  8  9
  /* 0 */ [0, 1, 0, 0, 0, 1, 1, 1, 0, 1], // pay, expiry, user cancel, payment failed, deposit paid (§10)
  /* 1 */ [0, 0, 1, 1, 1, 0, 0, 0, 1, 0], // refund, shipped, pickup verified, admin confirm
  /* 2 */ [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], // refunded is final
  /* 3 */ [0, 0, 1, 0, 1, 0, 0, 0, 0, 0], // refund, receipt confirmed
  /* 4 */ [0, 0, 1, 0, 0, 0, 0, 0, 0, 0], // refund
  /* 5 */ [0, 1, 0, 0, 0, 0, 0, 0, 0, 0], // late payment re-taking stock
  /* 6 */ [0, 1, 0, 0, 0, 0, 0, 0, 0, 0], // a payment landing on a cancelled checkout (§6), or a balance honoured after the deadline close (§10)
  /* 7 */ [0, 1, 0, 0, 0, 1, 0, 0, 0, 1], // later payment succeeds (a deposit: 9), expiry
  /* 8 */ [0, 0, 1, 1, 1, 0, 0, 0, 0, 0], // refund, shipped, pickup verified
  /* 9 */ [0, 1, 1, 0, 0, 0, 1, 0, 0, 0], // balance paid, deposit refunded, balance deadline passed
];

const ALL = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const pairs = ALL.flatMap((from) => ALL.map((to) => [from, to, EXPECTED[from][to] === 1] as const));

describe('order state machine', () => {
  it('has the ten statuses', () => {
    expect(Object.values(OrderStatus).sort()).toEqual(ALL);
    expect(Object.keys(ORDER_TRANSITIONS).map(Number).sort()).toEqual(ALL);
  });

  describe(canTransition.name, () => {
    it.each(pairs)('%i → %i allowed: %s', (from, to, allowed) => {
      expect(canTransition(from, to)).toBe(allowed);
    });

    it('refuses unknown statuses', () => {
      expect(canTransition(10, 1)).toBe(false);
      expect(canTransition(0, 10)).toBe(false);
      expect(canTransition(-1, 0)).toBe(false);
      expect(canTransition(0.5, 1)).toBe(false);
      expect(canTransition(NaN, 1)).toBe(false);
    });
  });

  describe(assertTransition.name, () => {
    it.each(pairs)('%i → %i allowed: %s', (from, to, allowed) => {
      if (allowed) {
        expect(() => assertTransition(from, to)).not.toThrow();
        return;
      }
      let err: unknown;
      try {
        assertTransition(from, to);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DomainError);
      const d = err as DomainError;
      expect(d.http).toBe(409);
      expect(d.status).toBe(409);
      expect(d.message).toContain(`订单状态为「${ORDER_STATUS_NAMES[from]}」`);
      expect(d.message).toContain(`不能变为「${ORDER_STATUS_NAMES[to]}」`);
      expect(d.message).toContain(`(${from})`);
    });

    it('names the pre-sale status', () => {
      expect(() => assertTransition(9, 4)).toThrow(
        '订单状态为「已付定金」，不能变为「已完成」 (order is deposit paid (9); cannot become completed (4))',
      );
      expect(() => assertTransition(9, 8)).toThrow('(order is deposit paid (9); cannot become confirmed (8))');
    });

    it('names the current state in Chinese and English', () => {
      expect(() => assertTransition(5, 1)).not.toThrow();
      expect(() => assertTransition(6, 1)).not.toThrow();
      expect(() => assertTransition(6, 2)).toThrow(
        '订单状态为「已关闭」，不能变为「已退款」 (order is closed (6); cannot become refunded (2))',
      );
      expect(() => assertTransition(0, 2)).toThrow(
        '订单状态为「未支付」，不能变为「已退款」 (order is unpaid (0); cannot become refunded (2))',
      );
      expect(() => assertTransition(5, 4)).toThrow(
        '订单状态为「已过期」，不能变为「已完成」 (order is expired (5); cannot become completed (4))',
      );
      expect(() => assertTransition(7, 6)).toThrow('(order is payment failed (7); cannot become closed (6))');
    });

    it('refuses an unknown status with a readable 409', () => {
      expect(() => assertTransition(42, 1)).toThrow(
        '订单状态为「未知状态42」，不能变为「已支付」 (order is unknown (42); cannot become paid (1))',
      );
    });
  });

  describe(sourcesOf.name, () => {
    it.each(ALL)('lists exactly the statuses that reach %i, ascending', (to) => {
      expect(sourcesOf(to)).toEqual(ALL.filter((from) => EXPECTED[from][to] === 1));
    });

    it('matches the contract for the conditional updates', () => {
      expect(sourcesOf(OrderStatus.PAID)).toEqual([0, 5, 6, 7, 9]);
      expect(sourcesOf(OrderStatus.EXPIRED)).toEqual([0, 7]);
      expect(sourcesOf(OrderStatus.CLOSED)).toEqual([0, 9]);
      expect(sourcesOf(OrderStatus.DEPOSIT_PAID)).toEqual([0, 7]);
      expect(sourcesOf(OrderStatus.PAY_FAILED)).toEqual([0]);
      expect(sourcesOf(OrderStatus.CONFIRMED)).toEqual([1]);
      expect(sourcesOf(OrderStatus.SHIPPED)).toEqual([1, 8]);
      expect(sourcesOf(OrderStatus.COMPLETED)).toEqual([1, 3, 8]);
      expect(sourcesOf(OrderStatus.REFUNDED)).toEqual([1, 3, 4, 8, 9]);
      expect(sourcesOf(OrderStatus.UNPAID)).toEqual([]);
      expect(sourcesOf(99)).toEqual([]);
    });
  });

  it('names each action after the status it leads to, and every action is reachable', () => {
    expect(Object.fromEntries(Object.entries(ORDER_ACTIONS).map(([k, v]) => [k, v.to]))).toEqual({
      pay: 1,
      expire: 5,
      cancel: 6,
      fail: 7,
      confirm: 8,
      ship: 3,
      complete: 4,
      refund: 2,
      payDeposit: 9,
    });
    Object.values(ORDER_ACTIONS).forEach(({ to }) => expect(sourcesOf(to).length).toBeGreaterThan(0));
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(ORDER_TRANSITIONS)).toBe(true);
    expect(() => (ORDER_TRANSITIONS[6] as number[]).push(2)).toThrow();
  });

  describe(validateStateMachine.name, () => {
    it('accepts the machine', () => {
      expect(() => validateStateMachine()).not.toThrow();
    });

    it('refuses a missing status, an unknown target, a self transition, a repeat', () => {
      const good = Object.fromEntries(ALL.map((s) => [s, [...ORDER_TRANSITIONS[s as 0]]])) as Record<number, number[]>;
      const missing = { ...good };
      delete missing[4];
      expect(() => validateStateMachine(missing)).toThrow('status 4 has no transitions entry');
      expect(() => validateStateMachine({ ...good, 2: [10] })).toThrow('2 → 10: unknown target');
      expect(() => validateStateMachine({ ...good, 3: [3] })).toThrow('self transition');
      expect(() => validateStateMachine({ ...good, 0: [1, 1] })).toThrow('repeat');
      expect(() => validateStateMachine({ ...good, 12: [] })).toThrow('unknown status 12');
    });
  });
});
