import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { plainToInstance, Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEmail,
  IsIn,
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
import { registerFastTransform } from '../../common/validation';
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

const DEDUCTION_IDS = ['point', 'balance'];

/** `["point","balance"]`, its JSON, or `"point,balance"` → `["point","balance"]`; anything else is left for the validator. */
function toDeductionIds(value: unknown): unknown {
  if (value === '' || value === null || value === undefined) return undefined;
  if (typeof value === 'string') {
    const s = value.trim();
    if (s.startsWith('[')) return parseJsonish(s);
    return s === '' ? [] : s.split(',').map((x) => x.trim());
  }
  return value;
}

/** One store of seed 003's `orders` JSON: `{"pre_id":…,"deduction_ids":["point"],"service_fee":[],"note":""}`. */
export class SeedOrderDto {
  @ApiPropertyOptional({ description: '预下单 id（seed 003，不使用）' })
  @IsOptional()
  pre_id?: unknown;

  @ApiPropertyOptional({ description: '抵扣项：point 积分, balance 余额', type: [String], example: ['point'] })
  @IsOptional()
  @Transform(({ value }) => toDeductionIds(value))
  @IsArray({ message: 'orders.deduction_ids must be an array of point/balance' })
  @IsIn(DEDUCTION_IDS, { each: true, message: 'orders.deduction_ids may hold point and balance only' })
  deduction_ids?: string[];

  @ApiPropertyOptional({ description: '服务费（seed 003，不使用）' })
  @IsOptional()
  service_fee?: unknown;

  @ApiPropertyOptional({ description: '订单留言（= remark）', maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  note?: string | null;
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

  @ApiPropertyOptional({
    description: '抵扣（先积分后余额，在优惠券之后）：`["point","balance"]`、其 JSON 字符串或 `"point,balance"`',
    type: [String],
    example: ['point'],
  })
  @IsOptional()
  @Transform(({ value }) => toDeductionIds(value))
  @IsArray({ message: 'deduction_ids must be an array (or a comma list) of point/balance' })
  @ArrayMaxSize(2)
  @IsIn(DEDUCTION_IDS, { each: true, message: 'deduction_ids may hold point and balance only' })
  deduction_ids?: string[];

  @ApiPropertyOptional({
    description: 'seed 003 的 orders JSON 字符串：`[{"pre_id":…,"deduction_ids":["point"],"note":""}]`；deduction_ids 同上，note 为备注',
    example: '[{"pre_id":"101e36c8e82057bd9b40c387d07e5577","deduction_ids":["point"],"service_fee":[],"note":""}]',
    oneOf: [{ type: 'string' }, { type: 'array', items: { $ref: '#/components/schemas/SeedOrderDto' } }],
  })
  @IsOptional()
  @Transform(({ value }) => {
    if (value === '' || value === null) return undefined;
    const v = parseJsonish(value);
    return Array.isArray(v) ? v.map((o) => (o && typeof o === 'object' ? plainToInstance(SeedOrderDto, o) : o)) : v;
  })
  @IsArray({ message: 'orders must be a JSON array of {pre_id, deduction_ids, note}' })
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  orders?: SeedOrderDto[];
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

  @ApiPropertyOptional({ description: '发票类型: 0 电子发票; 1 纸质发票（不传: 不开发票）', enum: [0, 1] })
  @IsOptional()
  @Transform(({ value }) => (value === '' || value === null ? undefined : value))
  @ToInt()
  @IsIn([0, 1], { message: 'invoice_type must be 0 (电子) or 1 (纸质)' })
  invoice_type?: number;

  @ApiPropertyOptional({ description: '抬头类型: 0 单位; 1 个人（开发票时必填）', enum: [0, 1] })
  @IsOptional()
  @Transform(({ value }) => (value === '' || value === null ? undefined : value))
  @ToInt()
  @IsIn([0, 1], { message: 'rise_type must be 0 (单位) or 1 (个人)' })
  rise_type?: number;

  @ApiPropertyOptional({ description: '抬头（开发票时必填）', maxLength: 100 })
  @IsOptional()
  @Transform(({ value }) => (value === null ? undefined : typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(100)
  call?: string;

  @ApiPropertyOptional({
    description: '单位识别号：统一社会信用代码，18 位数字或大写字母（rise_type 为 0 时必填）',
    example: '91440101MA59XXXX0X',
  })
  @IsOptional()
  @Transform(({ value }) => (value === null || value === '' ? undefined : typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(18, { message: 'company_number must be a unified social credit code: 18 digits or capital letters' })
  company_number?: string;

  @ApiPropertyOptional({ description: '单位识别号（seed 003 的拼写 ncompany_numberote，同 company_number）' })
  @IsOptional()
  @Transform(({ value }) => (value === null || value === '' ? undefined : typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(18, { message: 'ncompany_numberote must be a unified social credit code: 18 digits or capital letters' })
  ncompany_numberote?: string;

  @ApiPropertyOptional({ description: '电子邮箱（电子发票）', maxLength: 100 })
  @IsOptional()
  @Transform(({ value }) => (value === null || value === '' ? undefined : value))
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(100)
  email?: string;
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

/** Body keys `simpleCreateOrder` checks itself; any other key takes the whole validation pass. */
const SIMPLE_KEYS = new Set(['goods', 'coupon_id', 'team_id', 'remark']);

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_INT;

/**
 * The createOrder bodies of a flash sale, recognised without class-transformer and class-validator: one cart
 * line of integer numbers in range (as an array or its JSON text) and at most `coupon_id`, `team_id` (integer
 * ids) and `remark` (≤ 255 characters). Returns the DTO the whole validation pass builds from such a body (a
 * unit test holds the two equal), or undefined for any other body, which then takes the whole pass.
 */
export function simpleCreateOrder(body: unknown): CreateOrderDto | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  for (const k in b) if (!SIMPLE_KEYS.has(k)) return undefined;
  if (b.coupon_id !== undefined && !isId(b.coupon_id)) return undefined;
  if (b.team_id !== undefined && !isId(b.team_id)) return undefined;
  if (b.remark !== undefined && !(typeof b.remark === 'string' && b.remark.length <= 255)) return undefined;
  let goods = b.goods;
  if (typeof goods === 'string') {
    if (goods.length > 200) return undefined;
    try {
      goods = JSON.parse(goods);
    } catch {
      return undefined;
    }
  }
  if (!Array.isArray(goods) || goods.length !== 1) return undefined;
  const line = goods[0] as Record<string, unknown> | null;
  if (line === null || typeof line !== 'object' || Array.isArray(line) || Object.keys(line).length !== 2) return undefined;
  const { product_id, quantity } = line;
  if (!isId(product_id) || typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > 9999) return undefined;
  const goodsLine = new GoodsLineDto();
  goodsLine.product_id = product_id;
  goodsLine.quantity = quantity;
  const dto = new CreateOrderDto();
  dto.goods = [goodsLine];
  if (b.coupon_id !== undefined) dto.coupon_id = b.coupon_id as number;
  if (b.team_id !== undefined) dto.team_id = b.team_id as number;
  if (b.remark !== undefined) dto.remark = b.remark as string;
  return dto;
}

registerFastTransform(CreateOrderDto, simpleCreateOrder);
