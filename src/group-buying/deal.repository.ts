import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { User } from '../auth/user.entity';
import { escapeLike, LIKE_ESCAPE } from '../common/like';
import { intOf } from '../common/query';
import { dbDate, execute, forUpdate, isMysql, marks, rows } from '../database/sql';
import { GroupBuyingVisitor } from './group-buying-visitor.entity';
import { GroupBuying } from './group-buying.entity';

/** A deal as the checkout reads it: the deal row joined with its shop's name. */
export interface CartDealRow {
  id: number;
  tenant_id: number;
  shop_id: number;
  shop_name: string;
  name: string;
  product_name: string;
  spec: string;
  image_path: string;
  price: string | number;
  stock: number;
  deliver_type: number;
  deliver_fee: string | number;
  in_use: number | boolean;
  deleted_at: unknown;
  start_time: Date | string;
  end_time: Date | string;
  limit_per_user: number;
  team_size: number;
  team_hours: number;
  virtual_team: number | boolean;
  lbs: string;
  address: string;
  pre_sale: number | boolean;
  deposit: string | number | null;
  deposit_value: string | number | null;
  tail_end_time: Date | string | null;
}

export type DealWindowRow = Pick<CartDealRow, 'id' | 'name' | 'stock' | 'in_use' | 'deleted_at' | 'start_time' | 'end_time'>;

/** A deal as an order detail shows it (seed 002 `pre_sale`, `commodities.code`). */
export interface DealSummaryRow {
  id: number;
  product_code: string;
  price: string | number;
  deposit: string | number | null;
  start_time: Date | string;
  end_time: Date | string;
  tail_end_time: Date | string | null;
  create_time: Date | string;
}

/** Admin list filters, already parsed. */
export interface DealFilter {
  tenantId: number;
  keyword?: string;
  shopId?: number;
  from?: Date;
  to?: Date;
}

export interface DealSums {
  totalCount: number;
  stock: number;
  payedCount: number;
  orderCount: number;
  visitTimes: number;
}

/** A deal as the storefront detail shows it: the deal row joined with its shop's name. */
export interface StoreDealRow {
  id: number;
  name: string;
  description: string | null;
  product_id: number | null;
  product_name: string;
  product_code: string;
  spec: string;
  image_path: string;
  price: string | number;
  stock: number;
  payed_count: number;
  start_time: Date | string;
  end_time: Date | string;
  deliver_type: number;
  deliver_fee: string | number;
  shop_id: number;
  shop_name: string | null;
  address: string;
  lbs: string;
  phone: string;
  limit_per_user: number;
  team_size: number;
  in_use: number | boolean;
  pre_sale: number | boolean;
  deposit: string | number | null;
  deposit_value: string | number | null;
  tail_end_time: Date | string | null;
}

/** Storefront views of one deal by one user since the last flush. */
export interface VisitorCount {
  dealId: number;
  userId: number;
  visits: number;
  firstAt: Date;
  lastAt: Date;
}

export interface VisitorRow {
  id: number | string;
  name: string;
  openId: string;
  profile: string;
}

/**
 * Every statement on the deal tables (group_buying, group_buying_visitor): plain SQL on the hot paths
 * (stock, sequence numbers, counters), where every write is a conditional or relative update under the
 * deal's row lock so concurrent checkouts, payments and refunds never lose one another's changes; the
 * ORM for the admin's reads and writes.
 */
@Injectable()
export class DealRepository {
  constructor(
    private readonly ds: DataSource,
    @InjectRepository(GroupBuying) private readonly deals: Repository<GroupBuying>,
    @InjectRepository(GroupBuyingVisitor) private readonly visitors: Repository<GroupBuyingVisitor>,
  ) {}

  // ---------- admin and storefront (ORM) ----------

  /** Not deleted; in the tenant when one is given. */
  findOne(id: number, tenantId?: number): Promise<GroupBuying | null> {
    return this.deals.findOne({ where: tenantId === undefined ? { id } : { id, tenantId } });
  }

  async insert(deal: Partial<GroupBuying>): Promise<number> {
    return (await this.deals.save(this.deals.create(deal))).id;
  }

  async patch(id: number, tenantId: number, patch: Partial<GroupBuying>): Promise<void> {
    await this.deals.update({ id, tenantId }, patch);
  }

  async softDelete(id: number, tenantId: number): Promise<void> {
    await this.deals.softDelete({ id, tenantId });
  }

  /** A page of the tenant's deals (newest first) and the sums over the whole filtered set. */
  async listAdmin(f: DealFilter, skip: number, take: number): Promise<{ rows: GroupBuying[]; sums: DealSums }> {
    const qb = this.deals.createQueryBuilder('g').where('g.tenantId = :tenantId', { tenantId: f.tenantId });
    if (f.keyword) {
      qb.andWhere(`(g.name LIKE :kw ${LIKE_ESCAPE} OR g.productName LIKE :kw ${LIKE_ESCAPE} OR g.productCode LIKE :kw ${LIKE_ESCAPE})`, {
        kw: `%${escapeLike(f.keyword)}%`,
      });
    }
    if (f.shopId !== undefined) qb.andWhere('g.shopId = :shopId', { shopId: f.shopId });
    // the deal's window [startTime, endTime] overlaps [from, to]
    if (f.from) qb.andWhere('g.endTime >= :from', { from: f.from });
    if (f.to) qb.andWhere('g.startTime <= :to', { to: f.to });
    const raw = await qb
      .clone()
      .select('COUNT(*)', 'totalCount')
      .addSelect('COALESCE(SUM(g.stock), 0)', 'stock')
      .addSelect('COALESCE(SUM(g.payedCount), 0)', 'payedCount')
      .addSelect('COALESCE(SUM(g.orderCount), 0)', 'orderCount')
      .addSelect('COALESCE(SUM(g.visitTimes), 0)', 'visitTimes')
      .getRawOne<Record<string, unknown>>();
    const sums: DealSums = {
      totalCount: intOf(raw?.totalCount),
      stock: intOf(raw?.stock),
      payedCount: intOf(raw?.payedCount),
      orderCount: intOf(raw?.orderCount),
      visitTimes: intOf(raw?.visitTimes),
    };
    const found = sums.totalCount > skip ? await qb.orderBy('g.id', 'DESC').offset(skip).limit(take).getMany() : [];
    return { rows: found, sums };
  }

  /** Deals on sale now (in use, in window, not deleted), newest first. */
  listOnSale(now: Date, f: { shopId?: number; tenantId?: number }, skip: number, take: number): Promise<[GroupBuying[], number]> {
    const qb = this.deals
      .createQueryBuilder('g')
      .where('g.inUse = :inUse', { inUse: true })
      .andWhere('g.startTime <= :now', { now })
      .andWhere('g.endTime > :now', { now });
    if (f.shopId !== undefined) qb.andWhere('g.shopId = :shopId', { shopId: f.shopId });
    if (f.tenantId !== undefined) qb.andWhere('g.tenantId = :tenantId', { tenantId: f.tenantId });
    return qb.orderBy('g.id', 'DESC').skip(skip).take(take).getManyAndCount();
  }

  /** Users who opened the deal, most recent first. */
  visitorsOf(dealId: number, limit: number): Promise<VisitorRow[]> {
    return this.visitors
      .createQueryBuilder('v')
      .innerJoin(User, 'u', 'u.id = v.userId')
      .select('u.id', 'id')
      .addSelect('u.nickname', 'name')
      .addSelect('u.openId', 'openId')
      .addSelect('u.avatar', 'profile')
      .where('v.groupBuyingId = :dealId', { dealId })
      .orderBy('v.updateTime', 'DESC')
      .addOrderBy('v.id', 'DESC')
      .limit(limit)
      .getRawMany<VisitorRow>();
  }

  // ---------- hot paths (plain SQL) ----------

  /** The storefront's deal (not deleted) with its shop's name, in one statement. */
  async storeView(id: number): Promise<StoreDealRow | undefined> {
    const [d] = await rows<StoreDealRow>(
      this.ds,
      `SELECT g.id, g.name, g.description, g.product_id, g.product_name, g.product_code, g.spec, g.image_path, g.price, g.stock,
              g.payed_count, g.start_time, g.end_time, g.deliver_type, g.deliver_fee, g.shop_id, s.name AS shop_name, g.address,
              g.lbs, g.phone, g.limit_per_user, g.team_size, g.in_use, g.pre_sale, g.deposit, g.deposit_value, g.tail_end_time
         FROM group_buying g LEFT JOIN shop s ON s.id = g.shop_id WHERE g.id = ? AND g.deleted_at IS NULL`,
      [id],
    );
    return d;
  }

  /** Storefront views counted in memory, added (relative: every instance adds its own). */
  async addVisits(id: number, n: number): Promise<void> {
    await this.ds.query('UPDATE group_buying SET visit_times = visit_times + ? WHERE id = ?', [n, id]);
  }

  /** One row per deal and user (unique key), created or added to in one statement for the whole batch. */
  async addVisitors(batch: VisitorCount[]): Promise<void> {
    if (!batch.length) return;
    const values = batch.flatMap((v) => [v.dealId, v.userId, v.visits, dbDate(this.ds, v.firstAt), dbDate(this.ds, v.lastAt)]);
    const upsert = isMysql(this.ds)
      ? 'ON DUPLICATE KEY UPDATE visits = visits + VALUES(visits), update_time = GREATEST(update_time, VALUES(update_time))'
      : 'ON CONFLICT (group_buying_id, user_id) DO UPDATE SET visits = visits + excluded.visits, update_time = MAX(update_time, excluded.update_time)';
    await this.ds.query(
      `INSERT INTO group_buying_visitor (group_buying_id, user_id, visits, create_time, update_time) VALUES ${batch
        .map(() => '(?, ?, ?, ?, ?)')
        .join(', ')} ${upsert}`,
      values,
    );
  }

  loadForCart(ids: number[], db: DataSource | EntityManager = this.ds): Promise<CartDealRow[]> {
    return rows<CartDealRow>(
      db,
      `SELECT g.id, g.tenant_id, g.shop_id, s.name AS shop_name, g.name, g.product_name, g.spec, g.image_path, g.price, g.stock,
              g.deliver_type, g.deliver_fee, g.in_use, g.deleted_at, g.start_time, g.end_time, g.limit_per_user, g.team_size,
              g.team_hours, g.virtual_team, g.lbs, g.address, g.pre_sale, g.deposit, g.deposit_value, g.tail_end_time
         FROM group_buying g JOIN shop s ON s.id = g.shop_id WHERE g.id IN (${marks(ids.length)})`,
      ids,
    );
  }

  async window(em: EntityManager, id: number): Promise<DealWindowRow | undefined> {
    const [d] = await rows<DealWindowRow>(
      em,
      'SELECT id, name, stock, in_use, deleted_at, start_time, end_time FROM group_buying WHERE id = ?',
      [id],
    );
    return d;
  }

  /** Stock taken (for `orders` orders) only while the deal is on sale and has enough; true when taken. */
  async takeStock(em: EntityManager, id: number, qty: number, now: Date, orders = 1): Promise<boolean> {
    const at = dbDate(em, now);
    const n = await execute(
      em,
      'UPDATE group_buying SET stock = stock - ?, order_count = order_count + ? WHERE id = ? AND stock >= ? AND deleted_at IS NULL AND in_use = 1 AND start_time <= ? AND end_time > ?',
      [qty, orders, id, qty, at, at],
    );
    return n === 1;
  }

  /** The deal's window and stock, its row locked until commit (MySQL). */
  async lockWindow(em: EntityManager, id: number): Promise<DealWindowRow | undefined> {
    const [d] = await rows<DealWindowRow>(
      em,
      `SELECT id, name, stock, in_use, deleted_at, start_time, end_time FROM group_buying WHERE id = ?${forUpdate(em)}`,
      [id],
    );
    return d;
  }

  /** Stock taken again for a payment that came late (§6): whatever the deal's window, only if enough is left. */
  async retakeStock(em: EntityManager, id: number, qty: number): Promise<boolean> {
    const n = await execute(em, 'UPDATE group_buying SET stock = stock - ?, order_count = order_count + 1 WHERE id = ? AND stock >= ?', [
      qty,
      id,
      qty,
    ]);
    return n === 1;
  }

  /** An unpaid order given up (expired, cancelled): its units back on sale, one order fewer. */
  async returnStock(em: EntityManager, id: number, qty: number): Promise<void> {
    await execute(em, 'UPDATE group_buying SET stock = stock + ?, order_count = order_count - 1 WHERE id = ?', [qty, id]);
  }

  /** Units of `orders` unpaid orders back on sale at once (the sweep's batches: one statement per deal). */
  async returnStockSum(em: EntityManager, id: number, qty: number, orders: number): Promise<void> {
    await execute(em, 'UPDATE group_buying SET stock = stock + ?, order_count = order_count - ? WHERE id = ?', [qty, orders, id]);
  }

  /** What an order detail shows of its deal (soft-deleted ones too). */
  async summary(id: number): Promise<DealSummaryRow | undefined> {
    const [d] = await rows<DealSummaryRow>(
      this.ds,
      'SELECT id, product_code, price, deposit, start_time, end_time, tail_end_time, create_time FROM group_buying WHERE id = ?',
      [id],
    );
    return d;
  }

  /** Units back on sale and nothing else (a pre-sale deposit refunded: never in payedCount, still in orderCount). */
  async addStock(em: EntityManager, id: number, qty: number): Promise<void> {
    await execute(em, 'UPDATE group_buying SET stock = stock + ? WHERE id = ?', [qty, id]);
  }

  /** A paid order refunded: its units back on sale and out of payedCount (orderCount still counts it). */
  async refundUnits(em: EntityManager, id: number, qty: number): Promise<void> {
    await execute(em, 'UPDATE group_buying SET stock = stock + ?, payed_count = payed_count - ? WHERE id = ?', [qty, qty, id]);
  }

  /** The next gap-free sequence number of the deal's paid orders, counting the units as paid. */
  async nextSequence(em: EntityManager, id: number, qty: number): Promise<number> {
    await execute(em, 'UPDATE group_buying SET last_sequence = last_sequence + 1, payed_count = payed_count + ? WHERE id = ?', [qty, id]);
    const [{ last_sequence }] = await rows<{ last_sequence: number }>(em, 'SELECT last_sequence FROM group_buying WHERE id = ?', [id]);
    return Number(last_sequence);
  }

  /** Locks the deal row until commit (MySQL); SQLite's write transaction already excludes the others. */
  async lock(em: EntityManager, id: number): Promise<boolean> {
    const found = await rows(em, `SELECT id FROM group_buying WHERE id = ?${forUpdate(em)}`, [id]);
    return found.length === 1;
  }

  async setCounters(em: EntityManager, id: number, payedCount: number, orderCount: number): Promise<void> {
    await execute(em, 'UPDATE group_buying SET payed_count = ?, order_count = ? WHERE id = ?', [payedCount, orderCount, id]);
  }

  async idsOfTenant(tenantId?: number, withDeleted = true): Promise<number[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (tenantId !== undefined) {
      where.push('tenant_id = ?');
      params.push(tenantId);
    }
    if (!withDeleted) where.push('deleted_at IS NULL');
    const found = await rows<{ id: number }>(
      this.ds,
      `SELECT id FROM group_buying${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id`,
      params,
    );
    return found.map((r) => Number(r.id));
  }

  /** Which of `ids` belong to the tenant (deleted deals too when asked). */
  async ownedBy(tenantId: number, ids: number[], withDeleted: boolean): Promise<Set<number>> {
    if (!ids.length) return new Set();
    const found = await rows<{ id: number }>(
      this.ds,
      `SELECT id FROM group_buying WHERE tenant_id = ? AND id IN (${marks(ids.length)})${withDeleted ? '' : ' AND deleted_at IS NULL'}`,
      [tenantId, ...ids],
    );
    return new Set(found.map((r) => Number(r.id)));
  }

  async virtualTeamFlags(ids: number[]): Promise<Map<number, boolean>> {
    if (!ids.length) return new Map();
    const found = await rows<{ id: number; virtual_team: number | boolean }>(
      this.ds,
      `SELECT id, virtual_team FROM group_buying WHERE id IN (${marks(ids.length)})`,
      ids,
    );
    return new Map(found.map((r) => [Number(r.id), r.virtual_team === true || Number(r.virtual_team) === 1]));
  }

  async names(ids: number[]): Promise<Map<number, string>> {
    if (!ids.length) return new Map();
    const found = await rows<{ id: number; name: string }>(
      this.ds,
      `SELECT id, name FROM group_buying WHERE id IN (${marks(ids.length)})`,
      ids,
    );
    return new Map(found.map((r) => [Number(r.id), r.name]));
  }
}
