import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { DomainError } from '../common/errors';
import { money, ZERO } from '../common/money';
import { AdminPage, adminPaging } from '../common/pagination';
import { parseDate } from '../common/time';
import { GroupBuyingService } from '../group-buying/group-buying.service';
import { TenantScope } from '../tenant/tenant-scope';
import { CouponListQuery, CouponSumData, CouponView, CreateCouponDto, UpdateCouponDto } from './coupon.dto';
import { Coupon } from './coupon.entity';
import { CouponRepository, TemplateFields } from './coupon.repository';
import { CouponMethod, TimeLimit, UNLIMITED, UseType } from './coupon.rules';
import { toCouponView } from './coupon.view';

const badField = (field: string, message: string) => DomainError.badRequest(`参数错误 ${field}: ${message}`, [{ field, message }]);

/** Coupon templates for a tenant's admin (contract §8, `/api/marketing/coupon/`). */
@Injectable()
export class CouponAdminService {
  constructor(
    private readonly repo: CouponRepository,
    private readonly deals: GroupBuyingService,
  ) {}

  /** The coupon in the caller's tenant, or 404 (deleted or another tenant's too). */
  get(scope: TenantScope, id: number): Promise<Coupon> {
    return this.repo.ofTenant(scope, id);
  }

  async create(scope: TenantScope, dto: CreateCouponDto): Promise<number> {
    const terms = await this.terms(scope, dto);
    return this.repo.insertTemplate(scope.tenantId, terms);
  }

  /**
   * Replaces the template's terms. `total` may not drop below what has been handed out: the check is
   * in the UPDATE's WHERE, so a receive running at the same time cannot slip past it.
   */
  async update(scope: TenantScope, dto: UpdateCouponDto): Promise<void> {
    await this.get(scope, dto.id);
    const terms = await this.terms(scope, dto);
    if (await this.repo.updateTerms(scope, dto.id, terms)) return;
    const now = await this.repo.findOfTenant(scope, dto.id);
    if (!now) throw DomainError.notFound('优惠券');
    throw DomainError.conflict(`发放总量不能少于已领取数量 (total ${terms.total} < receivedCount ${now.receivedCount})`);
  }

  /** Soft delete: gone from lists and the storefront; member coupons of it can no longer be used. */
  async delete(scope: TenantScope, id: number): Promise<void> {
    const c = await this.get(scope, id);
    await this.repo.softDelete(scope.tenantId, c.id);
  }

  async list(scope: TenantScope, q: CouponListQuery): Promise<AdminPage<CouponView, CouponSumData>> {
    const { pageIndex, pageSize, skip, take } = adminPaging(q);
    const { rows, total, receivedCount, usedCount } = await this.repo.listOfTenant(scope, q.keyword?.trim(), skip, take);
    return { data: rows.map(toCouponView), pageIndex, pageSize, totalCount: total, sumData: { receivedCount, usedCount } };
  }

  /** Normalises a valid body into stored terms: fields of the other method/time rule are cleared. */
  private async terms(scope: TenantScope, dto: CreateCouponDto): Promise<TemplateFields> {
    const method = dto.couponMethod;
    const useType = dto.useType ?? UseType.ALL;
    const timeLimit = dto.timeLimit;
    let timeStart: Date | null = null;
    let timeEnd: Date | null = null;
    if (timeLimit === TimeLimit.RANGE) {
      timeStart = parseDate(dto.timeStart);
      timeEnd = parseDate(dto.timeEnd);
      if (!timeStart || !timeEnd) throw badField(timeStart ? 'timeEnd' : 'timeStart', 'a date is required when timeLimit is 1');
      if (timeStart.getTime() >= timeEnd.getTime()) throw badField('timeEnd', 'timeEnd must be after timeStart');
    }
    let groupBuyingIds: number[] | null = null;
    if (useType === UseType.DEALS) {
      groupBuyingIds = [...new Set(dto.groupBuyingIds ?? [])];
      await this.assertOwnDeals(scope, groupBuyingIds);
    }
    return {
      name: dto.name,
      couponMethod: method,
      enough: money(dto.enough ?? 0),
      deduct: method === CouponMethod.DEDUCT ? money(dto.deduct) : ZERO,
      discount: method === CouponMethod.DISCOUNT ? money(dto.discount) : new Big(0),
      useType,
      groupBuyingIds,
      timeLimit,
      timeDays: timeLimit === TimeLimit.DAYS ? dto.timeDays! : 0,
      timeStart,
      timeEnd,
      total: dto.total ?? UNLIMITED,
      getMax: dto.getMax ?? 1,
      inUse: dto.inUse ?? true,
    };
  }

  /** Every id must be a (not deleted) deal of the admin's tenant; otherwise 404, never saying whose it is. */
  private async assertOwnDeals(scope: TenantScope, ids: number[]): Promise<void> {
    await this.deals.assertOwned(scope.tenantId, ids, '团购 (groupBuyingIds)');
  }
}
