/** Order status (seed 001): the codes and their names. Transitions live in order.state.ts. */
export const OrderStatus = {
  UNPAID: 0,
  PAID: 1,
  REFUNDED: 2,
  SHIPPED: 3,
  COMPLETED: 4,
  EXPIRED: 5,
  CLOSED: 6,
  PAY_FAILED: 7,
  CONFIRMED: 8,
  /** 已付定金: a pre-sale deposit paid, the balance due (§10) */
  DEPOSIT_PAID: 9,
} as const;
export type OrderStatusCode = (typeof OrderStatus)[keyof typeof OrderStatus];

export const ORDER_STATUS_NAMES: Record<number, string> = {
  0: '未支付',
  1: '已支付',
  2: '已退款',
  3: '已发货',
  4: '已完成',
  5: '已过期',
  6: '已关闭',
  7: '支付失败',
  8: '已确认',
  9: '已付定金',
};

export { DELIVER_TYPE_NAMES } from '../group-buying/deal.rules';

/** Statuses whose units count in a deal's `payedCount`. */
export const PAID_STATUSES: number[] = [OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.COMPLETED, OrderStatus.CONFIRMED];
/** Statuses that do not count in `orderCount`. */
export const DEAD_STATUSES: number[] = [OrderStatus.EXPIRED, OrderStatus.CLOSED];
/** Unpaid statuses: a checkout that may still be paid, expired or cancelled. */
export const UNPAID_STATUSES: number[] = [OrderStatus.UNPAID, OrderStatus.PAY_FAILED];
/** Statuses that don't count against the per-user limit (refunded, expired, closed). */
export const LIMIT_FREE_STATUSES: number[] = [OrderStatus.REFUNDED, OrderStatus.EXPIRED, OrderStatus.CLOSED];
