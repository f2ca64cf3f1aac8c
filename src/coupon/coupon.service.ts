import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { DomainError } from '../common/errors';
import { storePaging } from '../common/pagination';
import { isMysql, runTx } from '../database/sql';
import type { CouponTerms } from '../pricing/pricing.types';
import { MemberCouponView, MineQuery, StoreCouponListQuery, StoreCouponView } from './coupon.dto';
import { Coupon } from './coupon.entity';
import { hasEnded, isExhausted, isTemplateUsable, memberCouponWindow, reachedUserLimit, UseType } from './coupon.rules';
import { toMemberCouponView, toStoreCouponView } from './coupon.view';
import { MemberCoupon } from './member-coupon.entity';

export interface StorePage<T> {
  list: T[];
  total: number;
  page: number;
  limit: number;
}

function toTerms(mc: MemberCoupon, c: Coupon): CouponTerms {
  return {
    memberCouponId: mc.id,
    couponId: mc.couponId,
    tenantId: mc.tenantId,
    userId: mc.userId,
    name: c.name,
    couponMethod: c.couponMethod === 2 ? 2 : 1,
    enough: c.enough,
    deduct: c.deduct,
    discount: c.discount,
    useType: c.useType === UseType.DEALS ? 2 : 0,
    groupBuyingIds: c.useType === UseType.DEALS ? (c.groupBuyingIds ?? []) : null,
    timeStart: mc.timeStart,
    timeEnd: mc.timeEnd,
    used: mc.used,
    usable: isTemplateUsable(c),
  };
}

/**
 * Member coupons: receiving (storefront), listing, and the checkout's use/return. Every counter
 * change is a conditional UPDATE whose WHERE carries the rule, so it holds with several app instances.
 */
@Injectable()
export class CouponService {
  constructor(
    private readonly ds: DataSource,
    @InjectRepository(Coupon) private readonly coupons: Repository<Coupon>,
    @InjectRepository(MemberCoupon) private readonly members: Repository<MemberCoupon>,
  ) {}

  private get isMysql(): boolean {
    return isMysql(this.ds);
  }

  // ---------- storefront ----------

  /** Receivable coupons: in use, not deleted, not exhausted, fixed windows not yet ended; with the caller's count. */
  async listReceivable(userId: number, q: StoreCouponListQuery, now = new Date()): Promise<StorePage<StoreCouponView>> {
    const { page, limit, skip, take } = storePaging(q);
    const qb = this.coupons
      .createQueryBuilder('c')
      .where('c.inUse = :on', { on: true })
      .andWhere('(c.total = -1 OR c.receivedCount < c.total)')
      .andWhere('(c.timeLimit = 0 OR c.timeEnd > :now)', { now });
    if (q.tenant_id) qb.andWhere('c.tenantId = :tenantId', { tenantId: q.tenant_id });
    const [rows, total] = await qb.orderBy('c.id', 'DESC').skip(skip).take(take).getManyAndCount();
    const counts = await this.receivedBy(userId, rows.map((c) => c.id));
    return { list: rows.map((c) => toStoreCouponView(c, counts.get(c.id) ?? 0)), total, page, limit };
  }

  /**
   * Hands one coupon to the user. One transaction: the template row is locked (FOR UPDATE on MySQL;
   * SQLite has one writer anyway), the user's count is read under that lock, the member coupon is
   * inserted and `received_count` is raised only while it is below `total`.
   */
  receive(userId: number, couponId: number, now = new Date()): Promise<MemberCouponView> {
    const work = async (em: EntityManager): Promise<MemberCouponView> => {
      const coupon = await this.lockTemplate(em, couponId);
      if (!coupon || !isTemplateUsable(coupon)) throw DomainError.notFound('优惠券');
      if (hasEnded(coupon, now)) throw DomainError.cannotBuy('优惠券已过期');
      if (isExhausted(coupon)) throw DomainError.cannotBuy('优惠券已领完');
      if (coupon.getMax > 0) {
        const held = await em.count(MemberCoupon, { where: { couponId, userId } });
        if (reachedUserLimit(coupon.getMax, held)) throw DomainError.cannotBuy(`每人限领 ${coupon.getMax} 张`);
      }
      const mc = await em.save(
        em.create(MemberCoupon, {
          tenantId: coupon.tenantId,
          couponId,
          userId,
          used: false,
          useTime: null,
          payNo: null,
          getTime: now,
          ...memberCouponWindow(coupon, now),
        }),
      );
      const res = await em
        .createQueryBuilder()
        .update(Coupon)
        .set({ receivedCount: () => 'received_count + 1' })
        .where('id = :id AND (total = -1 OR received_count < total)', { id: couponId })
        .execute();
      if (res.affected !== 1) throw DomainError.cannotBuy('优惠券已领完');
      coupon.receivedCount += 1;
      return toMemberCouponView(mc, coupon, now);
    };
    // READ COMMITTED (every session): the count after the lock sees every receive committed before it.
    return runTx(this.ds, work);
  }

  /** The caller's member coupons, newest first; `usable` = unused, not expired, template still usable. */
  async mine(userId: number, q: MineQuery, now = new Date()): Promise<StorePage<MemberCouponView>> {
    const { page, limit, skip, take } = storePaging(q);
    const qb = this.members
      .createQueryBuilder('m')
      .withDeleted()
      .innerJoin(Coupon, 'c', 'c.id = m.couponId')
      .where('m.userId = :userId', { userId });
    if (q.tenant_id) qb.andWhere('m.tenantId = :tenantId', { tenantId: q.tenant_id });
    switch (q.status) {
      case 'usable':
        qb.andWhere('m.used = :no AND m.timeEnd > :now', { no: false, now }).andWhere('c.inUse = :on AND c.deletedAt IS NULL', { on: true });
        break;
      case 'used':
        qb.andWhere('m.used = :yes', { yes: true });
        break;
      case 'expired':
        qb.andWhere('m.used = :no AND m.timeEnd <= :now', { no: false, now });
        break;
    }
    // the join is one-to-one, so plain LIMIT/OFFSET pages it
    const [rows, total] = await qb.orderBy('m.id', 'DESC').offset(skip).limit(take).getManyAndCount();
    const templates = await this.templates(this.ds.manager, rows.map((r) => r.couponId));
    return { list: rows.map((m) => toMemberCouponView(m, templates.get(m.couponId)!, now)), total, page, limit };
  }

  // ---------- checkout API (used by the Order module) ----------

  /** The user's unused, not yet expired member coupons (of `tenantId` when given), soonest expiring first. */
  async loadTermsForUser(userId: number, tenantId: number | null, now: Date): Promise<CouponTerms[]> {
    const qb = this.members
      .createQueryBuilder('m')
      .where('m.userId = :userId', { userId })
      .andWhere('m.used = :no', { no: false })
      .andWhere('m.timeEnd > :now', { now });
    if (tenantId !== null && tenantId !== undefined) qb.andWhere('m.tenantId = :tenantId', { tenantId });
    const rows = await qb.orderBy('m.timeEnd', 'ASC').addOrderBy('m.id', 'ASC').getMany();
    const templates = await this.templates(this.ds.manager, rows.map((r) => r.couponId));
    return rows.filter((m) => templates.has(m.couponId)).map((m) => toTerms(m, templates.get(m.couponId)!));
  }

  /** One member coupon of the user as terms (used or not, any window); null when unknown or another user's. */
  async loadTerms(memberCouponId: number, userId: number): Promise<CouponTerms | null> {
    if (!Number.isSafeInteger(memberCouponId) || memberCouponId <= 0) return null;
    const mc = await this.members.findOne({ where: { id: memberCouponId, userId } });
    if (!mc) return null;
    const c = await this.coupons.findOne({ where: { id: mc.couponId }, withDeleted: true });
    return c ? toTerms(mc, c) : null;
  }

  /**
   * Marks the member coupon used by checkout `payNo`, inside the caller's transaction. The rule is in
   * the WHERE (the caller's, unused, in its window), so at most one checkout ever wins it. Then the
   * template's `used_count` goes up, only while the template is in use and not deleted.
   * Locks: member_coupon row, then coupon row (the same order as returnInTx).
   */
  async useInTx(em: EntityManager, memberCouponId: number, userId: number, tenantId: number, payNo: string, now: Date): Promise<void> {
    const res = await em
      .createQueryBuilder()
      .update(MemberCoupon)
      .set({ used: true, useTime: now, payNo })
      .where('id = :id AND user_id = :userId AND tenant_id = :tenantId AND used = :no AND time_start <= :now AND time_end > :now', {
        id: memberCouponId,
        userId,
        tenantId,
        no: false,
        now,
      })
      .execute();
    if (res.affected !== 1) throw DomainError.cannotBuy('优惠券不可用');
    const mc = await em.findOne(MemberCoupon, { where: { id: memberCouponId }, select: { id: true, couponId: true } });
    const counted = await em
      .createQueryBuilder()
      .update(Coupon)
      .set({ usedCount: () => 'used_count + 1' })
      .where('id = :couponId AND in_use = :on AND deleted_at IS NULL', { couponId: mc!.couponId, on: true })
      .execute();
    if (counted.affected !== 1) {
      // the template was switched off or deleted: undo our mark, in case the caller does not roll back
      await em
        .createQueryBuilder()
        .update(MemberCoupon)
        .set({ used: false, useTime: null, payNo: null })
        .where('id = :id AND pay_no = :payNo', { id: memberCouponId, payNo })
        .execute();
      throw DomainError.cannotBuy('优惠券不可用');
    }
  }

  /**
   * Gives back the member coupons used by checkout `payNo` (expired or cancelled), inside the caller's
   * transaction. Each row flips back only if it is still used by this checkout, and `used_count` drops
   * once per row actually flipped, so calling it twice (or from two instances) returns each coupon once.
   */
  async returnInTx(em: EntityManager, payNo: string): Promise<number> {
    const rows = await em.find(MemberCoupon, { where: { payNo, used: true }, select: { id: true, couponId: true } });
    let returned = 0;
    for (const r of rows) {
      const res = await em
        .createQueryBuilder()
        .update(MemberCoupon)
        .set({ used: false, useTime: null, payNo: null })
        .where('id = :id AND pay_no = :payNo AND used = :yes', { id: r.id, payNo, yes: true })
        .execute();
      if (res.affected !== 1) continue;
      returned++;
      await em
        .createQueryBuilder()
        .update(Coupon)
        .set({ usedCount: () => 'used_count - 1' })
        .where('id = :couponId AND used_count > 0', { couponId: r.couponId })
        .execute();
    }
    return returned;
  }

  // ---------- helpers ----------

  private lockTemplate(em: EntityManager, id: number): Promise<Coupon | null> {
    const qb = em.createQueryBuilder(Coupon, 'c').withDeleted().where('c.id = :id', { id });
    if (this.isMysql) qb.setLock('pessimistic_write');
    return qb.getOne();
  }

  /** Templates by id, deleted ones included (a member coupon outlives its template's deletion). */
  private async templates(em: EntityManager, ids: number[]): Promise<Map<number, Coupon>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await em.find(Coupon, { where: { id: In(unique) }, withDeleted: true });
    return new Map(rows.map((c) => [c.id, c]));
  }

  private async receivedBy(userId: number, couponIds: number[]): Promise<Map<number, number>> {
    if (couponIds.length === 0) return new Map();
    const rows = await this.members
      .createQueryBuilder('m')
      .select('m.couponId', 'couponId')
      .addSelect('COUNT(*)', 'n')
      .where('m.userId = :userId', { userId })
      .andWhere('m.couponId IN (:...couponIds)', { couponIds })
      .groupBy('m.couponId')
      .getRawMany<{ couponId: number | string; n: number | string }>();
    return new Map(rows.map((r) => [Number(r.couponId), Number(r.n)]));
  }
}
