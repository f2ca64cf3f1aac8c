import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAuth } from '../auth/auth.decorators';
import { keyValues } from '../group-buying/deal.rules';
import { DealIdQuery } from '../group-buying/group-buying.dto';
import { KeyValueView } from '../group-buying/group-buying.view';
import { Scope, TenantScope } from '../tenant/tenant-scope';
import { DealOrderListQuery, OrderIdQuery, OrderListQuery } from './dto/order-admin.dto';
import { AdminOrderView, DealDetailView, OrderPage } from './order-admin.view';
import { OrderQueryService } from './order-query.service';
import { ORDER_STATUS_NAMES } from './order-status';
import { ApiErrors } from '../common/api-errors';

/**
 * 团购订单查询 (seed 001): the tenant's deal orders, read only, under the deals' admin prefix.
 * Operation ids stay those clients were generated with when these routes were served with the deals.
 */
@ApiTags('groupbuying 团购（管理端）')
@Controller('api/marketing/groupbuying')
@AdminAuth()
export class GroupBuyingOrderAdminController {
  constructor(private readonly orders: OrderQueryService) {}

  @Get('get')
  @ApiOperation({
    summary: '获取团购信息',
    description: '团购及其最近 100 条订单（orders）和已支付订单的不重复购买人（orderUsers，最近 100 位）。',
    operationId: 'GroupBuyingAdminController_get',
  })
  @ApiOkResponse({ type: DealDetailView })
  @ApiErrors(404)
  deal(@Scope() scope: TenantScope, @Query() q: DealIdQuery) {
    return this.orders.dealDetail(scope, q.id);
  }

  @Get('getorderstatuslist')
  @ApiOperation({ summary: '获取订单状态列表', operationId: 'GroupBuyingAdminController_orderStatuses' })
  @ApiOkResponse({ type: [KeyValueView] })
  orderStatuses(): KeyValueView[] {
    return keyValues(ORDER_STATUS_NAMES);
  }

  @Get('getorder')
  @ApiOperation({ summary: '获取团购订单信息' })
  @ApiOkResponse({ type: AdminOrderView })
  @ApiErrors(404)
  get(@Scope() scope: TenantScope, @Query() q: OrderIdQuery) {
    return this.orders.getOrder(scope, q.id);
  }

  @Get('getorderlistbygroupbuying')
  @ApiOperation({ summary: '根据团购获取团购订单列表', description: '按下单时间倒序分页；sumData 为整个筛选结果的 qty、money 合计。' })
  @ApiOkResponse({ type: OrderPage })
  @ApiErrors(404)
  listByDeal(@Scope() scope: TenantScope, @Query() q: DealOrderListQuery) {
    return this.orders.listByDeal(scope, q);
  }

  @Get('getorderlist')
  @ApiOperation({
    summary: '获取团购订单列表',
    description:
      'sort ∈ createTime、payTime、money、qty、sequence（默认 createTime）；order=true 升序，否则降序；sumData 为整个筛选结果的 qty、money 合计。',
  })
  @ApiOkResponse({ type: OrderPage })
  list(@Scope() scope: TenantScope, @Query() q: OrderListQuery) {
    return this.orders.list(scope, q);
  }
}
