import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { DataSource, EntityManager } from 'typeorm';
import { isDuplicateKeyError } from '../common/db-errors';
import { money } from '../common/money';
import { dbDate, execute, insertId, marks, rows, runTx } from '../database/sql';

export type RefundRecordStatus = 'processing' | 'success' | 'failed';

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

  async recordRefund(em: EntityManager, r: { tenantId: number; orderId: number; payNo: string; outRefundNo: string; amount: Big; reason: string }): Promise<void> {
    await insertId(em, "INSERT INTO payment_refund (tenant_id, order_id, pay_no, out_refund_no, amount, status, reason) VALUES (?, ?, ?, ?, ?, 'processing', ?)", [
      r.tenantId,
      r.orderId,
      r.payNo,
      r.outRefundNo,
      r.amount.toFixed(2),
      r.reason.slice(0, 255),
    ]);
  }

  async findRefund(outRefundNo: string, db: DataSource | EntityManager = this.ds): Promise<RefundRecord | undefined> {
    const [r] = await rows<RefundDbRow>(db, `SELECT ${COLUMNS} FROM payment_refund WHERE out_refund_no = ?`, [outRefundNo]);
    return r ? toRecord(r) : undefined;
  }

  /** processing → success | failed, once; true when this call settled it. */
  async settleRefund(em: EntityManager, outRefundNo: string, status: 'success' | 'failed', providerRefundId: string | null): Promise<boolean> {
    const n = await execute(em, "UPDATE payment_refund SET status = ?, provider_refund_id = ?, update_time = CURRENT_TIMESTAMP WHERE out_refund_no = ? AND status = 'processing'", [
      status,
      providerRefundId,
      outRefundNo,
    ]);
    return n === 1;
  }

  /** Refunds of these orders still processing. */
  async processingOf(orderIds: number[]): Promise<RefundRecord[]> {
    if (!orderIds.length) return [];
    const found = await rows<RefundDbRow>(this.ds, `SELECT ${COLUMNS} FROM payment_refund WHERE status = 'processing' AND order_id IN (${marks(orderIds.length)}) ORDER BY id`, orderIds);
    return found.map(toRecord);
  }

  /** Refunds processing since before `untouchedSince`, created after `createdAfter` (to be sent again). */
  async stale(createdAfter: Date, untouchedSince: Date, tenantId: number | undefined, limit: number): Promise<RefundRecord[]> {
    const where = ["status = 'processing'", 'create_time >= ?', 'update_time <= ?'];
    const params: unknown[] = [dbDate(this.ds, createdAfter), dbDate(this.ds, untouchedSince)];
    if (tenantId) {
      where.push('tenant_id = ?');
      params.push(tenantId);
    }
    const found = await rows<RefundDbRow>(this.ds, `SELECT ${COLUMNS} FROM payment_refund WHERE ${where.join(' AND ')} ORDER BY id LIMIT ${Number(limit)}`, params);
    return found.map(toRecord);
  }

  /** Claims a stale refund for one resend (touching it), so another instance does not send it in the same window. */
  claimForResend(outRefundNo: string, untouchedSince: Date): Promise<boolean> {
    return runTx(this.ds, async (em) => {
      const n = await execute(em, "UPDATE payment_refund SET update_time = CURRENT_TIMESTAMP WHERE out_refund_no = ? AND status = 'processing' AND update_time <= ?", [
        outRefundNo,
        dbDate(em, untouchedSince),
      ]);
      return n === 1;
    });
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
