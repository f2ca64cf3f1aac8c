import { ApiProperty } from '@nestjs/swagger';
import Big from 'big.js';
import { money, moneyNumber, moneyString } from '../common/money';
import { formatDate } from '../common/time';
import { readDate } from '../database/sql';
import { OrderStatus } from './order-status';

/** 支付状态 of one of a pre-sale order's two payments (contract §10). */
export type PreSalePayStatus = 'wait' | 'success' | 'closed' | 'refund';

type Money = string | number | Big | null;
type When = Date | string | null;

/** The pre-sale columns of an order row, as SQL or the entity gives them (null on other orders). */
export interface PreSaleOrderRow {
  status: number;
  deposit_money: Money;
  tail_money: Money;
  deposit_pay_time: When;
  tail_pay_time: When;
  tail_start_time: When;
  tail_end_time: When;
}

/** The columns of PreSaleOrderRow, for SELECTs. */
export const PRE_SALE_COLUMNS = 'deposit_money, tail_money, deposit_pay_time, tail_pay_time, tail_start_time, tail_end_time';

export const isPreSaleOrder = (o: { deposit_money?: Money }): boolean => o.deposit_money !== null && o.deposit_money !== undefined;

const at = (v: When): string | null => (v === null || v === undefined ? null : formatDate(readDate(v)));
const amount = (v: Money): Big => (v instanceof Big ? v : money(v === null ? 0 : String(v)));

/** Where each payment stands, from the order's status and pay times. */
export function preSalePayStatus(o: PreSaleOrderRow): { deposit: PreSalePayStatus; tail: PreSalePayStatus } {
  const status = Number(o.status);
  const depositPaid = !!o.deposit_pay_time;
  const tailPaid = !!o.tail_pay_time;
  if (status === OrderStatus.REFUNDED) return { deposit: 'refund', tail: tailPaid ? 'refund' : 'closed' };
  if (!depositPaid) {
    const open = status === OrderStatus.UNPAID || status === OrderStatus.PAY_FAILED;
    return { deposit: open ? 'wait' : 'closed', tail: open ? 'wait' : 'closed' };
  }
  if (tailPaid) return { deposit: 'success', tail: 'success' };
  // deposit paid, balance not: due (9) or the deadline passed (6, deposit kept)
  return { deposit: 'success', tail: status === OrderStatus.DEPOSIT_PAID ? 'wait' : 'closed' };
}

export class PreSaleDepositView {
  @ApiProperty({ description: '定金金额（定金 × 数量）', example: '10.00' }) price: string;
  @ApiProperty({ description: '支付状态：wait 待支付, success 已支付, closed 已关闭, refund 已退款', example: 'success' })
  pay_status: string;
  @ApiProperty({ description: '支付时间', nullable: true, type: String }) pay_time: string | null;
}

export class PreSaleTailView extends PreSaleDepositView {
  @ApiProperty({ description: '尾款开始时间（= 团购结束时间）', nullable: true, type: String }) start_time: string | null;
  @ApiProperty({ description: '尾款截止时间', nullable: true, type: String }) end_time: string | null;
}

/** 预售: the two payments of a pre-sale order (storefront order views). */
export class StorePreSaleView {
  @ApiProperty({ description: '定金', type: PreSaleDepositView }) deposit: PreSaleDepositView;
  @ApiProperty({ description: '尾款（(单价 − 定金膨胀) × 数量，含运费）', type: PreSaleTailView }) tail: PreSaleTailView;
}

/** The storefront's `presale` block, or null for an order that is not pre-sale. */
export function storePreSale(o: PreSaleOrderRow): StorePreSaleView | null {
  if (!isPreSaleOrder(o)) return null;
  const s = preSalePayStatus(o);
  return {
    deposit: { price: moneyString(amount(o.deposit_money)), pay_status: s.deposit, pay_time: at(o.deposit_pay_time) },
    tail: {
      price: moneyString(amount(o.tail_money)),
      pay_status: s.tail,
      pay_time: at(o.tail_pay_time),
      start_time: at(o.tail_start_time),
      end_time: at(o.tail_end_time),
    },
  };
}

/** 预售 in the admin order shape (contract §10). */
export class AdminPreSaleView {
  @ApiProperty({ description: '定金金额', example: 10 }) deposit: number;
  @ApiProperty({ description: '定金支付时间', nullable: true, type: String }) depositPayTime: string | null;
  @ApiProperty({ description: '尾款金额', example: 90 }) tail: number;
  @ApiProperty({ description: '尾款支付时间', nullable: true, type: String }) tailPayTime: string | null;
  @ApiProperty({ description: '尾款截止时间', nullable: true, type: String }) tailEndTime: string | null;
}

/** The admin's `preSale`, from the entity, or null for an order that is not pre-sale. */
export function adminPreSale(o: {
  depositMoney: Big | null;
  tailMoney: Big | null;
  depositPayTime: Date | null;
  tailPayTime: Date | null;
  tailEndTime: Date | null;
}): AdminPreSaleView | null {
  if (!o.depositMoney) return null;
  return {
    deposit: moneyNumber(o.depositMoney),
    depositPayTime: formatDate(o.depositPayTime),
    tail: moneyNumber(o.tailMoney ?? new Big(0)),
    tailPayTime: formatDate(o.tailPayTime),
    tailEndTime: formatDate(o.tailEndTime),
  };
}
