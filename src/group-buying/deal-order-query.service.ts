import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository, SelectQueryBuilder } from 'typeorm';
import { User } from '../auth/user.entity';
import { DomainError } from '../common/errors';
import { AdminPage, adminPaging } from '../common/pagination';
import { AdminOrderView, toAdminOrderView } from '../order/order-admin.view';
import { Order } from '../order/order.entity';
import { Shop } from '../shop/shop.entity';
import { TenantScope } from '../tenant/tenant-scope';
import { intOf, moneySumOf, rangeEnd, rangeStart } from './deal-query.util';
import { DealOrderListQuery, OrderListQuery, OrderSort } from './group-buying.dto';
import { GroupBuying } from './group-buying.entity';
import { OrderSumData } from './group-buying.view';

const SORT_COLUMNS: Record<OrderSort, string> = {
  createTime: 'o.createTime',
  payTime: 'o.payTime',
  money: 'o.money',
  qty: 'o.qty',
  sequence: 'o.sequence',
};

/** Admin reads of a tenant's deal orders (seed 001's getorder / getorderlist* routes). */
@Injectable()
export class DealOrderQueryService {
  constructor(
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    @InjectRepository(GroupBuying) private readonly deals: Repository<GroupBuying>,
    @InjectRepository(Shop) private readonly shops: Repository<Shop>,
    @InjectRepository(User) private readonly users: Repository<User>,
  ) {}

  async getOrder(scope: TenantScope, id: number): Promise<AdminOrderView> {
    const order = await scope.get(this.orders, id, '订单');
    const [view] = await this.views([order]);
    return view;
  }

  /** Orders of one deal of the caller's tenant (a deleted deal's orders stay readable). */
  async listByDeal(scope: TenantScope, q: DealOrderListQuery): Promise<AdminPage<AdminOrderView, OrderSumData>> {
    const deal = await this.deals.findOne({ where: { id: q.groupBuyingId, tenantId: scope.tenantId }, withDeleted: true });
    if (!deal) throw DomainError.notFound('团购');
    const qb = this.filtered(scope, q).andWhere('o.groupBuyingId = :dealId', { dealId: deal.id });
    return this.page(qb, q, 'o.createTime', 'DESC');
  }

  async list(scope: TenantScope, q: OrderListQuery): Promise<AdminPage<AdminOrderView, OrderSumData>> {
    const qb = this.filtered(scope, q);
    const from = rangeStart(q.startDate);
    const to = rangeEnd(q.endDate);
    if (from) qb.andWhere('o.createTime >= :from', { from });
    if (to) qb.andWhere('o.createTime <= :to', { to });
    if (q.shopId !== undefined) qb.andWhere('o.shopId = :shopId', { shopId: q.shopId });
    if (q.name) {
      // withDeleted before the join: TypeORM adds `deletedAt IS NULL` to the join condition at join time
      qb.withDeleted()
        .innerJoin(GroupBuying, 'g', 'g.id = o.groupBuyingId')
        .andWhere('g.name LIKE :dealName', { dealName: `%${q.name.trim()}%` });
    }
    return this.page(qb, q, SORT_COLUMNS[q.sort ?? 'createTime'], q.order === true ? 'ASC' : 'DESC');
  }

  /** Admin views of orders, with shop, deal and buyer fetched in one query each. */
  async views(orders: Order[]): Promise<AdminOrderView[]> {
    if (orders.length === 0) return [];
    const ids = <K extends keyof Order>(k: K) => [...new Set(orders.map((o) => o[k] as unknown as number))];
    const [shops, deals, users] = await Promise.all([
      this.shops.find({ where: { id: In(ids('shopId')) }, select: { id: true, name: true } }),
      this.deals.find({ where: { id: In(ids('groupBuyingId')) }, select: { id: true, name: true }, withDeleted: true }),
      this.users.find({ where: { id: In(ids('userId')) }, select: { id: true, openId: true, nickname: true, avatar: true } }),
    ]);
    const shopName = new Map(shops.map((s) => [s.id, s.name]));
    const dealName = new Map(deals.map((d) => [d.id, d.name]));
    const user = new Map(users.map((u) => [u.id, u]));
    return orders.map((o) =>
      toAdminOrderView(o, { shopName: shopName.get(o.shopId), groupBuyingName: dealName.get(o.groupBuyingId), user: user.get(o.userId) ?? null }),
    );
  }

  /** The tenant's orders with the filters both list routes share. */
  private filtered(scope: TenantScope, q: { deliverType?: number; status?: number; keyword?: string }): SelectQueryBuilder<Order> {
    const qb = scope.restrict(this.orders.createQueryBuilder('o'));
    if (q.deliverType !== undefined) qb.andWhere('o.deliverType = :deliverType', { deliverType: q.deliverType });
    if (q.status !== undefined) qb.andWhere('o.status = :status', { status: q.status });
    const kw = q.keyword?.trim();
    if (kw) {
      qb.leftJoin(User, 'u', 'u.id = o.userId').andWhere(
        '(o.code LIKE :kw OR u.nickname LIKE :kw OR o.phone LIKE :kw OR o.productName LIKE :kw)',
        { kw: `%${kw}%` },
      );
    }
    return qb;
  }

  /** One aggregate query for totalCount and sumData over the whole filtered set, then the page. */
  private async page(
    qb: SelectQueryBuilder<Order>,
    q: DealOrderListQuery | OrderListQuery,
    sortColumn: string,
    direction: 'ASC' | 'DESC',
  ): Promise<AdminPage<AdminOrderView, OrderSumData>> {
    const { pageIndex, pageSize, skip, take } = adminPaging(q);
    const sums = await qb
      .clone()
      .select('COUNT(*)', 'totalCount')
      .addSelect('COALESCE(SUM(o.qty), 0)', 'qty')
      .addSelect('COALESCE(SUM(o.money), 0)', 'money')
      .getRawOne<Record<string, unknown>>();
    const totalCount = intOf(sums?.totalCount);
    // every join here is to-one, so offset/limit page the orders themselves
    const rows = totalCount > skip ? await qb.orderBy(sortColumn, direction).addOrderBy('o.id', direction).offset(skip).limit(take).getMany() : [];
    return {
      data: await this.views(rows),
      pageIndex,
      pageSize,
      totalCount,
      sumData: { qty: intOf(sums?.qty), money: moneySumOf(sums?.money) },
    };
  }
}
