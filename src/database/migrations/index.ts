import { Initial1795366640290 } from './1795366640290-initial';
import { OrderCheckoutIndex1795370000000 } from './1795370000000-order-checkout-index';
import { RateLimitCounter1795380000000 } from './1795380000000-rate-limit-counter';
import { OrderUserStatusIndex1795395000000 } from './1795395000000-order-user-status-index';
import { PreSale1795400000000 } from './1795400000000-pre-sale';
import { MemberWallet1795410000000 } from './1795410000000-member-wallet';
import { OrderRollup1795420000000 } from './1795420000000-order-rollup';
import { MemberCouponPayNoIndex1795430000000 } from './1795430000000-member-coupon-pay-no-index';
import { OrderTimeSumsIndex1795440000000 } from './1795440000000-order-time-sums-index';

/** Every migration, in order. New ones: `npm run migration:generate src/database/migrations/Name` against MySQL. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const MIGRATIONS: Function[] = [
  Initial1795366640290,
  OrderCheckoutIndex1795370000000,
  RateLimitCounter1795380000000,
  OrderUserStatusIndex1795395000000,
  PreSale1795400000000,
  MemberWallet1795410000000,
  OrderRollup1795420000000,
  MemberCouponPayNoIndex1795430000000,
  OrderTimeSumsIndex1795440000000,
];
