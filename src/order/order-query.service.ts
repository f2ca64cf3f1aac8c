import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository, SelectQueryBuilder } from 'typeorm';
import { User } from '../auth/user.entity';
import { AdminPage, adminPaging } from '../common/pagination';
import { escapeLike, LIKE_ESCAPE } from '../common/like';
import { intOf, moneySumOf, rangeEnd, rangeStart } from '../common/query';
import { GroupBuying } from '../group-buying/group-buying.entity';
import { DealStockService } from '../group-buying/deal-stock.service';
import { CheckoutRepository } from './checkout.repository';
import { GroupBuyingService } from '../group-buying/group-buying.service';
import type { DealUserView } from '../group-buying/group-buying.view';
import { Shop } from '../shop/shop.entity';
import { TenantScope } from '../tenant/tenant-scope';
import { DealOrderListQuery, OrderListQuery, OrderSort } from './dto/order-admin.dto';
import { AdminOrderView, DealDetailView, OrderSumData, toAdminOrderView } from './order-admin.view';
import { Order } from './order.entity';
import { PAID_STATUSES } from './order-status';

/** `get` shows the deal's latest orders and buyers. */
const DETAIL_LIMIT = 100;

const SORT_COLUMNS: Record<OrderSort, string> = {
  createTime: 'o.createTime',
  payTime: 'o.payTime',
  money: 'o.money',
  qty: 'o.qty',
  sequence: 'o.sequence',
};

/** Admin reads of a tenant's deal orders (seed 001's get / getorder / getorderlist* routes). */
@Injectable()
export class OrderQueryService {
  constructor(
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    @InjectRepository(Shop) private readonly shops: Repository<Shop>,
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly deals: GroupBuyingService,
    private readonly dealStock: DealStockService,
    private readonly checkouts: CheckoutRepository,
  ) {}

  /** The deal with its latest orders and its distinct paying buyers (seed 001 `get`). */
  async dealDetail(scope: TenantScope, id: number): Promise<DealDetailView> {
    const deal = await this.deals.view(scope, id);
    const latest = await this.orders.find({
      where: { groupBuyingId: deal.id, tenantId: scope.tenantId },
      order: { id: 'DESC' },
      take: DETAIL_LIMIT,
    });
    const buyers = await this.orders
      .createQueryBuilder('o')
      .innerJoin(User, 'u', 'u.id = o.userId')
      .select('u.id', 'id')
      .addSelect('u.nickname', 'name')
      .addSelect('u.openId', 'openId')
      .addSelect('u.avatar', 'profile')
      .addSelect('MAX(o.id)', 'lastOrderId')
      .where('o.groupBuyingId = :dealId', { dealId: deal.id })
      .andWhere('o.tenantId = :tenantId', { tenantId: scope.tenantId })
      .andWhere('o.status IN (:...paid)', { paid: PAID_STATUSES })
      .groupBy('u.id')
      .addGroupBy('u.nickname')
      .addGroupBy('u.openId')
      .addGroupBy('u.avatar')
      .orderBy('lastOrderId', 'DESC')
      .limit(DETAIL_LIMIT)
      .getRawMany<{ id: number | string; name: string; openId: string; profile: string }>();
    return { ...deal, orders: await this.views(latest), orderUsers: buyers.map(toUserView) };
  }

  async getOrder(scope: TenantScope, id: number): Promise<AdminOrderView> {
    const order = await scope.get(this.orders, id, '订单');
    const [view] = await this.views([order]);
    return view;
  }

  /** Orders of one deal of the caller's tenant (a deleted deal's orders stay readable). */
  async listByDeal(scope: TenantScope, q: DealOrderListQuery): Promise<AdminPage<AdminOrderView, OrderSumData>> {
    await this.deals.assertOwned(scope.tenantId, [q.groupBuyingId], '团购', true);
    const qb = this.filtered(scope, q).andWhere('o.groupBuyingId = :dealId', { dealId: q.groupBuyingId });
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
        .andWhere(`g.name LIKE :dealName ${LIKE_ESCAPE}`, { dealName: `%${escapeLike(q.name.trim())}%` });
    }
    return this.page(qb, q, SORT_COLUMNS[q.sort ?? 'createTime'], q.order === true ? 'ASC' : 'DESC');
  }

  /** Admin views of orders, with shop, deal and buyer fetched in one query each. */
  async views(orders: Order[]): Promise<AdminOrderView[]> {
    if (orders.length === 0) return [];
    const ids = <K extends keyof Order>(k: K) => [...new Set(orders.map((o) => o[k] as unknown as number))];
    const [shops, dealName, users, invoices] = await Promise.all([
      this.shops.find({ where: { id: In(ids('shopId')) }, select: { id: true, name: true } }),
      this.dealStock.names(ids('groupBuyingId')),
      this.users.find({ where: { id: In(ids('userId')) }, select: { id: true, openId: true, nickname: true, avatar: true } }),
      this.checkouts.invoices(this.orders.manager, ids('checkoutId')),
    ]);
    const shopName = new Map(shops.map((s) => [s.id, s.name]));
    const user = new Map(users.map((u) => [u.id, u]));
    return orders.map((o) =>
      toAdminOrderView(o, {
        shopName: shopName.get(o.shopId),
        groupBuyingName: dealName.get(o.groupBuyingId),
        user: user.get(o.userId) ?? null,
        invoice: invoices.get(o.checkoutId),
      }),
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
        `(o.code LIKE :kw ${LIKE_ESCAPE} OR u.nickname LIKE :kw ${LIKE_ESCAPE} OR o.phone LIKE :kw ${LIKE_ESCAPE} OR o.productName LIKE :kw ${LIKE_ESCAPE})`,
        { kw: `%${escapeLike(kw)}%` },
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
    const rows =
      totalCount > skip ? await qb.orderBy(sortColumn, direction).addOrderBy('o.id', direction).offset(skip).limit(take).getMany() : [];
    return {
      data: await this.views(rows),
      pageIndex,
      pageSize,
      totalCount,
      sumData: { qty: intOf(sums?.qty), money: moneySumOf(sums?.money) },
    };
  }
}

function toUserView(r: { id: number | string; name: string; openId: string; profile: string }): DealUserView {
  return { id: Number(r.id), name: r.name ?? '', openId: r.openId ?? '', profile: r.profile ?? '' };
}
