import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../common/errors';
import { storePaging } from '../common/pagination';
import { BatchLoader, tenantUserKey, usersByTenant } from '../common/batch-loader';
import { runTx } from '../database/sql';
import type { CouponTerms } from '../pricing/pricing.types';
import { MemberCouponView, MineQuery, StoreCouponListQuery, StoreCouponView } from './coupon.dto';
import { CouponRepository, MemberCouponWithTemplate } from './coupon.repository';
import { hasEnded, isExhausted, isTemplateUsable, memberCouponWindow, reachedUserLimit, UseType } from './coupon.rules';
import { toMemberCouponView, toStoreCouponView } from './coupon.view';

export interface StorePage<T> {
  list: T[];
  total: number;
  page: number;
  limit: number;
}

function toTerms(mc: MemberCouponWithTemplate['member'], c: MemberCouponWithTemplate['template']): CouponTerms {
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
  /**
   * The checkouts of a flash sale read their buyers' coupons together, one query per tenant and round trip
   * (BatchLoader: each read starts after its caller asked). The window is judged at the query's start, a
   * moment after the caller's own `now`: a coupon ending in between is already left out.
   */
  private readonly termsOfUsers = new BatchLoader<string, CouponTerms[]>(async (keys) => {
    const now = new Date();
    const out = new Map<string, CouponTerms[]>(keys.map((k) => [k, []]));
    for (const [tenantId, userIds] of usersByTenant(keys)) {
      for (const { member, template } of await this.repo.unusedWithTemplates(userIds, tenantId, now))
        out.get(tenantUserKey(tenantId, member.userId))?.push(toTerms(member, template));
    }
    return out;
  });

  constructor(
    private readonly ds: DataSource,
    private readonly repo: CouponRepository,
  ) {}

  // ---------- storefront ----------

  /** Receivable coupons: in use, not deleted, not exhausted, fixed windows not yet ended; with the caller's count. */
  async listReceivable(userId: number, q: StoreCouponListQuery, now = new Date()): Promise<StorePage<StoreCouponView>> {
    const { page, limit, skip, take } = storePaging(q);
    const { rows, total } = await this.repo.receivable(q.tenant_id, now, skip, take);
    const counts = await this.repo.receivedBy(
      userId,
      rows.map((c) => c.id),
    );
    return { list: rows.map((c) => toStoreCouponView(c, counts.get(c.id) ?? 0)), total, page, limit };
  }

  /**
   * Hands one coupon to the user. One transaction: the template row is locked (FOR UPDATE on MySQL;
   * SQLite has one writer anyway), the user's count is read under that lock, the member coupon is
   * inserted and `received_count` is raised only while it is below `total`.
   */
  receive(userId: number, couponId: number, now = new Date()): Promise<MemberCouponView> {
    const work = async (em: EntityManager): Promise<MemberCouponView> => {
      const coupon = await this.repo.lockTemplate(em, couponId);
      if (!coupon || !isTemplateUsable(coupon)) throw DomainError.notFound('优惠券');
      if (hasEnded(coupon, now)) throw DomainError.cannotBuy('优惠券已过期');
      if (isExhausted(coupon)) throw DomainError.cannotBuy('优惠券已领完');
      if (coupon.getMax > 0) {
        const held = await this.repo.heldBy(em, couponId, userId);
        if (reachedUserLimit(coupon.getMax, held)) throw DomainError.cannotBuy(`每人限领 ${coupon.getMax} 张`);
      }
      const mc = await this.repo.insertMember(em, {
        tenantId: coupon.tenantId,
        couponId,
        userId,
        getTime: now,
        ...memberCouponWindow(coupon, now),
      });
      if (!(await this.repo.countReceived(em, couponId))) throw DomainError.cannotBuy('优惠券已领完');
      coupon.receivedCount += 1;
      return toMemberCouponView(mc, coupon, now);
    };
    // READ COMMITTED (every session): the count after the lock sees every receive committed before it.
    return runTx(this.ds, work);
  }

  /** The caller's member coupons, newest first; `usable` = unused, not expired, template still usable. */
  async mine(userId: number, q: MineQuery, now = new Date()): Promise<StorePage<MemberCouponView>> {
    const { page, limit, skip, take } = storePaging(q);
    const { rows, total } = await this.repo.mine(userId, q.tenant_id, q.status, now, skip, take);
    const templates = await this.repo.templates(rows.map((r) => r.couponId));
    return { list: rows.map((m) => toMemberCouponView(m, templates.get(m.couponId)!, now)), total, page, limit };
  }

  // ---------- checkout API (used by the Order module) ----------

  /** The user's unused, not yet expired member coupons (of `tenantId` when given), soonest expiring first. */
  async loadTermsForUser(userId: number, tenantId: number | null, now: Date): Promise<CouponTerms[]> {
    if (tenantId === null) return (await this.repo.unusedWithTemplates([userId], null, now)).map((x) => toTerms(x.member, x.template));
    return ((await this.termsOfUsers.load(tenantUserKey(tenantId, userId))) ?? []).filter((t) => t.timeEnd > now);
  }

  /** One member coupon of the user as terms (used or not, any window); null when unknown or another user's. */
  async loadTerms(memberCouponId: number, userId: number): Promise<CouponTerms | null> {
    if (!Number.isSafeInteger(memberCouponId) || memberCouponId <= 0) return null;
    const mc = await this.repo.memberOf(memberCouponId, userId);
    if (!mc) return null;
    const c = await this.repo.template(mc.couponId);
    return c ? toTerms(mc, c) : null;
  }

  /**
   * Marks the member coupon used by checkout `payNo`, inside the caller's transaction. The rule is in
   * the WHERE (the caller's, unused, in its window), so at most one checkout ever wins it. Then the
   * template's `used_count` goes up, only while the template is in use and not deleted.
   * Locks: member_coupon row, then coupon row (the same order as returnInTx).
   */
  async useInTx(em: EntityManager, memberCouponId: number, userId: number, tenantId: number, payNo: string, now: Date): Promise<void> {
    if (!(await this.repo.markUsed(em, memberCouponId, userId, tenantId, payNo, now))) throw DomainError.cannotBuy('优惠券不可用');
    const couponId = await this.repo.templateIdOf(em, memberCouponId);
    if (!(await this.repo.countUsed(em, couponId))) {
      // the template was switched off or deleted: undo our mark, in case the caller does not roll back
      await this.repo.unmarkUsed(em, memberCouponId, payNo);
      throw DomainError.cannotBuy('优惠券不可用');
    }
  }

  /**
   * Gives back the member coupons used by checkout `payNo` (expired or cancelled), inside the caller's
   * transaction. Each row flips back only if it is still used by this checkout, and `used_count` drops
   * once per row actually flipped, so calling it twice (or from two instances) returns each coupon once.
   */
  async returnInTx(em: EntityManager, payNo: string): Promise<number> {
    const rows = await this.repo.usedBy(em, payNo);
    let returned = 0;
    for (const r of rows) {
      if (!(await this.repo.giveBack(em, r.id, payNo))) continue;
      returned++;
      await this.repo.uncountUsed(em, r.couponId);
    }
    return returned;
  }

  /**
   * returnInTx for many checkouts at once (the sweep's batches), in the caller's transaction: the
   * member coupons still used by `payNos` locked and flipped back in one statement, then each
   * template's `used_count` down by as many in one more. Returns how many were given back.
   */
  async returnForCheckouts(em: EntityManager, payNos: string[]): Promise<number> {
    if (!payNos.length) return 0;
    const used = await this.repo.usedByAny(em, payNos);
    if (!used.length) return 0;
    const flipped = await this.repo.giveBackMany(
      em,
      used.map((r) => r.id),
      payNos,
    );
    // the rows are locked by this transaction since they were read: all of them flip, or something is wrong
    if (flipped !== used.length) throw new Error(`member coupons changed under their lock (${flipped}/${used.length})`);
    const perTemplate = new Map<number, number>();
    for (const r of used) perTemplate.set(r.couponId, (perTemplate.get(r.couponId) ?? 0) + 1);
    await this.repo.uncountUsedMany(em, perTemplate);
    return flipped;
  }
}
