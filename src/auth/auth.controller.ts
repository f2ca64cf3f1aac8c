import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { adminOk, storeOk } from '../common/envelope';
import { Public } from './auth.decorators';
import { AdminLoginDto, AdminLoginResponse, StoreLoginDto, StoreLoginResponse } from './auth.dto';
import { AuthService } from './auth.service';
import { LoginRateLimitGuard } from './login-rate-limit.guard';
import { ApiErrors } from '../common/api-errors';

@ApiTags('auth 登录')
@Controller()
@UseGuards(LoginRateLimitGuard)
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('api/group/auth/login')
  @HttpCode(200)
  @Public()
  @ApiOperation({
    summary: '前台登录',
    description:
      '`{code}`：微信小程序 jscode2session 登录；`AUTH_DEV_LOGIN` 开启时也可 `{openId, nickname?, avatar?}`。`avatar` 须为 `https://` URL，否则存为空。token 放在请求头 `Authori-Zation: Bearer <token>`（`Authorization` 亦可）。每 IP 每分钟限 `LOGIN_RATE_LIMIT_PER_MINUTE` 次。',
  })
  @ApiOkResponse({ type: StoreLoginResponse })
  @ApiErrors(401, 429)
  async storeLogin(@Body() dto: StoreLoginDto) {
    return storeOk(await this.auth.storeLogin(dto));
  }

  @Post('api/marketing/auth/login')
  @HttpCode(200)
  @Public()
  @ApiOperation({
    summary: '管理端登录',
    description:
      '用户名密码登录，返回 admin token（`Authorization: Bearer <token>`）。每 IP 每分钟限 `LOGIN_RATE_LIMIT_PER_MINUTE` 次；同一用户名连续 10 次密码错误后锁定 15 分钟（429，与 IP 无关，锁定期间正确密码也是 429）。',
  })
  @ApiOkResponse({ type: AdminLoginResponse })
  @ApiErrors(401, 429)
  async adminLogin(@Body() dto: AdminLoginDto) {
    return adminOk(await this.auth.adminLogin(dto.username, dto.password));
  }
}
