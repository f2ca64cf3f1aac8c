import Big from 'big.js';
import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../common/base.entity';
import { moneyColumn } from '../common/money';

/**
 * One createOrder: the orders of its deal lines share this `payNo` (WeChat out_trade_no) and are
 * paid together. `status` mirrors the orders' payment state: 0 unpaid, 1 paid, 5 expired, 6 closed, 7 failed.
 */
@Entity('checkout')
@Index('idx_checkout_sweep', ['status', 'expireTime'])
@Index('idx_checkout_user', ['userId', 'createTime'])
export class Checkout extends BaseEntity {
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 32 })
  payNo: string;

  @Column({ type: 'int' })
  tenantId: number;

  @Column({ type: 'int' })
  userId: number;

  @Column({ type: 'tinyint', default: 0 })
  status: number;

  @Column(moneyColumn)
  goodsPrice: Big;

  @Column(moneyColumn)
  discountPrice: Big;

  @Column(moneyColumn)
  dispatchPrice: Big;

  @Column(moneyColumn)
  totalPrice: Big;

  @Column({ type: 'int', nullable: true })
  memberCouponId: number | null;

  /** points and balance used (§11); totalPrice is what is left to pay */
  @Column({ ...moneyColumn, default: 0 })
  deductionPrice: Big;

  /** 发票 as JSON `{invoice_type, rise_type, call, company_number, email}` (§11), null when none */
  @Column({ type: 'varchar', length: 500, nullable: true })
  invoice: string | null;

  @Column({ type: 'datetime', precision: 3 })
  expireTime: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  payTime: Date | null;

  @Column({ type: 'varchar', length: 16, default: 'sandbox' })
  provider: string;

  /** set when a WeChat prepay was made: the sweep must ask WeChat before expiring it */
  @Column({ type: 'varchar', length: 64, nullable: true })
  prepayId: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  prepayTime: Date | null;

  /** WeChat transaction_id once paid */
  @Column({ type: 'varchar', length: 64, nullable: true })
  transactionId: string | null;
}
