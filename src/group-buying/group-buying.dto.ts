import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  ValidationArguments,
  ValidationOptions,
} from 'class-validator';
import { AdminPageQuery, StorePageQuery } from '../common/pagination';
import { parseDate } from '../common/time';
import { ToBool, ToInt, Trim } from '../common/transforms';
import { IsAppDate, IsMoney, IsPhone, MAX_INT } from '../common/validators';

export const DELIVER_TYPES = [1, 2];
/** 0 = plain deal; a team buy needs 2–100 members. */
export const TEAM_SIZES = [0, ...Array.from({ length: 99 }, (_, i) => i + 2)];

/** `endTime` later than the sibling `startTime` (only checked when both are valid dates; the service re-checks with stored values). */
function IsLaterThan(other: string, options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isLaterThan',
      target: object.constructor,
      propertyName,
      constraints: [other],
      options: { message: `${propertyName} must be later than ${other}`, ...options },
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const end = parseDate(value);
          const start = parseDate((args.object as Record<string, unknown>)[other]);
          if (!end || !start) return true;
          return end.getTime() > start.getTime();
        },
      },
    });
}

/**
 * The deal body of seed 001. Whatever the server owns (id on create, shopName, payedCount, orderCount,
 * visitTimes, userId, userName, createTime, orders, orderUsers) may be sent and is dropped by the
 * whitelist: never stored, never a 400.
 */
export class DealBodyDto {
  @ApiProperty({ description: '门店Id（须为本租户门店）', example: 1 })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  shopId: number;

  @ApiProperty({ description: '名称', example: '赣南脐橙 5 斤装' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;

  @ApiPropertyOptional({ description: '描述', example: '当季现摘，门店自提', type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  description?: string | null;

  @ApiPropertyOptional({ description: '1:自提; 2:快递（默认 1）', enum: DELIVER_TYPES, example: 1 })
  @IsOptional()
  @ToInt()
  @IsIn(DELIVER_TYPES, { message: 'deliverType must be 1 (自提) or 2 (快递)' })
  deliverType?: number;

  @ApiPropertyOptional({ description: '地址', example: '广州市白云区新市二街 1003 号' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  address?: string;

  @ApiPropertyOptional({ description: '坐标', example: '113.26,23.13' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  lbs?: string;

  @ApiPropertyOptional({ description: '电话（5–20 位数字、+、- 或空格）', example: '020-12345678' })
  @IsOptional()
  @IsPhone()
  phone?: string;

  @ApiPropertyOptional({ description: '是否启用（默认 true）', example: true })
  @IsOptional()
  @ToBool()
  @IsBoolean()
  inUse?: boolean;

  @ApiPropertyOptional({ description: '商品Id', example: 11, type: Number, nullable: true })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(MAX_INT)
  productId?: number | null;

  @ApiProperty({ description: '商品名称', example: '赣南脐橙' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  productName: string;

  @ApiPropertyOptional({ description: '商品编码', example: 'FRUIT-001' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  productCode?: string;

  @ApiPropertyOptional({ description: '图片路径', example: '/images/orange.jpg' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  imagePath?: string;

  @ApiProperty({ description: '单价（> 0，最多两位小数）', example: 15.0, type: Number })
  @IsMoney({ gt: 0 })
  price: number | string;

  @ApiPropertyOptional({ description: '规格', example: '5斤/箱' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  spec?: string;

  @ApiPropertyOptional({ description: '库存（剩余可售数量，≥ 0 的整数；新增时默认 0）', example: 17 })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  stock?: number;

  @ApiPropertyOptional({ description: '每人限购数量（0 = 不限，默认 0）', example: 0 })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  limitPerUser?: number;

  @ApiPropertyOptional({ description: '快递运费（每单，≥ 0，默认 0）', example: 0, type: Number })
  @IsOptional()
  @IsMoney({ min: 0 })
  deliverFee?: number | string;

  @ApiPropertyOptional({ description: '成团人数（0 = 普通团购；2–100 = 拼团）', example: 0 })
  @IsOptional()
  @ToInt()
  @IsIn(TEAM_SIZES, { message: 'teamSize must be 0 (plain deal) or an integer 2-100 (team buy)' })
  teamSize?: number;

  @ApiPropertyOptional({ description: '拼团时限（小时，1–720，默认 24）', example: 24 })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(720)
  teamHours?: number;

  @ApiPropertyOptional({ description: '虚拟成团：到期未成团时以机器人补齐（默认 false）', example: false })
  @IsOptional()
  @ToBool()
  @IsBoolean()
  virtualTeam?: boolean;

  @ApiPropertyOptional({ description: '预售（定金 + 尾款，默认 false；不能同时是拼团）', example: false })
  @IsOptional()
  @ToBool()
  @IsBoolean()
  preSale?: boolean;

  @ApiPropertyOptional({ description: '定金（每件，预售必填：> 0 且 < price）', example: 5.0, type: Number, nullable: true })
  @IsOptional()
  @IsMoney({ gt: 0 })
  deposit?: number | string | null;

  @ApiPropertyOptional({
    description: '定金膨胀：每件定金可抵的金额（默认 = deposit；deposit ≤ depositValue < price）',
    example: 8.0,
    type: Number,
    nullable: true,
  })
  @IsOptional()
  @IsMoney({ gt: 0 })
  depositValue?: number | string | null;

  @ApiPropertyOptional({
    description: '尾款截止时间（预售必填，须晚于 endTime；尾款在 endTime–tailEndTime 支付）',
    example: '2026-02-20 10:00:00',
    type: String,
    nullable: true,
  })
  @IsOptional()
  @IsAppDate()
  tailEndTime?: string | null;
}

export class CreateDealDto extends DealBodyDto {
  @ApiProperty({ description: '开始时间', example: '2026-01-15 10:11:34' })
  @IsAppDate()
  startTime: string;

  @ApiProperty({ description: '结束时间（须晚于开始时间）', example: '2026-02-15 10:11:34' })
  @IsAppDate()
  @IsLaterThan('startTime')
  endTime: string;
}

export class UpdateDealDto extends DealBodyDto {
  @ApiProperty({ description: 'id', example: 24 })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  id: number;

  @ApiPropertyOptional({ description: '开始时间（不传则不变）', example: '2026-01-15 10:11:34' })
  @IsOptional()
  @IsAppDate()
  startTime?: string;

  @ApiPropertyOptional({ description: '结束时间（不传则不变；须晚于开始时间）', example: '2026-02-15 10:11:34' })
  @IsOptional()
  @IsAppDate()
  @IsLaterThan('startTime')
  endTime?: string;
}

export class ChangeUsingDto {
  @ApiProperty({ description: 'id', example: 4 })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  id: number;

  @ApiProperty({ description: '启用', example: true })
  @ToBool()
  @IsBoolean()
  inUse: boolean;

  @ApiPropertyOptional({ description: '开始时间', example: '2026-01-15 10:11:41' })
  @IsOptional()
  @IsAppDate()
  startTime?: string;

  @ApiPropertyOptional({ description: '结束时间', example: '2026-02-15 10:11:41' })
  @IsOptional()
  @IsAppDate()
  @IsLaterThan('startTime')
  endTime?: string;
}

export class DealIdQuery {
  @ApiProperty({ description: '团购 id' })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  id: number;
}

export class VisitorQuery {
  @ApiProperty({ description: '团购Id' })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  groupBuyingId: number;
}

export class DealListQuery extends AdminPageQuery {
  @ApiPropertyOptional({ description: '关键字：名称、商品名称或商品编码' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  keyword?: string;

  @ApiPropertyOptional({ description: '门店Id' })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  shopId?: number;

  @ApiPropertyOptional({ description: '开始日期：团购时间段与 [startDate, endDate] 有交集（只给日期时含当天）', example: '2026-01-01' })
  @IsOptional()
  @IsAppDate()
  startDate?: string;

  @ApiPropertyOptional({ description: '结束日期（只给日期时含当天）', example: '2026-01-31' })
  @IsOptional()
  @IsAppDate()
  endDate?: string;
}

export class StoreDealListQuery extends StorePageQuery {
  @ApiPropertyOptional({ description: '门店 id' })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  shop_id?: number;

  @ApiPropertyOptional({ description: '租户 id（不传：所有租户）' })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  tenant_id?: number;
}
