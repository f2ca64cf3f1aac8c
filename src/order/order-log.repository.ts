import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { dbDate, execute, insertId, rows } from '../database/sql';

export interface LogEntry {
  tenantId: number;
  orderId: number | null;
  shopId: number | null;
  action: string;
  actor: { type: string; id: number | null };
  from?: number | null;
  to?: number | null;
  detail?: string;
}

/** The SQL of the audit trail (order_log); `OrderLogService` is its only user. */
@Injectable()
export class OrderLogRepository {
  constructor(private readonly ds: DataSource) {}

  async log(em: EntityManager, e: LogEntry): Promise<void> {
    await insertId(
      em,
      'INSERT INTO order_log (tenant_id, order_id, shop_id, action, actor_type, actor_id, from_status, to_status, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [e.tenantId, e.orderId, e.shopId, e.action, e.actor.type, e.actor.id, e.from ?? null, e.to ?? null, (e.detail ?? '').slice(0, 500)],
    );
  }

  /** Many entries in one multi-row INSERT (in chunks of 1,000). */
  async logMany(em: EntityManager, entries: LogEntry[]): Promise<void> {
    for (let i = 0; i < entries.length; i += 1000) {
      const chunk = entries.slice(i, i + 1000);
      await execute(
        em,
        `INSERT INTO order_log (tenant_id, order_id, shop_id, action, actor_type, actor_id, from_status, to_status, detail) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        chunk.flatMap((e) => [
          e.tenantId,
          e.orderId,
          e.shopId,
          e.action,
          e.actor.type,
          e.actor.id,
          e.from ?? null,
          e.to ?? null,
          (e.detail ?? '').slice(0, 500),
        ]),
      );
    }
  }

  /** Entries of `action` for a shop since `since` (rate limits on pickup codes). */
  async countLogs(shopId: number, action: string, since: Date): Promise<number> {
    const [{ n }] = await rows<{ n: number | string }>(
      this.ds,
      'SELECT COUNT(*) AS n FROM order_log WHERE shop_id = ? AND action = ? AND create_time > ?',
      [shopId, action, dbDate(this.ds, since)],
    );
    return Number(n);
  }
}
