import { AdminUser } from '../auth/admin-user.entity';
import { User } from '../auth/user.entity';
import { Coupon } from '../coupon/coupon.entity';
import { MemberCoupon } from '../coupon/member-coupon.entity';
import { GroupBuyingVisitor } from '../group-buying/group-buying-visitor.entity';
import { GroupBuying } from '../group-buying/group-buying.entity';
import { Checkout } from '../order/checkout.entity';
import { IdempotencyKey } from '../order/idempotency-key.entity';
import { OrderLog } from '../order/order-log.entity';
import { OrderReview } from '../order/order-review.entity';
import { MemberSetting } from '../member/member-setting.entity';
import { MemberWallet } from '../member/member-wallet.entity';
import { WalletLedger } from '../member/wallet-ledger.entity';
import { Order } from '../order/order.entity';
import { OrderRollup } from '../order/order-rollup.entity';
import { PaymentNotify } from '../payment/payment-notify.entity';
import { PaymentRefund } from '../payment/payment-refund.entity';
import { RateLimitCounter } from '../rate-limit/rate-limit-counter.entity';
import { Shop } from '../shop/shop.entity';
import { TeamMember } from '../team/team-member.entity';
import { Team } from '../team/team.entity';
import { Tenant } from '../tenant/tenant.entity';

export const ENTITIES = [
  Tenant,
  AdminUser,
  User,
  Shop,
  GroupBuying,
  GroupBuyingVisitor,
  Coupon,
  MemberCoupon,
  Checkout,
  Order,
  OrderRollup,
  OrderReview,
  OrderLog,
  IdempotencyKey,
  PaymentRefund,
  PaymentNotify,
  Team,
  TeamMember,
  RateLimitCounter,
  MemberWallet,
  WalletLedger,
  MemberSetting,
];
