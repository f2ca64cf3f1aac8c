import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AdminPageQuery } from '../common/pagination';
import { ToInt, Trim } from '../common/transforms';
import { IsPhone, MAX_INT } from '../common/validators';

export class CreateShopDto {
  @ApiProperty({ description: '门店名称' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;

  @ApiPropertyOptional({ description: '地址' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  address?: string;

  @ApiPropertyOptional({ description: '电话（5–20 位数字、+、- 或空格）' })
  @IsOptional()
  @IsPhone()
  phone?: string;

  @ApiPropertyOptional({ description: '坐标 (lng,lat)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  lbs?: string;
}

export class UpdateShopDto extends CreateShopDto {
  @ApiProperty({ description: '门店 id' })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  id: number;
}

export class ShopIdQuery {
  @ApiProperty({ description: '门店 id' })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  id: number;
}

export class ShopListQuery extends AdminPageQuery {
  @ApiPropertyOptional({ description: '名称关键字' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  keyword?: string;
}

export class ShopView {
  @ApiProperty({ description: 'id' }) id: number;
  @ApiProperty({ description: '租户 id' }) tenantId: number;
  @ApiProperty({ description: '门店名称' }) name: string;
  @ApiProperty({ description: '地址' }) address: string;
  @ApiProperty({ description: '电话' }) phone: string;
  @ApiProperty({ description: '坐标' }) lbs: string;
  @ApiProperty({ description: '创建时间', example: '2026-01-15 10:11:34' }) createTime: string;
}

export class ShopPage {
  @ApiProperty({ type: [ShopView] }) data: ShopView[];
  @ApiProperty() pageIndex: number;
  @ApiProperty() pageSize: number;
  @ApiProperty() totalCount: number;
  @ApiProperty({ type: Object, example: {} }) sumData: Record<string, number>;
}
