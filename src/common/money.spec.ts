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
  const b = (v: string) => new Big(v);
  const fixed = (parts: Big[]) => parts.map((p) => p.toFixed(2));

  it('splits in proportion, rounding down, remainder to the largest line', () => {
    expect(fixed(allocate(b('10.00'), [b('33.33'), b('33.33'), b('33.34')]))).toEqual(['3.33', '3.33', '3.34']);
    expect(fixed(allocate(b('10.00'), [b('200.00'), b('200.00')]))).toEqual(['5.00', '5.00']);
  });

  it('gives the remainder to the first largest line on a tie', () => {
    expect(fixed(allocate(b('0.10'), [b('1'), b('1'), b('1')]))).toEqual(['0.04', '0.03', '0.03']);
    expect(fixed(allocate(b('0.10'), [b('1'), b('2'), b('2')]))).toEqual(['0.02', '0.04', '0.04']);
  });

  it('never gives a line more than its weight (counterexample 1.01 over 1.00/0.01/0.01)', () => {
    // Floors are 0.99, 0.00, 0.00; the 0.02 remainder no longer fits the largest line alone.
    expect(fixed(allocate(b('1.01'), [b('1.00'), b('0.01'), b('0.01')]))).toEqual(['1.00', '0.01', '0.00']);
    expect(fixed(allocate(b('1.02'), [b('1.00'), b('0.01'), b('0.01')]))).toEqual(['1.00', '0.01', '0.01']);
  });

  it('passes what does not fit on by descending weight, request order on ties', () => {
    // fen floors 0, 99, 0, 0 → remainder 3: the 1.00 line takes 1, then the 0.01 lines in request order.
    expect(fixed(allocate(b('1.02'), [b('0.01'), b('1.00'), b('0.01'), b('0.01')]))).toEqual(['0.01', '1.00', '0.01', '0.00']);
    // fen floors 9999999997, 0, 0 → remainder 2: the largest line has room for 1 only.
    expect(fixed(allocate(b('99999999.99'), [b('99999999.98'), b('0.01'), b('0.01')]))).toEqual(['99999999.98', '0.01', '0.00']);
  });

  it('keeps the contract rule whenever the remainder fits the largest line', () => {
    // fen floors 0, 96, 1, 1 → remainder 3, all of it to the 1.00 line (room 4).
    expect(fixed(allocate(b('1.01'), [b('0.01'), b('1.00'), b('0.02'), b('0.02')]))).toEqual(['0.00', '0.99', '0.01', '0.01']);
  });

  it('gives everything to the largest line when the total exceeds the weights', () => {
    expect(fixed(allocate(b('5.00'), [b('1.00'), b('3.00')]))).toEqual(['1.25', '3.75']);
    expect(fixed(allocate(b('0.05'), [b('0.00'), b('0.00')]))).toEqual(['0.05', '0.00']);
    expect(fixed(allocate(b('0.00'), [b('0.00'), b('0.00')]))).toEqual(['0.00', '0.00']);
  });

  it('handles edge inputs and refuses nonsense', () => {
    expect(allocate(b('0'), [])).toEqual([]);
    expect(fixed(allocate(b('0.00'), [b('1.00')]))).toEqual(['0.00']);
    expect(fixed(allocate(b('7.77'), [b('7.77')]))).toEqual(['7.77']);
    expect(() => allocate(b('1.00'), [])).toThrow();
    expect(() => allocate(b('-1.00'), [b('1.00')])).toThrow();
    expect(() => allocate(b('1.001'), [b('1.00')])).toThrow();
    expect(() => allocate(b('1.00'), [b('-1.00'), b('3.00')])).toThrow();
  });

  it('is exact where Big.DP rounding of the quotient would round up', () => {
    // 0.02 × 50000000.00 / 100000000.01 = 0.009999999999…: floors to 0.00, though at 10 dp it reads 0.0100000000.
    expect(fixed(allocate(b('0.02'), [b('50000000.01'), b('50000000.00')]))).toEqual(['0.02', '0.00']);
    expect(fixed(allocate(b('0.01'), [b('99999.99'), b('0.01')]))).toEqual(['0.01', '0.00']);
  });

  const fen = (min: number, max: number) => fc.integer({ min, max }).map((n) => new Big(n).div(100));

  it('property: parts sum to total, 0 ≤ part ≤ weight, whole fen, deterministic (total ≤ Σ weights)', () => {
    const weights = fc.array(fc.oneof(fen(0, 3), fen(0, 10_000_000), fen(0, 99_999_999_999)), { minLength: 1, maxLength: 50 });
    fc.assert(
      fc.property(weights, fc.double({ min: 0, max: 1, noNaN: true }), (ws, ratio) => {
        const whole = sum(ws);
        // any whole-fen total in [0, Σ weights], biased to the edges by fc.double
        const total = whole.times(new Big(ratio.toFixed(6))).round(2, Big.roundDown);
        const parts = allocate(total, ws);
        expect(parts).toHaveLength(ws.length);
        expect(sum(parts).eq(total)).toBe(true);
        parts.forEach((p, i) => {
          expect(p.gte(0)).toBe(true);
          expect(p.lte(ws[i])).toBe(true);
          expect(p.eq(p.round(2, Big.roundDown))).toBe(true);
        });
        expect(fixed(allocate(total, ws))).toEqual(fixed(parts));
      }),
      { numRuns: 500 },
    );
  });

  /** An independent model in integer fen (BigInt), written from the rule, not from the code. */
  function reference(totalFen: bigint, weightsFen: bigint[]): bigint[] {
    const whole = weightsFen.reduce((x, y) => x + y, 0n);
    const order = weightsFen
      .map((_, i) => i)
      .sort((i, j) => (weightsFen[j] > weightsFen[i] ? 1 : weightsFen[j] < weightsFen[i] ? -1 : i - j));
    if (whole === 0n) return weightsFen.map((_, i) => (i === order[0] ? totalFen : 0n));
    const parts = weightsFen.map((w) => (totalFen * w) / whole);
    let rem = totalFen - parts.reduce((x, y) => x + y, 0n);
    for (const i of order) {
      const room = totalFen <= whole ? weightsFen[i] - parts[i] : rem;
      const take = room < rem ? room : rem;
      parts[i] += take;
      rem -= take;
    }
    return parts;
  }
  const toFenBig = (v: Big) => BigInt(v.times(100).toFixed(0));

  it('property: matches the integer-fen model of the rule, for totals below and above Σ weights', () => {
    const weight = fc.oneof(
      fc.constant(0),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 0, max: 99_999_999 }),
      fc.integer({ min: 0, max: 9_999_999_999 }),
    );
    fc.assert(
      fc.property(
        fc.array(weight, { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: -3, max: 3 }),
        (wf, pct, nudge) => {
          const ws = wf.map((n) => new Big(n).div(100));
          const wholeFen = wf.reduce((x, y) => x + BigInt(y), 0n);
          let totalFen = (wholeFen * BigInt(pct)) / 100n + BigInt(nudge);
          if (totalFen < 0n) totalFen = 0n;
          if (wholeFen === 0n && totalFen > 0n && pct <= 100) totalFen = 0n;
          const total = new Big(totalFen.toString()).div(100);
          const parts = allocate(total, ws);
          expect(parts.map(toFenBig)).toEqual(reference(totalFen, wf.map(BigInt)));
          expect(sum(parts).eq(total)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
