import { Injectable } from '@nestjs/common';
import type Big from 'big.js';
import { DomainError } from '../common/errors';
import { money } from '../common/money';
import { parseDate } from '../common/time';
import { AdminPage, adminPaging, storePaging } from '../common/pagination';
import { assertWindow, rangeEnd, rangeStart, requireDate } from '../common/query';
import { ShopService } from '../shop/shop.service';
import { TenantScope } from '../tenant/tenant-scope';
import { DealVisitsService } from './deal-visits.service';
import { DealRepository, VisitorRow } from './deal.repository';
import { preSaleProblem } from './deal.rules';
import { ChangeUsingDto, CreateDealDto, DealBodyDto, DealListQuery, StoreDealListQuery, UpdateDealDto } from './group-buying.dto';
import { GroupBuying } from './group-buying.entity';
import { DealSumData, DealUserView, DealView, StoreDealView, storeDealViewOf, toDealView, toStoreDealView } from './group-buying.view';
import { SoldOutRegistry } from './sold-out.registry';
import { StoreDealCache } from './store-deal.cache';

const DEAL = '团购';
/** Visitor lists are capped (they can grow without bound). */
const VISITOR_LIMIT = 1000;

/** Deals (团购): admin CRUD within a tenant, storefront reads and visit counting. */
@Injectable()
export class GroupBuyingService {
  constructor(
    private readonly shops: ShopService,
    private readonly dealRows: DealRepository,
    private readonly storeViews: StoreDealCache,
    private readonly visits: DealVisitsService,
    private readonly soldOut: SoldOutRegistry,
  ) {}

  /** The caller's (not deleted) deal, or 404. */
  async get(scope: TenantScope, id: number): Promise<GroupBuying> {
    const deal = Number.isSafeInteger(id) && id > 0 ? await this.dealRows.findOne(id, scope.tenantId) : null;
    if (!deal) throw DomainError.notFound(DEAL);
    return deal;
  }

  async create(scope: TenantScope, dto: CreateDealDto): Promise<number> {
    await this.shops.get(scope, dto.shopId);
    const startTime = requireDate(dto.startTime, 'startTime');
    const endTime = requireDate(dto.endTime, 'endTime');
    assertWindow(startTime, endTime);
    const id = await this.dealRows.insert({
      ...this.editable(dto),
      ...preSaleFields(dto, null, endTime),
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
    // a storefront 404 for this id may be cached from just before
    this.changed(id);
    return id;
  }

  /** Replaces what the body carries; fields it leaves out keep their stored values. Counters are never touched. */
  async update(scope: TenantScope, dto: UpdateDealDto): Promise<void> {
    const deal = await this.get(scope, dto.id);
    if (dto.shopId !== deal.shopId) await this.shops.get(scope, dto.shopId);
    const startTime = dto.startTime !== undefined ? requireDate(dto.startTime, 'startTime') : deal.startTime;
    const endTime = dto.endTime !== undefined ? requireDate(dto.endTime, 'endTime') : deal.endTime;
    assertWindow(startTime, endTime);
    const patch: Partial<GroupBuying> = { ...this.editable(dto), ...preSaleFields(dto, deal, endTime), startTime, endTime };
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
    await this.dealRows.patch(deal.id, scope.tenantId, patch);
    this.changed(deal.id);
  }

  /** Soft delete: gone from lists and the storefront; its orders stay. */
  async remove(scope: TenantScope, id: number): Promise<void> {
    const deal = await this.get(scope, id);
    await this.dealRows.softDelete(deal.id, scope.tenantId);
    this.changed(deal.id);
  }

  async changeUsing(scope: TenantScope, dto: ChangeUsingDto): Promise<void> {
    const deal = await this.get(scope, dto.id);
    const startTime = dto.startTime !== undefined ? requireDate(dto.startTime, 'startTime') : deal.startTime;
    const endTime = dto.endTime !== undefined ? requireDate(dto.endTime, 'endTime') : deal.endTime;
    assertWindow(startTime, endTime);
    assertPreSale({ ...deal, endTime });
    await this.dealRows.patch(deal.id, scope.tenantId, { inUse: dto.inUse, startTime, endTime });
    this.changed(deal.id);
  }

  /** The caller's deal as the admin sees it (seed 001 fields), without its orders. */
  async view(scope: TenantScope, id: number): Promise<DealView> {
    const deal = await this.get(scope, id);
    return toDealView(deal, (await this.shops.names([deal.shopId])).get(deal.shopId) ?? '');
  }

  /** 404 unless `ids` are distinct deals of the tenant (deleted ones only when asked), never saying whose a foreign one is. */
  async assertOwned(tenantId: number, ids: number[], what = DEAL, withDeleted = false): Promise<void> {
    const owned = await this.dealRows.ownedBy(tenantId, [...new Set(ids)], withDeleted);
    if (owned.size !== ids.length) throw DomainError.notFound(what);
  }

  async list(scope: TenantScope, q: DealListQuery): Promise<AdminPage<DealView, DealSumData>> {
    const { pageIndex, pageSize, skip, take } = adminPaging(q);
    const filter = {
      tenantId: scope.tenantId,
      keyword: q.keyword?.trim() || undefined,
      shopId: q.shopId,
      from: rangeStart(q.startDate),
      to: rangeEnd(q.endDate),
    };
    const { rows, sums } = await this.dealRows.listAdmin(filter, skip, take);
    const names = await this.shops.names(rows.map((r) => r.shopId));
    const { totalCount, ...sumData } = sums;
    return { data: rows.map((r) => toDealView(r, names.get(r.shopId))), pageIndex, pageSize, totalCount, sumData };
  }

  /** Users who opened the deal in the storefront, most recent first. */
  async visitorsOf(scope: TenantScope, dealId: number): Promise<DealUserView[]> {
    const deal = await this.get(scope, dealId);
    return (await this.dealRows.visitorsOf(deal.id, VISITOR_LIMIT)).map(toUserView);
  }

  /** Storefront list: in use, in window, not deleted; every tenant unless filtered. */
  async storeList(q: StoreDealListQuery): Promise<{ list: StoreDealView[]; total: number; page: number; limit: number }> {
    const { page, limit, skip, take } = storePaging(q);
    const [rows, total] = await this.dealRows.listOnSale(new Date(), { shopId: q.shop_id, tenantId: q.tenant_id }, skip, take);
    const names = await this.shops.names(rows.map((r) => r.shopId));
    return { list: rows.map((r) => toStoreDealView(r, names.get(r.shopId))), total, page, limit };
  }

  /**
   * Storefront detail, without a write: the view comes from a ~1 s per-instance cache (one SELECT of
   * deal and shop on a miss), the visit and, for a logged-in user, the visitor are counted in memory
   * and written by the next flush.
   */
  async storeDetail(id: number, userId?: number): Promise<StoreDealView> {
    if (!Number.isSafeInteger(id) || id <= 0) throw DomainError.notFound(DEAL);
    const view = await this.storeViews.get(id, async () => {
      const row = await this.dealRows.storeView(id);
      return row ? storeDealViewOf(row) : null;
    });
    if (!view) throw DomainError.notFound(DEAL);
    this.visits.count(id, userId);
    return view;
  }

  /** Writes the storefront visits counted so far (the module does so about once a second and at shutdown). */
  flushVisits(): Promise<void> {
    return this.visits.flushVisits();
  }

  /** An admin write in this instance: the storefront view and any sold-out flag of the deal are stale. */
  private changed(id: number): void {
    this.storeViews.invalidate(id);
    this.soldOut.cleared(id);
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

function toUserView(r: VisitorRow): DealUserView {
  return { id: Number(r.id), name: r.name ?? '', openId: r.openId ?? '', profile: r.profile ?? '' };
}

/**
 * The pre-sale fields of a create (`stored` null) or an update: what the body carries over what is stored,
 * checked against §10 (a 400 naming the field). A deal that is not pre-sale keeps no deposit terms.
 */
function preSaleFields(dto: DealBodyDto, stored: GroupBuying | null, endTime: Date): Partial<GroupBuying> {
  const pick = (v: number | string | null | undefined, old: Big | null | undefined) => (v === undefined ? (old ?? null) : v);
  const preSale = dto.preSale ?? stored?.preSale ?? false;
  const depositIn = pick(dto.deposit, stored?.deposit);
  const valueIn = pick(dto.depositValue, stored?.depositValue);
  const tailIn =
    dto.tailEndTime === undefined ? (stored?.tailEndTime ?? null) : dto.tailEndTime === null ? null : parseDate(dto.tailEndTime);
  const fields = {
    preSale,
    deposit: preSale && depositIn !== null ? money(depositIn) : null,
    depositValue: preSale && valueIn !== null ? money(valueIn) : null,
    tailEndTime: preSale ? tailIn : null,
  };
  assertPreSale({ ...fields, price: money(dto.price), endTime, teamSize: dto.teamSize ?? stored?.teamSize ?? 0 });
  if (preSale && !fields.depositValue) fields.depositValue = fields.deposit;
  return fields;
}

function assertPreSale(t: Parameters<typeof preSaleProblem>[0]): void {
  const p = preSaleProblem(t);
  if (p) throw DomainError.badRequest(`参数错误 ${p.field}: ${p.message}`, [p]);
}
