import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../common/base.entity';

/** A coupon received by a user. `used` flips 0→1 at checkout and back when the checkout expires/cancels. */
@Entity('member_coupon')
@Index('idx_mc_user', ['userId', 'couponId'])
@Index('idx_mc_coupon', ['couponId'])
@Index('idx_mc_pay_no', ['payNo'])
export class MemberCoupon extends BaseEntity {
  @Column({ type: 'int' })
  tenantId: number;

  @Column({ type: 'int' })
  couponId: number;

  @Column({ type: 'int' })
  userId: number;

  @Column({ type: 'boolean', default: false })
  used: boolean;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  useTime: Date | null;

  /** the checkout (pay_no) that uses it */
  @Column({ type: 'varchar', length: 32, nullable: true })
  payNo: string | null;

  @Column({ type: 'datetime', precision: 3 })
  getTime: Date;

  @Column({ type: 'datetime', precision: 3 })
  timeStart: Date;

  /** expired_at */
  @Column({ type: 'datetime', precision: 3 })
  timeEnd: Date;
}
