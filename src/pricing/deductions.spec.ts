import Big from 'big.js';
import fc from 'fast-check';
import { sum } from '../common/money';
import { applyDeductions, DeductionCode, formatCheckout, priceCheckout, PricingLine, WalletTerms } from './pricing';

const b = (v: string | number) => new Big(v);

function line(over: Partial<PricingLine> = {}): PricingLine {
  return {
    groupBuyingId: 1,
    shopId: 10,
    shopName: '社区店',
    productName: '苹果',
    spec: '5斤装',
    imagePath: '/img/apple.png',
    deliverType: 1,
    price: b('200.00'),
    quantity: 1,
    deliverFee: b('0'),
    ...over,
  };
}

const wallet = (over: Partial<WalletTerms> = {}): WalletTerms => ({ point: 0, balance: b(0), pointValue: 100, pointMaxRate: 50, ...over });
const money = (v: Big) => v.toFixed(2);

describe(applyDeductions.name, () => {
  // seed 003: 2 × 200.00 + 2 × 100.00 … here 400.00 of goods, 100.00 paid by points
  it('points pay at most pointMaxRate % of goods after coupon, whole points, split like the coupon', () => {
    const lines = [line({ price: b('100.00'), quantity: 2 }), line({ groupBuyingId: 2, price: b('100.00'), quantity: 2 })];
    const p = applyDeductions(priceCheckout(lines), wallet({ point: 10000, pointMaxRate: 25 }), ['point']);
    expect(money(p.deductionPrice)).toBe('100.00');
    expect(p.deductions.pointCoins).toBe(10000);
    expect(p.lines.map((l) => money(l.deductionPrice))).toEqual(['50.00', '50.00']);
    expect(money(p.totalPrice)).toBe('300.00');
    const data = formatCheckout(p, []);
    expect(data.amount_items[3]).toEqual({ code: 'total_deduction_price', name: '总抵扣', amount: '100.00' });
    expect(data.deductions[0]).toEqual({
      code: 'point',
      name: '积分',
      usable_amount: '100.00',
      usable_coin: 10000,
      used_amount: '100.00',
      used_coin: 10000,
    });
    expect(data.deductions[1]).toEqual({
      code: 'balance',
      name: '余额',
      usable_amount: '0.00',
      usable_coin: 0,
      used_amount: '0.00',
      used_coin: 0,
    });
  });

  it('the point cap rounds down to the fen and the points to whole points', () => {
    // goods 33.33, 50 % = 16.665 → 16.66; 3 points per yuan: 49 points → 16.33, and 49 points are the fewest worth 16.33
    const p = applyDeductions(priceCheckout([line({ price: b('33.33') })]), wallet({ point: 1000, pointValue: 3 }), ['point']);
    expect(money(p.deductions.pointMoney)).toBe('16.33');
    expect(p.deductions.pointCoins).toBe(49);
    // fewer points than the cap allows: what they are worth
    const q = applyDeductions(priceCheckout([line({ price: b('33.33') })]), wallet({ point: 1234 }), ['point']);
    expect(money(q.deductions.pointMoney)).toBe('12.34');
    expect(q.deductions.pointCoins).toBe(1234);
  });

  it('balance comes after coupon and points and may pay delivery too; nothing goes negative', () => {
    const lines = [line({ price: b('10.00') }), line({ groupBuyingId: 2, price: b('10.00'), deliverType: 2, deliverFee: b('10.00') })];
    const coupon = { terms: {} as never, amount: b('5.00'), eligible: [0, 1] };
    const p = applyDeductions(priceCheckout(lines, coupon), wallet({ point: 100000, balance: b('1000') }), ['point', 'balance']);
    // goods 20 − coupon 5 = 15; points ≤ 7.50; balance the remaining 15 − 7.50 + 10 delivery
    expect(money(p.deductions.pointMoney)).toBe('7.50');
    expect(money(p.deductions.balanceMoney)).toBe('17.50');
    expect(money(p.totalPrice)).toBe('0.00');
    expect(p.lines.map((l) => money(l.payPrice))).toEqual(['0.00', '0.00']);
    expect(p.lines.map((l) => money(l.deductionPrice))).toEqual(['7.50', '17.50']);
  });

  it('nothing asked, nothing used (but what could be is shown)', () => {
    const p = applyDeductions(priceCheckout([line()]), wallet({ point: 500, balance: b('3.00') }), []);
    expect(money(p.deductionPrice)).toBe('0.00');
    expect(money(p.totalPrice)).toBe('200.00');
    expect(p.deductions.summary.map((s) => [s.code, money(s.usableAmount), s.usedCoin])).toEqual([
      ['point', '5.00', 0],
      ['balance', '3.00', 0],
    ]);
  });

  it('the remainder of a split goes to the largest line', () => {
    const lines = [b('1.00'), b('2.00'), b('2.00')].map((price, i) => line({ groupBuyingId: i + 1, price }));
    const p = applyDeductions(priceCheckout(lines), wallet({ balance: b('1.00') }), ['balance']);
    expect(p.lines.map((l) => money(l.deductionPrice))).toEqual(['0.20', '0.40', '0.40']);
    const q = applyDeductions(priceCheckout(lines), wallet({ balance: b('0.03') }), ['balance']);
    expect(q.lines.map((l) => money(l.deductionPrice))).toEqual(['0.00', '0.02', '0.01']);
  });
});

describe('deduction properties', () => {
  const fen = (min: number, max: number) => fc.integer({ min, max }).map((n) => new Big(n).div(100));
  const lineArb = fc.record({
    price: fc.oneof(fen(1, 9_999_999), fen(1, 300), fc.constant(b('0.01'))),
    quantity: fc.oneof(fc.integer({ min: 1, max: 999 }), fc.integer({ min: 1, max: 3 })),
    deliverType: fc.constantFrom(1, 2),
    deliverFee: fc.oneof(fc.constant(b('0')), fen(0, 99_999)),
  });
  const cart = fc.array(lineArb, { minLength: 1, maxLength: 20 }).map((ls) => ls.map((l, i) => line({ ...l, groupBuyingId: i + 1 })));
  const walletArb = fc.record({
    point: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 2_000_000_000 })),
    balance: fc.oneof(fen(0, 10_000), fen(0, 10_000_000_000)),
    pointValue: fc.oneof(fc.constant(100), fc.integer({ min: 1, max: 10_000 })),
    pointMaxRate: fc.integer({ min: 0, max: 100 }),
  });
  const wantedArb = fc.subarray(['point', 'balance'] as DeductionCode[]);

  it('Σ lines = totals, nothing negative, caps respected, points whole', () => {
    fc.assert(
      fc.property(cart, fen(0, 100_000_000), walletArb, wantedArb, (lines, couponAmount, w, wanted) => {
        const plain = priceCheckout(lines);
        const eligible = lines.map((_, i) => i).filter((i) => i % 2 === 0);
        const priced = priceCheckout(lines, { terms: {} as never, amount: couponAmount, eligible });
        const p = applyDeductions(priced, w, wanted);
        const d = p.deductions;

        expect(p.totalPrice.eq(sum(p.lines.map((l) => l.payPrice)))).toBe(true);
        expect(p.totalPrice.eq(priced.totalPrice.minus(d.total))).toBe(true);
        expect(d.total.eq(sum(p.lines.map((l) => l.deductionPrice)))).toBe(true);
        expect(d.total.eq(d.pointMoney.plus(d.balanceMoney))).toBe(true);
        expect(sum(d.shares.map((s) => s.pointMoney)).eq(d.pointMoney)).toBe(true);
        expect(sum(d.shares.map((s) => s.balanceMoney)).eq(d.balanceMoney)).toBe(true);
        expect(d.shares.reduce((a, s) => a + s.pointCoins, 0)).toBe(d.pointCoins);
        expect(p.totalPrice.lte(plain.totalPrice)).toBe(true);

        const base = sum(priced.lines.map((l) => l.goodsPrice.minus(l.couponPrice)));
        expect(d.pointMoney.lte(base.times(w.pointMaxRate).div(100))).toBe(true);
        expect(d.pointMoney.eq(d.pointMoney.round(2, Big.roundDown))).toBe(true);
        expect(Number.isInteger(d.pointCoins) && d.pointCoins >= 0 && d.pointCoins <= w.point).toBe(true);
        // the points are worth at least the money they pay
        expect(new Big(d.pointCoins).div(w.pointValue).gte(d.pointMoney)).toBe(true);
        expect(d.balanceMoney.lte(w.balance)).toBe(true);
        if (!wanted.includes('point')) expect(d.pointCoins).toBe(0);
        if (!wanted.includes('balance')) expect(d.balanceMoney.eq(0)).toBe(true);

        p.lines.forEach((l, i) => {
          const s = d.shares[i];
          expect(l.payPrice.gte(0)).toBe(true);
          expect(s.pointMoney.gte(0) && s.balanceMoney.gte(0) && s.pointCoins >= 0).toBe(true);
          expect(s.deductionPrice.eq(s.pointMoney.plus(s.balanceMoney))).toBe(true);
          expect(s.pointMoney.lte(l.goodsPrice.minus(l.couponPrice))).toBe(true);
          expect(l.deductionPrice.eq(l.deductionPrice.round(2, Big.roundDown))).toBe(true);
        });
        const data = formatCheckout(p, []);
        expect(sum(data.orders.map((o) => b(o.pay_price))).toFixed(2)).toBe(data.total_price);
        expect(sum(data.orders.map((o) => b(o.deduction_price))).toFixed(2)).toBe(data.deduction_price);
      }),
      { numRuns: 400 },
    );
  });

  it('with both asked and enough of both, everything is paid', () => {
    fc.assert(
      fc.property(cart, (lines) => {
        const p = applyDeductions(priceCheckout(lines), wallet({ point: 2_000_000_000, balance: b('99999999999') }), ['point', 'balance']);
        expect(p.totalPrice.eq(0)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
