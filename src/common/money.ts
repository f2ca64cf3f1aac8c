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

/**
 * Splits `total` over `weights` in proportion, each part rounded down to the fen, the remainder
 * going to the largest weight (the first one on a tie), so the parts add up to `total` exactly.
 */
export function allocate(total: Big, weights: Big[]): Big[] {
  if (weights.length === 0) return [];
  const whole = sum(weights);
  if (whole.lte(0)) {
    const parts = weights.map(() => ZERO);
    parts[0] = total;
    return parts;
  }
  const parts = weights.map((w) => total.times(w).div(whole).round(2, Big.roundDown));
  const remainder = total.minus(sum(parts));
  let largest = 0;
  weights.forEach((w, i) => {
    if (w.gt(weights[largest])) largest = i;
  });
  parts[largest] = parts[largest].plus(remainder);
  return parts;
}
