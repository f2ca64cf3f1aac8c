import { Column, Entity } from 'typeorm';
import { BaseEntity } from '../common/base.entity';

/** 团购租户: a merchant. Every shop, deal, coupon and order belongs to one. */
@Entity('tenant')
export class Tenant extends BaseEntity {
  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** the platform tenant, created at first start; the super-admin belongs to it */
  @Column({ type: 'boolean', default: false })
  platform: boolean;
}
