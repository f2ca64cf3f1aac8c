import { createHash } from 'node:crypto';
import { DomainError } from '../common/errors';
import { deductionsWanted } from './checkout-deductions';
import type { AddressDto, CreateOrderDto } from './dto/checkout.dto';

/** The address of an express line as one text. */
export function formatAddress(a: AddressDto): string {
  return `${a.username} ${a.mobile} ${a.province}${a.city}${a.district}${a.street ?? ''}${a.address}`.slice(0, 500);
}

/** Same key + same body = same request; the hash covers what createOrder reads from the body. */
export function requestHash(dto: CreateOrderDto): string {
  const canonical = JSON.stringify({
    goods: dto.goods.map((g) => [g.product_id, g.quantity]),
    coupon_id: dto.coupon_id ?? null,
    address: dto.address
      ? [
          dto.address.mobile,
          dto.address.username,
          dto.address.province,
          dto.address.city,
          dto.address.district,
          dto.address.street ?? '',
          dto.address.address,
        ]
      : null,
    phone: dto.phone ?? null,
    remark: dto.remark ?? null,
    team_id: dto.team_id ?? null,
    deductions: deductionsWanted(dto),
    note: dto.orders?.map((o) => o.note ?? '') ?? null,
    invoice: [dto.invoice_type, dto.rise_type, dto.call, dto.company_number ?? dto.ncompany_numberote, dto.email],
  });
  return createHash('sha256').update(canonical).digest('hex');
}

/** The §12 createOrder counter of a user (ORDER_RATE_LIMIT_PER_MINUTE), shared by every instance. */
export const orderRateKey = (userId: number): string => `order:create:${userId}`;

/** The §12 answer once a user has made more than `limit` createOrder calls this minute. */
export const orderRateLimited = (limit: number): DomainError =>
  DomainError.tooManyRequests(`下单过于频繁，请稍后再试 (more than ${limit} createOrder calls a minute)`);
