import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
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
  ValidateIf,
  ValidationOptions,
} from 'class-validator';
import { parseJsonText } from '../common/forbidden-keys';
import { isMoneyInput } from '../common/money';
import { AdminPageQuery, StorePageQuery } from '../common/pagination';
import { ToBool, ToInt, Trim } from '../common/transforms';
import { IsAppDate, IsMoney, MAX_INT } from '../common/validators';
import { CouponMethod, MAX_TIME_DAYS, TimeLimit, UseType } from './coupon.rules';

// ---------- validators of this module ----------

/** 折扣: 0 < x < 10 with at most two decimals (8.5 → pay 85%). */
function IsDiscountRate(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isDiscountRate',
      target: object.constructor,
      propertyName,
      options: {
        message: `${propertyName} must be a discount between 0 and 10 (exclusive) with at most two decimals, e.g. 8.5`,
        ...options,
      },
      validator: { validate: (v: unknown) => isMoneyInput(v) && Number(v) > 0 && Number(v) < 10 },
    });
}

/** An integer that is -1 (unlimited) or at least `min`. */
function IsUnlimitedOrAtLeast(min: number, options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isUnlimitedOrAtLeast',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be an integer, -1 (unlimited) or ${min} to ${MAX_INT}`, ...options },
      validator: {
        validate: (v: unknown) => Number.isSafeInteger(v) && ((v as number) === -1 || ((v as number) >= min && (v as number) <= MAX_INT)),
      },
    });
}

/** `[1, "2"]`, `"[1,2]"` or `"1,2"` → `[1, 2]`; anything else is left for the validator to reject by name. */
const ToIntArray = () =>
  Transform(({ value }) => {
    let v: unknown = value;
    if (typeof v === 'string') {
      const s = v.trim();
      if (s.startsWith('[')) {
        try {
          v = parseJsonText(s);
        } catch {
          return value;
        }
      } else v = s === '' ? [] : s.split(',');
    }
    if (!Array.isArray(v)) return v;
    return v.map((x) => (typeof x === 'string' && /^\s*\d+\s*$/.test(x) ? Number(x) : x));
  });

// ---------- admin ----------

export class CreateCouponDto {
  @ApiProperty({ description: '优惠券名', example: '满100减10', maxLength: 100 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;

  @ApiProperty({ description: '优惠方式: 1 满减 (满 enough 减 deduct); 2 折扣 (满 enough 打 discount 折)', enum: [1, 2], example: 1 })
  @ToInt()
  @IsIn([CouponMethod.DEDUCT, CouponMethod.DISCOUNT], { message: 'couponMethod must be 1 (满减) or 2 (折扣)' })
  couponMethod: number;

  @ApiPropertyOptional({
    type: Number,
    description: '金额限制: 商品金额满多少可用（0 = 无门槛），最多两位小数',
    example: 100,
    default: 0,
    minimum: 0,
  })
  @IsOptional()
  @IsMoney({ min: 0 })
  enough?: number | string;

  @ApiPropertyOptional({ type: Number, description: '优惠金额（满减，couponMethod=1 时必填，> 0，最多两位小数）', example: 10 })
  @ValidateIf((o: CreateCouponDto) => o.couponMethod === CouponMethod.DEDUCT)
  @IsMoney({ gt: 0 })
  deduct?: number | string;

  @ApiPropertyOptional({ type: Number, description: '优惠折扣（折扣，couponMethod=2 时必填，0 < x < 10，如 8.5 即付 85%）', example: 8.5 })
  @ValidateIf((o: CreateCouponDto) => o.couponMethod === CouponMethod.DISCOUNT)
  @IsDiscountRate()
  discount?: number | string;

  @ApiPropertyOptional({ description: '使用范围: 0 本租户全部团购; 2 仅 groupBuyingIds 中的团购', enum: [0, 2], default: 0 })
  @IsOptional()
  @ToInt()
  @IsIn([UseType.ALL, UseType.DEALS], { message: 'useType must be 0 (all deals) or 2 (only groupBuyingIds)' })
  useType?: number;

  @ApiPropertyOptional({ description: '适用团购 id（useType=2 时必填，均须为本租户的团购）', type: [Number], example: [11, 12] })
  @ValidateIf((o: CreateCouponDto) => o.useType === UseType.DEALS)
  @ToIntArray()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(1000)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_INT, { each: true })
  groupBuyingIds?: number[];

  @ApiProperty({ description: '有效期类型: 0 领取后 timeDays 天内有效; 1 在 timeStart–timeEnd 内有效', enum: [0, 1], example: 0 })
  @ToInt()
  @IsIn([TimeLimit.DAYS, TimeLimit.RANGE], { message: 'timeLimit must be 0 (timeDays after receiving) or 1 (timeStart–timeEnd)' })
  timeLimit: number;

  @ApiPropertyOptional({ description: '领取后有效天数（timeLimit=0 时必填，1–3650）', example: 30, minimum: 1, maximum: MAX_TIME_DAYS })
  @ValidateIf((o: CreateCouponDto) => o.timeLimit === TimeLimit.DAYS)
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_TIME_DAYS)
  timeDays?: number;

  @ApiPropertyOptional({ description: '开始使用时间（timeLimit=1 时必填）', example: '2026-01-01 00:00:00' })
  @ValidateIf((o: CreateCouponDto) => o.timeLimit === TimeLimit.RANGE)
  @IsAppDate()
  timeStart?: string;

  @ApiPropertyOptional({ description: '过期时间（timeLimit=1 时必填，须晚于 timeStart）', example: '2026-12-31 23:59:59' })
  @ValidateIf((o: CreateCouponDto) => o.timeLimit === TimeLimit.RANGE)
  @IsAppDate()
  timeEnd?: string;

  @ApiPropertyOptional({ description: '发放总量（-1 不限）', example: 100, default: -1 })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(-1, { message: 'total must be -1 (unlimited) or at least 0' })
  @Max(MAX_INT)
  total?: number;

  @ApiPropertyOptional({ description: '每人限领张数（-1 不限）', example: 1, default: 1 })
  @IsOptional()
  @ToInt()
  @IsUnlimitedOrAtLeast(1)
  getMax?: number;

  @ApiPropertyOptional({ description: '是否启用', default: true })
  @IsOptional()
  @ToBool()
  @IsBoolean()
  inUse?: boolean;
}

export class UpdateCouponDto extends CreateCouponDto {
  @ApiProperty({ description: '优惠券 id' })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  id: number;
}

export class CouponIdQuery {
  @ApiProperty({ description: '优惠券 id' })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  id: number;
}

export class CouponListQuery extends AdminPageQuery {
  @ApiPropertyOptional({ description: '优惠券名关键字' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  keyword?: string;
}

export class CouponView {
  @ApiProperty({ description: '优惠券 id' }) id: number;
  @ApiProperty({ description: '租户 id' }) tenantId: number;
  @ApiProperty({ description: '优惠券名' }) name: string;
  @ApiProperty({ description: '优惠方式: 1 满减; 2 折扣', enum: [1, 2] }) couponMethod: number;
  @ApiProperty({ description: '金额限制（满多少可用）', example: 100 }) enough: number;
  @ApiProperty({ description: '优惠金额（满减）', example: 10 }) deduct: number;
  @ApiProperty({ description: '优惠折扣（8.5 即付 85%）', example: 0 }) discount: number;
  @ApiProperty({ description: '使用范围: 0 本租户全部团购; 2 指定团购', enum: [0, 2] }) useType: number;
  @ApiProperty({ description: '适用团购 id（useType=2）', type: [Number], nullable: true }) groupBuyingIds: number[] | null;
  @ApiProperty({ description: '有效期类型: 0 领取后 timeDays 天; 1 timeStart–timeEnd', enum: [0, 1] }) timeLimit: number;
  @ApiProperty({ description: '领取后有效天数（timeLimit=0）' }) timeDays: number;
  @ApiProperty({ description: '开始使用时间（timeLimit=1）', type: String, nullable: true, example: '2026-01-01 00:00:00' }) timeStart:
    string | null;
  @ApiProperty({ description: '过期时间（timeLimit=1）', type: String, nullable: true, example: '2026-12-31 23:59:59' }) timeEnd:
    string | null;
  @ApiProperty({ description: '发放总量（-1 不限）' }) total: number;
  @ApiProperty({ description: '每人限领张数（-1 不限）' }) getMax: number;
  @ApiProperty({ description: '是否启用' }) inUse: boolean;
  @ApiProperty({ description: '已领取数量' }) receivedCount: number;
  @ApiProperty({ description: '已使用数量（过期或取消的订单退回的不计）' }) usedCount: number;
  @ApiProperty({ description: '创建时间', example: '2026-01-15 10:11:34' }) createTime: string;
}

export class CouponSumData {
  @ApiProperty({ description: '已领取数量合计（整个筛选结果）' }) receivedCount: number;
  @ApiProperty({ description: '已使用数量合计（整个筛选结果）' }) usedCount: number;
}

export class CouponPage {
  @ApiProperty({ type: [CouponView] }) data: CouponView[];
  @ApiProperty({ description: '页码' }) pageIndex: number;
  @ApiProperty({ description: '每页条数' }) pageSize: number;
  @ApiProperty({ description: '总条数' }) totalCount: number;
  @ApiProperty({ type: CouponSumData }) sumData: CouponSumData;
}

// ---------- storefront ----------

export class StoreCouponListQuery extends StorePageQuery {
  @ApiPropertyOptional({ description: '租户 id（不传: 全部租户）' })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  tenant_id?: number;
}

export const MINE_STATUSES = ['usable', 'used', 'expired'] as const;
export type MineStatus = (typeof MINE_STATUSES)[number];

export class MineQuery extends StorePageQuery {
  @ApiPropertyOptional({
    description: 'usable 可使用（未使用且未过期）; used 已使用; expired 已过期（未使用）; 不传: 全部',
    enum: MINE_STATUSES,
  })
  @IsOptional()
  @IsIn(MINE_STATUSES as unknown as string[], { message: 'status must be usable, used or expired' })
  status?: MineStatus;

  @ApiPropertyOptional({ description: '租户 id（不传: 全部租户）' })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  tenant_id?: number;
}

export class ReceiveCouponDto {
  @ApiProperty({ description: '优惠券id（字符串或数字）', example: 13, oneOf: [{ type: 'integer' }, { type: 'string' }] })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  coupon_id: number;
}

export class StoreCouponView {
  @ApiProperty({ description: '优惠券id' }) id: number;
  @ApiProperty({ description: '租户 id' }) tenant_id: number;
  @ApiProperty({ description: '优惠券名' }) name: string;
  @ApiProperty({ description: '优惠方式: 1 满减; 2 折扣', enum: [1, 2] }) coupon_method: number;
  @ApiProperty({ description: '金额限制', example: '100.00' }) enough: string;
  @ApiProperty({ description: '优惠金额', example: '10.00' }) deduct: string;
  @ApiProperty({ description: '优惠折扣', example: '0.00' }) discount: string;
  @ApiProperty({ description: '使用范围: 0 全部团购; 2 指定团购', enum: [0, 2] }) use_type: number;
  @ApiProperty({ description: '适用团购 id（use_type=2）', type: [Number], nullable: true }) group_buying_ids: number[] | null;
  @ApiProperty({ description: '有效期类型: 0 领取后 time_days 天; 1 time_start–time_end', enum: [0, 1] }) time_limit: number;
  @ApiProperty({ description: '领取后有效天数' }) time_days: number;
  @ApiProperty({ description: '开始使用时间', type: String, nullable: true }) time_start: string | null;
  @ApiProperty({ description: '过期时间', type: String, nullable: true }) time_end: string | null;
  @ApiProperty({ description: '发放总量（-1 不限）' }) total: number;
  @ApiProperty({ description: '每人限领（-1 不限）' }) get_max: number;
  @ApiProperty({ description: '已领取数量' }) received_count: number;
  @ApiProperty({ description: '当前用户已领取张数' }) received: number;
  @ApiProperty({ description: '当前用户还能否领取' }) can_receive: boolean;
}

export class StoreCouponPage {
  @ApiProperty({ type: [StoreCouponView] }) list: StoreCouponView[];
  @ApiProperty({ description: '总条数' }) total: number;
  @ApiProperty({ description: '页码' }) page: number;
  @ApiProperty({ description: '每页条数' }) limit: number;
}

export class StoreCouponListResponse {
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ example: 'ok' }) msg: string;
  @ApiProperty({ type: StoreCouponPage }) data: StoreCouponPage;
}

export class MemberCouponView {
  @ApiProperty({ description: '用户优惠券id' }) id: number;
  @ApiProperty({ description: '优惠券id' }) coupon_id: number;
  @ApiProperty({ description: '租户 id' }) tenant_id: number;
  @ApiProperty({ description: '优惠券名' }) name: string;
  @ApiProperty({ description: '是否已使用' }) used: boolean;
  @ApiProperty({ description: '使用时间', type: String, nullable: true }) use_time: string | null;
  @ApiProperty({ description: '领取时间', example: '2026-01-15 10:11:34' }) get_time: string;
  @ApiProperty({ description: '过期时间（= time_end）', example: '2026-02-14 10:11:34' }) expired_at: string;
  @ApiProperty({ description: '开始使用时间', example: '2026-01-15 10:11:34' }) time_start: string;
  @ApiProperty({ description: '过期时间', example: '2026-02-14 10:11:34' }) time_end: string;
  @ApiProperty({ description: '现在是否可用: 未使用、在有效期内且优惠券未停用/删除' }) valid: boolean;
  @ApiProperty({ description: '优惠方式: 1 满减; 2 折扣', enum: [1, 2] }) coupon_method: number;
  @ApiProperty({ description: '金额限制', example: '100.00' }) enough: string;
  @ApiProperty({ description: '优惠金额', example: '10.00' }) deduct: string;
  @ApiProperty({ description: '优惠折扣', example: '0.00' }) discount: string;
  @ApiProperty({ description: '使用范围: 0 全部团购; 2 指定团购', enum: [0, 2] }) use_type: number;
  @ApiProperty({ description: '适用团购 id（use_type=2）', type: [Number], nullable: true }) group_buying_ids: number[] | null;
}

export class MemberCouponResponse {
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ example: 'ok' }) msg: string;
  @ApiProperty({ type: MemberCouponView }) data: MemberCouponView;
}

export class MemberCouponPage {
  @ApiProperty({ type: [MemberCouponView] }) list: MemberCouponView[];
  @ApiProperty({ description: '总条数' }) total: number;
  @ApiProperty({ description: '页码' }) page: number;
  @ApiProperty({ description: '每页条数' }) limit: number;
}

export class MemberCouponPageResponse {
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ example: 'ok' }) msg: string;
  @ApiProperty({ type: MemberCouponPage }) data: MemberCouponPage;
}
