import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { DataSource, EntityManager } from 'typeorm';
import { isDuplicateKeyError } from '../common/db-errors';
import { money } from '../common/money';
import { dbDate, execute, insertId, marks, rows, runTx } from '../database/sql';

export type RefundRecordStatus = 'processing' | 'success' | 'failed' | 'abnormal';

export interface RefundRecord {
  outRefundNo: string;
  tenantId: number;
  orderId: number;
  payNo: string;
  amount: Big;
  status: RefundRecordStatus;
  reason: string;
}

interface RefundDbRow {
  out_refund_no: string;
  tenant_id: number;
  order_id: number;
  pay_no: string;
  amount: string | number;
  status: RefundRecordStatus;
  reason: string;
}

const toRecord = (r: RefundDbRow): RefundRecord => ({
  outRefundNo: r.out_refund_no,
  tenantId: Number(r.tenant_id),
  orderId: Number(r.order_id),
  payNo: r.pay_no,
  amount: money(String(r.amount)),
  status: r.status,
  reason: r.reason,
});

const COLUMNS = 'out_refund_no, tenant_id, order_id, pay_no, amount, status, reason';

/**
 * The payment module's own records: every refund asked of the provider (payment_refund, one row per
 * out_refund_no) and every verified notify (payment_notify). `orderId` is the caller's reference;
 * this module knows nothing else of orders. Writes run in the caller's transaction where one is passed.
 */
@Injectable()
export class PaymentRecordService {
  constructor(private readonly ds: DataSource) {}

  async recordRefund(
    em: EntityManager,
    r: { tenantId: number; orderId: number; payNo: string; outRefundNo: string; amount: Big; reason: string },
  ): Promise<void> {
    await insertId(
      em,
      "INSERT INTO payment_refund (tenant_id, order_id, pay_no, out_refund_no, amount, status, reason) VALUES (?, ?, ?, ?, ?, 'processing', ?)",
      [r.tenantId, r.orderId, r.payNo, r.outRefundNo, r.amount.toFixed(2), r.reason.slice(0, 255)],
    );
  }

  /**
   * A refund asked (again) under `outRefundNo`: a new record, or a failed one reopened (the same number,
   * so the provider can never pay it twice). False when that number is processing, done or abnormal.
   */
  async openRefund(
    em: EntityManager,
    r: { tenantId: number; orderId: number; payNo: string; outRefundNo: string; amount: Big; reason: string },
  ): Promise<boolean> {
    const existing = await this.findRefund(r.outRefundNo, em);
    if (!existing) {
      await this.recordRefund(em, r);
      return true;
    }
    const n = await execute(
      em,
      "UPDATE payment_refund SET status = 'processing', reason = ?, update_time = CURRENT_TIMESTAMP WHERE out_refund_no = ? AND status = 'failed'",
      [r.reason.slice(0, 255), r.outRefundNo],
    );
    return n === 1;
  }

  /** Money given back or on its way back for a payment (every refund not refused). */
  async committedOf(em: EntityManager, payNo: string): Promise<Big> {
    const [row] = await rows<{ total: string | number | null }>(
      em,
      "SELECT COALESCE(SUM(amount), 0) AS total FROM payment_refund WHERE pay_no = ? AND status <> 'failed'",
      [payNo],
    );
    return money(String(row?.total ?? 0)).round(2);
  }

  async findRefund(outRefundNo: string, db: DataSource | EntityManager = this.ds): Promise<RefundRecord | undefined> {
    const [r] = await rows<RefundDbRow>(db, `SELECT ${COLUMNS} FROM payment_refund WHERE out_refund_no = ?`, [outRefundNo]);
    return r ? toRecord(r) : undefined;
  }

  /** processing → success | failed | abnormal, once; true when this call settled it. */
  async settleRefund(
    em: EntityManager,
    outRefundNo: string,
    status: 'success' | 'failed' | 'abnormal',
    providerRefundId: string | null,
  ): Promise<boolean> {
    const n = await execute(
      em,
      "UPDATE payment_refund SET status = ?, provider_refund_id = ?, update_time = CURRENT_TIMESTAMP WHERE out_refund_no = ? AND status = 'processing'",
      [status, providerRefundId, outRefundNo],
    );
    return n === 1;
  }

  /** How many refunds of one order are still processing (an order refunded in two parts waits for both). */
  async processingCountOf(em: EntityManager, orderId: number): Promise<number> {
    const [row] = await rows<{ n: number | string }>(
      em,
      "SELECT COUNT(*) AS n FROM payment_refund WHERE order_id = ? AND status = 'processing'",
      [orderId],
    );
    return Number(row?.n ?? 0);
  }

  /** Refunds of these orders still processing. */
  async processingOf(orderIds: number[]): Promise<RefundRecord[]> {
    if (!orderIds.length) return [];
    const found = await rows<RefundDbRow>(
      this.ds,
      `SELECT ${COLUMNS} FROM payment_refund WHERE status = 'processing' AND order_id IN (${marks(orderIds.length)}) ORDER BY id`,
      orderIds,
    );
    return found.map(toRecord);
  }

  /** Refunds processing since before `untouchedSince` (any age when null), created after `createdAfter`: to be asked about. */
  async stale(createdAfter: Date, untouchedSince: Date | null, tenantId: number | undefined, limit: number): Promise<RefundRecord[]> {
    const where = ["status = 'processing'", 'create_time >= ?'];
    const params: unknown[] = [dbDate(this.ds, createdAfter)];
    if (untouchedSince) {
      where.push('update_time <= ?');
      params.push(dbDate(this.ds, untouchedSince));
    }
    if (tenantId) {
      where.push('tenant_id = ?');
      params.push(tenantId);
    }
    const found = await rows<RefundDbRow>(
      this.ds,
      `SELECT ${COLUMNS} FROM payment_refund WHERE ${where.join(' AND ')} ORDER BY id LIMIT ${Number(limit)}`,
      params,
    );
    return found.map(toRecord);
  }

  /** Claims a processing refund for one look (touching it), so another instance does not ask or send in the same window. */
  claimForCheck(outRefundNo: string, untouchedSince: Date | null): Promise<boolean> {
    return runTx(this.ds, async (em) => {
      const n = await execute(
        em,
        `UPDATE payment_refund SET update_time = CURRENT_TIMESTAMP WHERE out_refund_no = ? AND status = 'processing'${untouchedSince ? ' AND update_time <= ?' : ''}`,
        untouchedSince ? [outRefundNo, dbDate(em, untouchedSince)] : [outRefundNo],
      );
      return n === 1;
    });
  }

  /** The latest refund asked for an order. */
  async latestOf(orderId: number, db: DataSource | EntityManager = this.ds): Promise<RefundRecord | undefined> {
    const [r] = await rows<RefundDbRow>(db, `SELECT ${COLUMNS} FROM payment_refund WHERE order_id = ? ORDER BY id DESC LIMIT 1`, [orderId]);
    return r ? toRecord(r) : undefined;
  }

  /** A verified notify, kept once per notify id (a duplicate is ignored). */
  async recordNotify(id: string, type: string, outTradeNo: string, raw: string): Promise<void> {
    if (!id) return;
    try {
      await runTx(this.ds, (em) =>
        insertId(em, 'INSERT INTO payment_notify (notify_id, event_type, out_trade_no, payload) VALUES (?, ?, ?, ?)', [
          id.slice(0, 64),
          type.slice(0, 32),
          outTradeNo.slice(0, 64),
          raw.slice(0, 60000),
        ]),
      );
    } catch (e) {
      if (!isDuplicateKeyError(e)) throw e;
    }
  }
}
