import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ToInt } from '../common/transforms';
import { MAX_INT } from '../common/validators';

export class RefreshOrderQuery {
  @ApiPropertyOptional({ description: '团购Id：只刷新该团购的订单；不传则刷新本租户全部团购' })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  groupBuyingId?: number;
}

export class RefreshOrderResult {
  @ApiProperty({ example: 3, description: '本次过期的待支付订单（结算单）数：库存、优惠券已退回' })
  expired: number;

  @ApiProperty({ example: 1, description: '向微信支付查询后确认已支付并结算的订单（结算单）数' })
  settled: number;

  @ApiProperty({ example: 2, description: '重新统计 payedCount / orderCount 的团购数' })
  dealsRecomputed: number;
}

export class RefreshOrderResponse {
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ example: '' }) message: string;
  @ApiProperty({ type: RefreshOrderResult }) data: RefreshOrderResult;
}
