import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import Big from 'big.js';
import { moneyNumber } from '../common/money';
import { formatDate } from '../common/time';
import { readDate } from '../database/sql';
import type { DealSummaryRow } from '../group-buying/deal.repository';
import { TeamView } from '../team/team.view';
import type { Order } from './order.entity';
import { OrderStatus, PAID_STATUSES } from './order-status';
import { preSalePayStatus, PreSalePayStatus } from './presale.view';

/** seed 002 `commodities` item. */
export class CliCommodityView {
  @ApiProperty({ description: '商品名称', example: '课程A' }) name: string;
  @ApiProperty({ description: '商品编码', example: 'dad66ea9c615a0d6' }) code: string;
  @ApiProperty({ description: '单价', example: 0.1 }) price: number;
  @ApiProperty({ description: '封面（图片路径）', example: '' }) cover: string;
}

/** seed 002 `orders.deposit` / `orders.tail`. */
export class CliPaymentView {
  @ApiProperty({ description: '金额', example: 10 }) price: number;
  @ApiProperty({ description: '支付方式（sandbox | wechat_jsapi）', nullable: true, type: String }) pay_type: string | null;
  @ApiProperty({ description: '支付时间', nullable: true, type: String }) pay_at: string | null;
  @ApiProperty({ description: '下单时间（尾款：发起支付的时间之前为 null）', nullable: true, type: String }) order_at: string | null;
  @ApiProperty({ description: 'wait | success | closed | refund', example: 'wait' }) pay_status: string;
}

export class CliPaymentsView {
  @ApiProperty({ description: '定金', type: CliPaymentView }) deposit: CliPaymentView;
  @ApiProperty({ description: '尾款', type: CliPaymentView }) tail: CliPaymentView;
}

/** seed 002 `pre_sale`: the deal's pre-sale terms. */
export class CliPreSaleView {
  @ApiProperty({ description: '预售 id（= 团购 id）', example: 14 }) id: number;
  @ApiProperty({ description: '团购 id', example: 14 }) commodity_id: number;
  @ApiProperty({ description: '预售价（单价）', example: 1 }) pre_price: number;
  @ApiProperty({ description: '定金（每件）', example: 0.1 }) deposit: number;
  @ApiProperty({ description: '定金开始时间', example: '2018-07-30 10:00:00' }) pre_start_at: string;
  @ApiProperty({ description: '定金结束时间（= 尾款开始时间）', example: '2018-08-15 10:00:00' }) pre_end_at: string;
  @ApiProperty({ description: '尾款截止时间', example: '2018-08-31 16:00:29' }) pay_end_at: string;
  @ApiProperty({ description: '创建时间', example: '2018-07-31 15:25:34' }) created_at: string;
}

/** 订单详情 (seed 002): plain, pre-sale (`remark: "order"`) and team (`remark: "groupon"`) orders. */
export class CliOrderView {
  @ApiProperty({ description: '订单 id', example: 6 }) id: number;
  @ApiProperty({ description: '订单编号（= code）', example: 'tg2026011510113412345' }) order_number: string;
  @ApiProperty({ description: '团购 id', example: 7 }) commodity_id: number;
  @ApiProperty({ description: '用户 id', example: 1 }) user_id: number;
  @ApiProperty({ description: '已付金额（预售：已付的定金与尾款之和）', example: 0.1 }) price: number;
  @ApiProperty({ description: '支付方式（sandbox | wechat_jsapi）', example: 'wechat_jsapi' }) pay_type: string;
  @ApiProperty({ description: 'wait | success | closed | refund', example: 'success' }) pay_status: string;
  @ApiProperty({ description: '下单时间' }) order_at: string;
  @ApiProperty({ description: '创建时间' }) created_at: string;
  @ApiProperty({ description: '支付截止时间（预售已付定金：尾款截止时间）', nullable: true, type: String }) expire_at: string | null;
  @ApiProperty({ description: '支付时间（预售：最近一次支付）', nullable: true, type: String }) pay_at: string | null;
  @ApiProperty({ description: '上级订单（恒为 null）', nullable: true, type: Number, example: null }) parent_id: null;
  @ApiProperty({ description: '分销员（恒为 null）', nullable: true, type: Number, example: null }) marketer_id: null;
  @ApiProperty({ description: '分销比例（恒为 null）', nullable: true, type: Number, example: null }) marketer_rate: null;
  @ApiProperty({ description: '"order": 预定订单; "groupon": 团购订单; 普通订单为 null', nullable: true, type: String }) remark:
    string | null;
  @ApiProperty({ description: '买家备注', nullable: true, type: String }) note: string | null;
  @ApiProperty({ description: '商品', type: [CliCommodityView] }) commodities: CliCommodityView[];
  @ApiProperty({ description: '优惠金额', example: 0 }) coupon_price: number;
  @ApiPropertyOptional({ description: '定金与尾款（仅预定订单）', type: CliPaymentsView }) orders?: CliPaymentsView;
  @ApiPropertyOptional({ description: '预售（仅预定订单）', type: CliPreSaleView }) pre_sale?: CliPreSaleView;
  @ApiPropertyOptional({ description: '拼团（仅团购订单，同 GET /api/group/team/{id}）', type: TeamView }) groupon?: TeamView;
}

export class CliOrderResponse {
  @ApiProperty({ example: 'success', description: 'success | error' }) result: string;
  @ApiProperty({ example: '操作成功' }) message: string;
  @ApiProperty({ type: CliOrderView }) data: CliOrderView;
}

const at = (d: Date | string | null | undefined): string | null => (d ? formatDate(readDate(d)) : null);

function plainPayStatus(status: number): PreSalePayStatus {
  if (PAID_STATUSES.includes(status)) return 'success';
  if (status === OrderStatus.REFUNDED) return 'refund';
  if (status === OrderStatus.EXPIRED || status === OrderStatus.CLOSED) return 'closed';
  return 'wait';
}

/** The seed 002 order detail of one order of the caller. */
export function toCliOrderView(o: Order, provider: string, deal: DealSummaryRow | undefined, team: TeamView | null): CliOrderView {
  const payType = provider === 'wechat' ? 'wechat_jsapi' : 'sandbox';
  const preSale = !!o.depositMoney;
  const s = preSale ? preSalePayStatus(toRow(o)) : null;
  const depositPaid = preSale && !!o.depositPayTime;
  const tailPaid = preSale && !!o.tailPayTime;
  const paid = preSale
    ? (depositPaid ? o.depositMoney! : new Big(0)).plus(tailPaid ? o.tailMoney! : new Big(0))
    : o.payTime
      ? o.money
      : new Big(0);
  let payStatus = plainPayStatus(o.status);
  if (s)
    payStatus =
      o.status === OrderStatus.REFUNDED
        ? 'refund'
        : s.tail === 'success'
          ? 'success'
          : s.deposit === 'closed' || s.tail === 'closed'
            ? 'closed'
            : 'wait';
  const view: CliOrderView = {
    id: o.id,
    order_number: o.code,
    commodity_id: o.groupBuyingId,
    user_id: o.userId,
    price: moneyNumber(paid),
    pay_type: payType,
    pay_status: payStatus,
    order_at: formatDate(o.createTime)!,
    created_at: formatDate(o.createTime)!,
    expire_at: depositPaid ? formatDate(o.tailEndTime) : formatDate(o.expireTime),
    pay_at: preSale ? formatDate(o.tailPayTime ?? o.depositPayTime) : formatDate(o.payTime),
    parent_id: null,
    marketer_id: null,
    marketer_rate: null,
    remark: preSale ? 'order' : o.teamId !== null ? 'groupon' : null,
    note: o.remark || null,
    commodities: [{ name: o.productName, code: deal?.product_code ?? '', price: moneyNumber(o.price), cover: o.imagePath }],
    coupon_price: moneyNumber(o.couponMoney),
  };
  if (preSale && s) {
    view.orders = {
      deposit: {
        price: moneyNumber(o.depositMoney!),
        pay_type: payType,
        pay_at: formatDate(o.depositPayTime),
        order_at: formatDate(o.createTime),
        pay_status: s.deposit,
      },
      tail: {
        price: moneyNumber(o.tailMoney ?? new Big(0)),
        pay_type: o.tailPayNo ? payType : null,
        pay_at: formatDate(o.tailPayTime),
        order_at: formatDate(o.tailPayTime),
        pay_status: s.tail,
      },
    };
    view.pre_sale = {
      id: o.groupBuyingId,
      commodity_id: o.groupBuyingId,
      pre_price: moneyNumber(o.price),
      deposit: moneyNumber(o.depositMoney!.div(o.qty)),
      pre_start_at: at(deal?.start_time) ?? '',
      pre_end_at: formatDate(o.tailStartTime) ?? '',
      pay_end_at: formatDate(o.tailEndTime) ?? '',
      created_at: at(deal?.create_time) ?? '',
    };
  }
  if (team) view.groupon = team;
  return view;
}

const toRow = (o: Order) => ({
  status: o.status,
  deposit_money: o.depositMoney,
  tail_money: o.tailMoney,
  deposit_pay_time: o.depositPayTime,
  tail_pay_time: o.tailPayTime,
  tail_start_time: o.tailStartTime,
  tail_end_time: o.tailEndTime,
});
