import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { OptionalUser, Public, UserAuthOptional } from '../auth/auth.decorators';
import type { StoreIdentity } from '../auth/auth.types';
import { storeOk } from '../common/envelope';
import { DealIdQuery, StoreDealListQuery } from './group-buying.dto';
import { GroupBuyingService } from './group-buying.service';
import { StoreDealDetailResponse, StoreDealListResponse } from './group-buying.view';
import { ApiErrors } from '../common/api-errors';

/** 团购前台: deals on sale. */
@ApiTags('groupbuying 团购（前台）')
@Controller('api/group/groupbuying')
export class GroupBuyingStoreController {
  constructor(private readonly deals: GroupBuyingService) {}

  @Get('list')
  @Public()
  @ApiOperation({ summary: '团购列表', description: '启用、在活动时间内、未删除的团购；不传 shop_id / tenant_id 时为所有租户的团购。' })
  @ApiOkResponse({ type: StoreDealListResponse })
  async list(@Query() q: StoreDealListQuery) {
    return storeOk(await this.deals.storeList(q));
  }

  @Get('detail/:id')
  @UserAuthOptional()
  @ApiOperation({
    summary: '团购详情',
    description:
      '计入访问次数；带用户凭证时记录访客（在内存中计数，约每秒写入一次）。详情在每个实例缓存约 1 秒：其中的 stock、payed_count 可能滞后至多约 1 秒，后台修改约 1-2 秒内可见；不存在或已删除的团购为 404（同样短暂缓存）。',
  })
  @ApiParam({ name: 'id', type: Number, description: '团购 id' })
  @ApiOkResponse({ type: StoreDealDetailResponse })
  @ApiErrors(404)
  async detail(@Param() p: DealIdQuery, @OptionalUser() user?: StoreIdentity) {
    return storeOk(await this.deals.storeDetail(p.id, user?.userId));
  }
}
