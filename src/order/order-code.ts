import { randomInt } from 'node:crypto';

/**
 * Order numbers and pay numbers: `tg` + digits (WeChat out_trade_no rules: 6–32 chars), unique and
 * not sequential: `tg` + yyMMddHHmmss (UTC) + 12 random digits = 26 chars (at 1,000 orders a second
 * two codes meet about once in 60 years). Uniqueness is enforced by the database (unique index); a
 * collision is retried by the caller.
 */
export function newOrderCode(now = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${p(now.getUTCFullYear() % 100)}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `tg${stamp}${p(randomInt(0, 1_000_000), 6)}${p(randomInt(0, 1_000_000), 6)}`;
}

/** 8-digit pickup code (取货码). */
export function newDeliverCode(): string {
  return String(randomInt(0, 100_000_000)).padStart(8, '0');
}

export const ORDER_CODE_RE = /^tg\d{4,30}$/;
