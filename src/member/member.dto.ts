import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, registerDecorator, ValidationOptions } from 'class-validator';
import { isMoneyInput } from '../common/money';
import { AdminPageQuery, StorePageQuery } from '../common/pagination';
import { ToInt, Trim } from '../common/transforms';
import { IsMoney, MAX_INT } from '../common/validators';

export const WALLET_KINDS = ['point', 'balance'] as const;
/** the largest single adjustment: 100,000,000 points or 100,000,000.00 yuan */
export const MAX_ADJUST = 100_000_000;

/** A signed, non-zero change: whole points for `point`, an amount with at most two decimals for `balance`. */
function IsWalletAmount(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isWalletAmount',
      target: object.constructor,
      propertyName,
      options: {
        message: `${propertyName} must be a non-zero change of at most ${MAX_ADJUST}: whole points for kind point, at most two decimals for kind balance`,
        ...options,
      },
      validator: {
        validate(value: unknown, args) {
          const kind = (args?.object as { kind?: string }).kind;
          if (!isMoneyInput(value)) return false;
          const n = Number(value);
          if (n === 0 || Math.abs(n) > MAX_ADJUST) return false;
          return kind === 'point' ? Number.isInteger(n) : true;
        },
      },
    });
}

const kindProperty = { description: 'point 积分; balance 余额', enum: WALLET_KINDS };

// ---------- admin ----------

export class AdjustWalletDto {
  @ApiProperty({ description: '用户 id（前台用户）', example: 1 })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  userId: number;

  @ApiProperty(kindProperty)
  @IsIn(WALLET_KINDS as unknown as string[], { message: 'kind must be point or balance' })
  kind: 'point' | 'balance';

  @ApiProperty({
    description: '变动数量（正为增加，负为扣减）：积分为整数，余额最多两位小数；结果小于 0 → 409',
    example: 500,
    oneOf: [{ type: 'number' }, { type: 'string' }],
  })
  @IsWalletAmount()
  amount: number | string;

  @ApiPropertyOptional({ description: '备注', maxLength: 255, example: '活动赠送' })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(255)
  remark?: string;
}

export class MemberListQuery extends AdminPageQuery {
  @ApiPropertyOptional({ description: '关键字：昵称或 openId（% 和 _ 按字面匹配）', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  keyword?: string;
}

export class AdminLedgerQuery extends AdminPageQuery {
  @ApiProperty({ description: '用户 id', example: 1 })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  userId: number;

  @ApiPropertyOptional(kindProperty)
  @IsOptional()
  @IsIn(WALLET_KINDS as unknown as string[], { message: 'kind must be point or balance' })
  kind?: 'point' | 'balance';
}

export class MemberSettingDto {
  @ApiProperty({ description: '积分抵扣比例：多少积分抵 1.00 元（≥ 1，默认 100）', example: 100, minimum: 1, maximum: 1000000 })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  pointValue: number;

  @ApiProperty({ description: '积分最多可抵扣订单商品金额（券后）的百分比，0–100（默认 50）', example: 50, minimum: 0, maximum: 100 })
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(100)
  pointMaxRate: number;

  @ApiProperty({
    description: '每实付 1.00 元奖励的积分（订单完成时发放，向下取整；0 = 不奖励；默认 1；最多两位小数）',
    example: 1,
    oneOf: [{ type: 'number' }, { type: 'string' }],
  })
  @IsMoney({ min: 0 })
  pointRewardRate: number | string;
}

export class MemberSettingView {
  @ApiProperty({ description: '多少积分抵 1.00 元', example: 100 }) pointValue: number;
  @ApiProperty({ description: '积分最多抵扣的百分比（券后商品金额）', example: 50 }) pointMaxRate: number;
  @ApiProperty({ description: '每实付 1.00 元奖励的积分', example: 1 }) pointRewardRate: number;
}

export class MemberView {
  @ApiProperty({ description: '用户 id' }) userId: number;
  @ApiProperty({ description: 'openId' }) openId: string;
  @ApiProperty({ description: '昵称' }) nickname: string;
  @ApiProperty({ description: '头像' }) avatar: string;
  @ApiProperty({ description: '积分', example: 500 }) point: number;
  @ApiProperty({ description: '余额', example: 20.5 }) balance: number;
  @ApiProperty({ description: '最后变动时间', example: '2026-01-15 10:11:34' }) updateTime: string;
}

export class MemberPage {
  @ApiProperty({ type: [MemberView] }) data: MemberView[];
  @ApiProperty({ example: 1 }) pageIndex: number;
  @ApiProperty({ example: 20 }) pageSize: number;
  @ApiProperty({ example: 1 }) totalCount: number;
  @ApiProperty({ description: '本租户会员的积分、余额合计（整个筛选结果）', example: {} }) sumData: Record<string, number>;
}

export class LedgerView {
  @ApiProperty({ description: '流水 id' }) id: number;
  @ApiProperty(kindProperty) kind: string;
  @ApiProperty({
    description: '变动（有符号）：积分为整数，余额为金额（管理端数字，前台两位小数字符串）',
    example: -100,
    oneOf: [{ type: 'number' }, { type: 'string' }],
  })
  amount: number | string;
  @ApiProperty({ description: '变动后的积分/余额', example: 400, oneOf: [{ type: 'number' }, { type: 'string' }] }) after: number | string;
  @ApiProperty({ description: 'admin 后台调整; checkout 下单抵扣; return 过期/取消退回; refund 退款退回（或扣回奖励）; reward 完成奖励' })
  reason: string;
  @ApiProperty({ description: '订单编号', nullable: true, type: String }) orderCode: string | null;
  @ApiProperty({ description: '备注' }) remark: string;
  @ApiProperty({ description: '时间', example: '2026-01-15 10:11:34' }) createTime: string;
}

export class LedgerPage {
  @ApiProperty({ type: [LedgerView] }) data: LedgerView[];
  @ApiProperty({ example: 1 }) pageIndex: number;
  @ApiProperty({ example: 20 }) pageSize: number;
  @ApiProperty({ example: 1 }) totalCount: number;
  @ApiProperty({ example: {} }) sumData: Record<string, number>;
}

export class AdjustResponse {
  @ApiProperty({ type: MemberView, description: '调整后的钱包' }) data: MemberView;
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ example: '' }) message: string;
}

// ---------- storefront ----------

export class StoreWalletQuery {
  @ApiProperty({ description: '租户 id（钱包按租户分开）', example: 1 })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  tenant_id: number;
}

export class StoreLedgerQuery extends StorePageQuery {
  @ApiProperty({ description: '租户 id', example: 1 })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  tenant_id: number;

  @ApiPropertyOptional(kindProperty)
  @IsOptional()
  @IsIn(WALLET_KINDS as unknown as string[], { message: 'kind must be point or balance' })
  kind?: 'point' | 'balance';
}

export class StoreWalletView {
  @ApiProperty({ description: '积分', example: 500 }) point: number;
  @ApiProperty({ description: '余额', example: '20.00' }) balance: string;
  @ApiProperty({ description: '多少积分抵 1.00 元', example: 100 }) point_value: number;
}

export class StoreWalletResponse {
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ example: 'ok' }) msg: string;
  @ApiProperty({ type: StoreWalletView }) data: StoreWalletView;
}

export class StoreLedgerPage {
  @ApiProperty({ type: [LedgerView] }) list: LedgerView[];
  @ApiProperty({ description: '总条数' }) total: number;
  @ApiProperty({ description: '页码' }) page: number;
  @ApiProperty({ description: '每页条数' }) limit: number;
}

export class StoreLedgerResponse {
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ example: 'ok' }) msg: string;
  @ApiProperty({ type: StoreLedgerPage }) data: StoreLedgerPage;
}
