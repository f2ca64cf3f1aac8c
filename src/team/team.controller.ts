import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { storeOk } from '../common/envelope';
import { TeamIdParam } from './team.dto';
import { TeamService } from './team.service';
import { TeamResponse } from './team.view';
import { ApiErrors } from '../common/api-errors';

/** 拼团 (contract §7, seed 002 `groupon`). */
@ApiTags('team 拼团（前台）')
@Controller('api/group/team')
export class TeamController {
  constructor(private readonly teams: TeamService) {}

  @Get(':id')
  @Public()
  @ApiOperation({
    summary: '拼团详情',
    description:
      '分享给好友的拼团页，无需登录。member_count / max_count 为成团人数；user_count 为已占位人数（已支付或待支付），pay_user_count 为已支付人数；status: active 拼团中, success 已成团, fail 拼团失败。未知 id 为 404。',
  })
  @ApiParam({ name: 'id', type: Number, description: '拼团 id' })
  @ApiOkResponse({ type: TeamResponse })
  @ApiErrors(404)
  async get(@Param() p: TeamIdParam) {
    return storeOk(await this.teams.view(p.id));
  }
}
