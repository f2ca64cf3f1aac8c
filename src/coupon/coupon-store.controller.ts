import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, UserAuth } from '../auth/auth.decorators';
import type { StoreIdentity } from '../auth/auth.types';
import { storeOk } from '../common/envelope';
import {
  MemberCouponPageResponse,
  MemberCouponResponse,
  MineQuery,
  ReceiveCouponDto,
  StoreCouponListQuery,
  StoreCouponListResponse,
} from './coupon.dto';
import { CouponService } from './coupon.service';
import { ApiErrors } from '../common/api-errors';

@ApiTags('coupon 优惠券（前台）')
@Controller('api/group/coupon')
@UserAuth()
export class CouponStoreController {
  constructor(private readonly coupons: CouponService) {}

  @Get('list')
  @ApiOperation({
    summary: '可领取的优惠券',
    description: '启用、未删除、未领完、（固定有效期的）未结束的优惠券；received 为当前用户已领张数，can_receive 为还能否领取。',
  })
  @ApiOkResponse({ type: StoreCouponListResponse })
  async list(@CurrentUser() user: StoreIdentity, @Query() q: StoreCouponListQuery) {
    return storeOk(await this.coupons.listReceivable(user.userId, q));
  }

  @Post('receive')
  @HttpCode(200)
  @ApiOperation({
    summary: '领取优惠券',
    description: '并发下也遵守发放总量 total 与每人限领 get_max：已领完或超过限领 → 409 status 1001；不存在、已删除或未启用 → 404。',
  })
  @ApiOkResponse({ type: MemberCouponResponse })
  @ApiErrors(404, 1001)
  async receive(@CurrentUser() user: StoreIdentity, @Body() dto: ReceiveCouponDto) {
    return storeOk(await this.coupons.receive(user.userId, dto.coupon_id));
  }

  @Get('mine')
  @ApiOperation({ summary: '我的优惠券', description: 'status: usable 可使用, used 已使用, expired 已过期；不传为全部。最新领取的在前。' })
  @ApiOkResponse({ type: MemberCouponPageResponse })
  async mine(@CurrentUser() user: StoreIdentity, @Query() q: MineQuery) {
    return storeOk(await this.coupons.mine(user.userId, q));
  }
}
