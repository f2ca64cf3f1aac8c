import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AdminPageQuery } from '../../common/pagination';
import { ToBool, ToInt } from '../../common/transforms';
import { IsAppDate, MAX_INT } from '../../common/validators';
import { DELIVER_TYPES } from '../../group-buying/group-buying.dto';

export const ORDER_SORTS = ['createTime', 'payTime', 'money', 'qty', 'sequence'] as const;
export type OrderSort = (typeof ORDER_SORTS)[number];

export class OrderIdQuery {
  @ApiProperty({ description: '订单 id' })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  id: number;
}

class OrderFilterQuery extends AdminPageQuery {
  @ApiPropertyOptional({ description: '1:自提; 2:快递', enum: DELIVER_TYPES })
  @IsOptional()
  @ToInt()
  @IsIn(DELIVER_TYPES, { message: 'deliverType must be 1 (自提) or 2 (快递)' })
  deliverType?: number;

  @ApiPropertyOptional({ description: '0:未支付; 1:已支付; 2:已退款; 3:已发货; 4:已完成; 5:已过期; 6:已关闭; 7:支付失败; 8:已确认' })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(8)
  status?: number;

  @ApiPropertyOptional({
    description: '关键字：订单编号（tg 开头，精确匹配）、电话（纯数字，按前缀匹配）、购买人名称或商品名称（其他文字，包含匹配）',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  keyword?: string;
}

export class DealOrderListQuery extends OrderFilterQuery {
  @ApiProperty({ description: '团购Id' })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  groupBuyingId: number;
}

export class OrderListQuery extends OrderFilterQuery {
  @ApiPropertyOptional({ description: '下单时间起（只给日期时从当天 0 点）', example: '2026-01-01' })
  @IsOptional()
  @IsAppDate()
  startDate?: string;

  @ApiPropertyOptional({ description: '下单时间止（只给日期时含当天）', example: '2026-01-31' })
  @IsOptional()
  @IsAppDate()
  endDate?: string;

  @ApiPropertyOptional({ description: '团购名称（模糊匹配）' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ description: '门店Id' })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  shopId?: number;

  @ApiPropertyOptional({ description: '排序字段', enum: ORDER_SORTS, default: 'createTime' })
  @IsOptional()
  @IsIn(ORDER_SORTS as unknown as string[], { message: `sort must be one of ${ORDER_SORTS.join(', ')}` })
  sort?: OrderSort;

  @ApiPropertyOptional({ description: 'true: 升序; 否则降序', type: Boolean })
  @IsOptional()
  @ToBool()
  @IsBoolean()
  order?: boolean;
}
