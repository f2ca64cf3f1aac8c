import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { DataSource } from 'typeorm';
import { escapeLike, LIKE_ESCAPE } from '../common/like';
import { money } from '../common/money';
import { intOf } from '../common/query';
import { parseDate } from '../common/time';
import { dbDate, isMysql, marks, readDate, rows } from '../database/sql';
import type { Order } from './order.entity';
import { ORDER_CODE_RE } from './order-code';
import { localDay } from './order-rollup.repository';

/** The keyword of an admin order list, resolved by kind before the orders are read. */
export type KeywordMatch =
  | { kind: 'code'; code: string }
  | { kind: 'phone'; prefix: string }
  | { kind: 'name'; userIds: number[] | null; dealIds: number[]; like: string; userLike: string };

/** The filters of both admin order lists, resolved to ids. */
export interface OrderListFilter {
  tenantId: number;
  /** one deal (getorderlistbygroupbuying) or the deals a name matched (getorderlist `name`) */
  dealIds?: number[];
  shopId?: number;
  status?: number;
  deliverType?: number;
  /** createTime bounds, both inclusive */
  from?: Date;
  to?: Date;
  keyword?: KeywordMatch;
}

export type OrderSortColumn = 'create_time' | 'pay_time' | 'money' | 'qty' | 'sequence';

export interface OrderTotals {
  count: number;
  qty: number;
  money: Big;
}

/** Users whose nickname matches beyond this are matched by a subquery instead of an id list. */
const MAX_USER_IDS = 1000;

const PAGE_COLUMNS =
  'o.id, o.code, o.pay_no, o.tenant_id, o.shop_id, o.group_buying_id, o.user_id, o.status, o.deliver_type, o.price, o.qty, o.goods_money, o.coupon_money, o.deliver_fee, o.money, o.sequence, o.deliver_code, o.pay_time, o.create_time, o.tracking_no, o.address, o.lbs, o.phone, o.remark, o.product_name, o.spec, o.team_id, o.refund_status, o.checkout_id, o.deduction_money';

interface Where {
  sql: string;
  params: unknown[];
}

/**
 * The admin order lists in plain SQL. Totals (`totalCount`, `sumData`) of every filter but keyword
 * come from order_rollup: whole APP_TZ days from the rollup, the partial days at the edges of a time
 * range from the orders on their time index. A keyword is resolved by kind first (order code exact,
 * digits a phone prefix, otherwise buyers by nickname and deals by product name), and its totals are
 * summed over the few matching orders. A page is read as ids on the sort's index, then joined.
 */
@Injectable()
export class OrderListRepository {
  constructor(private readonly ds: DataSource) {}

  /** Resolves a keyword: `tg…` an order code, digits a phone prefix, other text names of buyers and products. */
  async keyword(tenantId: number, kw: string): Promise<KeywordMatch> {
    if (ORDER_CODE_RE.test(kw)) return { kind: 'code', code: kw };
    if (/^\d+$/.test(kw)) return { kind: 'phone', prefix: kw };
    const like = `%${escapeLike(kw)}%`;
    const users = await rows<{ id: number }>(this.ds, `SELECT id FROM app_user WHERE nickname LIKE ? ${LIKE_ESCAPE} LIMIT ?`, [
      like,
      MAX_USER_IDS + 1,
    ]);
    const deals = await rows<{ id: number }>(
      this.ds,
      `SELECT id FROM group_buying WHERE tenant_id = ? AND product_name LIKE ? ${LIKE_ESCAPE}`,
      [tenantId, like],
    );
    return {
      kind: 'name',
      userIds: users.length > MAX_USER_IDS ? null : users.map((u) => Number(u.id)),
      dealIds: deals.map((d) => Number(d.id)),
      like,
      userLike: like,
    };
  }

  /** The tenant's deals (deleted ones included) whose name contains `name`. */
  async dealsNamed(tenantId: number, name: string): Promise<number[]> {
    const found = await rows<{ id: number }>(this.ds, `SELECT id FROM group_buying WHERE tenant_id = ? AND name LIKE ? ${LIKE_ESCAPE}`, [
      tenantId,
      `%${escapeLike(name)}%`,
    ]);
    return found.map((d) => Number(d.id));
  }

  /** totalCount and sums over the whole filtered set. */
  async totals(f: OrderListFilter): Promise<OrderTotals> {
    if (f.keyword || (f.dealIds && !f.dealIds.length)) return this.orderTotals(this.where(f));
    const split = splitDays(f.from, f.to);
    let total: OrderTotals = { count: 0, qty: 0, money: new Big(0) };
    if (split.days) total = add(total, await this.rollupTotals(f, split.days.from, split.days.to));
    for (const [from, to] of split.edges) total = add(total, await this.orderTotals(this.where({ ...f, from, to: undefined }, to)));
    return total;
  }

  /** One page: ids read in order on the sort's index (`LIMIT … OFFSET`), then the rows joined by id. */
  async page(f: OrderListFilter, sort: OrderSortColumn, dir: 'ASC' | 'DESC', skip: number, take: number): Promise<Order[]> {
    if (f.dealIds && !f.dealIds.length) return [];
    const w = this.where(f);
    const order = `ORDER BY o.${sort} ${dir}, o.id ${dir}`;
    // a shop's orders newest first: its (shop_id, create_time) index, which MariaDB's statistics do not
    // always prefer over the tenant's time index (that one read 50,000 rows at a million orders: 4 s)
    const hint =
      isMysql(this.ds) && sort === 'create_time' && f.shopId !== undefined && !f.dealIds ? ' FORCE INDEX (idx_order_shop_time)' : '';
    const found = await rows<Record<string, unknown>>(
      this.ds,
      `SELECT ${PAGE_COLUMNS} FROM group_buying_order o JOIN (SELECT o.id FROM group_buying_order o${hint} WHERE ${w.sql} ${order} LIMIT ? OFFSET ?) p ON p.id = o.id ${order}`,
      [...w.params, take, skip],
    );
    return found.map(toOrder);
  }

  /** The WHERE of the orders matching `f` (alias `o`); `before` an exclusive upper createTime bound. */
  where(f: OrderListFilter, before?: Date): Where {
    const sql = ['o.tenant_id = ?'];
    const params: unknown[] = [f.tenantId];
    if (f.dealIds) {
      sql.push(f.dealIds.length === 1 ? 'o.group_buying_id = ?' : `o.group_buying_id IN (${marks(f.dealIds.length)})`);
      params.push(...f.dealIds);
    }
    const eq = (col: string, v: number | undefined) => {
      if (v === undefined) return;
      sql.push(`o.${col} = ?`);
      params.push(v);
    };
    eq('shop_id', f.shopId);
    eq('status', f.status);
    eq('deliver_type', f.deliverType);
    if (f.from) {
      sql.push('o.create_time >= ?');
      params.push(dbDate(this.ds, f.from));
    }
    if (f.to) {
      sql.push('o.create_time <= ?');
      params.push(dbDate(this.ds, f.to));
    }
    if (before) {
      sql.push('o.create_time < ?');
      params.push(dbDate(this.ds, before));
    }
    const k = f.keyword;
    if (k?.kind === 'code') {
      sql.push('o.code = ?');
      params.push(k.code);
    } else if (k?.kind === 'phone') {
      sql.push(`o.phone LIKE ? ${LIKE_ESCAPE}`);
      params.push(`${escapeLike(k.prefix)}%`);
    } else if (k?.kind === 'name') {
      const any: string[] = [];
      if (k.userIds === null) {
        any.push(`o.user_id IN (SELECT id FROM app_user WHERE nickname LIKE ? ${LIKE_ESCAPE})`);
        params.push(k.userLike);
      } else if (k.userIds.length) {
        any.push(`o.user_id IN (${marks(k.userIds.length)})`);
        params.push(...k.userIds);
      }
      if (k.dealIds.length) {
        any.push(`(o.group_buying_id IN (${marks(k.dealIds.length)}) AND o.product_name LIKE ? ${LIKE_ESCAPE})`);
        params.push(...k.dealIds, k.like);
      }
      sql.push(any.length ? `(${any.join(' OR ')})` : '1 = 0');
    }
    return { sql: sql.join(' AND '), params };
  }

  private async orderTotals(w: Where): Promise<OrderTotals> {
    const [r] = await rows<{ n: unknown; q: unknown; m: unknown }>(
      this.ds,
      `SELECT COUNT(*) AS n, COALESCE(SUM(o.qty), 0) AS q, COALESCE(SUM(o.money), 0) AS m FROM group_buying_order o WHERE ${w.sql}`,
      w.params,
    );
    return { count: intOf(r?.n), qty: intOf(r?.q), money: new Big(String(r?.m ?? 0)).round(2) };
  }

  /** Sums of the rollup rows of `f` on days in [fromDay, toDay) (either open). */
  private async rollupTotals(f: OrderListFilter, fromDay: string | undefined, toDay: string | undefined): Promise<OrderTotals> {
    const sql = ['tenant_id = ?'];
    const params: unknown[] = [f.tenantId];
    if (f.dealIds) {
      sql.push(`group_buying_id IN (${marks(f.dealIds.length)})`);
      params.push(...f.dealIds);
    }
    for (const [col, v] of [
      ['shop_id', f.shopId],
      ['status', f.status],
      ['deliver_type', f.deliverType],
    ] as const) {
      if (v === undefined) continue;
      sql.push(`${col} = ?`);
      params.push(v);
    }
    if (fromDay) {
      sql.push('day >= ?');
      params.push(fromDay);
    }
    if (toDay) {
      sql.push('day < ?');
      params.push(toDay);
    }
    const [r] = await rows<{ n: unknown; q: unknown; m: unknown }>(
      this.ds,
      `SELECT COALESCE(SUM(order_count), 0) AS n, COALESCE(SUM(qty), 0) AS q, COALESCE(SUM(money), 0) AS m FROM order_rollup WHERE ${sql.join(' AND ')}`,
      params,
    );
    return { count: intOf(r?.n), qty: intOf(r?.q), money: new Big(String(r?.m ?? 0)).round(2) };
  }
}

const add = (a: OrderTotals, b: OrderTotals): OrderTotals => ({
  count: a.count + b.count,
  qty: a.qty + b.qty,
  money: a.money.plus(b.money),
});

/** 00:00 in APP_TZ of the local day `day` (YYYY-MM-DD) plus `plus` days. */
function midnight(day: string, plus = 0): Date {
  const [y, m, d] = day.split('-').map(Number);
  return parseDate(new Date(Date.UTC(y, m - 1, d + plus)).toISOString().slice(0, 10))!;
}

/**
 * A createTime range [from, to] split into whole APP_TZ days, answered by the rollup (`days`: from
 * day inclusive, to day exclusive, either open), and the partial days at its edges (`edges`:
 * [start inclusive, end exclusive) ranges), answered by the orders.
 */
export function splitDays(from?: Date, to?: Date): { days?: { from?: string; to?: string }; edges: Array<[Date, Date]> } {
  const end = to ? new Date(to.getTime() + 1) : undefined; // `<= to` on a millisecond column = `< to + 1 ms`
  if (from && end && end.getTime() <= from.getTime()) return { edges: [] };
  let firstDay: string | undefined;
  let firstStart: Date | undefined;
  if (from) {
    const day = localDay(from);
    firstStart = midnight(day);
    firstDay = day;
    if (firstStart.getTime() < from.getTime()) {
      firstStart = midnight(day, 1);
      firstDay = localDay(firstStart);
    }
  }
  let lastDay: string | undefined;
  let lastEnd: Date | undefined;
  if (end) {
    lastDay = localDay(end);
    lastEnd = midnight(lastDay);
  }
  if (from && end && firstStart!.getTime() >= lastEnd!.getTime()) return { edges: [[from, end]] };
  const edges: Array<[Date, Date]> = [];
  if (from && firstStart!.getTime() > from.getTime()) edges.push([from, firstStart!]);
  if (end && end.getTime() > lastEnd!.getTime()) edges.push([lastEnd!, end]);
  return { days: { from: firstDay, to: lastDay }, edges };
}

function toOrder(r: Record<string, unknown>): Order {
  const date = (v: unknown) => (v === null || v === undefined ? null : readDate(v as Date | string));
  return {
    id: Number(r.id),
    code: String(r.code),
    payNo: String(r.pay_no),
    tenantId: Number(r.tenant_id),
    shopId: Number(r.shop_id),
    groupBuyingId: Number(r.group_buying_id),
    userId: Number(r.user_id),
    status: Number(r.status),
    deliverType: Number(r.deliver_type),
    price: money(r.price as string),
    qty: Number(r.qty),
    goodsMoney: money(r.goods_money as string),
    couponMoney: money(r.coupon_money as string),
    deliverFee: money(r.deliver_fee as string),
    money: money(r.money as string),
    sequence: r.sequence === null ? null : Number(r.sequence),
    deliverCode: (r.deliver_code as string | null) ?? null,
    payTime: date(r.pay_time),
    createTime: date(r.create_time)!,
    trackingNo: (r.tracking_no as string | null) ?? null,
    address: String(r.address ?? ''),
    lbs: String(r.lbs ?? ''),
    phone: String(r.phone ?? ''),
    remark: String(r.remark ?? ''),
    productName: String(r.product_name ?? ''),
    spec: String(r.spec ?? ''),
    teamId: r.team_id === null ? null : Number(r.team_id),
    refundStatus: r.refund_status as Order['refundStatus'],
    checkoutId: Number(r.checkout_id),
    deductionMoney: money(r.deduction_money as string),
  } as Order;
}
