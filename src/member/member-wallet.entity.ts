import Big from 'big.js';
import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../common/base.entity';
import { moneyColumn } from '../common/money';

/**
 * A storefront user's wallet in one tenant (contract §11): whole points and a stored balance. It only
 * moves by conditional UPDATEs (`… AND point >= ?`), each with its ledger entries in the same transaction.
 */
@Entity('member_wallet')
@Index('uq_wallet_user', ['tenantId', 'userId'], { unique: true })
export class MemberWallet extends BaseEntity {
  @Column({ type: 'int' })
  tenantId: number;

  @Column({ type: 'int' })
  userId: number;

  /** 积分, whole points */
  @Column({ type: 'int', default: 0 })
  point: number;

  /** 余额 */
  @Column({ ...moneyColumn, default: 0 })
  balance: Big;
}
