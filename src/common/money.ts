import Big from 'big.js';
import { ValueTransformer } from 'typeorm';

// Money is exact: Big in code, DECIMAL(12,2) in the database, fen (integer) only at the WeChat boundary.
Big.DP = 10;
Big.RM = Big.roundHalfUp;

export type Money = Big;
export const ZERO = new Big(0);

const MONEY_RE = /^-?\d{1,10}(\.\d{1,2})?$/;

/** Parses a money value from the database, a request or code; throws on more than two decimals. */
export function money(value: Big | string | number | null | undefined): Big {
  if (value === null || value === undefined || value === '') return ZERO;
  if (value instanceof Big) return value;
  const s = typeof value === 'number' ? String(value) : value.trim();
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`not a money value: ${value}`);
  const b = new Big(s);
  if (!b.eq(b.round(2, Big.roundDown))) throw new Error(`money has more than two decimals: ${s}`);
  return b;
}

/** True when `v` is a number or numeric string with at most two decimals (what the API accepts as money). */
export function isMoneyInput(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v) && MONEY_RE.test(new Big(v).toString());
  if (typeof v === 'string') return MONEY_RE.test(v.trim());
  return false;
}

/** "12.30": the storefront's money format (seeds 000/003). */
export const moneyString = (v: Big): string => v.toFixed(2);
/** 12.3: the admin API's money format (seed 001 sends JSON numbers). */
export const moneyNumber = (v: Big): number => Number(v.toFixed(2));
/** Integer fen, for WeChat Pay amounts. */
export const toFen = (v: Big): number => Number(v.times(100).toFixed(0));
export const fromFen = (fen: number): Big => new Big(fen).div(100);

export const sum = (values: Big[]): Big => values.reduce((a, b) => a.plus(b), ZERO);

/** DECIMAL(12,2) <-> Big, declared once and used by every money column. */
export const moneyTransformer: ValueTransformer = {
  to: (v: Big | string | number | null | undefined) => (v === null || v === undefined ? v : money(v).toFixed(2)),
  from: (v: string | number | null) => (v === null || v === undefined ? v : new Big(v)),
};

export const moneyColumn = { type: 'decimal' as const, precision: 12, scale: 2, transformer: moneyTransformer };

/** floor(a / b) for whole numbers a ≥ 0, b > 0, exact whatever Big.DP is. */
function floorDiv(a: Big, b: Big): Big {
  let q = a.div(b).round(0, Big.roundDown);
  // Big.DP rounding of the quotient can land one off near an integer; settle it exactly.
  while (q.times(b).gt(a)) q = q.minus(1);
  while (q.plus(1).times(b).lte(a)) q = q.plus(1);
  return q;
}

const isWholeFen = (v: Big): boolean => v.eq(v.round(2, Big.roundDown));

/**
 * Splits `total` over `weights` in proportion, each part rounded down to the fen, the remainder
 * going to the largest weight (the first one on a tie), so the parts add up to `total` exactly.
 *
 * When `total ≤ Σ weights` no part exceeds its weight: if the largest line can't take the whole
 * remainder it takes what fits and the rest goes on to the next lines by descending weight (request
 * order on ties), a fen at a time at most where each has room. `total` and the weights are
 * non-negative whole-fen amounts; anything else is a programming error and throws.
 */
export function allocate(total: Big, weights: Big[]): Big[] {
  if (total.lt(0) || !isWholeFen(total)) throw new Error(`allocate: total must be ≥ 0 and whole fen: ${total}`);
  weights.forEach((w) => {
    if (w.lt(0) || !isWholeFen(w)) throw new Error(`allocate: weights must be ≥ 0 and whole fen: ${w}`);
  });
  if (weights.length === 0) {
    if (total.gt(0)) throw new Error('allocate: nothing to split a non-zero total over');
    return [];
  }
  // Order of precedence for the remainder: largest weight first, request order on ties (stable sort).
  const byWeight = weights.map((_, i) => i).sort((a, b) => weights[b].cmp(weights[a]) || a - b);
  const whole = sum(weights);
  if (whole.eq(0)) {
    const parts = weights.map(() => ZERO);
    parts[byWeight[0]] = total;
    return parts;
  }

  // Work in whole fen so the rounding down is exact.
  const totalFen = total.times(100);
  const wholeFen = whole.times(100);
  const parts = weights.map((w) => floorDiv(totalFen.times(w.times(100)), wholeFen).div(100));
  let remainder = total.minus(sum(parts));
  const capped = total.lte(whole);
  for (const i of byWeight) {
    if (remainder.eq(0)) break;
    const room = capped ? weights[i].minus(parts[i]) : remainder;
    const take = room.lt(remainder) ? room : remainder;
    parts[i] = parts[i].plus(take);
    remainder = remainder.minus(take);
  }
  return parts;
}
