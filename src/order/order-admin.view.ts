import { ApiProperty } from '@nestjs/swagger';
import { DealUserView, DealView } from '../group-buying/group-buying.view';
import { moneyNumber } from '../common/money';
import { formatDate } from '../common/time';
import { InvoiceView, invoiceView } from './invoice';
import type { Order } from './order.entity';
import { DELIVER_TYPE_NAMES, ORDER_STATUS_NAMES } from './order-status';
import { AdminPreSaleView, adminPreSale } from './presale.view';

/** An order in the admin API (seed 001's shape plus our fields). */
export class AdminOrderView {
  @ApiProperty({ description: 'id' }) id: number;
  @ApiProperty({ description: '订单编号' }) code: string;
  @ApiProperty({ description: '门店Id' }) shopId: number;
  @ApiProperty({ description: '门店' }) shopName: string;
  @ApiProperty({ description: '团购Id' }) groupBuyingId: number;
  @ApiProperty({ description: '团购名称' }) groupBuyingName: string;
  @ApiProperty({ description: '序号（该团购已支付订单中的序号，无空缺）', nullable: true, type: Number }) sequence: number | null;
  @ApiProperty({ description: '0:未支付; 1:已支付; 2:已退款; 3:已发货; 4:已完成; 5:已过期; 6:已关闭; 7:支付失败; 8:已确认; 9:已付定金' })
  status: number;
  @ApiProperty({ description: '状态名称' }) statusName: string;
  @ApiProperty({ description: '购买人Id' }) userId: number;
  @ApiProperty({ description: '购买人OpenId' }) userOpenId: string;
  @ApiProperty({ description: '购买人名称' }) userName: string;
  @ApiProperty({ description: '购买人头像' }) userProfile: string;
  @ApiProperty({ description: '1:自提; 2:快递' }) deliverType: number;
  @ApiProperty({ description: '配送方式名称' }) deliverTypeName: string;
  @ApiProperty({ description: '地址' }) address: string;
  @ApiProperty({ description: '坐标' }) lbs: string;
  @ApiProperty({ description: '电话' }) phone: string;
  @ApiProperty({ description: '备注' }) remark: string;
  @ApiProperty({ description: '商品名称' }) productName: string;
  @ApiProperty({ description: '规格' }) spec: string;
  @ApiProperty({ description: '数量' }) qty: number;
  @ApiProperty({ description: '金额（买家为该订单支付的金额）', example: 20.0 }) money: number;
  @ApiProperty({ description: '支付时间', nullable: true, type: String, example: '2026-01-15 10:11:34' }) payTime: string | null;
  @ApiProperty({
    description: '取货码（买家的取货凭证：管理端只显示末两位，如 "******34"）',
    nullable: true,
    type: String,
    example: '******34',
  })
  deliverCode: string | null;
  @ApiProperty({ description: '下单时间', example: '2026-01-15 10:11:34' }) createTime: string;
  @ApiProperty({ description: '支付单号 (out_trade_no)' }) payNo: string;
  @ApiProperty({ description: '商品金额', example: 20.0 }) goodsMoney: number;
  @ApiProperty({ description: '优惠金额', example: 0 }) couponMoney: number;
  @ApiProperty({ description: '运费', example: 0 }) deliverFee: number;
  @ApiProperty({ description: '快递单号', nullable: true, type: String }) trackingNo: string | null;
  @ApiProperty({ description: '拼团 id', nullable: true, type: Number }) teamId: number | null;
  @ApiProperty({ description: '退款状态', enum: ['none', 'processing', 'success', 'failed'] }) refundStatus: string;
  @ApiProperty({ description: '积分/余额抵扣金额（该订单分摊的部分；money 为其余需支付的金额）', example: 0 }) deductionMoney: number;
  @ApiProperty({ description: '发票（未开发票为 null）', nullable: true, type: InvoiceView }) invoice: InvoiceView | null;
  @ApiProperty({ description: '预售（定金、尾款；非预售订单为 null）', type: AdminPreSaleView, nullable: true })
  preSale: AdminPreSaleView | null;
}

export interface OrderViewRefs {
  shopName?: string;
  groupBuyingName?: string;
  user?: { openId: string; nickname: string; avatar: string } | null;
  /** the checkout's invoice JSON */
  invoice?: string | null;
}

export function toAdminOrderView(o: Order, refs: OrderViewRefs = {}): AdminOrderView {
  return {
    id: o.id,
    code: o.code,
    shopId: o.shopId,
    shopName: refs.shopName ?? '',
    groupBuyingId: o.groupBuyingId,
    groupBuyingName: refs.groupBuyingName ?? '',
    sequence: o.sequence ?? null,
    status: o.status,
    statusName: ORDER_STATUS_NAMES[o.status] ?? '',
    userId: o.userId,
    userOpenId: refs.user?.openId ?? '',
    userName: refs.user?.nickname ?? '',
    userProfile: refs.user?.avatar ?? '',
    deliverType: o.deliverType,
    deliverTypeName: DELIVER_TYPE_NAMES[o.deliverType] ?? '',
    address: o.address,
    lbs: o.lbs,
    phone: o.phone,
    remark: o.remark,
    productName: o.productName,
    spec: o.spec,
    qty: o.qty,
    money: moneyNumber(o.money),
    payTime: formatDate(o.payTime),
    deliverCode: maskCode(o.deliverCode),
    createTime: formatDate(o.createTime)!,
    payNo: o.payNo,
    goodsMoney: moneyNumber(o.goodsMoney),
    couponMoney: moneyNumber(o.couponMoney),
    deliverFee: moneyNumber(o.deliverFee),
    trackingNo: o.trackingNo ?? null,
    teamId: o.teamId ?? null,
    refundStatus: o.refundStatus,
    deductionMoney: moneyNumber(o.deductionMoney),
    invoice: invoiceView(refs.invoice),
    preSale: adminPreSale(o),
  };
}

export class OrderSumData {
  @ApiProperty({ description: '数量合计' }) qty: number;
  @ApiProperty({ description: '金额合计', example: 20.0 }) money: number;
}

export class OrderPage {
  @ApiProperty({ type: [AdminOrderView] }) data: AdminOrderView[];
  @ApiProperty({ example: 1 }) pageIndex: number;
  @ApiProperty({ example: 20 }) pageSize: number;
  @ApiProperty({ example: 1 }) totalCount: number;
  @ApiProperty({ type: OrderSumData, description: '整个筛选结果（非本页）的合计' }) sumData: OrderSumData;
}

/** A deal with its latest orders and buyers (seed 001 `get`). */
export class DealDetailView extends DealView {
  @ApiProperty({ description: '团购订单（最近 100 条）', type: [AdminOrderView] }) orders: AdminOrderView[];
  @ApiProperty({ description: '购买人（已支付订单的不重复买家，最近 100 位）', type: [DealUserView] }) orderUsers: DealUserView[];
}

/** A pickup code as staff see it: only its last two digits, so a pickup always needs the buyer's code. */
export function maskCode(code: string | null | undefined): string | null {
  return code ? `******${code.slice(-2)}` : null;
}
