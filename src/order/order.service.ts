import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { User } from '../auth/user.entity';
import { DomainError } from '../common/errors';
import { money } from '../common/money';
import { storePaging } from '../common/pagination';
import { runTx } from '../database/sql';
import { PAYMENT_PROVIDER, PaymentProvider, PayOutcome } from '../payment/payment-provider';
import { TeamService } from '../team/team.service';
import type { TeamView } from '../team/team.view';
import { Checkout } from './checkout.entity';
import { CheckoutDeductions } from './checkout-deductions';
import { CheckoutRepository } from './checkout.repository';
import { CommentDto, OrderListDto } from './dto/checkout.dto';
import { Order } from './order.entity';
import { OrderLogService } from './order-log.service';
import { OrderReadRepository, StoreOrderFilter, StoreOrderRow } from './order-read.repository';
import { OrderRepository } from './order.repository';
import { ORDER_STATUS_NAMES, OrderStatus } from './order-status';
import { assertTransition } from './order.state';
import { toStoreOrderView } from './order-store.view';
import { PaymentEventsService } from './payment-events.service';
import { PreSaleService } from './presale.service';
import { CliOrderView, toCliOrderView } from './cli-order.view';
import { DealStockService } from '../group-buying/deal-stock.service';
import { SettlementService } from './settlement.service';

/** payOrder's answer: paid (701), or the client parameters to finish paying at the provider. */
export type PayResult = { paid: true; pay_no: string } | ({ paid: false; pay_no: string } & Record<string, string | boolean>);

/** order_list status groups (contract §5). */
const LIST_GROUPS: Record<number, { statuses: number[]; reviewed?: boolean }> = {
  0: { statuses: [0] },
  1: { statuses: [1, 8, 3] },
  2: { statuses: [4], reviewed: false },
  3: { statuses: [4], reviewed: true },
  4: { statuses: [2] },
};

const teamOf = (o: StoreOrderRow, teams: Map<number, TeamView>): Record<string, unknown> | null =>
  o.team_id !== null ? ((teams.get(Number(o.team_id)) as unknown as Record<string, unknown>) ?? null) : null;

/** The storefront's order use cases: read, pay, cancel, confirm receipt, review. Another user's order is a 404. */
@Injectable()
export class OrderService {
  private readonly logger = new Logger(OrderService.name);
  constructor(
    private readonly ds: DataSource,
    private readonly settlement: SettlementService,
    private readonly payments: PaymentEventsService,
    private readonly teams: TeamService,
    private readonly checkoutRows: CheckoutRepository,
    private readonly orderRows: OrderRepository,
    private readonly reads: OrderReadRepository,
    private readonly audit: OrderLogService,
    private readonly deductions: CheckoutDeductions,
    private readonly preSale: PreSaleService,
    private readonly deals: DealStockService,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    @InjectRepository(Checkout) private readonly checkouts: Repository<Checkout>,
    @InjectRepository(User) private readonly users: Repository<User>,
  ) {}

  async mine(userId: number, code: string): Promise<Order> {
    const o = await this.orders.findOne({ where: { code, userId } });
    if (!o) throw DomainError.notFound('订单');
    return o;
  }

  async info(userId: number, code: string) {
    const o = await this.reads.storeOrder(userId, code);
    if (!o) throw DomainError.notFound('订单');
    const teams = await this.teams.views(o.team_id !== null ? [Number(o.team_id)] : [], userId);
    return toStoreOrderView(o, teamOf(o, teams));
  }

  /** seed 002's order detail (GET /api/cli/order/{code}): plain, pre-sale and team orders of the caller. */
  async cliDetail(userId: number, code: string): Promise<CliOrderView> {
    const o = await this.mine(userId, code);
    const [checkout, deal, teams] = await Promise.all([
      this.checkouts.findOne({ where: { id: o.checkoutId } }),
      this.deals.summary(o.groupBuyingId),
      this.teams.views(o.teamId !== null ? [o.teamId] : [], userId),
    ]);
    return toCliOrderView(o, checkout?.provider ?? this.provider.name, deal, o.teamId !== null ? (teams.get(o.teamId) ?? null) : null);
  }

  async list(userId: number, dto: OrderListDto) {
    const { page, limit, skip, take } = storePaging({ page: dto.page, limit: dto.limit });
    const filter: StoreOrderFilter = { userId };
    if (dto.status !== undefined) {
      const g = LIST_GROUPS[dto.status];
      filter.statuses = g.statuses;
      filter.reviewed = g.reviewed;
    }
    const list = await this.reads.storeList(filter, skip, take);
    // a page neither empty nor full is the last one, and an empty first page means none: no COUNT needed
    let total: number;
    if (list.length > 0 && list.length < take) total = skip + list.length;
    else if (!list.length && skip === 0) total = 0;
    else total = await this.reads.storeCount(filter);
    // the page's teams in one load (two queries), not one per order
    const teams = await this.teams.views(
      list.filter((o) => o.team_id !== null).map((o) => Number(o.team_id)),
      userId,
    );
    return { list: list.map((o) => toStoreOrderView(o, teamOf(o, teams))), total, page, limit };
  }

  /** GET payOrder/{code}: pays the whole checkout the order belongs to (§6). */
  async pay(userId: number, code: string): Promise<PayResult> {
    const order = await this.mine(userId, code);
    // a pre-sale order whose deposit is paid: payOrder pays the balance (§10)
    if (order.depositPayTime) return this.preSale.payBalance(userId, order.id);
    const checkout = await this.checkouts.findOneOrFail({ where: { id: order.checkoutId } });
    const paid = (): PayResult => ({ paid: true, pay_no: checkout.payNo });
    if (checkout.status === OrderStatus.PAID) return paid();
    if (checkout.status === OrderStatus.EXPIRED || checkout.status === OrderStatus.CLOSED || checkout.expireTime <= new Date()) {
      throw DomainError.payTimeout();
    }
    const user = await this.users.findOne({ where: { id: userId } });
    let outcome: PayOutcome;
    try {
      outcome = await this.provider.pay({
        payNo: checkout.payNo,
        total: money(checkout.totalPrice),
        description: order.productName.slice(0, 127),
        expireTime: checkout.expireTime,
        openId: user?.openId ?? '',
      });
    } catch (e) {
      this.logger.warn(`pay ${checkout.payNo}: provider failed: ${(e as Error).message}`);
      throw new DomainError(503, 503, '支付服务暂不可用，请稍后再试 (payment provider unavailable)');
    }
    if (outcome.kind === 'pending') {
      // from now on the sweep asks the provider before expiring this checkout; a checkout cancelled or
      // expired while the provider answered gets no parameters, and its prepay is closed (§6)
      if (await runTx(this.ds, (em) => this.checkoutRows.setPrepayIfUnpaid(em, checkout.id, outcome.prepayId))) {
        return { paid: false, pay_no: checkout.payNo, ...outcome.clientParams };
      }
      await this.provider
        .close(checkout.payNo)
        .catch((e: Error) => this.logger.warn(`close ${checkout.payNo} after a lost race failed: ${e.message}`));
      const fresh = await this.checkouts.findOneOrFail({ where: { id: checkout.id } });
      if (fresh.status === OrderStatus.PAID) return paid();
      throw DomainError.payTimeout();
    }
    const won = await runTx(this.ds, (em) =>
      this.settlement.settle(em, checkout.id, new Date(), { type: 'user', id: userId }, { transactionId: outcome.transactionId }),
    );
    if (won) return paid();
    const fresh = await this.checkouts.findOneOrFail({ where: { id: checkout.id } });
    if (fresh.status === OrderStatus.PAID) return paid();
    throw DomainError.payTimeout();
  }

  /**
   * Unpaid → closed (6) for the whole checkout: stock and coupon back. With WeChat the checkout is
   * asked about and closed there first, prepay recorded or not (a payOrder may be in flight), so a
   * payment can only land on a cancelled checkout by a race, which settleLate then resolves (§6).
   */
  async cancel(userId: number, code: string): Promise<void> {
    const order = await this.mine(userId, code);
    const checkout = await this.checkouts.findOneOrFail({ where: { id: order.checkoutId } });
    if (this.provider.name === 'wechat' && (checkout.status === OrderStatus.UNPAID || checkout.status === OrderStatus.PAY_FAILED)) {
      const q = await this.provider.query(checkout.payNo);
      if (q.state === 'paid') {
        const settled = await this.payments.settleReported(checkout.id, q.transactionId, q.amount);
        if (settled === 'mismatch')
          throw DomainError.conflict('支付金额与订单不符，已转人工处理 (the payment reported does not match the order)');
        throw DomainError.conflict('订单已支付，不能取消 (already paid)');
      }
      if (q.state === 'unknown') throw new DomainError(503, 503, '支付状态未知，请稍后再试 (payment state unknown)');
      try {
        await this.provider.close(checkout.payNo);
      } catch (e) {
        this.logger.warn(`close ${checkout.payNo} failed: ${(e as Error).message}`);
        throw new DomainError(503, 503, '支付服务暂不可用，请稍后再试 (payment provider unavailable)');
      }
    }
    const done = await runTx(this.ds, (em) =>
      this.settlement.release(em, order.checkoutId, OrderStatus.CLOSED, { type: 'user', id: userId }),
    );
    if (!done) {
      const fresh = await this.mine(userId, code);
      assertTransition(fresh.status, OrderStatus.CLOSED);
      // the status allows it but the checkout was released by someone else a moment ago
      throw DomainError.conflict('订单状态已变化，请刷新 (order changed meanwhile)');
    }
  }

  /** Shipped → completed: the buyer confirms receipt. */
  async take(userId: number, code: string): Promise<void> {
    const order = await this.mine(userId, code);
    if (order.status !== OrderStatus.SHIPPED) {
      throw DomainError.conflict(
        `订单状态为「${ORDER_STATUS_NAMES[order.status]}」，只有已发货的订单可以确认收货 (order is ${order.status}; only shipped orders can be received)`,
      );
    }
    await runTx(this.ds, async (em) => {
      if (!(await this.orderRows.move(em, order.id, [OrderStatus.SHIPPED], OrderStatus.COMPLETED, { closeCode: true }))) {
        throw DomainError.conflict('订单状态已变化，请刷新 (order changed meanwhile)');
      }
      await this.deductions.completed(em, order.id);
      const actor = { type: 'user' as const, id: userId };
      await this.audit.log(em, {
        tenantId: order.tenantId,
        orderId: order.id,
        shopId: order.shopId,
        action: 'take',
        actor,
        from: OrderStatus.SHIPPED,
        to: OrderStatus.COMPLETED,
      });
    });
  }

  async comment(userId: number, dto: CommentDto): Promise<void> {
    const order = await this.mine(userId, dto.code);
    if (order.status !== OrderStatus.COMPLETED) {
      throw DomainError.conflict(
        `订单状态为「${ORDER_STATUS_NAMES[order.status]}」，只能评价已完成的订单 (only completed orders can be reviewed)`,
      );
    }
    await runTx(this.ds, async (em) => {
      if (!(await this.orderRows.markReviewed(em, order.id, userId, dto.score, dto.content)))
        throw DomainError.conflict('订单已评价 (already reviewed)');
    });
  }
}
