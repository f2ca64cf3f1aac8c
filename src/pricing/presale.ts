import Big from 'big.js';
import type { CheckoutPricing } from './pricing.types';

/** A pre-sale deal's terms per unit (contract §10): price, 定金 and what it counts for (定金膨胀). */
export interface PreSaleUnitTerms {
  price: Big;
  deposit: Big;
  /** null: the deposit counts for itself */
  depositValue: Big | null;
}

/** What one pre-sale order pays: the deposit now, the balance (尾款) in its window. */
export interface PreSaleAmounts {
  /** deposit × quantity: the checkout's pay_price */
  deposit: Big;
  /** (price − depositValue) × quantity, plus the express fee */
  tail: Big;
  /** what the buyer pays in all: deposit + tail */
  total: Big;
}

/**
 * The two payments of a pre-sale order. The express fee (if any) is paid with the balance, when the
 * goods are about to ship. Terms outside §10 (deposit ≤ 0 or ≥ price, depositValue outside
 * [deposit, price)) are a programming error: the deal rules refuse them at create/update.
 */
export function preSaleAmounts(t: PreSaleUnitTerms, quantity: number, dispatch: Big = new Big(0)): PreSaleAmounts {
  const value = t.depositValue ?? t.deposit;
  if (!t.deposit.gt(0) || !t.deposit.lt(t.price) || value.lt(t.deposit) || !value.lt(t.price))
    throw new Error(`pre-sale terms out of range: price ${t.price} deposit ${t.deposit} depositValue ${value}`);
  if (!Number.isInteger(quantity) || quantity < 1) throw new Error(`pre-sale quantity must be a positive integer: ${quantity}`);
  const deposit = t.deposit.times(quantity);
  const tail = t.price.minus(value).times(quantity).plus(dispatch);
  return { deposit, tail, total: deposit.plus(tail) };
}

/**
 * A priced one-line checkout as a pre-sale deposit: goods and dispatch as priced, no coupon, and
 * `pay_price` = `total_price` = the deposit (what this checkout charges).
 */
export function asPreSaleCheckout(p: CheckoutPricing, amounts: PreSaleAmounts): CheckoutPricing {
  if (p.lines.length !== 1) throw new Error('a pre-sale checkout has exactly one line');
  const zero = new Big(0);
  return {
    ...p,
    lines: [{ ...p.lines[0], couponPrice: zero, payPrice: amounts.deposit }],
    discountPrice: zero,
    totalPrice: amounts.deposit,
    coupon: null,
  };
}
