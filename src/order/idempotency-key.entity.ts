import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../common/base.entity';

/** `Idempotency-Key` of createOrder, scoped to the user, kept ≥ 24 h. */
@Entity('idempotency_key')
@Index('uq_idem', ['userId', 'idemKey'], { unique: true })
@Index('idx_idem_time', ['createTime'])
export class IdempotencyKey extends BaseEntity {
  @Column({ type: 'int' })
  userId: number;

  @Column({ type: 'varchar', length: 255 })
  idemKey: string;

  @Column({ type: 'varchar', length: 64 })
  requestHash: string;

  /** running | done */
  @Column({ type: 'varchar', length: 16, default: 'running' })
  state: string;

  @Column({ type: 'int', nullable: true })
  responseHttp: number | null;

  @Column({ type: 'text', nullable: true })
  responseBody: string | null;
}
