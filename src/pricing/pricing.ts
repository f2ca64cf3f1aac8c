import Big from 'big.js';
import { ZERO, allocate, moneyString, sum } from '../common/money';
import { formatDate } from '../common/time';
import { DeductedPricing, formatDeductions } from './deductions';
import {
  CouponTerms,
  AppliedCoupon,
  CheckoutData,
  CheckoutPricing,
  CouponEvaluation,
  CouponSelection,
  MemberCouponChoice,
  PricedLine,
  PricingContext,
  PricingLine,
} from './pricing.types';

export * from './pricing.types';
export * from './deductions';

/** Deliver type 2 快递 pays the deal's delivery fee; 1 自提 does not. */
export const DELIVER_EXPRESS = 2;
export const COUPON_METHOD_DEDUCT = 1; // 满减
export const COUPON_METHOD_DISCOUNT = 2; // 折扣
export const COUPON_USE_ALL = 0;
export const COUPON_USE_LISTED = 2;

/**
 * Why a coupon can't be used. Another user's coupon gets the same words as a disabled one, so the
 * answer never tells whether a member-coupon id exists.
 */
export const COUPON_REASONS = {
  notUsable: '优惠券不可用 (coupon not usable)',
  used: '优惠券已使用 (coupon already used)',
  otherTenant: '优惠券不适用于该商户 (coupon belongs to another merchant)',
  notStarted: '优惠券未到使用时间 (coupon not valid yet)',
  expired: '优惠券已过期 (coupon expired)',
  noEligibleGoods: '没有可使用该优惠券的商品 (no goods in this order qualify for the coupon)',
  belowThreshold: (enough: Big) =>
    `商品金额未满${moneyString(enough)}元，不能使用该优惠券 (goods total below the ${moneyString(enough)} threshold)`,
  noDiscount: '该优惠券无优惠金额 (coupon gives no discount on this order)',
} as const;

const TEN = new Big(10);

const invalid = (reason: string): CouponEvaluation => ({ valid: false, reason, amount: ZERO, eligible: [] });

const goodsOf = (line: PricingLine): Big => line.price.times(line.quantity);

/**
 * Whether `terms` can be used on `lines` for this user now, and for how much.
 * Amount: 满减 min(deduct, eligible goods); 折扣 eligible goods × (1 − discount/10), half-up to the fen,
 * capped at the eligible goods. Delivery fees are never discounted nor count towards `enough`.
 */
export function evaluateCoupon(terms: CouponTerms, lines: PricingLine[], ctx: PricingContext): CouponEvaluation {
  if (terms.userId !== ctx.userId) return invalid(COUPON_REASONS.notUsable);
  if (!terms.usable) return invalid(COUPON_REASONS.notUsable);
  if (terms.tenantId !== ctx.tenantId) return invalid(COUPON_REASONS.otherTenant);
  if (terms.used) return invalid(COUPON_REASONS.used);
  const now = ctx.now.getTime();
  if (now < terms.timeStart.getTime()) return invalid(COUPON_REASONS.notStarted);
  if (now >= terms.timeEnd.getTime()) return invalid(COUPON_REASONS.expired);

  const listed = new Set(terms.groupBuyingIds ?? []);
  const eligible: number[] = [];
  lines.forEach((line, i) => {
    if (terms.useType === COUPON_USE_ALL || listed.has(line.groupBuyingId)) eligible.push(i);
  });
  if (eligible.length === 0) return invalid(COUPON_REASONS.noEligibleGoods);

  const goods = sum(eligible.map((i) => goodsOf(lines[i])));
  if (goods.lt(terms.enough)) return invalid(COUPON_REASONS.belowThreshold(terms.enough));

  let amount =
    terms.couponMethod === COUPON_METHOD_DEDUCT
      ? terms.deduct
      : terms.couponMethod === COUPON_METHOD_DISCOUNT
        ? goods.times(TEN.minus(terms.discount)).div(TEN).round(2, Big.roundHalfUp)
        : ZERO;
  if (amount.gt(goods)) amount = goods;
  if (amount.lte(0)) return invalid(COUPON_REASONS.noDiscount);
  return { valid: true, reason: null, amount, eligible };
}

function checkLine(line: PricingLine, i: number): void {
  if (!Number.isInteger(line.quantity) || line.quantity < 1) throw new Error(`pricing: line ${i} quantity ${line.quantity}`);
  if (line.price.lt(0) || line.deliverFee.lt(0)) throw new Error(`pricing: line ${i} has a negative price or fee`);
}

/**
 * Prices a checkout. The coupon (already evaluated) is split over its eligible lines in proportion to
 * their goods price by `allocate`: rounded down to the fen, remainder to the largest line (first in
 * request order on a tie), never more than a line's goods price. `totalPrice` = Σ payPrice exactly.
 */
export function priceCheckout(lines: PricingLine[], applied?: AppliedCoupon | null): CheckoutPricing {
  lines.forEach(checkLine);
  const goods = lines.map(goodsOf);
  const coupon = lines.map(() => ZERO);

  if (applied) {
    const eligible = [...new Set(applied.eligible)].sort((a, b) => a - b);
    eligible.forEach((i) => {
      if (!Number.isInteger(i) || i < 0 || i >= lines.length) throw new Error(`pricing: no line ${i} to discount`);
    });
    if (applied.amount.lt(0)) throw new Error('pricing: negative coupon amount');
    const eligibleGoods = sum(eligible.map((i) => goods[i]));
    // A discount never exceeds what it applies to, whatever the caller computed.
    const amount = applied.amount.gt(eligibleGoods) ? eligibleGoods : applied.amount;
    if (amount.gt(0)) {
      const parts = allocate(
        amount,
        eligible.map((i) => goods[i]),
      );
      eligible.forEach((lineIndex, k) => (coupon[lineIndex] = parts[k]));
    }
  }

  const priced: PricedLine[] = lines.map((line, i) => {
    const dispatchPrice = line.deliverType === DELIVER_EXPRESS ? line.deliverFee : ZERO;
    return {
      ...line,
      goodsPrice: goods[i],
      couponPrice: coupon[i],
      dispatchPrice,
      payPrice: goods[i].minus(coupon[i]).plus(dispatchPrice),
    };
  });

  const discountPrice = sum(priced.map((l) => l.couponPrice));
  return {
    lines: priced,
    goodsPrice: sum(priced.map((l) => l.goodsPrice)),
    discountPrice,
    dispatchPrice: sum(priced.map((l) => l.dispatchPrice)),
    totalPrice: sum(priced.map((l) => l.payPrice)),
    coupon: applied && discountPrice.gt(0) ? applied.terms : null,
  };
}

/**
 * Evaluates every coupon of the caller against the cart and picks the requested one if usable.
 * computedOrder never fails because of the coupon: an unusable request is only unchecked with a reason;
 * createOrder refuses with `requested.reason`. Coupons of other users are dropped from the list.
 */
export function selectCoupon(
  all: CouponTerms[],
  requestedId: number | null | undefined,
  lines: PricingLine[],
  ctx: PricingContext,
): CouponSelection {
  const wanted = requestedId === null || requestedId === undefined ? null : requestedId;
  const memberCoupons: MemberCouponChoice[] = [];
  let applied: AppliedCoupon | null = null;
  let requested: CouponSelection['requested'] = wanted === null ? null : { valid: false, reason: COUPON_REASONS.notUsable };
  const seen = new Set<number>();

  for (const terms of all) {
    if (terms.userId !== ctx.userId || seen.has(terms.memberCouponId)) continue;
    seen.add(terms.memberCouponId);
    const ev = evaluateCoupon(terms, lines, ctx);
    const isRequested = wanted !== null && terms.memberCouponId === wanted;
    const checked = isRequested && ev.valid;
    if (isRequested) requested = { valid: ev.valid, reason: ev.reason };
    if (checked) applied = { terms, amount: ev.amount, eligible: ev.eligible };
    memberCoupons.push({ terms, valid: ev.valid, checked, reason: ev.reason });
  }
  return { memberCoupons, applied, requested };
}

/** The contract's computedOrder `data` (§5), money as "0.00" strings. */
export function formatCheckout(p: CheckoutPricing | DeductedPricing, memberCoupons: MemberCouponChoice[]): CheckoutData {
  const deducted = 'deductions' in p ? p : null;
  const { deduction_price, deductions } = formatDeductions(deducted?.deductions);
  return {
    total_price: moneyString(p.totalPrice),
    goods_price: moneyString(p.goodsPrice),
    discount_price: moneyString(p.discountPrice),
    dispatch_price: moneyString(p.dispatchPrice),
    amount_items: [
      { code: 'total_goods_price', name: '商品总金额', amount: moneyString(p.goodsPrice) },
      { code: 'total_dispatch_price', name: '总运费', amount: moneyString(p.dispatchPrice) },
      { code: 'total_discount_price', name: '总优惠', amount: moneyString(p.discountPrice) },
      { code: 'total_deduction_price', name: '总抵扣', amount: deduction_price },
    ],
    deduction_price,
    deductions,
    orders: p.lines.map((l, i) => ({
      group_buying_id: l.groupBuyingId,
      shop_id: l.shopId,
      shop_name: l.shopName,
      product_name: l.productName,
      spec: l.spec,
      image_path: l.imagePath,
      deliver_type: l.deliverType,
      price: moneyString(l.price),
      quantity: l.quantity,
      goods_price: moneyString(l.goodsPrice),
      coupon_price: moneyString(l.couponPrice),
      dispatch_price: moneyString(l.dispatchPrice),
      deduction_price: moneyString(deducted ? deducted.lines[i].deductionPrice : ZERO),
      pay_price: moneyString(l.payPrice),
    })),
    discount: {
      member_coupons: memberCoupons.map(({ terms: t, valid, checked, reason }) => ({
        id: t.memberCouponId,
        coupon_id: t.couponId,
        name: t.name,
        coupon_method: t.couponMethod,
        enough: moneyString(t.enough),
        deduct: moneyString(t.deduct),
        discount: moneyString(t.discount),
        time_start: formatDate(t.timeStart),
        time_end: formatDate(t.timeEnd),
        valid,
        checked,
        reason,
      })),
    },
  };
}
