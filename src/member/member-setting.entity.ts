import Big from 'big.js';
import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../common/base.entity';
import { moneyColumn } from '../common/money';

/** Per-tenant wallet settings (contract §11); a tenant without a row uses the defaults. */
@Entity('member_setting')
@Index('uq_member_setting_tenant', ['tenantId'], { unique: true })
export class MemberSetting extends BaseEntity {
  @Column({ type: 'int' })
  tenantId: number;

  /** points per 1.00 yuan */
  @Column({ type: 'int', default: 100 })
  pointValue: number;

  /** the largest share (%) of an order's goods after coupon that points may pay */
  @Column({ type: 'int', default: 50 })
  pointMaxRate: number;

  /** points earned per 1.00 yuan paid (0 = none) */
  @Column({ ...moneyColumn, default: 1 })
  pointRewardRate: Big;
}
