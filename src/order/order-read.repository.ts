import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { marks, rows } from '../database/sql';
import { PRE_SALE_COLUMNS, PreSaleOrderRow } from './presale.view';

/** An order as the storefront shows it (order_info, order_list): exactly the columns of StoreOrderView. */
export interface StoreOrderRow extends PreSaleOrderRow {
  code: string;
  pay_no: string;
  status: number;
  group_buying_id: number;
  product_name: string;
  spec: string;
  image_path: string;
  price: string | number;
  qty: number;
  goods_money: string | number;
  coupon_money: string | number;
  deliver_fee: string | number;
  money: string | number;
  deliver_type: number;
  deliver_code: string | null;
  tracking_no: string | null;
  address: string;
  phone: string;
  remark: string;
  sequence: number | null;
  create_time: Date | string;
  pay_time: Date | string | null;
  expire_time: Date | string;
  team_id: number | null;
  reviewed: number | boolean;
  deduction_money: string | number;
  invoice: string | null;
}

/** The storefront list's filter: the user's orders in these statuses (and reviewed or not). */
export interface StoreOrderFilter {
  userId: number;
  statuses?: number[];
  reviewed?: boolean;
}

const STORE_COLUMNS =
  'code, pay_no, status, group_buying_id, product_name, spec, image_path, price, qty, goods_money, coupon_money, deliver_fee, money, ' +
  'deliver_type, deliver_code, tracking_no, address, phone, remark, sequence, create_time, pay_time, expire_time, team_id, reviewed, deduction_money, ' +
  '(SELECT c.invoice FROM checkout c WHERE c.id = group_buying_order.checkout_id) AS invoice, ' +
  PRE_SALE_COLUMNS;

function where(f: StoreOrderFilter): { sql: string; params: unknown[] } {
  let sql = 'user_id = ?';
  const params: unknown[] = [f.userId];
  if (f.statuses?.length) {
    sql += ` AND status IN (${marks(f.statuses.length)})`;
    params.push(...f.statuses);
  }
  if (f.reviewed !== undefined) {
    sql += ' AND reviewed = ?';
    params.push(f.reviewed ? 1 : 0);
  }
  return { sql, params };
}

/**
 * The storefront's order reads: plain parameterised SELECTs of the columns the view needs, no entity
 * hydration (they run on every order page a shopper opens). Served by idx_order_user
 * (user_id, create_time; InnoDB appends id), which also gives the ORDER BY.
 */
@Injectable()
export class OrderReadRepository {
  constructor(private readonly ds: DataSource) {}

  async storeOrder(userId: number, code: string): Promise<StoreOrderRow | undefined> {
    const [o] = await rows<StoreOrderRow>(this.ds, `SELECT ${STORE_COLUMNS} FROM group_buying_order WHERE code = ? AND user_id = ?`, [
      code,
      userId,
    ]);
    return o;
  }

  /** A page of the user's orders, newest first. */
  storeList(f: StoreOrderFilter, skip: number, take: number): Promise<StoreOrderRow[]> {
    const w = where(f);
    return rows<StoreOrderRow>(
      this.ds,
      `SELECT ${STORE_COLUMNS} FROM group_buying_order WHERE ${w.sql} ORDER BY create_time DESC, id DESC LIMIT ? OFFSET ?`,
      [...w.params, take, skip],
    );
  }

  async storeCount(f: StoreOrderFilter): Promise<number> {
    const w = where(f);
    const [{ n }] = await rows<{ n: number | string }>(this.ds, `SELECT COUNT(*) AS n FROM group_buying_order WHERE ${w.sql}`, w.params);
    return Number(n);
  }
}
