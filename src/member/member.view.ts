import { money, moneyNumber } from '../common/money';
import { formatDate } from '../common/time';
import { readDate } from '../database/sql';
import type { LedgerView, MemberView } from './member.dto';
import type { LedgerRow } from './member.repository';

const ledgerBase = (r: LedgerRow) => ({
  id: Number(r.id),
  kind: r.kind,
  reason: r.reason,
  orderCode: r.order_code,
  remark: r.remark,
  createTime: formatDate(readDate(r.create_time))!,
});

/** Admin: money as JSON numbers (seed 001), points as integers. */
export function toAdminLedgerView(r: LedgerRow): LedgerView {
  return { ...ledgerBase(r), amount: moneyNumber(money(String(r.amount))), after: moneyNumber(money(String(r.after_value))) };
}

/** Storefront: balance as "0.00" strings (seed 003), points as integers. */
export function toStoreLedgerView(r: LedgerRow): LedgerView {
  const show = (v: string | number) => (r.kind === 'point' ? moneyNumber(money(String(v))) : money(String(v)).toFixed(2));
  return { ...ledgerBase(r), amount: show(r.amount), after: show(r.after_value) };
}

export function toMemberView(r: {
  user_id: number;
  open_id: string;
  nickname: string;
  avatar: string;
  point: number;
  balance: string | number;
  update_time: Date | string;
}): MemberView {
  return {
    userId: Number(r.user_id),
    openId: r.open_id,
    nickname: r.nickname ?? '',
    avatar: r.avatar ?? '',
    point: Number(r.point),
    balance: moneyNumber(money(String(r.balance))),
    updateTime: formatDate(readDate(r.update_time))!,
  };
}
