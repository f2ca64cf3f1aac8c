import Big from 'big.js';
import { ZERO, allocate, moneyString, sum } from '../common/money';
import type { CheckoutPricing, PricedLine } from './pricing.types';

/** The deductions a checkout can ask for (seed 003 `deduction_ids`), points first. */
export const DEDUCTION_CODES = ['point', 'balance'] as const;
export type DeductionCode = (typeof DEDUCTION_CODES)[number];
export const DEDUCTION_NAMES: Record<DeductionCode, string> = { point: '积分', balance: '余额' };

/** The caller's wallet in the checkout's tenant and the tenant's settings, as pricing needs them. */
export interface WalletTerms {
  point: number;
  balance: Big;
  /** points per 1.00 yuan (≥ 1) */
  pointValue: number;
  /** 0–100: the largest share of goods after coupon points may pay */
  pointMaxRate: number;
}

/** One order line's share of the deductions. */
export interface DeductionShare {
  /** pointMoney + balanceMoney */
  deductionPrice: Big;
  pointMoney: Big;
  pointCoins: number;
  balanceMoney: Big;
}

/** One entry of `deductions` (seed 003 `order_goods_deductions`), before formatting. */
export interface DeductionSummary {
  code: DeductionCode;
  name: string;
  usableAmount: Big;
  usableCoin: number;
  usedAmount: Big;
  usedCoin: number;
}

export interface Deductions {
  total: Big;
  pointMoney: Big;
  pointCoins: number;
  balanceMoney: Big;
  /** per line of the checkout, in its order */
  shares: DeductionShare[];
  summary: DeductionSummary[];
}

export interface DeductedLine extends PricedLine {
  deductionPrice: Big;
}

export interface DeductedPricing extends CheckoutPricing {
  lines: DeductedLine[];
  deductionPrice: Big;
  deductions: Deductions;
}

const HUNDRED = new Big(100);
const floorFen = (v: Big): Big => v.round(2, Big.roundDown);

/**
 * Applies the wallet after the coupon (contract §11): points first — whole points, at most
 * `pointMaxRate` % of goods − coupon, their value rounded down to the fen — then balance, at most what
 * is left to pay (dispatch included). The total is split over the lines like the coupon: in proportion
 * to each line's goods after coupon, rounded down to the fen, the remainder to the largest line; only a
 * balance that also pays delivery spills over onto the lines' dispatch (so no line goes below zero).
 * Each line's share is then split into its point and balance parts the same way.
 */
export function applyDeductions(p: CheckoutPricing, wallet: WalletTerms | null, wanted: readonly DeductionCode[]): DeductedPricing {
  const base = p.lines.map((l) => l.goodsPrice.minus(l.couponPrice));
  const baseTotal = sum(base);
  const due = p.totalPrice;
  const w = wallet ?? { point: 0, balance: ZERO, pointValue: 100, pointMaxRate: 0 };
  if (!Number.isInteger(w.pointValue) || w.pointValue < 1) throw new Error(`pricing: pointValue ${w.pointValue}`);
  if (w.pointMaxRate < 0 || w.pointMaxRate > 100) throw new Error(`pricing: pointMaxRate ${w.pointMaxRate}`);
  const value = new Big(w.pointValue);

  // points: the cap in money, then the whole points that fit it, then what those are worth
  const cap = floorFen(baseTotal.times(w.pointMaxRate).div(HUNDRED));
  const held = Math.max(0, Math.floor(w.point));
  const coinsForCap = Number(cap.times(value).round(0, Big.roundDown).toFixed(0));
  const usablePointAmount = floorFen(new Big(Math.min(held, coinsForCap)).div(value));
  // the fewest whole points worth that much (never more points than the money they buy)
  const usableCoin = Number(usablePointAmount.times(value).round(0, Big.roundUp).toFixed(0));
  const usePoint = wanted.includes('point');
  const pointMoney = usePoint ? usablePointAmount : ZERO;
  const pointCoins = usePoint ? usableCoin : 0;

  // balance: what is left to pay, dispatch included
  const left = due.minus(pointMoney);
  const heldBalance = w.balance.lt(0) ? ZERO : w.balance;
  const usableBalance = heldBalance.lt(left) ? heldBalance : left;
  const balanceMoney = wanted.includes('balance') ? usableBalance : ZERO;

  const total = pointMoney.plus(balanceMoney);
  const lineTotals = splitTotal(total, base, p.lines);
  // by the lines' shares, but never more than a line's goods after coupon (the cap points have)
  const pointRoom = lineTotals.map((t, i) => (t.lt(base[i]) ? t : base[i]));
  const linePoints = total.gt(0) ? allocate(pointMoney, pointRoom) : p.lines.map(() => ZERO);
  // whole points split like their money: allocate in "fen" of points, i.e. points / 100
  const lineCoins =
    pointCoins > 0 ? allocate(new Big(pointCoins).div(100), linePoints).map((c) => Number(c.times(100).toFixed(0))) : p.lines.map(() => 0);
  const shares: DeductionShare[] = p.lines.map((_, i) => ({
    deductionPrice: lineTotals[i],
    pointMoney: linePoints[i],
    pointCoins: lineCoins[i],
    balanceMoney: lineTotals[i].minus(linePoints[i]),
  }));

  const lines: DeductedLine[] = p.lines.map((l, i) => ({ ...l, deductionPrice: lineTotals[i], payPrice: l.payPrice.minus(lineTotals[i]) }));
  return {
    ...p,
    lines,
    totalPrice: sum(lines.map((l) => l.payPrice)),
    deductionPrice: total,
    deductions: {
      total,
      pointMoney,
      pointCoins,
      balanceMoney,
      shares,
      summary: [
        {
          code: 'point',
          name: DEDUCTION_NAMES.point,
          usableAmount: usablePointAmount,
          usableCoin,
          usedAmount: pointMoney,
          usedCoin: pointCoins,
        },
        {
          code: 'balance',
          name: DEDUCTION_NAMES.balance,
          usableAmount: usableBalance,
          usableCoin: coinOf(usableBalance),
          usedAmount: balanceMoney,
          usedCoin: coinOf(balanceMoney),
        },
      ],
    },
  };
}

/** The balance's "coins" are yuan (seed 003 shows `usable_coin: 200` for `"200.00"`). */
const coinOf = (v: Big): number => Number(v.toFixed(2));

/**
 * `total` over the lines: by goods after coupon (capped at each), and only what exceeds all of that
 * (a balance paying delivery) over the lines' dispatch.
 */
function splitTotal(total: Big, base: Big[], lines: PricedLine[]): Big[] {
  if (total.eq(0)) return lines.map(() => ZERO);
  const baseTotal = sum(base);
  if (total.lte(baseTotal)) return allocate(total, base);
  const extra = allocate(
    total.minus(baseTotal),
    lines.map((l) => l.dispatchPrice),
  );
  return base.map((b, i) => b.plus(extra[i]));
}

/** The answer's deduction fields (seed 003 names), money as "0.00" strings. */
export function formatDeductions(d: Deductions | undefined) {
  const summary = d?.summary ?? [];
  return {
    deduction_price: moneyString(d?.total ?? ZERO),
    deductions: summary.map((s) => ({
      code: s.code,
      name: s.name,
      usable_amount: moneyString(s.usableAmount),
      usable_coin: s.usableCoin,
      used_amount: moneyString(s.usedAmount),
      used_coin: s.usedCoin,
    })),
  };
}
