import Big from 'big.js';
import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../common/base.entity';
import { moneyColumn } from '../common/money';

/** One refund of one order through the provider (WeChat out_refund_no). */
@Entity('payment_refund')
@Index('idx_refund_order', ['orderId'])
@Index('idx_refund_status', ['status', 'createTime'])
export class PaymentRefund extends BaseEntity {
  @Column({ type: 'int' })
  tenantId: number;

  @Column({ type: 'int' })
  orderId: number;

  @Column({ type: 'varchar', length: 32 })
  payNo: string;

  @Index({ unique: true })
  @Column({ type: 'varchar', length: 64 })
  outRefundNo: string;

  @Column(moneyColumn)
  amount: Big;

  /** processing | success | failed */
  @Column({ type: 'varchar', length: 16, default: 'processing' })
  status: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  providerRefundId: string | null;

  @Column({ type: 'varchar', length: 255, default: '' })
  reason: string;
}
