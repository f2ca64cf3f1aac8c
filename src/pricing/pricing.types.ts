import Big from 'big.js';

/** A member coupon and its template's rules, as pricing needs them (the coupon module loads them). */
export interface CouponTerms {
  memberCouponId: number;
  couponId: number;
  tenantId: number;
  userId: number;
  name: string;
  couponMethod: 1 | 2;
  enough: Big;
  deduct: Big;
  discount: Big;
  useType: 0 | 2;
  groupBuyingIds: number[] | null;
  timeStart: Date;
  timeEnd: Date;
  used: boolean;
  usable: boolean;
}

/** One deal line of a checkout, with the deal's data read from the database (never from the client). */
export interface PricingLine {
  groupBuyingId: number;
  shopId: number;
  shopName: string;
  productName: string;
  spec: string;
  imagePath: string;
  /** 1 自提, 2 快递 */
  deliverType: number;
  price: Big;
  quantity: number;
  deliverFee: Big;
}

export interface PricingContext {
  now: Date;
  userId: number;
  tenantId: number;
}

/** What `evaluateCoupon` says about one member coupon against one cart. */
export interface CouponEvaluation {
  valid: boolean;
  /** Chinese, with a short English gloss in parentheses; null when valid. */
  reason: string | null;
  /** The discount for the whole checkout; 0 when invalid. */
  amount: Big;
  /** Indices (in `lines`, ascending) of the lines the coupon applies to; empty when invalid. */
  eligible: number[];
}

/** A coupon that passed `evaluateCoupon`, ready to be split over its lines. */
export interface AppliedCoupon {
  terms: CouponTerms;
  amount: Big;
  /** Indices in `lines`. */
  eligible: number[];
}

export interface PricedLine extends PricingLine {
  /** price × quantity */
  goodsPrice: Big;
  /** this line's share of the coupon */
  couponPrice: Big;
  /** deliverFee when express, else 0 */
  dispatchPrice: Big;
  /** goodsPrice − couponPrice + dispatchPrice */
  payPrice: Big;
}

export interface CheckoutPricing {
  lines: PricedLine[];
  goodsPrice: Big;
  /** Σ couponPrice */
  discountPrice: Big;
  dispatchPrice: Big;
  /** Σ payPrice, exactly */
  totalPrice: Big;
  coupon: CouponTerms | null;
}

/** One entry of `discount.member_coupons`, before formatting. */
export interface MemberCouponChoice {
  terms: CouponTerms;
  valid: boolean;
  checked: boolean;
  reason: string | null;
}

/** The result of `selectCoupon`. */
export interface CouponSelection {
  /** The caller's coupons as the storefront lists them (another user's never appear). */
  memberCoupons: MemberCouponChoice[];
  /** The requested coupon when it is usable on this cart, else null. */
  applied: AppliedCoupon | null;
  /** Verdict on the requested coupon (null when none was requested): createOrder refuses with `reason`. */
  requested: { valid: boolean; reason: string | null } | null;
}

export interface CheckoutAmountItem {
  code: 'total_goods_price' | 'total_dispatch_price' | 'total_discount_price' | 'total_deduction_price';
  name: string;
  amount: string;
}

export interface CheckoutOrderData {
  group_buying_id: number;
  shop_id: number;
  shop_name: string;
  product_name: string;
  spec: string;
  image_path: string;
  deliver_type: number;
  price: string;
  quantity: number;
  goods_price: string;
  coupon_price: string;
  dispatch_price: string;
  /** this line's share of the points and balance used (§11) */
  deduction_price: string;
  pay_price: string;
}

export interface MemberCouponData {
  id: number;
  coupon_id: number;
  name: string;
  coupon_method: number;
  enough: string;
  deduct: string;
  discount: string;
  time_start: string | null;
  time_end: string | null;
  valid: boolean;
  checked: boolean;
  reason: string | null;
}

/** computedOrder's `data` (createOrder adds `pay_no` and each order's `code`). */
export interface CheckoutData {
  total_price: string;
  goods_price: string;
  discount_price: string;
  dispatch_price: string;
  amount_items: CheckoutAmountItem[];
  /** points and balance used (§11) */
  deduction_price: string;
  deductions: DeductionData[];
  orders: CheckoutOrderData[];
  discount: { member_coupons: MemberCouponData[] };
}

/** One entry of `deductions` (seed 003 `order_goods_deductions`). */
export interface DeductionData {
  code: string;
  name: string;
  usable_amount: string;
  usable_coin: number;
  used_amount: string;
  used_coin: number;
}
