import Big from 'big.js';
import { Column, DeleteDateColumn, Entity, Index } from 'typeorm';
import { BaseEntity } from '../common/base.entity';
import { moneyColumn, moneyTransformer } from '../common/money';

/** A coupon template (seed 003's belongs_to_coupon). */
@Entity('coupon')
@Index('idx_coupon_tenant', ['tenantId', 'deletedAt', 'id'])
export class Coupon extends BaseEntity {
  @Column({ type: 'int' })
  tenantId: number;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** 1 满减 (deduct), 2 折扣 (discount) */
  @Column({ type: 'tinyint' })
  couponMethod: number;

  /** threshold on goods amount */
  @Column({ ...moneyColumn, default: '0.00' })
  enough: Big;

  @Column({ ...moneyColumn, default: '0.00' })
  deduct: Big;

  /** 8.5 → pay 85% */
  @Column({ type: 'decimal', precision: 4, scale: 2, default: '0.00', transformer: moneyTransformer })
  discount: Big;

  /** 0 all deals of the tenant, 2 only groupBuyingIds */
  @Column({ type: 'tinyint', default: 0 })
  useType: number;

  @Column({ type: 'simple-json', nullable: true })
  groupBuyingIds: number[] | null;

  /** 0: timeDays after receiving; 1: timeStart–timeEnd */
  @Column({ type: 'tinyint', default: 0 })
  timeLimit: number;

  @Column({ type: 'int', default: 0 })
  timeDays: number;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  timeStart: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  timeEnd: Date | null;

  /** -1 unlimited */
  @Column({ type: 'int', default: -1 })
  total: number;

  /** per user; -1 or 0 = unlimited */
  @Column({ type: 'int', default: 1 })
  getMax: number;

  @Column({ type: 'boolean', default: true })
  inUse: boolean;

  @Column({ type: 'int', default: 0 })
  receivedCount: number;

  @Column({ type: 'int', default: 0 })
  usedCount: number;

  @DeleteDateColumn({ type: 'datetime', precision: 3, nullable: true })
  deletedAt: Date | null;
}
