import { Body, Controller, Get, Headers, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentUser, UserAuth } from '../auth/auth.decorators';
import type { StoreIdentity } from '../auth/auth.types';
import { storeOk } from '../common/envelope';
import { Codes, DomainError } from '../common/errors';
import { CheckoutService } from './checkout.service';
import {
  AddressDto,
  CommentDto,
  ComputeOrderDto,
  CreateOrderDto,
  GoodsLineDto,
  OrderCodeDto,
  OrderListDto,
  SeedOrderDto,
} from './dto/checkout.dto';
import { OrderService } from './order.service';
import { StoreOrderView } from './order-store.view';
import { StorePreSaleView } from './presale.view';
import { ApiErrors } from '../common/api-errors';

class AmountItem {
  @ApiProperty({ example: 'total_goods_price' }) code: string;
  @ApiProperty({ example: '商品总金额' }) name: string;
  @ApiProperty({ example: '400.00' }) amount: string;
}
class CheckoutOrderLine {
  @ApiPropertyOptional({ description: '订单编号（createOrder）' }) code?: string;
  @ApiProperty({ description: '团购 id' }) group_buying_id: number;
  @ApiProperty({ description: '门店 id' }) shop_id: number;
  @ApiProperty({ description: '店铺名' }) shop_name: string;
  @ApiProperty({ description: '商品名' }) product_name: string;
  @ApiProperty({ description: '规格' }) spec: string;
  @ApiProperty({ description: '图片' }) image_path: string;
  @ApiProperty({ description: '1:自提; 2:快递' }) deliver_type: number;
  @ApiProperty({ description: '单价', example: '200.00' }) price: string;
  @ApiProperty({ description: '数量' }) quantity: number;
  @ApiProperty({ description: '商品总价', example: '400.00' }) goods_price: string;
  @ApiProperty({ description: '优惠金额（按商品金额比例分摊，舍到分，余数给金额最大的行）', example: '5.00' }) coupon_price: string;
  @ApiProperty({ description: '配送费', example: '0.00' }) dispatch_price: string;
  @ApiProperty({ description: '抵扣金额（积分+余额，按券后商品金额比例分摊，舍到分，余数给金额最大的行）', example: '0.00' })
  deduction_price: string;
  @ApiProperty({ description: '实付（预售：定金 × 数量）', example: '395.00' }) pay_price: string;
  @ApiPropertyOptional({ description: '预售（仅预售商品）：定金与尾款，均为 wait', type: StorePreSaleView }) presale?: StorePreSaleView;
  @ApiPropertyOptional({ description: '拼团 id（拼团商品的 createOrder：开团或参团的团，分享给好友）', example: 7 }) team_id?: number;
}
class DeductionOption {
  @ApiProperty({ description: '抵扣项代码: point 积分; balance 余额', example: 'point' }) code: string;
  @ApiProperty({ description: '抵扣项名称', example: '积分' }) name: string;
  @ApiProperty({ description: '可抵扣金额', example: '100.00' }) usable_amount: string;
  @ApiProperty({ description: '可抵扣数量（积分为积分数，余额为元）', example: 10000 }) usable_coin: number;
  @ApiProperty({ description: '已抵扣金额', example: '100.00' }) used_amount: string;
  @ApiProperty({ description: '已抵扣数量', example: 10000 }) used_coin: number;
}
class MemberCouponOption {
  @ApiProperty({ description: '用户优惠券id' }) id: number;
  @ApiProperty({ description: '优惠券id' }) coupon_id: number;
  @ApiProperty({ description: '优惠券名' }) name: string;
  @ApiProperty({ description: '1 满减; 2 折扣' }) coupon_method: number;
  @ApiProperty({ description: '金额限制', example: '100.00' }) enough: string;
  @ApiProperty({ description: '优惠金额', example: '10.00' }) deduct: string;
  @ApiProperty({ description: '优惠折扣', example: '0.00' }) discount: string;
  @ApiProperty({ description: '开始使用时间' }) time_start: string;
  @ApiProperty({ description: '过期时间' }) time_end: string;
  @ApiProperty({ description: '是否可用' }) valid: boolean;
  @ApiProperty({ description: '是否选中' }) checked: boolean;
  @ApiProperty({ description: '不可用原因', nullable: true, type: String }) reason: string | null;
}
class CheckoutDiscount {
  @ApiProperty({ type: [MemberCouponOption], description: '用户优惠券集合' }) member_coupons: MemberCouponOption[];
}
class CheckoutData {
  @ApiPropertyOptional({ description: '支付单号（createOrder；WeChat out_trade_no）' }) pay_no?: string;
  @ApiProperty({ description: '应付总额 = Σ pay_price', example: '300.00' }) total_price: string;
  @ApiProperty({ description: '商品总金额', example: '400.00' }) goods_price: string;
  @ApiProperty({ description: '总优惠', example: '100.00' }) discount_price: string;
  @ApiProperty({ description: '总运费', example: '0.00' }) dispatch_price: string;
  @ApiProperty({ type: [AmountItem], description: '金额项（含 total_deduction_price 总抵扣）' }) amount_items: AmountItem[];
  @ApiProperty({ description: '总抵扣（积分+余额）', example: '0.00' }) deduction_price: string;
  @ApiProperty({ type: [DeductionOption], description: '抵扣项（seed 003 order_goods_deductions）' }) deductions: DeductionOption[];
  @ApiProperty({ type: [CheckoutOrderLine], description: '订单集合（每个团购一单）' }) orders: CheckoutOrderLine[];
  @ApiProperty({ type: CheckoutDiscount, description: '优惠' }) discount: CheckoutDiscount;
}
class CheckoutResponse {
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ example: 'ok' }) msg: string;
  @ApiProperty({ type: CheckoutData }) data: CheckoutData;
}
class OrderInfoResponse {
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ example: 'ok' }) msg: string;
  @ApiProperty({ type: StoreOrderView }) data: StoreOrderView;
}
class OrderListPage {
  @ApiProperty({ type: [StoreOrderView] }) list: StoreOrderView[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() limit: number;
}
class OrderListResponse {
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ example: 'ok' }) msg: string;
  @ApiProperty({ type: OrderListPage }) data: OrderListPage;
}
class PayData {
  @ApiProperty({ description: 'sandbox: true（已支付）；wechat: false，需调起支付' }) paid: boolean;
  @ApiProperty() pay_no: string;
  @ApiPropertyOptional({ description: 'wechat: 小程序 appId' }) appId?: string;
  @ApiPropertyOptional({ description: 'wechat: 时间戳（秒，字符串）' }) timeStamp?: string;
  @ApiPropertyOptional() nonceStr?: string;
  @ApiPropertyOptional({ example: 'prepay_id=wx…' }) package?: string;
  @ApiPropertyOptional({ example: 'RSA' }) signType?: string;
  @ApiPropertyOptional() paySign?: string;
}
class PayResponse {
  @ApiProperty({ example: 701, description: '701 支付成功（已支付/沙箱结算）；200 需调起微信支付' }) status: number;
  @ApiProperty({ example: '支付成功' }) msg: string;
  @ApiProperty({ type: PayData }) data: PayData;
}
class OkResponse {
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ example: 'ok' }) msg: string;
}

const IDEMPOTENCY_KEY_RE = /^[\x21-\x7e]{1,255}$/;

@ApiTags('storefront orders 前台订单')
@ApiExtraModels(GoodsLineDto, AddressDto, SeedOrderDto)
@Controller('api/group/order')
@UserAuth()
export class OrderStoreController {
  constructor(
    private readonly checkout: CheckoutService,
    private readonly orders: OrderService,
  ) {}

  @Post('computedOrder')
  @HttpCode(200)
  @ApiOperation({
    summary: '计算订单',
    description:
      '按数据库价格计算结算单，不写入任何数据。`goods` 可为数组或 JSON 字符串；JSON 或表单提交均可。不可用的 `coupon_id` 以 `valid:false, checked:false, reason` 出现在 `member_coupons` 中，结算不使用它。',
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiOkResponse({ type: CheckoutResponse })
  @ApiErrors(404, 1001, 1002)
  async compute(@CurrentUser() u: StoreIdentity, @Body() dto: ComputeOrderDto) {
    return storeOk(await this.checkout.compute(u.userId, dto));
  }

  @Post('createOrder')
  @HttpCode(200)
  @ApiOperation({
    summary: '创建订单',
    description:
      '每个团购一单，共用一个 `pay_no`。在扣库存的事务内校验：团购存在（否则 404）、启用且在有效期内、每人限购（否则 409/1001）、库存（409/1002，任何并发下不超卖）、优惠券（409/1001，任何并发下只用一次）。`Idempotency-Key`（≤255 字符，按用户，保留 ≥24h）：同键同体返回首次结果；异体 422/801；首个请求仍在处理时重试会等待它。应付 0.00 的订单创建即支付。',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: '幂等键（≤ 255 个可见 ASCII 字符）' })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: CreateOrderDto })
  @ApiOkResponse({ type: CheckoutResponse })
  @ApiErrors(404, 409, 1001, 1002, 801, 429)
  async create(@CurrentUser() u: StoreIdentity, @Body() dto: CreateOrderDto, @Headers('idempotency-key') key: string | undefined) {
    if (key !== undefined && !IDEMPOTENCY_KEY_RE.test(key)) {
      throw DomainError.badRequest('参数错误 Idempotency-Key: 1-255 visible ASCII characters', [
        { field: 'Idempotency-Key', message: '1-255 visible ASCII characters' },
      ]);
    }
    return storeOk(await this.checkout.create(u.userId, dto, key));
  }

  @Get('order_info/:code')
  @ApiOperation({ summary: '订单详情', description: '调用者自己的订单；他人的订单为 404。' })
  @ApiOkResponse({ type: OrderInfoResponse })
  @ApiErrors(404)
  async info(@CurrentUser() u: StoreIdentity, @Param('code') code: string) {
    return storeOk(await this.orders.info(u.userId, code));
  }

  @Post('order_list')
  @HttpCode(200)
  @ApiOperation({
    summary: '订单列表',
    description: '订单状态（0：待支付，1：待收货，2：待评价，3：已完成，4：已退款）；不传为全部；按下单时间倒序。',
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiOkResponse({ type: OrderListResponse })
  async list(@CurrentUser() u: StoreIdentity, @Body() dto: OrderListDto) {
    return storeOk(await this.orders.list(u.userId, dto ?? {}));
  }

  @Get('payOrder/:code')
  @ApiOperation({
    summary: '订单支付',
    description:
      '支付该订单所属的整张结算单：已支付 → `{status:701, msg:"支付成功", data:{paid:true, pay_no}}`，不会重复扣款；已过期/已关闭 → 409/1003；sandbox 立即结算并返回 701；wechat 返回小程序调起支付参数（`status:200, data.paid:false`）。',
  })
  @ApiOkResponse({ type: PayResponse })
  @ApiErrors(404, 409, 1001, 1003)
  async pay(@CurrentUser() u: StoreIdentity, @Param('code') code: string) {
    const result = await this.orders.pay(u.userId, code);
    // a paid checkout answers 701 支付成功 (seed 000); one to finish at WeChat answers 200 with the client parameters
    return result.paid ? { status: Codes.PAID, msg: '支付成功', data: result } : storeOk(result);
  }

  @Post('cancel')
  @HttpCode(200)
  @ApiOperation({ summary: '取消订单', description: '未支付的结算单整单关闭（→ 6），库存与优惠券退回。' })
  @ApiOkResponse({ type: OkResponse })
  @ApiErrors(404, 409)
  async cancel(@CurrentUser() u: StoreIdentity, @Body() dto: OrderCodeDto) {
    await this.orders.cancel(u.userId, dto.code);
    return storeOk();
  }

  @Post('take')
  @HttpCode(200)
  @ApiOperation({ summary: '确认收货', description: '已发货 → 已完成。' })
  @ApiOkResponse({ type: OkResponse })
  @ApiErrors(404, 409)
  async take(@CurrentUser() u: StoreIdentity, @Body() dto: OrderCodeDto) {
    await this.orders.take(u.userId, dto.code);
    return storeOk();
  }

  @Post('comment')
  @HttpCode(200)
  @ApiOperation({ summary: '评价订单', description: '已完成的订单评价一次（score 1-5）；重复评价 409。' })
  @ApiOkResponse({ type: OkResponse })
  @ApiErrors(404, 409)
  async comment(@CurrentUser() u: StoreIdentity, @Body() dto: CommentDto) {
    await this.orders.comment(u.userId, dto);
    return storeOk();
  }
}
