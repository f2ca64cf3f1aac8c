import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../common/base.entity';

@Entity('order_review')
export class OrderReview extends BaseEntity {
  @Index({ unique: true })
  @Column({ type: 'int' })
  orderId: number;

  @Column({ type: 'int' })
  userId: number;

  @Column({ type: 'tinyint' })
  score: number;

  @Column({ type: 'varchar', length: 1000, default: '' })
  content: string;
}
