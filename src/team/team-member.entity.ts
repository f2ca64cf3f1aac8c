import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../common/base.entity';

@Entity('team_member')
@Index('idx_member_team', ['teamId'])
@Index('uq_member_order', ['orderId'], { unique: true })
export class TeamMember extends BaseEntity {
  @Column({ type: 'int' })
  teamId: number;

  @Column({ type: 'int', nullable: true })
  userId: number | null;

  @Column({ type: 'int', nullable: true })
  orderId: number | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  orderCode: string | null;

  /** pending (awaiting payment) | paid | success | fail | left */
  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: string;

  @Column({ type: 'varchar', length: 64, default: '' })
  nickname: string;

  @Column({ type: 'varchar', length: 500, default: '' })
  avatar: string;

  @Column({ type: 'boolean', default: false })
  isRobot: boolean;
}
