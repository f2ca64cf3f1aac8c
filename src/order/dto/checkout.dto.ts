import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { plainToInstance, Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { parseJsonText } from '../../common/forbidden-keys';
import { MAX_PAGE } from '../../common/pagination';
import { ToInt, Trim } from '../../common/transforms';
import { IsPhone, MAX_INT } from '../../common/validators';

/** `goods` may be the JSON array or that array as a string (seed 000 sends a string). */
function parseJsonish(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const s = value.trim();
  try {
    return parseJsonText(s);
  } catch {
    // seed 003: the address is JSON, URL-encoded
    try {
      return parseJsonText(decodeURIComponent(s.replace(/\+/g, ' ')));
    } catch {
      return value;
    }
  }
}

export class GoodsLineDto {
  @ApiProperty({ description: '团购 id (deal id)', example: 11 })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  product_id: number;

  @ApiProperty({ description: '数量 1..9999', example: 2 })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(9999)
  quantity: number;
}

export class AddressDto {
  @ApiProperty({ description: '联系电话', example: '150132454657' })
  @Transform(({ value }) => (typeof value === 'number' ? String(value) : value))
  @IsPhone()
  @IsNotEmpty()
  mobile: string;

  @ApiProperty({ description: '收件人姓名', example: '收货人' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  username: string;

  @ApiProperty({ description: '省名称', example: '广东省' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  province: string;

  @ApiProperty({ description: '市名称', example: '广州市' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  city: string;

  @ApiProperty({ description: '区县名称', example: '白云区' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  district: string;

  @ApiPropertyOptional({ description: '街道名称', example: '黄石街道' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  street?: string;

  @ApiProperty({ description: '地址详细描述', example: '新市二街 1003 号' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  address: string;
}

export class ComputeOrderDto {
  @ApiProperty({
    description: '商品数据：`[{"product_id":11,"quantity":2}]`，数组或其 JSON 字符串；最多 50 行，团购不可重复，须同一租户',
    example: '[{"product_id":11,"quantity":2},{"product_id":12,"quantity":2}]',
    oneOf: [{ type: 'string' }, { type: 'array', items: { $ref: '#/components/schemas/GoodsLineDto' } }],
  })
  @Transform(({ value }) => {
    const v = parseJsonish(value);
    return Array.isArray(v) ? v.map((line) => (line && typeof line === 'object' ? plainToInstance(GoodsLineDto, line) : line)) : v;
  })
  @IsArray({ message: 'goods must be a JSON array of {product_id, quantity}' })
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  goods: GoodsLineDto[];

  @ApiPropertyOptional({
    description: '优惠卷id（用户优惠券 id，字符串或数字）',
    example: '1',
    oneOf: [
      { type: 'integer', minimum: 1 },
      { type: 'string', pattern: '^\\s*\\d+\\s*$' },
    ],
  })
  @IsOptional()
  @Transform(({ value }) => (value === '' || value === null ? undefined : value))
  @ToInt()
  @IsInt({ message: 'coupon_id must be an integer id' })
  @Min(1)
  @Max(MAX_INT)
  coupon_id?: number;

  @ApiPropertyOptional({
    description: '地址信息：对象、JSON 字符串或 URL 编码的 JSON（seed 003）；含快递商品时必填',
    oneOf: [{ $ref: '#/components/schemas/AddressDto' }, { type: 'string' }],
  })
  @IsOptional()
  @Transform(({ value }) => {
    if (value === '' || value === null) return undefined;
    const v = parseJsonish(value);
    return v && typeof v === 'object' && !Array.isArray(v) ? plainToInstance(AddressDto, v) : v;
  })
  @IsObject({ message: 'address must be an object (or its JSON, or URL-encoded JSON)' })
  @ValidateNested()
  address?: AddressDto;
}

export class CreateOrderDto extends ComputeOrderDto {
  @ApiPropertyOptional({ description: '联系电话（自提订单的联系人电话；默认取地址的 mobile）' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'number' ? String(value) : value === '' ? undefined : value))
  @IsPhone()
  phone?: string;

  @ApiPropertyOptional({ description: '备注', maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  remark?: string;

  @ApiPropertyOptional({ description: '拼团 id（参团）' })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  team_id?: number;
}

export class OrderCodeDto {
  @ApiProperty({ description: '订单编号', example: 'tg8923832479327' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(32)
  code: string;
}

export class CommentDto extends OrderCodeDto {
  @ApiProperty({ description: '评分 1-5', example: 5 })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(5)
  score: number;

  @ApiProperty({ description: '评价内容', example: '很新鲜' })
  @IsString()
  @MaxLength(1000)
  content: string;
}

export class OrderListDto {
  @ApiPropertyOptional({ description: '订单状态（0：待支付，1：待收货，2：待评价，3：已完成，4：已退款）；不传为全部' })
  @IsOptional()
  @Transform(({ value }) => (value === '' || value === null ? undefined : value))
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(4)
  status?: number;

  @ApiPropertyOptional({ description: '页码，从 1 开始', default: 1 })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page?: number;

  @ApiPropertyOptional({ description: '每页条数，默认 10，最大 50', default: 10 })
  @IsOptional()
  @ToInt(50)
  @IsInt()
  @Min(1)
  limit?: number;
}
