import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { money, moneyString } from '../common/money';
import { formatDate } from '../common/time';
import { readDate } from '../database/sql';
import { InvoiceView, invoiceView } from './invoice';
import type { StoreOrderRow } from './order-read.repository';
import { ORDER_STATUS_NAMES, OrderStatus } from './order-status';
import { TeamView } from '../team/team.view';
import { isPreSaleOrder, StorePreSaleView, storePreSale } from './presale.view';

/** An order as the storefront sees it (order_info, order_list items). */
export class StoreOrderView {
  @ApiProperty({ description: '订单编号' }) code: string;
  @ApiProperty({ description: '支付单号（同一次下单的订单共用）' }) pay_no: string;
  @ApiProperty({ description: '0:未支付; 1:已支付; 2:已退款; 3:已发货; 4:已完成; 5:已过期; 6:已关闭; 7:支付失败; 8:已确认; 9:已付定金' })
  status: number;
  @ApiProperty({ description: '状态名称' }) status_name: string;
  @ApiProperty({ description: '团购 id' }) group_buying_id: number;
  @ApiProperty({ description: '商品名称' }) product_name: string;
  @ApiProperty({ description: '规格' }) spec: string;
  @ApiProperty({ description: '图片路径' }) image_path: string;
  @ApiProperty({ description: '单价', example: '29.90' }) price: string;
  @ApiProperty({ description: '数量' }) quantity: number;
  @ApiProperty({ description: '商品金额', example: '59.80' }) goods_price: string;
  @ApiProperty({ description: '优惠金额', example: '0.00' }) coupon_price: string;
  @ApiProperty({ description: '运费', example: '0.00' }) dispatch_price: string;
  @ApiProperty({ description: '积分/余额抵扣金额', example: '0.00' }) deduction_price: string;
  @ApiProperty({ description: '实付金额', example: '59.80' }) pay_price: string;
  @ApiProperty({ description: '1:自提; 2:快递' }) deliver_type: number;
  @ApiProperty({ description: '取货码（支付后、自提订单）', nullable: true, type: String }) deliver_code: string | null;
  @ApiProperty({ description: '快递单号', nullable: true, type: String }) tracking_no: string | null;
  @ApiProperty({ description: '收货地址' }) address: string;
  @ApiProperty({ description: '电话' }) phone: string;
  @ApiProperty({ description: '备注' }) remark: string;
  @ApiProperty({ description: '序号', nullable: true, type: Number }) sequence: number | null;
  @ApiProperty({ description: '下单时间' }) create_time: string;
  @ApiProperty({ description: '支付时间', nullable: true, type: String }) pay_time: string | null;
  @ApiProperty({ description: '支付截止时间' }) expire_time: string;
  @ApiPropertyOptional({ description: '拼团（仅拼团订单，同 GET /api/group/team/{id}）', nullable: true, type: TeamView }) team: Record<
    string,
    unknown
  > | null;
  @ApiProperty({ description: '是否已评价' }) reviewed: boolean;
  @ApiProperty({ description: '发票（未开发票为 null）', nullable: true, type: InvoiceView }) invoice: InvoiceView | null;
  @ApiPropertyOptional({ description: '预售（定金、尾款；仅预售订单）', type: StorePreSaleView })
  presale?: StorePreSaleView | null;
}

const CODE_VISIBLE = new Set<number>([OrderStatus.PAID, OrderStatus.CONFIRMED, OrderStatus.COMPLETED]);

const nullableInt = (v: number | string | null): number | null => (v === null || v === undefined ? null : Number(v));

/** The storefront view from the plain row of OrderReadRepository (money "0.00", dates in APP_TZ). */
export function toStoreOrderView(o: StoreOrderRow, team: Record<string, unknown> | null = null): StoreOrderView {
  const status = Number(o.status);
  const deliverType = Number(o.deliver_type);
  return {
    code: o.code,
    pay_no: o.pay_no,
    status,
    status_name: ORDER_STATUS_NAMES[status] ?? '',
    group_buying_id: Number(o.group_buying_id),
    product_name: o.product_name,
    spec: o.spec,
    image_path: o.image_path,
    price: moneyString(money(o.price)),
    quantity: Number(o.qty),
    goods_price: moneyString(money(o.goods_money)),
    coupon_price: moneyString(money(o.coupon_money)),
    dispatch_price: moneyString(money(o.deliver_fee)),
    deduction_price: moneyString(money(o.deduction_money ?? 0)),
    pay_price: moneyString(money(o.money)),
    deliver_type: deliverType,
    deliver_code: deliverType === 1 && CODE_VISIBLE.has(status) ? o.deliver_code : null,
    tracking_no: o.tracking_no,
    address: o.address,
    phone: o.phone,
    remark: o.remark,
    sequence: nullableInt(o.sequence),
    create_time: formatDate(readDate(o.create_time))!,
    pay_time: o.pay_time ? formatDate(readDate(o.pay_time)) : null,
    expire_time: formatDate(readDate(o.expire_time))!,
    team,
    reviewed: o.reviewed === true || Number(o.reviewed) === 1,
    invoice: invoiceView(o.invoice),
    // only on pre-sale orders (§10)
    ...(isPreSaleOrder(o) ? { presale: storePreSale(o) } : {}),
  };
}
