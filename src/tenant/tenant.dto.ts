import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { Trim } from '../common/transforms';

export class CreateTenantDto {
  @ApiProperty({ description: '租户名称' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;

  @ApiProperty({ description: '租户管理员用户名（全局唯一）' })
  @Trim()
  @IsString()
  @Matches(/^[A-Za-z0-9_.@-]{3,64}$/, { message: 'adminUsername must be 3-64 letters, digits or _ . @ -' })
  adminUsername: string;

  @ApiProperty({ description: '租户管理员密码（至少 8 位）' })
  @IsString()
  @MinLength(8)
  @MaxLength(128)
  adminPassword: string;
}

export class IdResponse {
  @ApiProperty({ example: 1 }) data: number;
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ example: '' }) message: string;
}

export class StatusResponse {
  @ApiProperty({ example: 200, description: '200:成功; 1001:无法购买; 1002:已售罄; 1003:支付超时; 801:流水号重复 …' }) status: number;
  @ApiProperty({ example: '', description: '附加信息' }) message: string;
}
