import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../common/base.entity';

/** A logged-in user who opened a deal in the storefront (one row per deal and user). */
@Entity('group_buying_visitor')
@Index('uq_visitor', ['groupBuyingId', 'userId'], { unique: true })
export class GroupBuyingVisitor extends BaseEntity {
  @Column({ type: 'int' })
  groupBuyingId: number;

  @Column({ type: 'int' })
  userId: number;

  @Column({ type: 'int', default: 1 })
  visits: number;
}
