import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../common/base.entity';

/** Every verified provider notify, deduplicated by its id. */
@Entity('payment_notify')
export class PaymentNotify extends BaseEntity {
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 64 })
  notifyId: string;

  @Column({ type: 'varchar', length: 32 })
  eventType: string;

  @Column({ type: 'varchar', length: 64, default: '' })
  outTradeNo: string;

  @Column({ type: 'text', nullable: true })
  payload: string | null;
}
