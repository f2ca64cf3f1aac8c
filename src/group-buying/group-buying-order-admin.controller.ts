import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAuth, Scope } from '../auth/auth.decorators';
import { AdminOrderView } from '../order/order-admin.view';
import { TenantScope } from '../tenant/tenant-scope';
import { DealOrderQueryService } from './deal-order-query.service';
import { DealOrderListQuery, OrderIdQuery, OrderListQuery } from './group-buying.dto';
import { OrderPage } from './group-buying.view';

/** 团购订单查询 (seed 001): the tenant's deal orders, read only. */
@ApiTags('groupbuying 团购（管理端）')
@Controller('api/marketing/groupbuying')
@AdminAuth()
export class GroupBuyingOrderAdminController {
  constructor(private readonly orders: DealOrderQueryService) {}

  @Get('getorder')
  @ApiOperation({ summary: '获取团购订单信息' })
  @ApiOkResponse({ type: AdminOrderView })
  get(@Scope() scope: TenantScope, @Query() q: OrderIdQuery) {
    return this.orders.getOrder(scope, q.id);
  }

  @Get('getorderlistbygroupbuying')
  @ApiOperation({ summary: '根据团购获取团购订单列表', description: '按下单时间倒序分页；sumData 为整个筛选结果的 qty、money 合计。' })
  @ApiOkResponse({ type: OrderPage })
  listByDeal(@Scope() scope: TenantScope, @Query() q: DealOrderListQuery) {
    return this.orders.listByDeal(scope, q);
  }

  @Get('getorderlist')
  @ApiOperation({
    summary: '获取团购订单列表',
    description: 'sort ∈ createTime、payTime、money、qty、sequence（默认 createTime）；order=true 升序，否则降序；sumData 为整个筛选结果的 qty、money 合计。',
  })
  @ApiOkResponse({ type: OrderPage })
  list(@Scope() scope: TenantScope, @Query() q: OrderListQuery) {
    return this.orders.list(scope, q);
  }
}
