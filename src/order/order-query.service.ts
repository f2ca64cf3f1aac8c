import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { User } from '../auth/user.entity';
import { AdminPage, adminPaging } from '../common/pagination';
import { moneyNumber } from '../common/money';
import { rangeEnd, rangeStart } from '../common/query';
import { DealStockService } from '../group-buying/deal-stock.service';
import { CheckoutRepository } from './checkout.repository';
import { GroupBuyingService } from '../group-buying/group-buying.service';
import type { DealUserView } from '../group-buying/group-buying.view';
import { Shop } from '../shop/shop.entity';
import { TenantScope } from '../tenant/tenant-scope';
import { DealOrderListQuery, OrderListQuery, OrderSort } from './dto/order-admin.dto';
import { AdminOrderView, DealDetailView, OrderSumData, toAdminOrderView } from './order-admin.view';
import { Order } from './order.entity';
import { OrderListFilter, OrderListRepository, OrderSortColumn } from './order-list.repository';
import { PAID_STATUSES } from './order-status';

/** `get` shows the deal's latest orders and buyers. */
const DETAIL_LIMIT = 100;

const SORT_COLUMNS: Record<OrderSort, OrderSortColumn> = {
  createTime: 'create_time',
  payTime: 'pay_time',
  money: 'money',
  qty: 'qty',
  sequence: 'sequence',
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
    private readonly lists: OrderListRepository,
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
    const f = await this.filter(scope, q);
    return this.page({ ...f, dealIds: [q.groupBuyingId] }, q, 'create_time', 'DESC');
  }

  async list(scope: TenantScope, q: OrderListQuery): Promise<AdminPage<AdminOrderView, OrderSumData>> {
    const f = await this.filter(scope, q);
    f.from = rangeStart(q.startDate);
    f.to = rangeEnd(q.endDate);
    f.shopId = q.shopId;
    const name = q.name?.trim();
    if (name) f.dealIds = await this.lists.dealsNamed(scope.tenantId, name);
    return this.page(f, q, SORT_COLUMNS[q.sort ?? 'createTime'], q.order === true ? 'ASC' : 'DESC');
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

  /** The filters both list routes share, the keyword resolved by kind. */
  private async filter(scope: TenantScope, q: { deliverType?: number; status?: number; keyword?: string }): Promise<OrderListFilter> {
    const kw = q.keyword?.trim();
    return {
      tenantId: scope.tenantId,
      deliverType: q.deliverType,
      status: q.status,
      keyword: kw ? await this.lists.keyword(scope.tenantId, kw) : undefined,
    };
  }

  /** totalCount and sumData over the whole filtered set (the rollup, see OrderListRepository), then the page. */
  private async page(
    f: OrderListFilter,
    q: DealOrderListQuery | OrderListQuery,
    sort: OrderSortColumn,
    direction: 'ASC' | 'DESC',
  ): Promise<AdminPage<AdminOrderView, OrderSumData>> {
    const { pageIndex, pageSize, skip, take } = adminPaging(q);
    const sums = await this.lists.totals(f);
    const rows = sums.count > skip ? await this.lists.page(f, sort, direction, skip, take) : [];
    return {
      data: await this.views(rows),
      pageIndex,
      pageSize,
      totalCount: sums.count,
      sumData: { qty: sums.qty, money: moneyNumber(sums.money) },
    };
  }
}

function toUserView(r: { id: number | string; name: string; openId: string; profile: string }): DealUserView {
  return { id: Number(r.id), name: r.name ?? '', openId: r.openId ?? '', profile: r.profile ?? '' };
}
