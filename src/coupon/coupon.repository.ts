import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { dbDate, execute, forUpdate, isMysql, marks, readDate, rows } from '../database/sql';
import { TenantScope } from '../tenant/tenant-scope';
import { MineStatus } from './coupon.dto';
import { Coupon } from './coupon.entity';
import { UNLIMITED } from './coupon.rules';
import { MemberCoupon } from './member-coupon.entity';
import { escapeLike, LIKE_ESCAPE } from '../common/like';

/** The template fields an admin sets; counters and tenant are the server's. */
export type TemplateFields = Pick<
  Coupon,
  | 'name'
  | 'couponMethod'
  | 'enough'
  | 'deduct'
  | 'discount'
  | 'useType'
  | 'groupBuyingIds'
  | 'timeLimit'
  | 'timeDays'
  | 'timeStart'
  | 'timeEnd'
  | 'total'
  | 'getMax'
  | 'inUse'
>;

interface MemberCouponTemplateRow {
  id: number | string;
  coupon_id: number | string;
  tenant_id: number | string;
  user_id: number | string;
  used: number | string | boolean;
  time_start: Date | string;
  time_end: Date | string;
  name: string;
  coupon_method: number | string;
  enough: string | number;
  deduct: string | number;
  discount: string | number;
  use_type: number | string;
  group_buying_ids: string | null;
  in_use: number | string | boolean;
  deleted_at: Date | string | null;
}

/** A member coupon and the template fields a checkout prices with. */
export interface MemberCouponWithTemplate {
  member: Pick<MemberCoupon, 'id' | 'couponId' | 'tenantId' | 'userId' | 'used' | 'timeStart' | 'timeEnd'>;
  template: Pick<Coupon, 'name' | 'couponMethod' | 'enough' | 'deduct' | 'discount' | 'useType' | 'groupBuyingIds' | 'inUse' | 'deletedAt'>;
}

/** A newly received member coupon: whose, of which template, and its window. */
export type NewMemberCoupon = Pick<MemberCoupon, 'tenantId' | 'couponId' | 'userId' | 'getTime' | 'timeStart' | 'timeEnd'>;

export interface Paged<T> {
  rows: T[];
  total: number;
}

/**
 * Every query on the coupon and member_coupon tables. Writes run on the caller's transactional
 * manager; counters move only by conditional UPDATEs whose WHERE carries the rule, so they hold
 * with several app instances, and each returns whether this call won.
 */
@Injectable()
export class CouponRepository {
  constructor(private readonly ds: DataSource) {}

  private get coupons(): Repository<Coupon> {
    return this.ds.getRepository(Coupon);
  }

  private get members(): Repository<MemberCoupon> {
    return this.ds.getRepository(MemberCoupon);
  }

  // ---------- templates (admin) ----------

  /** The template in the scope's tenant, or 404 (deleted or another tenant's too). */
  ofTenant(scope: TenantScope, id: number): Promise<Coupon> {
    return scope.get(this.coupons, id, '优惠券');
  }

  findOfTenant(scope: TenantScope, id: number): Promise<Coupon | null> {
    return this.coupons.findOne({ where: scope.where<Coupon>({ id }) });
  }

  async insertTemplate(tenantId: number, terms: TemplateFields): Promise<number> {
    const saved = await this.coupons.save(this.coupons.create({ ...terms, tenantId, receivedCount: 0, usedCount: 0 }));
    return saved.id;
  }

  /** New terms; a limited `total` only while it is not below what has been handed out (true when replaced). */
  async updateTerms(scope: TenantScope, id: number, terms: TemplateFields): Promise<boolean> {
    const qb = this.coupons
      .createQueryBuilder()
      .update(Coupon)
      .set(terms)
      .where('id = :id AND tenant_id = :tenantId AND deleted_at IS NULL', { id, tenantId: scope.tenantId });
    if (terms.total !== UNLIMITED) qb.andWhere('received_count <= :total', { total: terms.total });
    const res = await qb.execute();
    return res.affected === 1;
  }

  async softDelete(tenantId: number, id: number): Promise<void> {
    await this.coupons.softDelete({ id, tenantId });
  }

  /** A page of the tenant's templates (by name when `keyword`), newest first, with the sums over all matching ones. */
  async listOfTenant(
    scope: TenantScope,
    keyword: string | undefined,
    skip: number,
    take: number,
  ): Promise<Paged<Coupon> & { receivedCount: number; usedCount: number }> {
    const qb = scope.restrict(this.coupons.createQueryBuilder('c'));
    if (keyword) qb.andWhere(`c.name LIKE :kw ${LIKE_ESCAPE}`, { kw: `%${escapeLike(keyword)}%` });
    const [rows, total] = await qb.clone().orderBy('c.id', 'DESC').skip(skip).take(take).getManyAndCount();
    const sums = await qb
      .clone()
      .select('COALESCE(SUM(c.receivedCount), 0)', 'receivedCount')
      .addSelect('COALESCE(SUM(c.usedCount), 0)', 'usedCount')
      .getRawOne<{ receivedCount: string | number; usedCount: string | number }>();
    return { rows, total, receivedCount: Number(sums?.receivedCount ?? 0), usedCount: Number(sums?.usedCount ?? 0) };
  }

  // ---------- templates (storefront, checkout) ----------

  /** Receivable templates: in use, not deleted, not exhausted, fixed windows not yet ended; newest first. */
  async receivable(tenantId: number | undefined, now: Date, skip: number, take: number): Promise<Paged<Coupon>> {
    const qb = this.coupons
      .createQueryBuilder('c')
      .where('c.inUse = :on', { on: true })
      .andWhere('(c.total = -1 OR c.receivedCount < c.total)')
      .andWhere('(c.timeLimit = 0 OR c.timeEnd > :now)', { now });
    if (tenantId) qb.andWhere('c.tenantId = :tenantId', { tenantId });
    const [rows, total] = await qb.orderBy('c.id', 'DESC').skip(skip).take(take).getManyAndCount();
    return { rows, total };
  }

  /** The template row (deleted too), locked until commit on MySQL; SQLite has one writer anyway. */
  lockTemplate(em: EntityManager, id: number): Promise<Coupon | null> {
    const qb = em.createQueryBuilder(Coupon, 'c').withDeleted().where('c.id = :id', { id });
    if (isMysql(em)) qb.setLock('pessimistic_write');
    return qb.getOne();
  }

  /** One template by id, deleted or not (a member coupon outlives its template's deletion). */
  template(id: number): Promise<Coupon | null> {
    return this.coupons.findOne({ where: { id }, withDeleted: true });
  }

  /** Templates by id, deleted ones included. */
  async templates(ids: number[]): Promise<Map<number, Coupon>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await this.ds.manager.find(Coupon, { where: { id: In(unique) }, withDeleted: true });
    return new Map(rows.map((c) => [c.id, c]));
  }

  /** One more handed out, only while below `total`; true when counted. */
  async countReceived(em: EntityManager, couponId: number): Promise<boolean> {
    const res = await em
      .createQueryBuilder()
      .update(Coupon)
      .set({ receivedCount: () => 'received_count + 1' })
      .where('id = :id AND (total = -1 OR received_count < total)', { id: couponId })
      .execute();
    return res.affected === 1;
  }

  /** One more used, only while the template is in use and not deleted; true when counted. */
  async countUsed(em: EntityManager, couponId: number): Promise<boolean> {
    const res = await em
      .createQueryBuilder()
      .update(Coupon)
      .set({ usedCount: () => 'used_count + 1' })
      .where('id = :couponId AND in_use = :on AND deleted_at IS NULL', { couponId, on: true })
      .execute();
    return res.affected === 1;
  }

  /** One fewer used, never below zero. */
  async uncountUsed(em: EntityManager, couponId: number): Promise<void> {
    await em
      .createQueryBuilder()
      .update(Coupon)
      .set({ usedCount: () => 'used_count - 1' })
      .where('id = :couponId AND used_count > 0', { couponId })
      .execute();
  }

  // ---------- member coupons ----------

  /** How many of the template the user holds (read under the template lock by receive). */
  heldBy(em: EntityManager, couponId: number, userId: number): Promise<number> {
    return em.count(MemberCoupon, { where: { couponId, userId } });
  }

  /** How many of each template the user has received. */
  async receivedBy(userId: number, couponIds: number[]): Promise<Map<number, number>> {
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

  /** A received coupon, unused. */
  insertMember(em: EntityManager, m: NewMemberCoupon): Promise<MemberCoupon> {
    return em.save(em.create(MemberCoupon, { ...m, used: false, useTime: null, payNo: null }));
  }

  /**
   * The user's member coupons, newest first. `usable`: unused, not expired, template in use and not
   * deleted; `used`; `expired`: unused past its end. Deleted templates still join (the coupon outlives them).
   */
  async mine(
    userId: number,
    tenantId: number | undefined,
    status: MineStatus | undefined,
    now: Date,
    skip: number,
    take: number,
  ): Promise<Paged<MemberCoupon>> {
    const qb = this.members
      .createQueryBuilder('m')
      .withDeleted()
      .innerJoin(Coupon, 'c', 'c.id = m.couponId')
      .where('m.userId = :userId', { userId });
    if (tenantId) qb.andWhere('m.tenantId = :tenantId', { tenantId });
    switch (status) {
      case 'usable':
        qb.andWhere('m.used = :no AND m.timeEnd > :now', { no: false, now }).andWhere('c.inUse = :on AND c.deletedAt IS NULL', {
          on: true,
        });
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
    return { rows, total };
  }

  /**
   * The users' unused member coupons still in their window at `now`, each with its template (deleted ones
   * too: the checkout says why it is unusable), per user soonest to expire first: one plain SELECT for
   * every checkout that asked at once.
   */
  async unusedWithTemplates(userIds: number[], tenantId: number | null, now: Date): Promise<MemberCouponWithTemplate[]> {
    const params: unknown[] = [...userIds, dbDate(this.ds, now)];
    if (tenantId !== null) params.push(tenantId);
    const found = await rows<MemberCouponTemplateRow>(
      this.ds,
      `SELECT m.id, m.coupon_id, m.tenant_id, m.user_id, m.used, m.time_start, m.time_end,
              c.name, c.coupon_method, c.enough, c.deduct, c.discount, c.use_type, c.group_buying_ids, c.in_use, c.deleted_at
         FROM member_coupon m JOIN coupon c ON c.id = m.coupon_id
        WHERE m.user_id IN (${marks(userIds.length)}) AND m.used = 0 AND m.time_end > ?${tenantId !== null ? ' AND m.tenant_id = ?' : ''}
        ORDER BY m.user_id ASC, m.time_end ASC, m.id ASC`,
      params,
    );
    return found.map((r) => ({
      member: {
        id: Number(r.id),
        couponId: Number(r.coupon_id),
        tenantId: Number(r.tenant_id),
        userId: Number(r.user_id),
        used: Boolean(Number(r.used)),
        timeStart: readDate(r.time_start),
        timeEnd: readDate(r.time_end),
      },
      template: {
        name: r.name,
        couponMethod: Number(r.coupon_method),
        enough: new Big(r.enough),
        deduct: new Big(r.deduct),
        discount: new Big(r.discount),
        useType: Number(r.use_type),
        groupBuyingIds: r.group_buying_ids === null || r.group_buying_ids === '' ? null : (JSON.parse(r.group_buying_ids) as number[]),
        inUse: Boolean(Number(r.in_use)),
        deletedAt: r.deleted_at === null ? null : readDate(r.deleted_at),
      },
    }));
  }

  /** The member coupon if it is the user's. */
  memberOf(id: number, userId: number): Promise<MemberCoupon | null> {
    return this.members.findOne({ where: { id, userId } });
  }

  /** Which template a member coupon is of (read on the caller's manager). */
  async templateIdOf(em: EntityManager, id: number): Promise<number> {
    const mc = await em.findOne(MemberCoupon, { where: { id }, select: { id: true, couponId: true } });
    return mc!.couponId;
  }

  /** Member coupons currently used by checkout `payNo`. */
  usedBy(em: EntityManager, payNo: string): Promise<Pick<MemberCoupon, 'id' | 'couponId'>[]> {
    return em.find(MemberCoupon, { where: { payNo, used: true }, select: { id: true, couponId: true } });
  }

  /** Member coupons used by any of `payNos`, locked until commit, in id order. */
  async usedByAny(em: EntityManager, payNos: string[]): Promise<{ id: number; couponId: number }[]> {
    const found = await rows<{ id: number; coupon_id: number }>(
      em,
      `SELECT id, coupon_id FROM member_coupon WHERE pay_no IN (${marks(payNos.length)}) AND used = ? ORDER BY id${forUpdate(em)}`,
      [...payNos, 1],
    );
    return found.map((r) => ({ id: Number(r.id), couponId: Number(r.coupon_id) }));
  }

  /** These member coupons flipped back to unused while still used by one of `payNos`; how many flipped. */
  giveBackMany(em: EntityManager, ids: number[], payNos: string[]): Promise<number> {
    return execute(
      em,
      `UPDATE member_coupon SET used = ?, use_time = NULL, pay_no = NULL, update_time = CURRENT_TIMESTAMP WHERE id IN (${marks(ids.length)}) AND used = ? AND pay_no IN (${marks(payNos.length)})`,
      [0, ...ids, 1, ...payNos],
    );
  }

  /** `used_count` of each template down by its count, in one statement (never below zero). */
  async uncountUsedMany(em: EntityManager, counts: Map<number, number>): Promise<void> {
    const ids = [...counts.keys()].sort((a, b) => a - b);
    const cases = ids.map(() => 'WHEN ? THEN ?').join(' ');
    const n = ids.flatMap((id) => [id, counts.get(id)]);
    await execute(
      em,
      `UPDATE coupon SET used_count = CASE WHEN used_count > (CASE id ${cases} END) THEN used_count - (CASE id ${cases} END) ELSE 0 END WHERE id IN (${marks(ids.length)})`,
      [...n, ...n, ...ids],
    );
  }

  /** Marked used by `payNo` only while the user's, of the tenant, unused and within its window; true when this call won it. */
  async markUsed(em: EntityManager, id: number, userId: number, tenantId: number, payNo: string, now: Date): Promise<boolean> {
    const res = await em
      .createQueryBuilder()
      .update(MemberCoupon)
      .set({ used: true, useTime: now, payNo })
      .where('id = :id AND user_id = :userId AND tenant_id = :tenantId AND used = :no AND time_start <= :now AND time_end > :now', {
        id,
        userId,
        tenantId,
        no: false,
        now,
      })
      .execute();
    return res.affected === 1;
  }

  /** Undoes this checkout's own markUsed in the same transaction (the row is still marked by `payNo`). */
  async unmarkUsed(em: EntityManager, id: number, payNo: string): Promise<void> {
    await em
      .createQueryBuilder()
      .update(MemberCoupon)
      .set({ used: false, useTime: null, payNo: null })
      .where('id = :id AND pay_no = :payNo', { id, payNo })
      .execute();
  }

  /** Flipped back to unused only while still used by `payNo`; true when this call flipped it. */
  async giveBack(em: EntityManager, id: number, payNo: string): Promise<boolean> {
    const res = await em
      .createQueryBuilder()
      .update(MemberCoupon)
      .set({ used: false, useTime: null, payNo: null })
      .where('id = :id AND pay_no = :payNo AND used = :yes', { id, payNo, yes: true })
      .execute();
    return res.affected === 1;
  }
}
