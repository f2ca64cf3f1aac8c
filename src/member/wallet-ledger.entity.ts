import Big from 'big.js';
import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../common/base.entity';
import { moneyColumn } from '../common/money';

export type WalletKind = 'point' | 'balance';
export type LedgerReason = 'admin' | 'checkout' | 'return' | 'refund' | 'reward';

/**
 * One change of a wallet: the wallet always equals the sum of its entries. Deduction entries carry the
 * checkout and the order they belong to (one per order line and kind), so a return or a refund gives
 * back exactly that order's share; reward entries carry the order but no checkout.
 */
@Entity('wallet_ledger')
@Index('idx_ledger_user', ['tenantId', 'userId', 'kind'])
@Index('idx_ledger_checkout', ['checkoutId'])
@Index('idx_ledger_order', ['orderCode'])
export class WalletLedger extends BaseEntity {
  @Column({ type: 'int' })
  tenantId: number;

  @Column({ type: 'int' })
  userId: number;

  @Column({ type: 'varchar', length: 8 })
  kind: WalletKind;

  /** signed: points are whole numbers */
  @Column(moneyColumn)
  amount: Big;

  /** the wallet's value of this kind after the entry */
  @Column({ ...moneyColumn, name: 'after_value' })
  afterValue: Big;

  @Column({ type: 'varchar', length: 16 })
  reason: LedgerReason;

  @Column({ type: 'int', nullable: true })
  checkoutId: number | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  orderCode: string | null;

  @Column({ type: 'varchar', length: 255, default: '' })
  remark: string;

  /** the admin who adjusted it (reason admin) */
  @Column({ type: 'int', nullable: true })
  adminId: number | null;
}
