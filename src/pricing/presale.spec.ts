import Big from 'big.js';
import fc from 'fast-check';
import { priceCheckout } from './pricing';
import { asPreSaleCheckout, preSaleAmounts } from './presale';
import type { PricingLine } from './pricing.types';

const b = (v: string | number) => new Big(v);

describe(preSaleAmounts.name, () => {
  it('charges the deposit now and price − depositValue later, per unit', () => {
    const sut = preSaleAmounts({ price: b('100.00'), deposit: b('10.00'), depositValue: b('30.00') }, 3);
    expect(sut.deposit.toFixed(2)).toBe('30.00');
    expect(sut.tail.toFixed(2)).toBe('210.00');
    expect(sut.total.toFixed(2)).toBe('240.00');
  });

  it('lets the deposit count for itself when depositValue is not set', () => {
    const sut = preSaleAmounts({ price: b('19.90'), deposit: b('0.10'), depositValue: null }, 1);
    expect(sut.deposit.toFixed(2)).toBe('0.10');
    expect(sut.tail.toFixed(2)).toBe('19.80');
    expect(sut.total.toFixed(2)).toBe('19.90');
  });

  it('adds the express fee to the balance', () => {
    const sut = preSaleAmounts({ price: b('50.00'), deposit: b('5.00'), depositValue: b('5.00') }, 2, b('8.00'));
    expect(sut.deposit.toFixed(2)).toBe('10.00');
    expect(sut.tail.toFixed(2)).toBe('98.00');
  });

  it('refuses terms outside §10 and bad quantities', () => {
    expect(() => preSaleAmounts({ price: b(10), deposit: b(10), depositValue: null }, 1)).toThrow('out of range');
    expect(() => preSaleAmounts({ price: b(10), deposit: b(0), depositValue: null }, 1)).toThrow('out of range');
    expect(() => preSaleAmounts({ price: b(10), deposit: b(2), depositValue: b(1) }, 1)).toThrow('out of range');
    expect(() => preSaleAmounts({ price: b(10), deposit: b(2), depositValue: b(10) }, 1)).toThrow('out of range');
    expect(() => preSaleAmounts({ price: b(10), deposit: b(2), depositValue: null }, 0)).toThrow('quantity');
    expect(() => preSaleAmounts({ price: b(10), deposit: b(2), depositValue: null }, 1.5)).toThrow('quantity');
  });

  it('deposit + tail = price × qty − (depositValue − deposit) × qty, to the fen, for random terms', () => {
    const fen = fc.integer({ min: 3, max: 10_000_000 });
    fc.assert(
      fc.property(fen, fc.integer({ min: 1, max: 9999 }), fc.nat(), fc.nat(), (priceFen, qty, a, c) => {
        const depositFen = 1 + (a % (priceFen - 1));
        const valueFen = depositFen + (c % (priceFen - depositFen));
        const t = { price: b(priceFen).div(100), deposit: b(depositFen).div(100), depositValue: b(valueFen).div(100) };
        const sut = preSaleAmounts(t, qty);
        const expected = t.price.times(qty).minus(t.depositValue.minus(t.deposit).times(qty));
        expect(sut.total.eq(expected)).toBe(true);
        expect(sut.tail.gt(0)).toBe(true);
        expect(sut.deposit.eq(sut.deposit.round(2))).toBe(true);
        expect(sut.tail.eq(sut.tail.round(2))).toBe(true);
      }),
    );
  });
});

describe(asPreSaleCheckout.name, () => {
  const line: PricingLine = {
    groupBuyingId: 1,
    shopId: 1,
    shopName: 's',
    productName: 'p',
    spec: '',
    imagePath: '',
    deliverType: 1,
    price: b('100.00'),
    quantity: 2,
    deliverFee: b(0),
  };

  it('makes pay_price and total_price the deposit, with no coupon', () => {
    const amounts = preSaleAmounts({ price: b('100.00'), deposit: b('20.00'), depositValue: b('25.00') }, 2);
    const sut = asPreSaleCheckout(priceCheckout([line], null), amounts);
    expect(sut.goodsPrice.toFixed(2)).toBe('200.00');
    expect(sut.lines[0].payPrice.toFixed(2)).toBe('40.00');
    expect(sut.totalPrice.toFixed(2)).toBe('40.00');
    expect(sut.discountPrice.toFixed(2)).toBe('0.00');
    expect(sut.lines[0].couponPrice.toFixed(2)).toBe('0.00');
  });

  it('refuses more than one line', () => {
    const amounts = preSaleAmounts({ price: b('100.00'), deposit: b('20.00'), depositValue: null }, 1);
    expect(() => asPreSaleCheckout(priceCheckout([line, { ...line, groupBuyingId: 2 }], null), amounts)).toThrow('exactly one line');
  });
});
