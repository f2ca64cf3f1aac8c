import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository, SelectQueryBuilder } from 'typeorm';
import { User } from '../auth/user.entity';
import { DomainError } from '../common/errors';
import { isDuplicateKeyError } from '../common/db-errors';
import { money } from '../common/money';
import { AdminPage, adminPaging, storePaging } from '../common/pagination';
import { Shop } from '../shop/shop.entity';
import { ShopService } from '../shop/shop.service';
import { TenantScope } from '../tenant/tenant-scope';
import { assertWindow, intOf, rangeEnd, rangeStart, requireDate } from '../common/query';
import { ChangeUsingDto, CreateDealDto, DealBodyDto, DealListQuery, StoreDealListQuery, UpdateDealDto } from './group-buying.dto';
import { GroupBuyingVisitor } from './group-buying-visitor.entity';
import { GroupBuying } from './group-buying.entity';
import { DealRepository } from './deal.repository';
import { DealSumData, DealUserView, DealView, StoreDealView, toDealView, toStoreDealView } from './group-buying.view';

const DEAL = '团购';
/** Visitor lists are capped (they can grow without bound). */
const VISITOR_LIMIT = 1000;

/** Deals (团购): admin CRUD within a tenant, storefront reads and visit counting. */
@Injectable()
export class GroupBuyingService {
  constructor(
    @InjectRepository(GroupBuying) private readonly deals: Repository<GroupBuying>,
    @InjectRepository(GroupBuyingVisitor) private readonly visitors: Repository<GroupBuyingVisitor>,
    @InjectRepository(Shop) private readonly shopRepo: Repository<Shop>,
    private readonly shops: ShopService,
    private readonly dealRows: DealRepository,
  ) {}

  /** The caller's (not deleted) deal, or 404. */
  get(scope: TenantScope, id: number): Promise<GroupBuying> {
    return scope.get(this.deals, id, DEAL);
  }

  /** A deal of any tenant for the storefront (not deleted), or 404. */
  async findPublic(id: number): Promise<GroupBuying> {
    const deal = Number.isSafeInteger(id) && id > 0 ? await this.deals.findOne({ where: { id } }) : null;
    if (!deal) throw DomainError.notFound(DEAL);
    return deal;
  }

  async create(scope: TenantScope, dto: CreateDealDto): Promise<number> {
    await this.shops.get(scope, dto.shopId);
    const startTime = requireDate(dto.startTime, 'startTime');
    const endTime = requireDate(dto.endTime, 'endTime');
    assertWindow(startTime, endTime);
    const deal = this.deals.create({
      ...this.editable(dto),
      tenantId: scope.tenantId,
      startTime,
      endTime,
      deliverType: dto.deliverType ?? 1,
      address: dto.address ?? '',
      lbs: dto.lbs ?? '',
      phone: dto.phone ?? '',
      inUse: dto.inUse ?? true,
      productCode: dto.productCode ?? '',
      imagePath: dto.imagePath ?? '',
      spec: dto.spec ?? '',
      stock: dto.stock ?? 0,
      limitPerUser: dto.limitPerUser ?? 0,
      deliverFee: money(dto.deliverFee ?? 0),
      teamSize: dto.teamSize ?? 0,
      teamHours: dto.teamHours ?? 24,
      virtualTeam: dto.virtualTeam ?? false,
      // server-owned: the creator is the calling admin, the counters start at zero
      userId: scope.adminId,
      userName: scope.adminName,
      payedCount: 0,
      orderCount: 0,
      visitTimes: 0,
      lastSequence: 0,
    });
    return (await this.deals.save(deal)).id;
  }

  /** Replaces what the body carries; fields it leaves out keep their stored values. Counters are never touched. */
  async update(scope: TenantScope, dto: UpdateDealDto): Promise<void> {
    const deal = await this.get(scope, dto.id);
    if (dto.shopId !== deal.shopId) await this.shops.get(scope, dto.shopId);
    const startTime = dto.startTime !== undefined ? requireDate(dto.startTime, 'startTime') : deal.startTime;
    const endTime = dto.endTime !== undefined ? requireDate(dto.endTime, 'endTime') : deal.endTime;
    assertWindow(startTime, endTime);
    const patch: Partial<GroupBuying> = { ...this.editable(dto), startTime, endTime };
    const optional = {
      deliverType: dto.deliverType,
      address: dto.address,
      lbs: dto.lbs,
      phone: dto.phone,
      inUse: dto.inUse,
      productCode: dto.productCode,
      imagePath: dto.imagePath,
      spec: dto.spec,
      stock: dto.stock,
      limitPerUser: dto.limitPerUser,
      deliverFee: dto.deliverFee === undefined ? undefined : money(dto.deliverFee),
      teamSize: dto.teamSize,
      teamHours: dto.teamHours,
      virtualTeam: dto.virtualTeam,
    };
    for (const [k, v] of Object.entries(optional)) if (v !== undefined && v !== null) (patch as Record<string, unknown>)[k] = v;
    await this.deals.update({ id: deal.id, tenantId: scope.tenantId }, patch);
  }

  /** Soft delete: gone from lists and the storefront; its orders stay. */
  async remove(scope: TenantScope, id: number): Promise<void> {
    const deal = await this.get(scope, id);
    await this.deals.softDelete({ id: deal.id, tenantId: scope.tenantId });
  }

  async changeUsing(scope: TenantScope, dto: ChangeUsingDto): Promise<void> {
    const deal = await this.get(scope, dto.id);
    const startTime = dto.startTime !== undefined ? requireDate(dto.startTime, 'startTime') : deal.startTime;
    const endTime = dto.endTime !== undefined ? requireDate(dto.endTime, 'endTime') : deal.endTime;
    assertWindow(startTime, endTime);
    await this.deals.update({ id: deal.id, tenantId: scope.tenantId }, { inUse: dto.inUse, startTime, endTime });
  }

  /** The caller's deal as the admin sees it (seed 001 fields), without its orders. */
  async view(scope: TenantScope, id: number): Promise<DealView> {
    const deal = await this.get(scope, id);
    const shop = await this.shopRepo.findOne({ where: { id: deal.shopId } });
    return toDealView(deal, shop?.name ?? '');
  }

  /** 404 unless `ids` are distinct deals of the tenant (deleted ones only when asked), never saying whose a foreign one is. */
  async assertOwned(tenantId: number, ids: number[], what = DEAL, withDeleted = false): Promise<void> {
    const owned = await this.dealRows.ownedBy(tenantId, [...new Set(ids)], withDeleted);
    if (owned.size !== ids.length) throw DomainError.notFound(what);
  }

  async list(scope: TenantScope, q: DealListQuery): Promise<AdminPage<DealView, DealSumData>> {
    const { pageIndex, pageSize, skip, take } = adminPaging(q);
    const qb = scope.restrict(this.deals.createQueryBuilder('g'));
    if (q.keyword) {
      qb.andWhere('(g.name LIKE :kw OR g.productName LIKE :kw OR g.productCode LIKE :kw)', { kw: `%${q.keyword.trim()}%` });
    }
    if (q.shopId !== undefined) qb.andWhere('g.shopId = :shopId', { shopId: q.shopId });
    // the deal's window [startTime, endTime] overlaps [startDate, endDate]
    const from = rangeStart(q.startDate);
    const to = rangeEnd(q.endDate);
    if (from) qb.andWhere('g.endTime >= :from', { from });
    if (to) qb.andWhere('g.startTime <= :to', { to });

    const sums = await qb
      .clone()
      .select('COUNT(*)', 'totalCount')
      .addSelect('COALESCE(SUM(g.stock), 0)', 'stock')
      .addSelect('COALESCE(SUM(g.payedCount), 0)', 'payedCount')
      .addSelect('COALESCE(SUM(g.orderCount), 0)', 'orderCount')
      .addSelect('COALESCE(SUM(g.visitTimes), 0)', 'visitTimes')
      .getRawOne<Record<string, unknown>>();
    const totalCount = intOf(sums?.totalCount);
    const rows = totalCount > skip ? await qb.orderBy('g.id', 'DESC').offset(skip).limit(take).getMany() : [];
    const names = await this.shopNames(rows.map((r) => r.shopId));
    return {
      data: rows.map((r) => toDealView(r, names.get(r.shopId))),
      pageIndex,
      pageSize,
      totalCount,
      sumData: {
        stock: intOf(sums?.stock),
        payedCount: intOf(sums?.payedCount),
        orderCount: intOf(sums?.orderCount),
        visitTimes: intOf(sums?.visitTimes),
      },
    };
  }

  /** Users who opened the deal in the storefront, most recent first. */
  async visitorsOf(scope: TenantScope, dealId: number): Promise<DealUserView[]> {
    const deal = await this.get(scope, dealId);
    const rows = await this.visitors
      .createQueryBuilder('v')
      .innerJoin(User, 'u', 'u.id = v.userId')
      .select('u.id', 'id')
      .addSelect('u.nickname', 'name')
      .addSelect('u.openId', 'openId')
      .addSelect('u.avatar', 'profile')
      .where('v.groupBuyingId = :dealId', { dealId: deal.id })
      .orderBy('v.updateTime', 'DESC')
      .addOrderBy('v.id', 'DESC')
      .limit(VISITOR_LIMIT)
      .getRawMany<{ id: number | string; name: string; openId: string; profile: string }>();
    return rows.map(toUserView);
  }

  /** Storefront list: in use, in window, not deleted; every tenant unless filtered. */
  async storeList(q: StoreDealListQuery): Promise<{ list: StoreDealView[]; total: number; page: number; limit: number }> {
    const { page, limit, skip, take } = storePaging(q);
    const now = new Date();
    const qb: SelectQueryBuilder<GroupBuying> = this.deals
      .createQueryBuilder('g')
      .where('g.inUse = :inUse', { inUse: true })
      .andWhere('g.startTime <= :now', { now })
      .andWhere('g.endTime > :now', { now });
    if (q.shop_id !== undefined) qb.andWhere('g.shopId = :shopId', { shopId: q.shop_id });
    if (q.tenant_id !== undefined) qb.andWhere('g.tenantId = :tenantId', { tenantId: q.tenant_id });
    const [rows, total] = await qb.orderBy('g.id', 'DESC').skip(skip).take(take).getManyAndCount();
    const names = await this.shopNames(rows.map((r) => r.shopId));
    return { list: rows.map((r) => toStoreDealView(r, names.get(r.shopId))), total, page, limit };
  }

  /** Storefront detail: counts the visit and, for a logged-in user, records the visitor. */
  async storeDetail(id: number, userId?: number): Promise<StoreDealView> {
    if (!Number.isSafeInteger(id) || id <= 0) throw DomainError.notFound(DEAL);
    if (!(await this.dealRows.countVisit(id))) throw DomainError.notFound(DEAL);
    if (userId !== undefined) await this.recordVisitor(id, userId);
    const deal = await this.findPublic(id);
    const shop = await this.shopRepo.findOne({ where: { id: deal.shopId } });
    return toStoreDealView(deal, shop?.name ?? '');
  }

  /** One row per deal and user (unique key); a concurrent first visit loses the insert race and counts instead. */
  private async recordVisitor(groupBuyingId: number, userId: number): Promise<void> {
    const bump = () =>
      this.visitors
        .createQueryBuilder()
        .update(GroupBuyingVisitor)
        .set({ visits: () => 'visits + 1' })
        .where('group_buying_id = :groupBuyingId AND user_id = :userId', { groupBuyingId, userId })
        .execute();
    if ((await bump()).affected) return;
    try {
      await this.visitors.insert({ groupBuyingId, userId, visits: 1 });
    } catch (e) {
      if (!isDuplicateKeyError(e)) throw e;
      await bump();
    }
  }

  private async shopNames(ids: number[]): Promise<Map<number, string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const shops = await this.shopRepo.find({ where: { id: In(unique) }, select: { id: true, name: true } });
    return new Map(shops.map((s) => [s.id, s.name]));
  }

  /** The fields create and update both take from the body as they are. */
  private editable(dto: DealBodyDto): Partial<GroupBuying> {
    const out: Partial<GroupBuying> = {
      shopId: dto.shopId,
      name: dto.name,
      productName: dto.productName,
      price: money(dto.price),
    };
    if (dto.description !== undefined) out.description = dto.description;
    if (dto.productId !== undefined) out.productId = dto.productId;
    return out;
  }
}

function toUserView(r: { id: number | string; name: string; openId: string; profile: string }): DealUserView {
  return { id: Number(r.id), name: r.name ?? '', openId: r.openId ?? '', profile: r.profile ?? '' };
}
