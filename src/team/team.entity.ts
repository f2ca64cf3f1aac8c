import Big from 'big.js';
import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../common/base.entity';
import { moneyColumn } from '../common/money';

/** 拼团 (seed 002 `groupon`). status: active | success | fail */
@Entity('team')
@Index('idx_team_deal', ['groupBuyingId', 'status'])
@Index('idx_team_expire', ['status', 'expireAt'])
export class Team extends BaseEntity {
  @Column({ type: 'int' })
  tenantId: number;

  @Column({ type: 'int' })
  groupBuyingId: number;

  /** leader */
  @Column({ type: 'int' })
  userId: number;

  @Column(moneyColumn)
  price: Big;

  @Column({ type: 'int' })
  teamSize: number;

  /** places held (paid or awaiting payment) */
  @Column({ type: 'int', default: 0 })
  userCount: number;

  @Column({ type: 'int', default: 0 })
  payUserCount: number;

  @Column({ type: 'datetime', precision: 3 })
  expireAt: Date;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: string;
}
