import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { formatDate } from '../common/time';
import { isMysql, readDate, rows } from '../database/sql';

/** What the rollup needs of an order row (plain SQL names). */
export interface RollupSource {
  tenant_id: number;
  create_time: Date | string;
  shop_id: number;
  group_buying_id: number;
  status: number;
  deliver_type: number;
  qty: number;
  money: string | number;
}

/** The columns to select for `RollupSource` (alias-free, from group_buying_order). */
export const ROLLUP_COLUMNS = 'tenant_id, create_time, shop_id, group_buying_id, status, deliver_type, qty, money';

interface Delta {
  tenantId: number;
  day: string;
  shopId: number;
  dealId: number;
  status: number;
  deliverType: number;
  count: number;
  qty: number;
  money: Big;
}

/** A date's day in APP_TZ (YYYY-MM-DD): the rollup's day and the date filters' day agree on it. */
export const localDay = (d: Date): string => formatDate(d)!.slice(0, 10);

const UPSERT_COLS = 'tenant_id, day, shop_id, group_buying_id, status, deliver_type, order_count, qty, money';
const ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?)';

/**
 * order_rollup: count, qty and money of orders per tenant, day, shop, deal, status and deliver type.
 * Every insert and status change of group_buying_order records its deltas here (OrderRepository);
 * they are summed per key and written as one multi-row upsert just before the transaction commits
 * (a TypeORM transaction subscriber), in key order: the rollup rows are the last locks a transaction
 * takes, held only for the commit, so they never deadlock with the deal row and never lengthen the
 * time a hot deal's row is held by more than that one statement. A rollback drops the deltas.
 */
@Injectable()
export class OrderRollupRepository implements EntitySubscriberInterface {
  private readonly pending = new WeakMap<QueryRunner, Map<string, Delta>>();

  constructor(private readonly ds: DataSource) {
    ds.subscribers.push(this);
  }

  /** `sign` (+1 / −1) times the order, under `status`, to be written when the transaction commits. */
  async record(em: EntityManager, o: RollupSource, sign: 1 | -1, status = o.status): Promise<void> {
    const qr = em.queryRunner;
    if (!qr) throw new Error('the order rollup needs a transactional EntityManager');
    let map = this.pending.get(qr);
    if (!map) {
      map = new Map();
      this.pending.set(qr, map);
    }
    const day = localDay(readDate(o.create_time));
    const key = [o.tenant_id, day, o.shop_id, o.group_buying_id, status, o.deliver_type].join('|');
    let d = map.get(key);
    if (!d) {
      d = {
        tenantId: Number(o.tenant_id),
        day,
        shopId: Number(o.shop_id),
        dealId: Number(o.group_buying_id),
        status: Number(status),
        deliverType: Number(o.deliver_type),
        count: 0,
        qty: 0,
        money: new Big(0),
      };
      map.set(key, d);
    }
    d.count += sign;
    d.qty += sign * Number(o.qty);
    d.money = sign > 0 ? d.money.plus(String(o.money)) : d.money.minus(String(o.money));
    if (!qr.isTransactionActive) await this.flush(qr);
  }

  /** An order that moved from its status (`o.status`) to `to`. */
  async moved(em: EntityManager, o: RollupSource, to: number): Promise<void> {
    if (Number(o.status) === to) return;
    await this.record(em, o, -1, o.status);
    await this.record(em, o, 1, to);
  }

  beforeTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    return this.flush(event.queryRunner);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    this.pending.delete(event.queryRunner);
  }

  private async flush(qr: QueryRunner): Promise<void> {
    const map = this.pending.get(qr);
    if (!map) return;
    this.pending.delete(qr);
    const list = [...map.entries()]
      .filter(([, d]) => d.count !== 0 || d.qty !== 0 || !d.money.eq(0))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, d]) => d);
    if (!list.length) return;
    const params = list.flatMap(rowParams);
    await qr.query(upsertSql(qr.connection, list.length), params);
  }

  /** Rebuilds the whole rollup from the orders (an import or manual SQL that went around the repository). */
  async rebuild(): Promise<void> {
    await this.ds.transaction(async (em) => {
      await em.query('DELETE FROM order_rollup');
      for (const d of await rollupFromOrders(em)) {
        await em.query(upsertSql(this.ds, 1), rowParams(d));
      }
    });
  }
}

/** A delta's values in UPSERT_COLS order. */
const rowParams = (d: Delta): unknown[] => [
  d.tenantId,
  d.day,
  d.shopId,
  d.dealId,
  d.status,
  d.deliverType,
  d.count,
  d.qty,
  d.money.toFixed(2),
];

function upsertSql(db: DataSource, n: number): string {
  const values = Array.from({ length: n }, () => ROW).join(', ');
  const base = `INSERT INTO order_rollup (${UPSERT_COLS}) VALUES ${values}`;
  return isMysql(db)
    ? `${base} ON DUPLICATE KEY UPDATE order_count = order_count + VALUES(order_count), qty = qty + VALUES(qty), money = money + VALUES(money)`
    : `${base} ON CONFLICT (tenant_id, day, shop_id, group_buying_id, status, deliver_type) DO UPDATE SET order_count = order_count + excluded.order_count, qty = qty + excluded.qty, money = money + excluded.money`;
}

/**
 * The rollup as a GROUP BY over the orders: grouped by 15-minute UTC slot in SQL (every zone's offset
 * is a multiple of 15 minutes, so a slot lies within one local day), then summed per APP_TZ day here.
 */
export async function rollupFromOrders(db: DataSource | EntityManager): Promise<Delta[]> {
  const slot = isMysql(db)
    ? "CONCAT(DATE_FORMAT(create_time, '%Y-%m-%d %H:'), LPAD(FLOOR(MINUTE(create_time) / 15) * 15, 2, '0'))"
    : "strftime('%Y-%m-%d %H:', create_time) || printf('%02d', (CAST(strftime('%M', create_time) AS INTEGER) / 15) * 15)";
  const found = await rows<{ slot: string; t: number; s: number; g: number; st: number; dt: number; n: number; q: number; m: string }>(
    db,
    `SELECT ${slot} AS slot, tenant_id AS t, shop_id AS s, group_buying_id AS g, status AS st, deliver_type AS dt, COUNT(*) AS n, SUM(qty) AS q, SUM(money) AS m
     FROM group_buying_order GROUP BY 1, 2, 3, 4, 5, 6`,
  );
  const out = new Map<string, Delta>();
  for (const r of found) {
    const day = localDay(new Date(`${r.slot.replace(' ', 'T')}:00Z`));
    const key = [r.t, day, r.s, r.g, r.st, r.dt].join('|');
    const d = out.get(key) ?? {
      tenantId: Number(r.t),
      day,
      shopId: Number(r.s),
      dealId: Number(r.g),
      status: Number(r.st),
      deliverType: Number(r.dt),
      count: 0,
      qty: 0,
      money: new Big(0),
    };
    d.count += Number(r.n);
    d.qty += Number(r.q);
    d.money = d.money.plus(new Big(String(r.m)).round(2));
    out.set(key, d);
  }
  return [...out.values()];
}
