import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, UserAuth } from '../auth/auth.decorators';
import type { StoreIdentity } from '../auth/auth.types';
import { storeOk } from '../common/envelope';
import { StoreLedgerQuery, StoreLedgerResponse, StoreWalletQuery, StoreWalletResponse } from './member.dto';
import { MemberWalletService } from './member-wallet.service';

@ApiTags('member 我的积分与余额（前台）')
@Controller('api/group/member')
@UserAuth()
export class MemberStoreController {
  constructor(private readonly wallets: MemberWalletService) {}

  @Get('wallet')
  @ApiOperation({
    summary: '我的钱包',
    description: '当前用户在该租户的积分、余额，以及多少积分抵 1.00 元（point_value）；没有钱包时为 0。',
  })
  @ApiOkResponse({ type: StoreWalletResponse })
  async wallet(@CurrentUser() user: StoreIdentity, @Query() q: StoreWalletQuery) {
    return storeOk(await this.wallets.wallet(user.userId, q));
  }

  @Get('ledger')
  @ApiOperation({ summary: '我的积分/余额流水', description: '最新在前；kind 筛选 point/balance；余额金额为两位小数字符串，积分为整数。' })
  @ApiOkResponse({ type: StoreLedgerResponse })
  async ledger(@CurrentUser() user: StoreIdentity, @Query() q: StoreLedgerQuery) {
    return storeOk(await this.wallets.ledger(user.userId, q));
  }
}
