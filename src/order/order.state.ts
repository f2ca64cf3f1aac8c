import { DomainError } from '../common/errors';
import { ORDER_STATUS_NAMES, OrderStatus, OrderStatusCode } from './order-status';

/**
 * The order state machine as data (contract §2): status → the statuses it may become.
 * Every status change goes through here; anything not listed is refused with 409.
 */
const TRANSITIONS: Record<OrderStatusCode, OrderStatusCode[]> = {
  [OrderStatus.UNPAID]: [OrderStatus.PAID, OrderStatus.EXPIRED, OrderStatus.CLOSED, OrderStatus.PAY_FAILED, OrderStatus.DEPOSIT_PAID],
  [OrderStatus.PAID]: [OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.COMPLETED, OrderStatus.REFUNDED],
  [OrderStatus.REFUNDED]: [],
  [OrderStatus.SHIPPED]: [OrderStatus.COMPLETED, OrderStatus.REFUNDED],
  [OrderStatus.COMPLETED]: [OrderStatus.REFUNDED],
  // a late payment whose stock can be taken again (§6)
  [OrderStatus.EXPIRED]: [OrderStatus.PAID],
  // a payment that lands on a cancelled checkout whose stock can be taken again (§6)
  [OrderStatus.CLOSED]: [OrderStatus.PAID],
  [OrderStatus.PAY_FAILED]: [OrderStatus.PAID, OrderStatus.EXPIRED, OrderStatus.DEPOSIT_PAID],
  [OrderStatus.CONFIRMED]: [OrderStatus.SHIPPED, OrderStatus.COMPLETED, OrderStatus.REFUNDED],
  // pre-sale (§10): balance paid, balance deadline passed (deposit kept, stock back), deposit refunded
  [OrderStatus.DEPOSIT_PAID]: [OrderStatus.PAID, OrderStatus.CLOSED, OrderStatus.REFUNDED],
};
Object.values(TRANSITIONS).forEach((targets) => Object.freeze(targets));
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatusCode, readonly OrderStatusCode[]>> = Object.freeze(TRANSITIONS);

/** Named actions and the status each leads to. */
export const ORDER_ACTIONS = Object.freeze({
  pay: { to: OrderStatus.PAID },
  expire: { to: OrderStatus.EXPIRED },
  cancel: { to: OrderStatus.CLOSED },
  fail: { to: OrderStatus.PAY_FAILED },
  confirm: { to: OrderStatus.CONFIRMED },
  ship: { to: OrderStatus.SHIPPED },
  complete: { to: OrderStatus.COMPLETED },
  refund: { to: OrderStatus.REFUNDED },
  payDeposit: { to: OrderStatus.DEPOSIT_PAID },
} as const);
export type OrderAction = keyof typeof ORDER_ACTIONS;

const STATUS_EN: Record<number, string> = {
  0: 'unpaid',
  1: 'paid',
  2: 'refunded',
  3: 'shipped',
  4: 'completed',
  5: 'expired',
  6: 'closed',
  7: 'payment failed',
  8: 'confirmed',
  9: 'deposit paid',
};

const ALL_STATUSES = Object.values(OrderStatus) as OrderStatusCode[];

const isStatus = (s: number): s is OrderStatusCode => (ALL_STATUSES as number[]).includes(s);

export function canTransition(from: number, to: number): boolean {
  return isStatus(from) && isStatus(to) && ORDER_TRANSITIONS[from].includes(to);
}

const zh = (s: number) => ORDER_STATUS_NAMES[s] ?? `未知状态${s}`;
const en = (s: number) => `${STATUS_EN[s] ?? 'unknown'} (${s})`;

/** Throws 409 naming the current status, e.g. 订单状态为「已过期」，不能变为「已支付」 (order is expired (5); cannot become paid (1)). */
export function assertTransition(from: number, to: number): void {
  if (canTransition(from, to)) return;
  throw DomainError.conflict(`订单状态为「${zh(from)}」，不能变为「${zh(to)}」 (order is ${en(from)}; cannot become ${en(to)})`);
}

/** The statuses `to` may be reached from, ascending: for `UPDATE … WHERE status IN (…)`. */
export function sourcesOf(to: number): OrderStatusCode[] {
  return ALL_STATUSES.filter((from) => canTransition(from, to)).sort((a, b) => a - b);
}

/** Start-up check: every status 0..9 has an entry, and every target is a known status other than itself. */
export function validateStateMachine(transitions: Record<number, readonly number[]> = ORDER_TRANSITIONS): void {
  const problems: string[] = [];
  for (let s = 0; s <= 9; s++) {
    if (!isStatus(s)) problems.push(`status ${s} is not an OrderStatus`);
    if (!Object.prototype.hasOwnProperty.call(transitions, s)) problems.push(`status ${s} has no transitions entry`);
  }
  for (const [key, targets] of Object.entries(transitions)) {
    const from = Number(key);
    if (!isStatus(from)) problems.push(`unknown status ${key} in transitions`);
    if (!Array.isArray(targets)) {
      problems.push(`transitions of ${key} is not a list`);
      continue;
    }
    if (new Set(targets).size !== targets.length) problems.push(`transitions of ${key} repeat a target`);
    for (const to of targets) {
      if (!isStatus(to)) problems.push(`${key} → ${to}: unknown target`);
      if (to === from) problems.push(`${key} → ${to}: self transition`);
    }
  }
  if (problems.length) throw new Error(`order state machine is invalid: ${problems.join('; ')}`);
}

validateStateMachine();
