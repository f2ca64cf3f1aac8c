import Big from 'big.js';
export interface CouponTerms {
  memberCouponId: number; couponId: number; tenantId: number; userId: number; name: string;
  couponMethod: 1 | 2; enough: Big; deduct: Big; discount: Big;
  useType: 0 | 2; groupBuyingIds: number[] | null;
  timeStart: Date; timeEnd: Date; used: boolean; usable: boolean;
}
