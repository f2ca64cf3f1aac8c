import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type Big from 'big.js';
import { money, moneyNumber, moneyString } from '../common/money';
import { formatDate } from '../common/time';
import { readDate } from '../database/sql';
import type { StoreDealRow } from './deal.repository';
import type { GroupBuying } from './group-buying.entity';

const DATE_EXAMPLE = '2026-01-15 10:11:34';

/** A deal in the admin API (seed 001's field names, plus limitPerUser, deliverFee, teamSize, teamHours, virtualTeam). */
export class DealView {
  @ApiProperty({ description: 'id', example: 24 }) id: number;
  @ApiProperty({ description: '门店Id', example: 1 }) shopId: number;
  @ApiProperty({ description: '门店', example: '示例门店' }) shopName: string;
  @ApiProperty({ description: '名称' }) name: string;
  @ApiProperty({ description: '描述' }) description: string;
  @ApiProperty({ description: '开始时间', example: DATE_EXAMPLE }) startTime: string;
  @ApiProperty({ description: '结束时间', example: DATE_EXAMPLE }) endTime: string;
  @ApiProperty({ description: '1:自提; 2:快递', example: 1 }) deliverType: number;
  @ApiProperty({ description: '地址' }) address: string;
  @ApiProperty({ description: '坐标' }) lbs: string;
  @ApiProperty({ description: '电话' }) phone: string;
  @ApiProperty({ description: '是否启用' }) inUse: boolean;
  @ApiProperty({ description: '商品Id', type: Number, nullable: true, example: 11 }) productId: number | null;
  @ApiProperty({ description: '商品名称' }) productName: string;
  @ApiProperty({ description: '商品编码' }) productCode: string;
  @ApiProperty({ description: '图片路径' }) imagePath: string;
  @ApiProperty({ description: '单价', example: 15.0 }) price: number;
  @ApiProperty({ description: '规格' }) spec: string;
  @ApiProperty({ description: '库存', example: 17 }) stock: number;
  @ApiProperty({ description: '已购数量（状态 1、3、4、8 订单的件数）', example: 18 }) payedCount: number;
  @ApiProperty({ description: '订单数量（未过期、未关闭的订单数）', example: 19 }) orderCount: number;
  @ApiProperty({ description: '访问次数', example: 20 }) visitTimes: number;
  @ApiProperty({ description: '创建人Id', type: Number, nullable: true, example: 21 }) userId: number | null;
  @ApiProperty({ description: '创建人名称' }) userName: string;
  @ApiProperty({ description: '创建时间', example: DATE_EXAMPLE }) createTime: string;
  @ApiProperty({ description: '每人限购数量（0 = 不限）', example: 0 }) limitPerUser: number;
  @ApiProperty({ description: '快递运费（每单）', example: 0 }) deliverFee: number;
  @ApiProperty({ description: '成团人数（0 = 普通团购；≥ 2 = 拼团）', example: 0 }) teamSize: number;
  @ApiProperty({ description: '拼团时限（小时）', example: 24 }) teamHours: number;
  @ApiProperty({ description: '虚拟成团（到期以机器人补齐）', example: false }) virtualTeam: boolean;
  @ApiProperty({ description: '预售（startTime–endTime 付定金，endTime–tailEndTime 付尾款）', example: false }) preSale: boolean;
  @ApiProperty({ description: '定金（每件；非预售为 null）', type: Number, nullable: true, example: null }) deposit: number | null;
  @ApiProperty({ description: '定金膨胀：每件定金可抵金额（非预售为 null）', type: Number, nullable: true, example: null })
  depositValue: number | null;
  @ApiProperty({ description: '尾款截止时间（非预售为 null）', type: String, nullable: true, example: null }) tailEndTime: string | null;
}

/** 购买人 / 访客 */
export class DealUserView {
  @ApiProperty({ description: 'id（用户 id）', example: 4 }) id: number;
  @ApiProperty({ description: '名称' }) name: string;
  @ApiProperty({ description: 'OpenId' }) openId: string;
  @ApiProperty({ description: '头像' }) profile: string;
}

export class DealSumData {
  @ApiProperty({ description: '库存合计' }) stock: number;
  @ApiProperty({ description: '已购数量合计' }) payedCount: number;
  @ApiProperty({ description: '订单数量合计' }) orderCount: number;
  @ApiProperty({ description: '访问次数合计' }) visitTimes: number;
}

export class DealPage {
  @ApiProperty({ type: [DealView] }) data: DealView[];
  @ApiProperty({ example: 1 }) pageIndex: number;
  @ApiProperty({ example: 20 }) pageSize: number;
  @ApiProperty({ example: 1 }) totalCount: number;
  @ApiProperty({ type: DealSumData, description: '整个筛选结果（非本页）的合计' }) sumData: DealSumData;
}

export class KeyValueView {
  @ApiProperty({ example: 1 }) key: number;
  @ApiProperty({ example: '自提' }) value: string;
}

/** A deal in the storefront API (snake_case, money as strings with two decimals). */
export class StoreDealView {
  @ApiProperty({ example: 11 }) id: number;
  @ApiProperty({ description: '名称' }) name: string;
  @ApiProperty({ description: '描述' }) description: string;
  @ApiProperty({ description: '商品Id', type: Number, nullable: true }) product_id: number | null;
  @ApiProperty({ description: '商品名称' }) product_name: string;
  @ApiProperty({ description: '商品编码' }) product_code: string;
  @ApiProperty({ description: '规格' }) spec: string;
  @ApiProperty({ description: '图片路径' }) image_path: string;
  @ApiProperty({ description: '单价', example: '29.90' }) price: string;
  @ApiProperty({ description: '库存' }) stock: number;
  @ApiProperty({ description: '已购数量' }) payed_count: number;
  @ApiProperty({ description: '开始时间', example: DATE_EXAMPLE }) start_time: string;
  @ApiProperty({ description: '结束时间', example: DATE_EXAMPLE }) end_time: string;
  @ApiProperty({ description: '1:自提; 2:快递', example: 1 }) deliver_type: number;
  @ApiProperty({ description: '快递运费（每单）', example: '0.00' }) deliver_fee: string;
  @ApiProperty({ description: '门店Id' }) shop_id: number;
  @ApiProperty({ description: '门店' }) shop_name: string;
  @ApiProperty({ description: '地址' }) address: string;
  @ApiProperty({ description: '坐标' }) lbs: string;
  @ApiProperty({ description: '电话' }) phone: string;
  @ApiProperty({ description: '每人限购数量（0 = 不限）' }) limit_per_user: number;
  @ApiProperty({ description: '成团人数（0 = 普通团购）' }) team_size: number;
  @ApiProperty({ description: '是否启用（详情中可能为 false：已下架）' }) in_use: boolean;
  @ApiPropertyOptional({ description: '预售：start_time–end_time 付定金，end_time–tail_end_time 付尾款', example: false })
  pre_sale?: boolean;
  @ApiPropertyOptional({ description: '定金（每件；仅预售商品）', type: String, nullable: true, example: null }) deposit?: string | null;
  @ApiPropertyOptional({ description: '定金膨胀：每件定金可抵金额（仅预售商品）', type: String, nullable: true, example: null })
  deposit_value?: string | null;
  @ApiPropertyOptional({ description: '尾款（每件 = price − deposit_value；仅预售商品）', type: String, nullable: true, example: null })
  tail_price?: string | null;
  @ApiPropertyOptional({ description: '尾款开始时间（= end_time；仅预售商品）', type: String, nullable: true, example: null })
  tail_start_time?: string | null;
  @ApiPropertyOptional({ description: '尾款截止时间（仅预售商品）', type: String, nullable: true, example: null }) tail_end_time?:
    string | null;
}

export class StoreDealPage {
  @ApiProperty({ type: [StoreDealView] }) list: StoreDealView[];
  @ApiProperty({ example: 1 }) total: number;
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 10 }) limit: number;
}

export class StoreDealListResponse {
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ example: 'ok' }) msg: string;
  @ApiProperty({ type: StoreDealPage }) data: StoreDealPage;
}

export class StoreDealDetailResponse {
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ example: 'ok' }) msg: string;
  @ApiProperty({ type: StoreDealView }) data: StoreDealView;
}

export function toDealView(g: GroupBuying, shopName = ''): DealView {
  return {
    id: g.id,
    shopId: g.shopId,
    shopName,
    name: g.name,
    description: g.description ?? '',
    startTime: formatDate(g.startTime)!,
    endTime: formatDate(g.endTime)!,
    deliverType: g.deliverType,
    address: g.address,
    lbs: g.lbs,
    phone: g.phone,
    inUse: !!g.inUse,
    productId: g.productId ?? null,
    productName: g.productName,
    productCode: g.productCode,
    imagePath: g.imagePath,
    price: moneyNumber(g.price),
    spec: g.spec,
    stock: g.stock,
    payedCount: g.payedCount,
    orderCount: g.orderCount,
    visitTimes: g.visitTimes,
    userId: g.userId ?? null,
    userName: g.userName,
    createTime: formatDate(g.createTime)!,
    limitPerUser: g.limitPerUser,
    deliverFee: moneyNumber(g.deliverFee),
    teamSize: g.teamSize,
    teamHours: g.teamHours,
    virtualTeam: !!g.virtualTeam,
    preSale: !!g.preSale,
    deposit: g.preSale && g.deposit ? moneyNumber(g.deposit) : null,
    depositValue: g.preSale && g.depositValue ? moneyNumber(g.depositValue) : null,
    tailEndTime: g.preSale ? formatDate(g.tailEndTime) : null,
  };
}

export function toStoreDealView(g: GroupBuying, shopName = ''): StoreDealView {
  return {
    id: g.id,
    name: g.name,
    description: g.description ?? '',
    product_id: g.productId ?? null,
    product_name: g.productName,
    product_code: g.productCode,
    spec: g.spec,
    image_path: g.imagePath,
    price: moneyString(g.price),
    stock: g.stock,
    payed_count: g.payedCount,
    start_time: formatDate(g.startTime)!,
    end_time: formatDate(g.endTime)!,
    deliver_type: g.deliverType,
    deliver_fee: moneyString(g.deliverFee),
    shop_id: g.shopId,
    shop_name: shopName,
    address: g.address,
    lbs: g.lbs,
    phone: g.phone,
    limit_per_user: g.limitPerUser,
    team_size: g.teamSize,
    in_use: !!g.inUse,
    ...(g.preSale ? storePreSale(g.preSale, g.price, g.deposit, g.depositValue, g.endTime, g.tailEndTime) : {}),
  };
}

/** The storefront view from the plain row of DealRepository.storeView (same fields as toStoreDealView). */
export function storeDealViewOf(r: StoreDealRow): StoreDealView {
  return {
    id: Number(r.id),
    name: r.name,
    description: r.description ?? '',
    product_id: r.product_id === null || r.product_id === undefined ? null : Number(r.product_id),
    product_name: r.product_name,
    product_code: r.product_code,
    spec: r.spec,
    image_path: r.image_path,
    price: moneyString(money(r.price)),
    stock: Number(r.stock),
    payed_count: Number(r.payed_count),
    start_time: formatDate(readDate(r.start_time))!,
    end_time: formatDate(readDate(r.end_time))!,
    deliver_type: Number(r.deliver_type),
    deliver_fee: moneyString(money(r.deliver_fee)),
    shop_id: Number(r.shop_id),
    shop_name: r.shop_name ?? '',
    address: r.address,
    lbs: r.lbs,
    phone: r.phone,
    limit_per_user: Number(r.limit_per_user),
    team_size: Number(r.team_size),
    in_use: r.in_use === true || Number(r.in_use) === 1,
    ...storePreSaleOf(
      r.pre_sale === true || Number(r.pre_sale) === 1,
      money(r.price),
      r.deposit === null ? null : money(r.deposit),
      r.deposit_value === null ? null : money(r.deposit_value),
      readDate(r.end_time),
      r.tail_end_time === null ? null : readDate(r.tail_end_time),
    ),
  };
}

type StorePreSale = Pick<StoreDealView, 'pre_sale' | 'deposit' | 'deposit_value' | 'tail_price' | 'tail_start_time' | 'tail_end_time'>;

/** The pre-sale fields of a storefront deal: only on pre-sale deals (a plain deal's view is as before). */
function storePreSaleOf(...args: Parameters<typeof storePreSale>): Partial<StorePreSale> {
  return args[0] ? storePreSale(...args) : {};
}

/** What a shopper must see before buying a pre-sale deal: the deposit, what it counts for, the balance and both windows. */
function storePreSale(
  preSale: boolean,
  price: Big,
  deposit: Big | null,
  depositValue: Big | null,
  endTime: Date,
  tailEndTime: Date | null,
): StorePreSale {
  if (!preSale || !deposit)
    return { pre_sale: false, deposit: null, deposit_value: null, tail_price: null, tail_start_time: null, tail_end_time: null };
  const value = depositValue ?? deposit;
  return {
    pre_sale: true,
    deposit: moneyString(deposit),
    deposit_value: moneyString(value),
    tail_price: moneyString(price.minus(value)),
    tail_start_time: formatDate(endTime),
    tail_end_time: formatDate(tailEndTime),
  };
}
