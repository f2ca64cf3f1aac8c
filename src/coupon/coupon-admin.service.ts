import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import Big from 'big.js';
import { Repository } from 'typeorm';
import { DomainError } from '../common/errors';
import { money, ZERO } from '../common/money';
import { AdminPage, adminPaging } from '../common/pagination';
import { parseDate } from '../common/time';
import { GroupBuyingService } from '../group-buying/group-buying.service';
import { TenantScope } from '../tenant/tenant-scope';
import { CouponListQuery, CouponSumData, CouponView, CreateCouponDto, UpdateCouponDto } from './coupon.dto';
import { Coupon } from './coupon.entity';
import { CouponMethod, TimeLimit, UNLIMITED, UseType } from './coupon.rules';
import { toCouponView } from './coupon.view';

/** The template fields an admin sets; counters and tenant are the server's. */
type TemplateFields = Pick<
  Coupon,
  'name' | 'couponMethod' | 'enough' | 'deduct' | 'discount' | 'useType' | 'groupBuyingIds' | 'timeLimit' | 'timeDays' | 'timeStart' | 'timeEnd' | 'total' | 'getMax' | 'inUse'
>;

const badField = (field: string, message: string) => DomainError.badRequest(`参数错误 ${field}: ${message}`, [{ field, message }]);
const escapeLike = (s: string) => s.replace(/[!%_]/g, (m) => `!${m}`);

/** Coupon templates for a tenant's admin (contract §8, `/api/marketing/coupon/`). */
@Injectable()
export class CouponAdminService {
  constructor(
    @InjectRepository(Coupon) private readonly coupons: Repository<Coupon>,
    private readonly deals: GroupBuyingService,
  ) {}

  /** The coupon in the caller's tenant, or 404 (deleted or another tenant's too). */
  get(scope: TenantScope, id: number): Promise<Coupon> {
    return scope.get(this.coupons, id, '优惠券');
  }

  async create(scope: TenantScope, dto: CreateCouponDto): Promise<number> {
    const terms = await this.terms(scope, dto);
    const saved = await this.coupons.save(this.coupons.create({ ...terms, tenantId: scope.tenantId, receivedCount: 0, usedCount: 0 }));
    return saved.id;
  }

  /**
   * Replaces the template's terms. `total` may not drop below what has been handed out: the check is
   * in the UPDATE's WHERE, so a receive running at the same time cannot slip past it.
   */
  async update(scope: TenantScope, dto: UpdateCouponDto): Promise<void> {
    await this.get(scope, dto.id);
    const terms = await this.terms(scope, dto);
    const qb = this.coupons
      .createQueryBuilder()
      .update(Coupon)
      .set(terms)
      .where('id = :id AND tenant_id = :tenantId AND deleted_at IS NULL', { id: dto.id, tenantId: scope.tenantId });
    if (terms.total !== UNLIMITED) qb.andWhere('received_count <= :total', { total: terms.total });
    const res = await qb.execute();
    if (res.affected === 1) return;
    const now = await this.coupons.findOne({ where: scope.where<Coupon>({ id: dto.id }) });
    if (!now) throw DomainError.notFound('优惠券');
    throw DomainError.conflict(`发放总量不能少于已领取数量 (total ${terms.total} < receivedCount ${now.receivedCount})`);
  }

  /** Soft delete: gone from lists and the storefront; member coupons of it can no longer be used. */
  async delete(scope: TenantScope, id: number): Promise<void> {
    const c = await this.get(scope, id);
    await this.coupons.softDelete({ id: c.id, tenantId: scope.tenantId });
  }

  async list(scope: TenantScope, q: CouponListQuery): Promise<AdminPage<CouponView, CouponSumData>> {
    const { pageIndex, pageSize, skip, take } = adminPaging(q);
    const qb = scope.restrict(this.coupons.createQueryBuilder('c'));
    if (q.keyword?.trim()) qb.andWhere("c.name LIKE :kw ESCAPE '!'", { kw: `%${escapeLike(q.keyword.trim())}%` });
    const [rows, totalCount] = await qb.clone().orderBy('c.id', 'DESC').skip(skip).take(take).getManyAndCount();
    const sums = await qb
      .clone()
      .select('COALESCE(SUM(c.receivedCount), 0)', 'receivedCount')
      .addSelect('COALESCE(SUM(c.usedCount), 0)', 'usedCount')
      .getRawOne<{ receivedCount: string | number; usedCount: string | number }>();
    return {
      data: rows.map(toCouponView),
      pageIndex,
      pageSize,
      totalCount,
      sumData: { receivedCount: Number(sums?.receivedCount ?? 0), usedCount: Number(sums?.usedCount ?? 0) },
    };
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
