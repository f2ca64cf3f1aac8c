import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../common/base.entity';

/** Who did what to an order and when: every verification attempt, delivery, confirmation, refund, state change. */
@Entity('order_log')
@Index('idx_log_order', ['orderId', 'createTime'])
@Index('idx_log_shop_action', ['shopId', 'action', 'createTime'])
export class OrderLog extends BaseEntity {
  @Column({ type: 'int' })
  tenantId: number;

  @Column({ type: 'int', nullable: true })
  orderId: number | null;

  @Column({ type: 'int', nullable: true })
  shopId: number | null;

  @Column({ type: 'varchar', length: 32 })
  action: string;

  /** admin | user | system | provider */
  @Column({ type: 'varchar', length: 16 })
  actorType: string;

  @Column({ type: 'int', nullable: true })
  actorId: number | null;

  @Column({ type: 'tinyint', nullable: true })
  fromStatus: number | null;

  @Column({ type: 'tinyint', nullable: true })
  toStatus: number | null;

  @Column({ type: 'varchar', length: 500, default: '' })
  detail: string;
}
