import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ToInt } from './transforms';

export const ADMIN_MAX_PAGE_SIZE = 100;
export const STORE_MAX_LIMIT = 50;
/** Page numbers above this are a 400 (§12): an offset past them only costs the database a scan. */
export const MAX_PAGE = 1_000_000;

/** Admin paging (§2): `pageIndex` from 1, `pageSize` default 20, above 100 is served as 100. */
export class AdminPageQuery {
  @ApiPropertyOptional({ description: '页码，从 1 开始，最大 1000000', default: 1, minimum: 1, maximum: MAX_PAGE })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  pageIndex?: number;

  @ApiPropertyOptional({ description: '每页条数，默认 20，最大 100（更大按 100）', default: 20, minimum: 1, maximum: ADMIN_MAX_PAGE_SIZE })
  @IsOptional()
  @ToInt(ADMIN_MAX_PAGE_SIZE)
  @IsInt()
  @Min(1)
  pageSize?: number;
}

/** Storefront paging (§2): `page` from 1, `limit` default 10, above 50 is served as 50. */
export class StorePageQuery {
  @ApiPropertyOptional({ description: '页码，从 1 开始，最大 1000000', default: 1, minimum: 1, maximum: MAX_PAGE })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page?: number;

  @ApiPropertyOptional({ description: '每页条数，默认 10，最大 50', default: 10, minimum: 1, maximum: STORE_MAX_LIMIT })
  @IsOptional()
  @ToInt(STORE_MAX_LIMIT)
  @IsInt()
  @Min(1)
  limit?: number;
}

export interface AdminPage<T, S = Record<string, number>> {
  data: T[];
  pageIndex: number;
  pageSize: number;
  totalCount: number;
  sumData: S;
}

export function adminPaging(q: AdminPageQuery) {
  const pageIndex = q.pageIndex ?? 1;
  const pageSize = Math.min(q.pageSize ?? 20, ADMIN_MAX_PAGE_SIZE);
  return { pageIndex, pageSize, skip: (pageIndex - 1) * pageSize, take: pageSize };
}

export function storePaging(q: StorePageQuery) {
  const page = q.page ?? 1;
  const limit = Math.min(q.limit ?? 10, STORE_MAX_LIMIT);
  return { page, limit, skip: (page - 1) * limit, take: limit };
}
