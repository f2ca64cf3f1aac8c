import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ToInt, Trim } from '../common/transforms';
import { MAX_INT } from '../common/validators';

export class VerifyDeliverCodeDto {
  @ApiProperty({ description: '门店Id' })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  shopId: number;

  @ApiProperty({ description: '1:自提（只有自提有取货码；2 为 400）', example: 1 })
  @ToInt()
  @IsInt()
  @IsIn([1], { message: 'type must be 1: only pickup (自提) orders have codes' })
  type: number;

  @ApiProperty({ description: '取货码（8 位数字）', example: '12345678' })
  @Trim()
  @IsString()
  @Matches(/^\d{8}$/, { message: 'code must be the 8-digit pickup code' })
  code: string;

  @ApiPropertyOptional({ description: '订单 id（可选；给出时须与取货码对应）' })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  id?: number;
}

export class DeliverOrderDto {
  @ApiProperty({ description: '门店Id' })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  shopId: number;

  @ApiProperty({ description: '1:自提（code 为取货码，订单 → 已完成）; 2:快递（code 为快递单号，订单 → 已发货）', example: 1 })
  @ToInt()
  @IsInt()
  @IsIn([1, 2], { message: 'type must be 1 (自提) or 2 (快递)' })
  type: number;

  @ApiProperty({ description: '编码：取货码或快递单号' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  code: string;

  @ApiProperty({ description: '订单 id' })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  id: number;
}
