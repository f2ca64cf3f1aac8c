import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { Trim } from '../common/transforms';

export class StoreLoginDto {
  @ApiPropertyOptional({ description: '小程序 wx.login 得到的 code（jscode2session）' })
  @ValidateIf((o: StoreLoginDto) => o.openId === undefined)
  @IsString()
  @IsNotEmpty({ message: 'code or openId is required' })
  @MaxLength(128)
  code?: string;

  @ApiPropertyOptional({ description: '开发登录：直接给 openId（AUTH_DEV_LOGIN 开启时）' })
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  openId?: string;

  @ApiPropertyOptional({ description: '昵称' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  nickname?: string;

  @ApiPropertyOptional({ description: '头像 URL' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  avatar?: string;
}

export class StoreUserView {
  @ApiProperty() id: number;
  @ApiProperty() open_id: string;
  @ApiProperty() nickname: string;
  @ApiProperty() avatar: string;
}

export class StoreLoginData {
  @ApiProperty() token: string;
  @ApiProperty({ description: '有效期（秒）' }) expires_in: number;
  @ApiProperty({ type: StoreUserView }) user: StoreUserView;
}

export class StoreLoginResponse {
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ example: 'ok' }) msg: string;
  @ApiProperty({ type: StoreLoginData }) data: StoreLoginData;
}

export class AdminLoginDto {
  @ApiProperty({ description: '用户名' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  username: string;

  @ApiProperty({ description: '密码' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  password: string;
}

export class AdminUserView {
  @ApiProperty() id: number;
  @ApiProperty() username: string;
  @ApiProperty() tenantId: number;
  @ApiProperty({ enum: ['super', 'admin'] }) role: string;
}

export class AdminLoginData {
  @ApiProperty() token: string;
  @ApiProperty({ description: '有效期（秒）' }) expiresIn: number;
  @ApiProperty({ type: AdminUserView }) user: AdminUserView;
}

export class AdminLoginResponse {
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ example: '' }) message: string;
  @ApiProperty({ type: AdminLoginData }) data: AdminLoginData;
}
