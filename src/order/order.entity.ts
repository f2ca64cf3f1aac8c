import Big from 'big.js';
import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../common/base.entity';
import { moneyColumn } from '../common/money';

export type RefundStatus = 'none' | 'processing' | 'success' | 'failed' | 'abnormal';

/** 团购订单: one deal line of a checkout (seed 001's order shape). */
@Entity('group_buying_order')
@Index('idx_order_tenant_time', ['tenantId', 'createTime'])
// the admin lists' partial-day sums, index-only (migration 1795440000000)
@Index('idx_order_time_sums', ['tenantId', 'createTime', 'status', 'deliverType', 'shopId', 'groupBuyingId', 'qty', 'money'])
@Index('idx_order_tenant_status', ['tenantId', 'status', 'createTime'])
@Index('idx_order_deal', ['groupBuyingId', 'status', 'createTime'])
@Index('idx_order_user', ['userId', 'createTime'])
@Index('idx_order_user_status', ['userId', 'status', 'createTime'])
@Index('idx_order_user_deal', ['userId', 'groupBuyingId', 'status'])
@Index('idx_order_pay_no', ['payNo'])
@Index('idx_order_checkout', ['checkoutId', 'status'])
@Index('idx_order_sweep', ['status', 'expireTime'])
@Index('idx_order_pay_time', ['tenantId', 'payTime'])
@Index('idx_order_deal_time', ['groupBuyingId', 'createTime'])
@Index('idx_order_shop_time', ['shopId', 'createTime'])
@Index('idx_order_tenant_deliver', ['tenantId', 'deliverType', 'createTime'])
@Index('idx_order_tenant_money', ['tenantId', 'money'])
@Index('idx_order_tenant_qty', ['tenantId', 'qty'])
@Index('idx_order_tenant_sequence', ['tenantId', 'sequence'])
@Index('idx_order_tenant_phone', ['tenantId', 'phone'])
@Index('uq_order_sequence', ['groupBuyingId', 'sequence'], { unique: true })
@Index('uq_order_open_code', ['shopId', 'openDeliverCode'], { unique: true })
@Index('uq_order_tail_pay_no', ['tailPayNo'], { unique: true })
@Index('idx_order_tail_sweep', ['status', 'tailEndTime'])
export class Order extends BaseEntity {
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 32 })
  code: string;

  @Column({ type: 'varchar', length: 32 })
  payNo: string;

  @Column({ type: 'int' })
  checkoutId: number;

  @Column({ type: 'int' })
  tenantId: number;

  @Column({ type: 'int' })
  shopId: number;

  @Column({ type: 'int' })
  groupBuyingId: number;

  @Column({ type: 'int' })
  userId: number;

  /** 0 未支付 1 已支付 2 已退款 3 已发货 4 已完成 5 已过期 6 已关闭 7 支付失败 8 已确认 9 已付定金 */
  @Column({ type: 'tinyint', default: 0 })
  status: number;

  @Column({ type: 'tinyint' })
  deliverType: number;

  @Column(moneyColumn)
  price: Big;

  @Column({ type: 'int' })
  qty: number;

  @Column(moneyColumn)
  goodsMoney: Big;

  @Column(moneyColumn)
  couponMoney: Big;

  @Column(moneyColumn)
  deliverFee: Big;

  /** what the buyer paid for this order */
  @Column(moneyColumn)
  money: Big;

  /** this order's share of the checkout's points and balance (§11); `money` is what is left to pay */
  @Column({ ...moneyColumn, default: 0 })
  deductionMoney: Big;

  /** number among the deal's paid orders, gap-free */
  @Column({ type: 'int', nullable: true })
  sequence: number | null;

  /** 取货码 (pickup) */
  @Column({ type: 'varchar', length: 16, nullable: true })
  deliverCode: string | null;

  /** = deliverCode while the order is open; null after: keeps codes unique among a shop's open orders */
  @Column({ type: 'varchar', length: 16, nullable: true })
  openDeliverCode: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  payTime: Date | null;

  @Column({ type: 'datetime', precision: 3 })
  expireTime: Date;

  @Column({ type: 'varchar', length: 64, nullable: true })
  trackingNo: string | null;

  /** delivery address as text (express) */
  @Column({ type: 'varchar', length: 500, default: '' })
  address: string;

  @Column({ type: 'varchar', length: 64, default: '' })
  lbs: string;

  @Column({ type: 'varchar', length: 32, default: '' })
  phone: string;

  @Column({ type: 'varchar', length: 255, default: '' })
  remark: string;

  @Column({ type: 'varchar', length: 100 })
  productName: string;

  @Column({ type: 'varchar', length: 100, default: '' })
  spec: string;

  @Column({ type: 'varchar', length: 500, default: '' })
  imagePath: string;

  @Column({ type: 'int', nullable: true })
  teamId: number | null;

  @Column({ type: 'varchar', length: 16, default: 'none' })
  refundStatus: RefundStatus;

  @Column({ type: 'boolean', default: false })
  reviewed: boolean;

  // ---- pre-sale (contract §10): null on every other order ----

  /** 定金: deposit × qty, paid with the checkout (`payNo`) */
  @Column({ ...moneyColumn, nullable: true })
  depositMoney: Big | null;

  /** 尾款: (price − depositValue) × qty, paid under `tailPayNo` */
  @Column({ ...moneyColumn, nullable: true })
  tailMoney: Big | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  depositPayTime: Date | null;

  /** the balance window, copied from the deal at checkout: endTime–tailEndTime */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  tailStartTime: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  tailEndTime: Date | null;

  /** the balance's own out_trade_no (`tg…`), drawn at the first balance payOrder */
  @Column({ type: 'varchar', length: 32, nullable: true })
  tailPayNo: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  tailPrepayId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  tailTransactionId: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  tailPayTime: Date | null;
}
