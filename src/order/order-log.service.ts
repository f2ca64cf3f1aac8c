import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { runTx } from '../database/sql';
import { LogEntry, OrderLogRepository } from './order-log.repository';

/** Who changed an order. */
export interface Actor {
  type: 'admin' | 'user' | 'system' | 'provider';
  id: number | null;
}

export const SYSTEM: Actor = { type: 'system', id: null };

/** The audit trail (order_log): every state change, verification, delivery and refund, with who did it. */
@Injectable()
export class OrderLogService {
  constructor(
    private readonly ds: DataSource,
    private readonly orders: OrderLogRepository,
  ) {}

  /** One entry inside the caller's transaction. */
  log(em: EntityManager, e: LogEntry & { actor: Actor }): Promise<void> {
    return this.orders.log(em, e);
  }

  /** Many entries inside the caller's transaction, in one multi-row INSERT. */
  logMany(em: EntityManager, entries: (LogEntry & { actor: Actor })[]): Promise<void> {
    return entries.length ? this.orders.logMany(em, entries) : Promise.resolve();
  }

  /** One entry in its own transaction (an attempt that changes nothing else, e.g. a wrong pickup code). */
  record(e: LogEntry & { actor: Actor }): Promise<void> {
    return runTx(this.ds, (em) => this.orders.log(em, e));
  }

  countSince(shopId: number, action: string, since: Date): Promise<number> {
    return this.orders.countLogs(shopId, action, since);
  }
}
