import Big from 'big.js';
import { Column, DeleteDateColumn, Entity, Index } from 'typeorm';
import { BaseEntity } from '../common/base.entity';
import { moneyColumn } from '../common/money';

/** 团购: one product at a group price in one shop. */
@Entity('group_buying')
@Index('idx_gb_tenant_list', ['tenantId', 'deletedAt', 'createTime'])
@Index('idx_gb_shop', ['shopId', 'deletedAt'])
@Index('idx_gb_window', ['inUse', 'startTime', 'endTime'])
export class GroupBuying extends BaseEntity {
  @Column({ type: 'int' })
  tenantId: number;

  @Column({ type: 'int' })
  shopId: number;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'datetime', precision: 3 })
  startTime: Date;

  @Column({ type: 'datetime', precision: 3 })
  endTime: Date;

  /** 1 自提, 2 快递 */
  @Column({ type: 'tinyint' })
  deliverType: number;

  @Column({ type: 'varchar', length: 255, default: '' })
  address: string;

  @Column({ type: 'varchar', length: 64, default: '' })
  lbs: string;

  @Column({ type: 'varchar', length: 32, default: '' })
  phone: string;

  @Column({ type: 'boolean', default: true })
  inUse: boolean;

  @Column({ type: 'int', nullable: true })
  productId: number | null;

  @Column({ type: 'varchar', length: 100 })
  productName: string;

  @Column({ type: 'varchar', length: 64, default: '' })
  productCode: string;

  @Column({ type: 'varchar', length: 500, default: '' })
  imagePath: string;

  @Column(moneyColumn)
  price: Big;

  @Column({ type: 'varchar', length: 100, default: '' })
  spec: string;

  /** what is left to sell */
  @Column({ type: 'int', default: 0 })
  stock: number;

  /** units in orders of status 1, 3, 4, 8 */
  @Column({ type: 'int', default: 0 })
  payedCount: number;

  /** orders not expired or closed */
  @Column({ type: 'int', default: 0 })
  orderCount: number;

  @Column({ type: 'int', default: 0 })
  visitTimes: number;

  /** last `sequence` handed to a paid order (gap-free numbering under the row lock) */
  @Column({ type: 'int', default: 0 })
  lastSequence: number;

  /** 0 = no limit */
  @Column({ type: 'int', default: 0 })
  limitPerUser: number;

  @Column({ ...moneyColumn, default: '0.00' })
  deliverFee: Big;

  /** 0 = plain deal; ≥ 2 = team buy */
  @Column({ type: 'int', default: 0 })
  teamSize: number;

  @Column({ type: 'int', default: 24 })
  teamHours: number;

  @Column({ type: 'boolean', default: false })
  virtualTeam: boolean;

  /** 预售: a deposit in startTime–endTime, the balance in endTime–tailEndTime (contract §10) */
  @Column({ type: 'boolean', default: false })
  preSale: boolean;

  /** 定金 per unit (pre-sale only) */
  @Column({ ...moneyColumn, nullable: true })
  deposit: Big | null;

  /** 定金膨胀: what one unit's deposit counts for against price (pre-sale only) */
  @Column({ ...moneyColumn, nullable: true })
  depositValue: Big | null;

  /** 尾款截止 (pre-sale only) */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  tailEndTime: Date | null;

  /** creator (admin user) */
  @Column({ type: 'int', nullable: true })
  userId: number | null;

  @Column({ type: 'varchar', length: 64, default: '' })
  userName: string;

  @DeleteDateColumn({ type: 'datetime', precision: 3, nullable: true })
  deletedAt: Date | null;
}
