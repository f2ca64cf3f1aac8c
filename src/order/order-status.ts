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
};

export const DELIVER_TYPE_NAMES: Record<number, string> = { 1: '自提', 2: '快递' };

/** Statuses whose units count in a deal's `payedCount`. */
export const PAID_STATUSES = [1, 3, 4, 8];
/** Statuses that do not count in `orderCount`. */
export const DEAD_STATUSES = [5, 6];
