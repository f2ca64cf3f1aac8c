import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { DataSource, EntityManager } from 'typeorm';
import { dbDate, execute, forUpdate, insertId, isMysql, marks, rows } from '../database/sql';
import { OrderStatus, UNPAID_STATUSES } from './order-status';

export interface CheckoutRow {
  id: number;
  pay_no: string;
  tenant_id: number;
  user_id: number;
  status: number;
  total_price: string;
  expire_time: Date | string;
  prepay_id: string | null;
  transaction_id: string | null;
}

const COLUMNS = 'c.id, c.pay_no, c.tenant_id, c.user_id, c.status, c.total_price, c.expire_time, c.prepay_id, c.transaction_id';

export interface NewCheckoutRow {
  payNo: string;
  tenantId: number;
  userId: number;
  goodsPrice: string;
  discountPrice: string;
  dispatchPrice: string;
  totalPrice: string;
  memberCouponId: number | null;
  expireTime: Date;
  provider: string;
}

/** Scope of a sweep or refreshorder run over checkouts. */
export interface CheckoutScope {
  tenantId?: number;
  dealId?: number;
}

const INSERT_COLUMNS =
  'pay_no, tenant_id, user_id, status, goods_price, discount_price, dispatch_price, total_price, member_coupon_id, expire_time, provider';
const INSERT_ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

/** A new checkout's values in INSERT_COLUMNS order (unpaid). */
function insertParams(em: EntityManager, c: NewCheckoutRow): unknown[] {
  return [
    c.payNo,
    c.tenantId,
    c.userId,
    OrderStatus.UNPAID,
    c.goodsPrice,
    c.discountPrice,
    c.dispatchPrice,
    c.totalPrice,
    c.memberCouponId,
    dbDate(em, c.expireTime),
    c.provider,
  ];
}

/**
 * Every statement on the checkout and idempotency_key tables. Status changes are conditional
 * (`WHERE status IN (…)`): whoever changes the row wins, everyone else sees 0 rows.
 */
@Injectable()
export class CheckoutRepository {
  private autoInc: number | undefined;

  constructor(private readonly ds: DataSource) {}

  insert(em: EntityManager, c: NewCheckoutRow): Promise<number> {
    return insertId(em, `INSERT INTO checkout (${INSERT_COLUMNS}) VALUES ${INSERT_ROW}`, insertParams(em, c));
  }

  /**
   * Several checkouts in one multi-row INSERT; their ids in list order. InnoDB hands a multi-row
   * INSERT consecutive ids unless innodb_autoinc_lock_mode is 2 (interleaved): then they are read back.
   */
  async insertMany(em: EntityManager, list: NewCheckoutRow[]): Promise<number[]> {
    if (list.length === 1) return [await this.insert(em, list[0])];
    const first = await insertId(
      em,
      `INSERT INTO checkout (${INSERT_COLUMNS}) VALUES ${list.map(() => INSERT_ROW).join(', ')}`,
      list.flatMap((c) => insertParams(em, c)),
    );
    this.autoInc ??= await this.autoIncrementStep(em);
    const step = this.autoInc;
    if (step > 0) return list.map((_, i) => first + i * step);
    const found = await rows<{ id: number; pay_no: string }>(
      em,
      `SELECT id, pay_no FROM checkout WHERE pay_no IN (${marks(list.length)})`,
      [...list.map((c) => c.payNo)],
    );
    const byPayNo = new Map(found.map((r) => [r.pay_no, Number(r.id)]));
    return list.map((c) => byPayNo.get(c.payNo)!);
  }

  /** The id step of a multi-row INSERT, or 0 when its ids need not be consecutive. */
  private async autoIncrementStep(em: EntityManager): Promise<number> {
    if (!isMysql(em)) return 1;
    const [v] = await rows<{ mode: number | string; step: number | string }>(
      em,
      'SELECT @@innodb_autoinc_lock_mode AS mode, @@auto_increment_increment AS step',
    );
    return Number(v.mode) <= 1 ? Number(v.step) : 0;
  }

  async find(db: DataSource | EntityManager, id: number): Promise<CheckoutRow | undefined> {
    const [c] = await rows<CheckoutRow>(db, `SELECT ${COLUMNS} FROM checkout c WHERE c.id = ?`, [id]);
    return c;
  }

  async findByPayNo(payNo: string): Promise<CheckoutRow | undefined> {
    const [c] = await rows<CheckoutRow>(this.ds, `SELECT ${COLUMNS} FROM checkout c WHERE c.pay_no = ?`, [payNo]);
    return c;
  }

  /** The row locked until commit (MySQL). */
  async lock(em: EntityManager, id: number): Promise<CheckoutRow | undefined> {
    const [c] = await rows<CheckoutRow>(em, `SELECT ${COLUMNS} FROM checkout c WHERE c.id = ?${forUpdate(em)}`, [id]);
    return c;
  }

  /** from → paid, optionally only while not past expire_time; true when this call won. */
  async markPaid(
    em: EntityManager,
    id: number,
    from: number[],
    payTime: Date,
    transactionId: string | null,
    notAfterExpiry: boolean,
  ): Promise<boolean> {
    const params: unknown[] = [OrderStatus.PAID, dbDate(em, payTime), transactionId, id, ...from];
    let cond = '';
    if (notAfterExpiry) {
      cond = ' AND expire_time > ?';
      params.push(dbDate(em, payTime));
    }
    const n = await execute(
      em,
      `UPDATE checkout SET status = ?, pay_time = ?, transaction_id = ?, update_time = CURRENT_TIMESTAMP WHERE id = ? AND status IN (${marks(from.length)})${cond}`,
      params,
    );
    return n === 1;
  }

  /** from → `to` (expired or closed), optionally only once past expire_time; true when this call won. */
  async release(em: EntityManager, id: number, from: number[], to: number, expiredBy?: Date): Promise<boolean> {
    const params: unknown[] = [to, id, ...from];
    let cond = '';
    if (expiredBy) {
      cond = ' AND expire_time <= ?';
      params.push(dbDate(em, expiredBy));
    }
    const n = await execute(
      em,
      `UPDATE checkout SET status = ?, update_time = CURRENT_TIMESTAMP WHERE id = ? AND status IN (${marks(from.length)})${cond}`,
      params,
    );
    return n === 1;
  }

  /** Marks an expired or cancelled checkout's late payment as handled (refunded), once. */
  async claimLatePayment(em: EntityManager, id: number, status: number, transactionId: string): Promise<boolean> {
    const n = await execute(
      em,
      'UPDATE checkout SET transaction_id = ?, update_time = CURRENT_TIMESTAMP WHERE id = ? AND status = ? AND transaction_id IS NULL',
      [transactionId, id, status],
    );
    return n === 1;
  }

  /** The prepay recorded only while the checkout can still be paid; false when it was cancelled or expired meanwhile. */
  async setPrepayIfUnpaid(em: EntityManager, id: number, prepayId: string): Promise<boolean> {
    const n = await execute(
      em,
      `UPDATE checkout SET prepay_id = ?, prepay_time = COALESCE(prepay_time, CURRENT_TIMESTAMP) WHERE id = ? AND status IN (${marks(UNPAID_STATUSES.length)})`,
      [prepayId.slice(0, 64), id, ...UNPAID_STATUSES],
    );
    return n === 1;
  }

  /**
   * The next `limit` unpaid checkouts past expire_time (`onlyPrepaid`: sent to the provider) after the keyset cursor, oldest first. One
   * indexed query per unpaid status, merged here: `status IN (0, 7) ORDER BY expire_time` would sort
   * the whole backlog each batch.
   */
  async dueForExpiry(
    now: Date,
    after: { expire: Date | string; id: number } | null,
    limit: number,
    scope: CheckoutScope,
    onlyPrepaid = false,
  ): Promise<CheckoutRow[]> {
    const found: CheckoutRow[] = [];
    for (const status of UNPAID_STATUSES) {
      const where = ['c.status = ?', 'c.expire_time <= ?'];
      const params: unknown[] = [status, dbDate(this.ds, now)];
      if (onlyPrepaid) where.push('c.prepay_id IS NOT NULL');
      scoped(scope, where, params, UNPAID_STATUSES);
      if (after) {
        // keyset: a checkout left behind (unknown, error) is not picked again in this run
        where.push('c.expire_time >= ?', '(c.expire_time > ? OR c.id > ?)');
        params.push(after.expire, after.expire, after.id);
      }
      found.push(
        ...(await rows<CheckoutRow>(
          this.ds,
          `SELECT ${COLUMNS} FROM checkout c WHERE ${where.join(' AND ')} ORDER BY c.expire_time, c.id LIMIT ${Number(limit)}`,
          params,
        )),
      );
    }
    const at = (v: Date | string) => (v instanceof Date ? v.getTime() : Date.parse(`${String(v).replace(' ', 'T')}Z`));
    return found.sort((a, b) => at(a.expire_time) - at(b.expire_time) || Number(a.id) - Number(b.id)).slice(0, limit);
  }

  /**
   * Claims up to `limit` unpaid checkouts past expire_time for the caller's transaction (the sweep's
   * batches), oldest first: locked with `FOR UPDATE SKIP LOCKED` on MySQL, so two instances never
   * claim the same one and neither waits for the other (SQLite runs one write transaction at a time).
   * `ids`: only these; `withoutPrepay`: only checkouts never sent to the provider.
   */
  async claimDue(
    em: EntityManager,
    now: Date,
    limit: number,
    opts: { scope?: CheckoutScope; ids?: number[]; withoutPrepay?: boolean },
  ): Promise<CheckoutRow[]> {
    const found: CheckoutRow[] = [];
    const lock = isMysql(em) ? ' FOR UPDATE SKIP LOCKED' : '';
    for (const status of UNPAID_STATUSES) {
      if (found.length >= limit) break;
      const where = ['c.status = ?', 'c.expire_time <= ?'];
      const params: unknown[] = [status, dbDate(em, now)];
      if (opts.ids) {
        if (!opts.ids.length) return [];
        where.push(`c.id IN (${marks(opts.ids.length)})`);
        params.push(...opts.ids);
      }
      if (opts.withoutPrepay) where.push('c.prepay_id IS NULL');
      if (opts.scope) scoped(opts.scope, where, params, UNPAID_STATUSES);
      found.push(
        ...(await rows<CheckoutRow>(
          em,
          `SELECT ${COLUMNS} FROM checkout c WHERE ${where.join(' AND ')} ORDER BY c.expire_time, c.id LIMIT ${Number(limit - found.length)}${lock}`,
          params,
        )),
      );
    }
    return found;
  }

  /** Claimed checkouts from → `to` in one statement, only once past expire_time; how many moved. */
  releaseMany(em: EntityManager, ids: number[], from: number[], to: number, expiredBy: Date): Promise<number> {
    return execute(
      em,
      `UPDATE checkout SET status = ?, update_time = CURRENT_TIMESTAMP WHERE id IN (${marks(ids.length)}) AND status IN (${marks(from.length)}) AND expire_time <= ?`,
      [to, ...ids, ...from, dbDate(em, expiredBy)],
    );
  }

  /** Unpaid checkouts sent to the provider and not yet expired (prepaid before `prepaidBefore`, when given). */
  pendingAtProvider(now: Date, prepaidBefore: Date | null, after: number, limit: number, scope: CheckoutScope): Promise<CheckoutRow[]> {
    const where = [`c.status IN (${marks(UNPAID_STATUSES.length)})`, 'c.expire_time > ?', 'c.prepay_id IS NOT NULL'];
    const params: unknown[] = [...UNPAID_STATUSES, dbDate(this.ds, now)];
    if (prepaidBefore) {
      where.push('c.prepay_time <= ?');
      params.push(dbDate(this.ds, prepaidBefore));
    }
    scoped(scope, where, params, UNPAID_STATUSES);
    return this.page(where, params, after, limit);
  }

  /** Checkouts that expired in (`from`, `to`] after a prepay, with no payment recorded: a payment may have landed late. */
  expiredAfterPrepay(from: Date, to: Date, after: number, limit: number, scope: CheckoutScope): Promise<CheckoutRow[]> {
    const where = ['c.status = ?', 'c.expire_time > ?', 'c.expire_time <= ?', 'c.prepay_id IS NOT NULL', 'c.transaction_id IS NULL'];
    const params: unknown[] = [OrderStatus.EXPIRED, dbDate(this.ds, from), dbDate(this.ds, to)];
    scoped(scope, where, params, [OrderStatus.EXPIRED]);
    return this.page(where, params, after, limit);
  }

  private page(where: string[], params: unknown[], after: number, limit: number): Promise<CheckoutRow[]> {
    return rows<CheckoutRow>(
      this.ds,
      `SELECT ${COLUMNS} FROM checkout c WHERE ${[...where, 'c.id > ?'].join(' AND ')} ORDER BY c.id LIMIT ${Number(limit)}`,
      [...params, after],
    );
  }

  /**
   * The user's checkouts still open to payment in the tenant, counted after locking the user's row
   * (a lock, no write): concurrent checkouts of one shopper queue here, other shoppers never wait.
   */
  async unpaidOf(em: EntityManager, userId: number, tenantId: number, now: Date): Promise<number> {
    await rows(em, `SELECT id FROM app_user WHERE id = ?${forUpdate(em)}`, [userId]);
    const [{ n }] = await rows<{ n: number | string }>(
      em,
      `SELECT COUNT(*) AS n FROM checkout WHERE user_id = ? AND tenant_id = ? AND status IN (${marks(UNPAID_STATUSES.length)}) AND expire_time > ?`,
      [userId, tenantId, ...UNPAID_STATUSES, dbDate(em, now)],
    );
    return Number(n);
  }

  /**
   * unpaidOf for several users of one tenant: their rows locked in id order (one statement, so two
   * batches never deadlock on them), then their open checkouts counted in one query.
   */
  async unpaidOfUsers(em: EntityManager, userIds: number[], tenantId: number, now: Date): Promise<Map<number, number>> {
    const ids = [...userIds].sort((a, b) => a - b);
    await rows(em, `SELECT id FROM app_user WHERE id IN (${marks(ids.length)}) ORDER BY id${forUpdate(em)}`, ids);
    const found = await rows<{ user_id: number; n: number | string }>(
      em,
      `SELECT user_id, COUNT(*) AS n FROM checkout WHERE user_id IN (${marks(ids.length)}) AND tenant_id = ? AND status IN (${marks(UNPAID_STATUSES.length)}) AND expire_time > ? GROUP BY user_id`,
      [...ids, tenantId, ...UNPAID_STATUSES, dbDate(em, now)],
    );
    return new Map(found.map((r) => [Number(r.user_id), Number(r.n)]));
  }

  // ---------- Idempotency-Key ----------

  /** A claimed key given up inside the transaction that claimed it (its checkout was refused). */
  async dropKey(em: EntityManager, userId: number, key: string): Promise<void> {
    await execute(em, 'DELETE FROM idempotency_key WHERE user_id = ? AND idem_key = ?', [userId, key]);
  }

  /** The unique (user_id, idem_key) row makes a concurrent retry wait for this transaction. */
  async claimKey(em: EntityManager, userId: number, key: string, hash: string): Promise<void> {
    await insertId(em, "INSERT INTO idempotency_key (user_id, idem_key, request_hash, state) VALUES (?, ?, ?, 'running')", [
      userId,
      key,
      hash,
    ]);
  }

  async keyDone(em: EntityManager, userId: number, key: string, answer: unknown): Promise<void> {
    await execute(
      em,
      "UPDATE idempotency_key SET state = 'done', response_http = 200, response_body = ? WHERE user_id = ? AND idem_key = ?",
      [JSON.stringify(answer), userId, key],
    );
  }

  async findKey(userId: number, key: string): Promise<{ request_hash: string; response_body: string | null } | undefined> {
    const [row] = await rows<{ request_hash: string; response_body: string | null }>(
      this.ds,
      'SELECT request_hash, response_body FROM idempotency_key WHERE user_id = ? AND idem_key = ?',
      [userId, key],
    );
    return row;
  }

  /** The checkout's points/balance total and invoice (§11), written in createOrder's transaction. */
  async setDeductionAndInvoice(em: EntityManager, id: number, deduction: Big, invoice: string | null): Promise<void> {
    await execute(em, 'UPDATE checkout SET deduction_price = ?, invoice = ? WHERE id = ?', [deduction.toFixed(2), invoice, id]);
  }

  /** Invoices of checkouts, by id (for the order views). */
  async invoices(db: DataSource | EntityManager, ids: number[]): Promise<Map<number, string | null>> {
    if (!ids.length) return new Map();
    const found = await rows<{ id: number; invoice: string | null }>(
      db,
      `SELECT id, invoice FROM checkout WHERE id IN (${marks(ids.length)})`,
      ids,
    );
    return new Map(found.map((r) => [Number(r.id), r.invoice]));
  }
}

/** Tenant and deal limits of a refreshorder run (a checkout is in the deal's scope by its orders of `statuses`). */
function scoped(scope: CheckoutScope, where: string[], params: unknown[], statuses: number[]): void {
  if (scope.tenantId) {
    where.push('c.tenant_id = ?');
    params.push(scope.tenantId);
  }
  if (scope.dealId) {
    where.push(
      `c.id IN (SELECT o.checkout_id FROM group_buying_order o WHERE o.group_buying_id = ? AND o.status IN (${marks(statuses.length)}))`,
    );
    params.push(scope.dealId, ...statuses);
  }
}
