import Big from 'big.js';
import fc from 'fast-check';
import { CouponTerms } from './pricing.types';
import { sum } from '../common/money';
import { COUPON_REASONS, CheckoutPricing, PricingLine, evaluateCoupon, formatCheckout, priceCheckout, selectCoupon } from './pricing';

const b = (v: string | number) => new Big(v);
const NOW = new Date('2024-06-01T04:00:00Z'); // 2024-06-01 12:00:00 in Asia/Shanghai
const ctx = { now: NOW, userId: 7, tenantId: 3 };

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

function terms(over: Partial<CouponTerms> = {}): CouponTerms {
  return {
    memberCouponId: 100,
    couponId: 5,
    tenantId: 3,
    userId: 7,
    name: '满100减10',
    couponMethod: 1,
    enough: b('100.00'),
    deduct: b('10.00'),
    discount: b('0'),
    useType: 0,
    groupBuyingIds: null,
    timeStart: new Date('2024-05-01T00:00:00Z'),
    timeEnd: new Date('2024-07-01T00:00:00Z'),
    used: false,
    usable: true,
    ...over,
  };
}

/** Evaluate then price, as computedOrder does. */
function checkout(lines: PricingLine[], t?: CouponTerms): CheckoutPricing {
  if (!t) return priceCheckout(lines);
  const ev = evaluateCoupon(t, lines, ctx);
  return priceCheckout(lines, ev.valid ? { terms: t, amount: ev.amount, eligible: ev.eligible } : null);
}

const couponParts = (p: CheckoutPricing) => p.lines.map((l) => l.couponPrice.toFixed(2));

describe(evaluateCoupon.name, () => {
  it('满减: deduct when goods reach the threshold', () => {
    const ev = evaluateCoupon(terms(), [line({ groupBuyingId: 1 }), line({ groupBuyingId: 2 })], ctx);
    expect(ev).toEqual({ valid: true, reason: null, amount: b('10.00'), eligible: [0, 1] });
  });

  it('满减: the threshold is inclusive and only goods count, not delivery', () => {
    expect(evaluateCoupon(terms(), [line({ price: b('100.00') })], ctx).valid).toBe(true);
    const ev = evaluateCoupon(terms(), [line({ price: b('95.00'), deliverType: 2, deliverFee: b('8.00') })], ctx);
    expect(ev.valid).toBe(false);
    expect(ev.reason).toBe(COUPON_REASONS.belowThreshold(b('100.00')));
    expect(ev.reason).toContain('100.00');
    expect(ev.amount.eq(0)).toBe(true);
    expect(ev.eligible).toEqual([]);
  });

  it('threshold not met: 99.99 of goods for 满100', () => {
    const ev = evaluateCoupon(terms(), [line({ price: b('33.33'), quantity: 3 })], ctx);
    expect(ev.valid).toBe(false);
    expect(ev.reason).toMatch(/未满100\.00元.*\(.*threshold\)/);
  });

  it('折扣: 8.5折 on 99.99 → 15.00 (14.9985 rounded half-up)', () => {
    const ev = evaluateCoupon(terms({ couponMethod: 2, enough: b('0'), discount: b('8.5') }), [line({ price: b('99.99') })], ctx);
    expect(ev.valid).toBe(true);
    expect(ev.amount.toFixed(2)).toBe('15.00');
  });

  it('折扣: rounds half-up to the fen', () => {
    const t = terms({ couponMethod: 2, enough: b('0'), discount: b('9.5') });
    // 0.10 × 0.05 = 0.005 → 0.01
    expect(evaluateCoupon(t, [line({ price: b('0.10') })], ctx).amount.toFixed(2)).toBe('0.01');
    // 0.09 × 0.05 = 0.0045 → 0.00 → no discount → invalid
    const ev = evaluateCoupon(t, [line({ price: b('0.09') })], ctx);
    expect(ev).toMatchObject({ valid: false, reason: COUPON_REASONS.noDiscount });
  });

  it('折扣 of 10 or more gives nothing; 0 or less is capped at the goods', () => {
    expect(evaluateCoupon(terms({ couponMethod: 2, discount: b('10') }), [line()], ctx).valid).toBe(false);
    expect(evaluateCoupon(terms({ couponMethod: 2, discount: b('0') }), [line()], ctx).amount.toFixed(2)).toBe('200.00');
    expect(evaluateCoupon(terms({ couponMethod: 2, discount: b('-5') }), [line()], ctx).amount.toFixed(2)).toBe('200.00');
  });

  it('满减 larger than the goods is capped at the goods', () => {
    const ev = evaluateCoupon(terms({ enough: b('0'), deduct: b('500.00') }), [line({ price: b('60.00'), quantity: 2 })], ctx);
    expect(ev.amount.toFixed(2)).toBe('120.00');
  });

  it('a zero deduct is no discount', () => {
    expect(evaluateCoupon(terms({ deduct: b('0') }), [line()], ctx)).toMatchObject({ valid: false, reason: COUPON_REASONS.noDiscount });
  });

  it('useType 2 applies only to the listed deals, and the threshold to their goods only', () => {
    const lines = [line({ groupBuyingId: 1, price: b('300.00') }), line({ groupBuyingId: 2, price: b('150.00') })];
    expect(evaluateCoupon(terms({ useType: 2, groupBuyingIds: [2, 9] }), lines, ctx).eligible).toEqual([1]);
    const below = evaluateCoupon(terms({ useType: 2, groupBuyingIds: [2], enough: b('200.00') }), lines, ctx);
    expect(below.valid).toBe(false);
    const none = evaluateCoupon(terms({ useType: 2, groupBuyingIds: [9] }), lines, ctx);
    expect(none).toMatchObject({ valid: false, reason: COUPON_REASONS.noEligibleGoods });
    expect(evaluateCoupon(terms({ useType: 2, groupBuyingIds: null }), lines, ctx).reason).toBe(COUPON_REASONS.noEligibleGoods);
    expect(evaluateCoupon(terms({ useType: 2, groupBuyingIds: [] }), lines, ctx).valid).toBe(false);
  });

  it('an empty cart has no eligible goods', () => {
    expect(evaluateCoupon(terms(), [], ctx).reason).toBe(COUPON_REASONS.noEligibleGoods);
  });

  it.each([
    ['expired (now = timeEnd)', terms({ timeEnd: NOW }), COUPON_REASONS.expired],
    ['expired (past)', terms({ timeEnd: new Date('2024-05-31T00:00:00Z') }), COUPON_REASONS.expired],
    ['not started', terms({ timeStart: new Date(NOW.getTime() + 1) }), COUPON_REASONS.notStarted],
    ['used', terms({ used: true }), COUPON_REASONS.used],
    ['disabled or deleted template', terms({ usable: false }), COUPON_REASONS.notUsable],
    ['other tenant', terms({ tenantId: 4 }), COUPON_REASONS.otherTenant],
    ['other user', terms({ userId: 8 }), COUPON_REASONS.notUsable],
    ['other user, also used and expired', terms({ userId: 8, used: true, timeEnd: NOW, tenantId: 4 }), COUPON_REASONS.notUsable],
  ])('%s → invalid with a reason', (_, t, reason) => {
    const ev = evaluateCoupon(t, [line(), line({ groupBuyingId: 2 })], ctx);
    expect(ev).toEqual({ valid: false, reason, amount: b(0), eligible: [] });
    expect(ev.reason).toMatch(/^\P{ASCII}.*\(.+\)$/u); // Chinese, then English in parentheses
  });

  it('starts exactly at timeStart', () => {
    expect(evaluateCoupon(terms({ timeStart: NOW }), [line()], ctx).valid).toBe(true);
  });

  it("never tells another user's coupon from a disabled one", () => {
    const other = evaluateCoupon(terms({ userId: 8 }), [line()], ctx);
    const disabled = evaluateCoupon(terms({ usable: false }), [line()], ctx);
    expect(other).toEqual(disabled);
  });
});

describe(priceCheckout.name, () => {
  it('two lines 200.00 + 200.00 with 满100减10 → 5.00 / 5.00', () => {
    const p = checkout([line({ groupBuyingId: 1 }), line({ groupBuyingId: 2 })], terms());
    expect(couponParts(p)).toEqual(['5.00', '5.00']);
    expect(p.lines.map((l) => l.payPrice.toFixed(2))).toEqual(['195.00', '195.00']);
    expect([p.goodsPrice, p.discountPrice, p.dispatchPrice, p.totalPrice].map((v) => v.toFixed(2))).toEqual([
      '400.00',
      '10.00',
      '0.00',
      '390.00',
    ]);
  });

  it('three lines 33.33 / 33.33 / 33.34 with 10.00 off → 3.33 / 3.33 / 3.34', () => {
    const lines = [b('33.33'), b('33.33'), b('33.34')].map((price, i) => line({ groupBuyingId: i + 1, price }));
    const p = checkout(lines, terms({ enough: b('0') }));
    expect(couponParts(p)).toEqual(['3.33', '3.33', '3.34']);
    expect(p.totalPrice.toFixed(2)).toBe('90.00');
  });

  it('the remainder goes to the first largest line in request order on a tie', () => {
    const lines = [b('1.00'), b('2.00'), b('2.00')].map((price, i) => line({ groupBuyingId: i + 1, price }));
    const p = checkout(lines, terms({ enough: b('0'), deduct: b('0.10') }));
    // floors 0.02, 0.04, 0.04 → 0.00 left; with 0.11: floors 0.02, 0.04, 0.04 → 0.01 to the first 2.00 line
    expect(couponParts(p)).toEqual(['0.02', '0.04', '0.04']);
    expect(couponParts(checkout(lines, terms({ enough: b('0'), deduct: b('0.11') })))).toEqual(['0.02', '0.05', '0.04']);
  });

  it('8.5折 on one 99.99 line → discount 15.00, pay 84.99', () => {
    const p = checkout([line({ price: b('99.99') })], terms({ couponMethod: 2, enough: b('0'), discount: b('8.5') }));
    expect(p.discountPrice.toFixed(2)).toBe('15.00');
    expect(p.totalPrice.toFixed(2)).toBe('84.99');
  });

  it('a threshold not met prices without the coupon', () => {
    const lines = [line({ price: b('99.99') })];
    const p = checkout(lines, terms());
    expect(p.discountPrice.toFixed(2)).toBe('0.00');
    expect(p.coupon).toBeNull();
    expect(p.totalPrice.toFixed(2)).toBe('99.99');
  });

  it('useType 2: only the listed deal gets the discount', () => {
    const lines = [line({ groupBuyingId: 1, price: b('300.00') }), line({ groupBuyingId: 2, price: b('150.00') })];
    const p = checkout(lines, terms({ useType: 2, groupBuyingIds: [2] }));
    expect(couponParts(p)).toEqual(['0.00', '10.00']);
    expect(p.totalPrice.toFixed(2)).toBe('440.00');
  });

  it('the express fee is charged and never discounted', () => {
    const lines = [
      line({ groupBuyingId: 1, price: b('50.00'), deliverType: 2, deliverFee: b('8.00') }),
      line({ groupBuyingId: 2, price: b('50.00'), deliverType: 1, deliverFee: b('6.00') }),
    ];
    const p = checkout(lines, terms({ enough: b('0'), deduct: b('100.00') }));
    expect(p.lines.map((l) => [l.goodsPrice, l.couponPrice, l.dispatchPrice, l.payPrice].map((v) => v.toFixed(2)))).toEqual([
      ['50.00', '50.00', '8.00', '8.00'],
      ['50.00', '50.00', '0.00', '0.00'],
    ]);
    expect(p.dispatchPrice.toFixed(2)).toBe('8.00');
  });

  it('a coupon larger than the goods is capped: the total is the delivery fees only', () => {
    const lines = [
      line({ groupBuyingId: 1, price: b('60.00'), quantity: 2, deliverType: 2, deliverFee: b('8.00') }),
      line({ groupBuyingId: 2, price: b('0.01'), quantity: 3 }),
    ];
    const p = checkout(lines, terms({ enough: b('0'), deduct: b('500.00') }));
    expect(p.discountPrice.toFixed(2)).toBe('120.03');
    expect(couponParts(p)).toEqual(['120.00', '0.03']);
    expect(p.totalPrice.toFixed(2)).toBe('8.00');
  });

  it('caps an over-large amount handed in directly and ignores repeated indices', () => {
    const lines = [line({ price: b('1.00') }), line({ groupBuyingId: 2, price: b('0.01') }), line({ groupBuyingId: 3, price: b('0.01') })];
    const p = priceCheckout(lines, { terms: terms(), amount: b('5.00'), eligible: [0, 1, 2, 1] });
    expect(couponParts(p)).toEqual(['1.00', '0.01', '0.01']);
    expect(p.totalPrice.toFixed(2)).toBe('0.00');
    // the allocator's counterexample: 1.01 over 1.00/0.01/0.01 never gives the first line more than 1.00
    expect(couponParts(priceCheckout(lines, { terms: terms(), amount: b('1.01'), eligible: [0, 1, 2] }))).toEqual(['1.00', '0.01', '0.00']);
  });

  it('refuses impossible input', () => {
    expect(() => priceCheckout([line()], { terms: terms(), amount: b('1'), eligible: [1] })).toThrow();
    expect(() => priceCheckout([line()], { terms: terms(), amount: b('-1'), eligible: [0] })).toThrow();
    expect(() => priceCheckout([line({ quantity: 0 })])).toThrow();
    expect(() => priceCheckout([line({ quantity: 1.5 })])).toThrow();
    expect(() => priceCheckout([line({ price: b('-1') })])).toThrow();
  });

  it('multiplies price by quantity and prices an empty cart at zero', () => {
    expect(priceCheckout([line({ price: b('19.99'), quantity: 3 })]).totalPrice.toFixed(2)).toBe('59.97');
    const empty = priceCheckout([]);
    expect([empty.goodsPrice, empty.discountPrice, empty.dispatchPrice, empty.totalPrice].every((v) => v.eq(0))).toBe(true);
  });
});

describe(selectCoupon.name, () => {
  const lines = [line({ groupBuyingId: 1 }), line({ groupBuyingId: 2 })];
  const mine = [
    terms({ memberCouponId: 100 }),
    terms({ memberCouponId: 101, used: true }),
    terms({ memberCouponId: 102, name: '满300减50', enough: b('300.00'), deduct: b('50.00') }),
  ];

  it('checks the requested coupon when it is usable and lists the others with their verdicts', () => {
    const s = selectCoupon(mine, 102, lines, ctx);
    expect(s.memberCoupons.map((m) => [m.terms.memberCouponId, m.valid, m.checked, m.reason])).toEqual([
      [100, true, false, null],
      [101, false, false, COUPON_REASONS.used],
      [102, true, true, null],
    ]);
    expect(s.applied).toEqual({ terms: mine[2], amount: b('50.00'), eligible: [0, 1] });
    expect(s.requested).toEqual({ valid: true, reason: null });
    expect(priceCheckout(lines, s.applied).totalPrice.toFixed(2)).toBe('350.00');
  });

  it('leaves an unusable request unchecked with its reason, and applies nothing', () => {
    const s = selectCoupon(mine, 101, lines, ctx);
    expect(s.applied).toBeNull();
    expect(s.requested).toEqual({ valid: false, reason: COUPON_REASONS.used });
    expect(s.memberCoupons.every((m) => !m.checked)).toBe(true);
  });

  it('checks nothing when no coupon is requested', () => {
    const s = selectCoupon(mine, undefined, lines, ctx);
    expect(s.requested).toBeNull();
    expect(s.applied).toBeNull();
    expect(s.memberCoupons.filter((m) => m.valid)).toHaveLength(2);
    expect(selectCoupon(mine, null, lines, ctx).requested).toBeNull();
  });

  it("drops another user's coupon and answers as for an unknown id", () => {
    const stranger = terms({ memberCouponId: 200, userId: 8 });
    const s = selectCoupon([...mine, stranger], 200, lines, ctx);
    expect(s.memberCoupons.map((m) => m.terms.memberCouponId)).toEqual([100, 101, 102]);
    expect(s.requested).toEqual({ valid: false, reason: COUPON_REASONS.notUsable });
    expect(selectCoupon(mine, 999, lines, ctx).requested).toEqual(s.requested);
    expect(s.applied).toBeNull();
  });
});

describe(formatCheckout.name, () => {
  it("gives the contract's data shape, money as strings, dates in APP_TZ", () => {
    const lines = [
      line({ groupBuyingId: 11, price: b('33.30'), quantity: 3 }),
      line({
        groupBuyingId: 12,
        shopId: 20,
        shopName: '二店',
        productName: '梨',
        spec: '箱',
        imagePath: '/p.png',
        deliverType: 2,
        price: b('100'),
        deliverFee: b('8'),
      }),
    ];
    const s = selectCoupon([terms({ discount: b('8.5') })], 100, lines, ctx);
    const data = formatCheckout(priceCheckout(lines, s.applied), s.memberCoupons);
    expect(data).toEqual({
      total_price: '197.90',
      goods_price: '199.90',
      discount_price: '10.00',
      dispatch_price: '8.00',
      amount_items: [
        { code: 'total_goods_price', name: '商品总金额', amount: '199.90' },
        { code: 'total_dispatch_price', name: '总运费', amount: '8.00' },
        { code: 'total_discount_price', name: '总优惠', amount: '10.00' },
        { code: 'total_deduction_price', name: '总抵扣', amount: '0.00' },
      ],
      deduction_price: '0.00',
      deductions: [],
      orders: [
        {
          group_buying_id: 11,
          shop_id: 10,
          shop_name: '社区店',
          product_name: '苹果',
          spec: '5斤装',
          image_path: '/img/apple.png',
          deliver_type: 1,
          price: '33.30',
          quantity: 3,
          goods_price: '99.90',
          coupon_price: '4.99',
          dispatch_price: '0.00',
          deduction_price: '0.00',
          pay_price: '94.91',
        },
        {
          group_buying_id: 12,
          shop_id: 20,
          shop_name: '二店',
          product_name: '梨',
          spec: '箱',
          image_path: '/p.png',
          deliver_type: 2,
          price: '100.00',
          quantity: 1,
          goods_price: '100.00',
          coupon_price: '5.01',
          dispatch_price: '8.00',
          deduction_price: '0.00',
          pay_price: '102.99',
        },
      ],
      discount: {
        member_coupons: [
          {
            id: 100,
            coupon_id: 5,
            name: '满100减10',
            coupon_method: 1,
            enough: '100.00',
            deduct: '10.00',
            discount: '8.50',
            time_start: '2024-05-01 08:00:00',
            time_end: '2024-07-01 08:00:00',
            valid: true,
            checked: true,
            reason: null,
          },
        ],
      },
    });
  });
});

describe('pricing properties', () => {
  const fen = (min: number, max: number) => fc.integer({ min, max }).map((n) => new Big(n).div(100));
  const price = fc.oneof(fen(1, 9_999_999), fen(1, 300), fc.constantFrom(b('0.01'), b('99999.99'), b('33.33')));
  const lineArb = fc.record({
    price,
    quantity: fc.oneof(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 3 })),
    deliverType: fc.constantFrom(1, 2),
    deliverFee: fc.oneof(fc.constant(b('0')), fen(0, 99_999)),
  });
  const cart = fc
    .array(lineArb, { minLength: 1, maxLength: 50 })
    .map((ls) => ls.map((l, i) => line({ ...l, groupBuyingId: i + 1, shopId: (i % 3) + 1 })));
  const couponArb = fc.record({
    couponMethod: fc.constantFrom(1 as const, 2 as const),
    enough: fc.oneof(fc.constant(b('0')), fen(0, 100_000_000)),
    deduct: fc.oneof(fen(0, 10_000), fen(0, 10_000_000_000), fc.constant(b('0.01'))),
    discount: fc.oneof(
      fc.integer({ min: 0, max: 100 }).map((n) => new Big(n).div(10)),
      fc.integer({ min: 0, max: 1000 }).map((n) => new Big(n).div(100)),
    ),
    useType: fc.constantFrom(0 as const, 2 as const),
    groupBuyingIds: fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 20 }),
  });

  it('parts sum to the whole; no line negative or over-discounted; never more than undiscounted; deterministic', () => {
    fc.assert(
      fc.property(cart, couponArb, (lines, c) => {
        const t = terms({ ...c });
        const ev = evaluateCoupon(t, lines, ctx);
        const applied = ev.valid ? { terms: t, amount: ev.amount, eligible: ev.eligible } : null;
        const p = priceCheckout(lines, applied);
        const plain = priceCheckout(lines);

        expect(p.totalPrice.eq(sum(p.lines.map((l) => l.payPrice)))).toBe(true);
        expect(p.totalPrice.eq(p.goodsPrice.minus(p.discountPrice).plus(p.dispatchPrice))).toBe(true);
        expect(p.discountPrice.eq(sum(p.lines.map((l) => l.couponPrice)))).toBe(true);
        expect(p.discountPrice.eq(ev.valid ? ev.amount : 0)).toBe(true);
        expect(p.totalPrice.lte(plain.totalPrice)).toBe(true);
        expect(p.goodsPrice.eq(plain.goodsPrice) && p.dispatchPrice.eq(plain.dispatchPrice)).toBe(true);

        const eligible = new Set(ev.eligible);
        p.lines.forEach((l, i) => {
          expect(l.goodsPrice.eq(l.price.times(l.quantity))).toBe(true);
          expect(l.couponPrice.gte(0)).toBe(true);
          expect(l.couponPrice.lte(l.goodsPrice)).toBe(true);
          expect(l.couponPrice.eq(l.couponPrice.round(2, Big.roundDown))).toBe(true);
          if (!eligible.has(i)) expect(l.couponPrice.eq(0)).toBe(true);
          expect(l.payPrice.gte(l.dispatchPrice)).toBe(true);
          expect(l.dispatchPrice.eq(l.deliverType === 2 ? l.deliverFee : 0)).toBe(true);
        });

        if (ev.valid) {
          const goods = sum(ev.eligible.map((i) => p.lines[i].goodsPrice));
          expect(ev.amount.gt(0) && ev.amount.lte(goods) && goods.gte(t.enough)).toBe(true);
        }

        const data = formatCheckout(p, [{ terms: t, valid: ev.valid, checked: ev.valid, reason: ev.reason }]);
        const again = formatCheckout(priceCheckout(lines, applied), [{ terms: t, valid: ev.valid, checked: ev.valid, reason: ev.reason }]);
        expect(again).toEqual(data);
        expect(sum(data.orders.map((o) => b(o.pay_price))).toFixed(2)).toBe(data.total_price);
        expect(evaluateCoupon(t, lines, ctx)).toEqual(ev);
      }),
      { numRuns: 300 },
    );
  });

  it('a 满减 below the eligible goods is given in full, split in proportion within a fen per line', () => {
    fc.assert(
      fc.property(cart, fen(1, 1_000_000), (lines, deduct) => {
        const t = terms({ enough: b('0'), deduct });
        const ev = evaluateCoupon(t, lines, ctx);
        const p = priceCheckout(lines, { terms: t, amount: ev.amount, eligible: ev.eligible });
        const goods = p.goodsPrice;
        expect(p.discountPrice.eq(deduct.gt(goods) ? goods : deduct)).toBe(true);
        if (deduct.lte(goods)) {
          // each share is at least its exact proportion rounded down, less a fen of Big.DP slack
          p.lines.forEach((l) =>
            expect(l.couponPrice.gte(ev.amount.times(l.goodsPrice).div(goods).minus('0.01').round(2, Big.roundDown))).toBe(true),
          );
        }
      }),
      { numRuns: 200 },
    );
  });
});
