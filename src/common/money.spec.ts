import Big from 'big.js';
import fc from 'fast-check';
import { allocate, isMoneyInput, money, moneyNumber, moneyString, moneyTransformer, sum, toFen } from './money';

describe('money', () => {
  it('parses exact values and refuses more than two decimals', () => {
    expect(money('12.30').toFixed(2)).toBe('12.30');
    expect(money(0.1).plus(money(0.2)).toFixed(2)).toBe('0.30');
    expect(() => money('1.234')).toThrow();
    expect(money(null).toFixed(2)).toBe('0.00');
  });

  it('knows valid money input', () => {
    expect(isMoneyInput(15.0)).toBe(true);
    expect(isMoneyInput('20.50')).toBe(true);
    expect(isMoneyInput('20.505')).toBe(false);
    expect(isMoneyInput(1.005)).toBe(false);
    expect(isMoneyInput('abc')).toBe(false);
    expect(isMoneyInput(NaN)).toBe(false);
    expect(isMoneyInput(true)).toBe(false);
  });

  it('formats for both APIs and fen', () => {
    expect(moneyString(new Big('300'))).toBe('300.00');
    expect(moneyNumber(new Big('20.50'))).toBe(20.5);
    expect(toFen(new Big('19.99'))).toBe(1999);
  });

  it('transforms DECIMAL columns', () => {
    expect(moneyTransformer.to(new Big('1.5'))).toBe('1.50');
    expect((moneyTransformer.from('12.34') as Big).eq(new Big('12.34'))).toBe(true);
    expect(moneyTransformer.from(null)).toBeNull();
  });
});

describe(allocate.name, () => {
  it('splits in proportion, rounding down, remainder to the largest line', () => {
    const parts = allocate(new Big('10.00'), [new Big('33.33'), new Big('33.33'), new Big('33.34')]);
    expect(parts.map((p) => p.toFixed(2))).toEqual(['3.33', '3.33', '3.34']);
  });

  it('gives the remainder to the first largest line on a tie', () => {
    const parts = allocate(new Big('0.10'), [new Big('1'), new Big('1'), new Big('1')]);
    expect(parts.map((p) => p.toFixed(2))).toEqual(['0.04', '0.03', '0.03']);
  });

  it('always adds up to the whole and never exceeds a weight when total ≤ sum', () => {
    const cents = fc.integer({ min: 1, max: 10_000_000 }).map((n) => new Big(n).div(100));
    fc.assert(
      fc.property(fc.array(cents, { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 100 }), (weights, pct) => {
        const whole = sum(weights);
        const total = whole.times(pct).div(100).round(2, Big.roundDown);
        const parts = allocate(total, weights);
        expect(sum(parts).eq(total)).toBe(true);
        parts.forEach((p, i) => {
          expect(p.gte(0)).toBe(true);
          expect(p.lte(weights[i])).toBe(true);
          expect(p.eq(p.round(2))).toBe(true);
        });
      }),
    );
  });
});
