import { moneyNumber, moneyString } from '../common/money';
import { formatDate } from '../common/time';
import type { CouponView, MemberCouponView, StoreCouponView } from './coupon.dto';
import type { Coupon } from './coupon.entity';
import type { MemberCoupon } from './member-coupon.entity';
import { isExhausted, isMemberCouponValid, isTemplateUsable, reachedUserLimit } from './coupon.rules';

/** Admin shape (camelCase, money as JSON numbers). */
export function toCouponView(c: Coupon): CouponView {
  return {
    id: c.id,
    tenantId: c.tenantId,
    name: c.name,
    couponMethod: c.couponMethod,
    enough: moneyNumber(c.enough),
    deduct: moneyNumber(c.deduct),
    discount: moneyNumber(c.discount),
    useType: c.useType,
    groupBuyingIds: c.groupBuyingIds ?? null,
    timeLimit: c.timeLimit,
    timeDays: c.timeDays,
    timeStart: formatDate(c.timeStart),
    timeEnd: formatDate(c.timeEnd),
    total: c.total,
    getMax: c.getMax,
    inUse: c.inUse,
    receivedCount: c.receivedCount,
    usedCount: c.usedCount,
    createTime: formatDate(c.createTime)!,
  };
}

/** Storefront shape of a receivable coupon (snake_case, money as "10.00"), with the caller's count. */
export function toStoreCouponView(c: Coupon, received: number): StoreCouponView {
  return {
    id: c.id,
    tenant_id: c.tenantId,
    name: c.name,
    coupon_method: c.couponMethod,
    enough: moneyString(c.enough),
    deduct: moneyString(c.deduct),
    discount: moneyString(c.discount),
    use_type: c.useType,
    group_buying_ids: c.groupBuyingIds ?? null,
    time_limit: c.timeLimit,
    time_days: c.timeDays,
    time_start: formatDate(c.timeStart),
    time_end: formatDate(c.timeEnd),
    total: c.total,
    get_max: c.getMax,
    received_count: c.receivedCount,
    received,
    can_receive: !isExhausted(c) && !reachedUserLimit(c.getMax, received),
  };
}

/** Storefront shape of a member coupon (seed 003's member_coupon with its template's terms). */
export function toMemberCouponView(mc: MemberCoupon, c: Coupon, now: Date): MemberCouponView {
  return {
    id: mc.id,
    coupon_id: mc.couponId,
    tenant_id: mc.tenantId,
    name: c.name,
    used: mc.used,
    use_time: formatDate(mc.useTime),
    get_time: formatDate(mc.getTime)!,
    expired_at: formatDate(mc.timeEnd)!,
    time_start: formatDate(mc.timeStart)!,
    time_end: formatDate(mc.timeEnd)!,
    valid: isMemberCouponValid(mc, isTemplateUsable(c), now),
    coupon_method: c.couponMethod,
    enough: moneyString(c.enough),
    deduct: moneyString(c.deduct),
    discount: moneyString(c.discount),
    use_type: c.useType,
    group_buying_ids: c.groupBuyingIds ?? null,
  };
}
