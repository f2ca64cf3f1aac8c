import Big from 'big.js';
import { DomainError } from '../common/errors';
import { money, moneyString } from '../common/money';
import { formatDate } from '../common/time';
import { readDate } from '../database/sql';
import type { CartDealRow } from '../group-buying/deal.repository';
import { isPreSaleDeal } from '../group-buying/deal.rules';
import { evaluateCoupon } from '../pricing/pricing';
import { asPreSaleCheckout, PreSaleAmounts, preSaleAmounts } from '../pricing/presale';
import type { CheckoutPricing, CouponEvaluation, CouponTerms, PricingContext, PricingLine } from '../pricing/pricing.types';

/** Why a coupon is refused on a pre-sale checkout (contract §10). */
export const PRE_SALE_NO_DEDUCTION = '预售商品不可使用积分或余额抵扣 (points and balance do not apply to pre-sale orders)';
export const PRE_SALE_NO_COUPON = '预售商品不可使用优惠券 (coupons do not apply to pre-sale orders)';

/**
 * The cart's pre-sale deal, if any. A pre-sale deal is bought alone (a second line is a 400 naming
 * `goods`); a pre-sale deal is never a team deal (the deal rules refuse that at create/update).
 */
export function preSaleDealOf(deals: CartDealRow[]): CartDealRow | null {
  const pre = deals.find(isPreSaleDeal) ?? null;
  if (pre && deals.length !== 1) {
    throw DomainError.badRequest(
      `参数错误 goods: 预售商品「${pre.name}」须单独下单，只能有一行 (a pre-sale checkout has exactly one line)`,
      [{ field: 'goods', message: 'a pre-sale deal must be the only line' }],
    );
  }
  return pre;
}

/** evaluateCoupon, except that on a pre-sale cart every coupon is listed as not usable, with the reason. */
export function couponVerdict(pre: CartDealRow | null, terms: CouponTerms, lines: PricingLine[], ctx: PricingContext): CouponEvaluation {
  if (pre) return { valid: false, reason: PRE_SALE_NO_COUPON, amount: new Big(0), eligible: [] };
  return evaluateCoupon(terms, lines, ctx);
}

/** The deal's amounts for `quantity` units (express fee with the balance). */
export function amountsOf(d: CartDealRow, quantity: number, dispatch: Big): PreSaleAmounts {
  const deposit = money(d.deposit);
  return preSaleAmounts(
    { price: money(d.price), deposit, depositValue: d.deposit_value === null ? null : money(d.deposit_value) },
    quantity,
    dispatch,
  );
}

/** The priced checkout, as a deposit when the cart is pre-sale (pay_price = deposit × quantity). */
export function preSalePricing(p: CheckoutPricing, pre: CartDealRow | null): CheckoutPricing {
  if (!pre) return p;
  return asPreSaleCheckout(p, amountsOf(pre, p.lines[0].quantity, p.lines[0].dispatchPrice));
}

/** The order columns of a pre-sale line (none for other deals). */
export function preSaleColumns(
  d: CartDealRow,
  quantity: number,
  dispatch: Big,
): { depositMoney: string; tailMoney: string; tailStartTime: Date; tailEndTime: Date } | Record<string, never> {
  if (!isPreSaleDeal(d) || d.tail_end_time === null) return {};
  const a = amountsOf(d, quantity, dispatch);
  return {
    depositMoney: a.deposit.toFixed(2),
    tailMoney: a.tail.toFixed(2),
    tailStartTime: readDate(d.end_time),
    tailEndTime: readDate(d.tail_end_time),
  };
}

/** computedOrder/createOrder lines of a pre-sale cart gain the `presale` block (both payments waiting). */
export function withPreSaleBlock<T extends { orders: object[] }>(view: T, pre: CartDealRow | null): T {
  if (!pre || pre.tail_end_time === null) return view;
  const orders = (view.orders as Record<string, unknown>[]).map((o) => {
    const a = amountsOf(pre, Number(o.quantity), money(String(o.dispatch_price)));
    const presale = {
      deposit: { price: moneyString(a.deposit), pay_status: 'wait', pay_time: null },
      tail: {
        price: moneyString(a.tail),
        pay_status: 'wait',
        pay_time: null,
        start_time: formatDate(readDate(pre.end_time)),
        end_time: formatDate(readDate(pre.tail_end_time!)),
      },
    };
    return { ...o, presale };
  });
  return { ...view, orders };
}
