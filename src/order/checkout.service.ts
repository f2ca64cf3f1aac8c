import { Inject, Injectable } from '@nestjs/common';
import Big from 'big.js';
import { DataSource, EntityManager } from 'typeorm';
import { isDuplicateKeyError } from '../common/db-errors';
import { Codes, DomainError } from '../common/errors';
import { money } from '../common/money';
import { addSeconds } from '../common/time';
import { AppConfig } from '../config/app-config';
import { CouponService } from '../coupon/coupon.service';
import { readDate, runTx } from '../database/sql';
import type { CartDealRow } from '../group-buying/deal.repository';
import { isTeamDeal, unbuyableReason } from '../group-buying/deal.rules';
import { DealStockService } from '../group-buying/deal-stock.service';
import { PAYMENT_PROVIDER, PaymentProvider } from '../payment/payment-provider';
import { formatCheckout, priceCheckout } from '../pricing/pricing';
import type { CouponTerms, PricingLine } from '../pricing/pricing.types';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { TeamService } from '../team/team.service';
import { batchable, CheckoutBatcher } from './checkout-batcher';
import { CheckoutDeductions, remarkOf } from './checkout-deductions';
import { formatAddress, orderRateKey, orderRateLimited, requestHash } from './checkout-request';
import { CheckoutRepository } from './checkout.repository';
import { ComputeOrderDto, CreateOrderDto } from './dto/checkout.dto';
import { invoiceOf } from './invoice';
import { newOrderCode } from './order-code';
import { OrderRepository } from './order.repository';
import { couponVerdict, PRE_SALE_NO_COUPON, preSaleColumns, preSaleDealOf, preSalePricing, withPreSaleBlock } from './presale.checkout';
import { SettlementService } from './settlement.service';

type DealRow = CartDealRow;

interface Cart {
  tenantId: number;
  deals: DealRow[]; // in request order
  lines: PricingLine[];
  quantities: number[];
}

/** createOrder's answer (`data` of the envelope): the checkout as computed, with its numbers. */
export type CheckoutResult = Record<string, unknown> & { pay_no: string; orders: Record<string, unknown>[] };

/** computedOrder / createOrder (contract §5): validation and pricing before the transaction, little work under the stock row lock. */
@Injectable()
export class CheckoutService {
  constructor(
    private readonly ds: DataSource,
    private readonly config: AppConfig,
    private readonly coupons: CouponService,
    private readonly settlement: SettlementService,
    private readonly deals: DealStockService,
    private readonly teams: TeamService,
    private readonly checkouts: CheckoutRepository,
    private readonly orders: OrderRepository,
    private readonly limits: RateLimitService,
    private readonly batcher: CheckoutBatcher,
    private readonly deductions: CheckoutDeductions,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
  ) {}

  async compute(userId: number, dto: ComputeOrderDto): Promise<Record<string, unknown>> {
    const now = new Date();
    const cart = await this.loadCart(dto, now);
    assertTeamCart(cart, undefined);
    await this.checkLimits(this.ds.manager, userId, cart);
    const { pricing, memberCoupons } = await this.price(userId, cart, dto.coupon_id, now, false);
    const pre = preSaleDealOf(cart.deals);
    const deducted = await this.deductions.apply(userId, cart.tenantId, pricing, dto, { preSale: pre !== null, strict: false });
    return withPreSaleBlock(formatCheckout(deducted, memberCoupons), pre) as unknown as Record<string, unknown>;
  }

  /** The whole createOrder, with Idempotency-Key semantics; returns the answer's data (and replays it). */
  async create(userId: number, dto: CreateOrderDto, idemKey?: string): Promise<CheckoutResult> {
    const hash = idemKey ? requestHash(dto) : '';
    // a retry is answered from the key before the cart is judged again: the first answer took the stock
    // and the coupon, so judging the retry as a new checkout would refuse what was already bought (§5)
    if (idemKey && (await this.checkouts.findKey(userId, idemKey))) return this.replay(userId, idemKey, hash);
    // counted in the database, so the limit holds whichever instance answers (§12)
    if (!(await this.limits.hit(orderRateKey(userId), this.config.orderRateLimitPerMinute, 60)).allowed)
      throw orderRateLimited(this.config.orderRateLimitPerMinute);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.createOnce(userId, dto, idemKey, hash);
      } catch (e) {
        // the first request committed while this one was being priced: its answer, not this refusal
        if (idemKey && e instanceof DomainError && (await this.checkouts.findKey(userId, idemKey)))
          return this.replay(userId, idemKey, hash);
        if (!isDuplicateKeyError(e)) throw e;
        if (idemKey && /uq_idem|idempotency/i.test((e as Error).message)) return this.replay(userId, idemKey, hash);
        // an order or pay number met an existing one (random digits): draw new ones
        if (attempt >= 3) throw e;
      }
    }
  }

  private async replay(userId: number, key: string, hash: string): Promise<CheckoutResult> {
    const row = await this.checkouts.findKey(userId, key);
    if (!row) throw new DomainError(409, Codes.DUPLICATE_SERIAL, '流水号重复: 该 Idempotency-Key 的请求正在处理，请稍后重试 (in progress)');
    if (row.request_hash !== hash) {
      throw new DomainError(
        422,
        Codes.DUPLICATE_SERIAL,
        '流水号重复: 该 Idempotency-Key 已用于另一个请求 (key reused with a different body)',
      );
    }
    if (row.response_body === null)
      throw new DomainError(409, Codes.DUPLICATE_SERIAL, '流水号重复: 该 Idempotency-Key 的请求正在处理 (in progress)');
    const stored = JSON.parse(row.response_body) as Record<string, unknown>;
    // answers stored as the whole envelope by earlier versions replay their data
    return ('pay_no' in stored ? stored : stored.data) as CheckoutResult;
  }

  private async createOnce(userId: number, dto: CreateOrderDto, idemKey: string | undefined, hash: string): Promise<CheckoutResult> {
    const now = new Date();
    const cart = await this.loadCart(dto, now);
    const express = cart.lines.some((l) => l.deliverType === 2);
    if (express && !dto.address)
      throw DomainError.badRequest('参数错误 address: address is required when a line is express (快递)', [
        { field: 'address', message: 'required for express' },
      ]);
    const teamDeal = assertTeamCart(cart, dto.team_id);
    const invoice = invoiceOf(dto);
    const priced = await this.price(userId, cart, dto.coupon_id, now, true);
    const { memberCoupons, applied } = priced;
    const pricing = await this.deductions.apply(userId, cart.tenantId, priced.pricing, dto, {
      preSale: preSaleDealOf(cart.deals) !== null,
      strict: true,
    });
    const payNo = newOrderCode(now);
    const expireTime = addSeconds(now, this.config.orderPayTimeoutSeconds);
    const codes = cart.lines.map(() => newOrderCode(now));
    const addressText = dto.address ? formatAddress(dto.address) : '';
    const phone = dto.phone ?? dto.address?.mobile ?? '';
    const remark = remarkOf(dto);
    const pre = preSaleDealOf(cart.deals);
    const view = withPreSaleBlock(formatCheckout(pricing, memberCoupons), pre) as unknown as Record<string, unknown> & {
      orders: Record<string, unknown>[];
    };
    const body: CheckoutResult = { pay_no: payNo, ...view, orders: view.orders.map((o, i) => ({ code: codes[i], ...o })) };
    const free = pricing.totalPrice.eq(0);
    if (!pre && !invoice && pricing.deductionPrice.eq(0) && batchable(this.ds, cart, dto, pricing)) {
      const c = { userId, cart, pricing, payNo, code: codes[0], expireTime, address: addressText, phone, remark, idemKey, hash, body };
      return (await this.batcher.submit({ ...c, provider: this.provider.name })) as CheckoutResult;
    }

    await runTx(this.ds, async (em) => {
      if (idemKey) await this.checkouts.claimKey(em, userId, idemKey, hash);
      // one shopper's checkouts one at a time, so the count of their unpaid ones is exact under any concurrency
      if ((await this.checkouts.unpaidOf(em, userId, cart.tenantId, now)) >= this.config.maxUnpaidCheckouts) {
        throw DomainError.tooManyRequests(
          `未支付订单过多，请先支付或取消 (at most ${this.config.maxUnpaidCheckouts} unpaid checkouts at once)`,
        );
      }
      if (applied) await this.coupons.useInTx(em, applied.memberCouponId, userId, cart.tenantId, payNo, now);
      const checkoutId = await this.checkouts.insert(em, {
        payNo,
        tenantId: cart.tenantId,
        userId,
        goodsPrice: pricing.goodsPrice.toFixed(2),
        discountPrice: pricing.discountPrice.toFixed(2),
        dispatchPrice: pricing.dispatchPrice.toFixed(2),
        totalPrice: pricing.totalPrice.toFixed(2),
        memberCouponId: applied?.memberCouponId ?? null,
        expireTime,
        provider: this.provider.name,
      });
      // the team row before the deal row (take stock): the lock order every team path keeps
      const teamId = teamDeal ? await this.takeSeat(em, teamDeal, cart.tenantId, userId, dto.team_id, now) : null;
      if (teamId !== null) body.orders = body.orders.map((o) => ({ ...o, team_id: teamId }));
      await this.orders.insertAll(
        em,
        cart.lines.map((l, i) => {
          const p = pricing.lines[i];
          return {
            code: codes[i],
            payNo,
            checkoutId,
            tenantId: cart.tenantId,
            shopId: l.shopId,
            groupBuyingId: l.groupBuyingId,
            userId,
            deliverType: l.deliverType,
            price: l.price.toFixed(2),
            qty: l.quantity,
            goodsMoney: p.goodsPrice.toFixed(2),
            couponMoney: p.couponPrice.toFixed(2),
            deliverFee: p.dispatchPrice.toFixed(2),
            money: p.payPrice.toFixed(2),
            expireTime,
            address: l.deliverType === 2 ? addressText : '',
            lbs: cart.deals[i].lbs ?? '',
            phone,
            remark,
            productName: l.productName,
            spec: l.spec,
            imagePath: l.imagePath,
            teamId,
            ...preSaleColumns(cart.deals[i], l.quantity, p.dispatchPrice),
          };
        }),
      );
      if (teamId !== null) {
        const o = (await this.orders.findByCode(em, codes[0]))!;
        await this.teams.addMember(em, { teamId, userId, orderId: Number(o.id), orderCode: codes[0] });
      }
      await this.deductions.record(em, { checkoutId, tenantId: cart.tenantId, userId, codes, pricing, invoice });
      // Stock last: the hot deal's row lock is held only for this update, the limit check and COMMIT.
      await this.takeStock(em, userId, cart, now);
      if (free) {
        // nothing to pay: paid at creation
        await this.settlement.settle(em, checkoutId, now, { type: 'system', id: null }, { transactionId: 'free' });
      }
      if (idemKey) await this.checkouts.keyDone(em, userId, idemKey, body);
    });
    return body;
  }

  /** Joins the team asked for, or opens one led by the caller; returns its id. */
  private async takeSeat(
    em: EntityManager,
    deal: DealRow,
    tenantId: number,
    userId: number,
    teamId: number | undefined,
    now: Date,
  ): Promise<number> {
    if (teamId !== undefined) {
      await this.teams.join(em, teamId, Number(deal.id), userId, now);
      return teamId;
    }
    const byHours = addSeconds(now, Number(deal.team_hours || 24) * 3600);
    const end = readDate(deal.end_time);
    return this.teams.open(em, {
      tenantId,
      dealId: Number(deal.id),
      userId,
      price: money(deal.price).toFixed(2),
      teamSize: Number(deal.team_size),
      expireAt: end < byHours ? end : byHours,
    });
  }

  /** Loads the deals of the cart in one query and applies the rules that need no lock. */
  private async loadCart(dto: ComputeOrderDto, now: Date): Promise<Cart> {
    const ids = dto.goods.map((g) => g.product_id);
    if (new Set(ids).size !== ids.length) {
      throw DomainError.badRequest('参数错误 goods: 同一团购不能重复出现 (repeated product_id)', [
        { field: 'goods', message: 'repeated product_id' },
      ]);
    }
    if (ids.length === 1) {
      // a sold-out storm: answered from what this instance saw moments ago. Only a one-line cart, where
      // "sold out" is the answer the database would give (a longer cart may fail on another line first).
      const short = this.deals.knownShort(ids[0], dto.goods[0].quantity, now);
      if (short) throw DomainError.soldOut(`${short.name} 库存不足 (only ${short.stock} left)`);
    }
    const found = await this.deals.loadForCart(ids);
    const byId = new Map(found.map((d) => [Number(d.id), d]));
    const deals = ids.map((id) => {
      const d = byId.get(id);
      if (!d) throw DomainError.notFound(`团购 ${id}`);
      return d;
    });
    const tenantId = Number(deals[0].tenant_id);
    preSaleDealOf(deals);
    if (deals.some((d) => Number(d.tenant_id) !== tenantId)) {
      throw DomainError.badRequest('参数错误 goods: 所有商品须属于同一商户 (deals of different tenants)', [
        { field: 'goods', message: 'deals of different tenants' },
      ]);
    }
    deals.forEach((d, i) => {
      const reason = unbuyableReason(d, now);
      if (reason) throw DomainError.cannotBuy(`${d.name}: ${reason}`);
      if (Number(d.stock) < dto.goods[i].quantity) throw DomainError.soldOut(`${d.name} 库存不足 (only ${d.stock} left)`);
    });
    const lines: PricingLine[] = deals.map((d, i) => ({
      groupBuyingId: Number(d.id),
      shopId: Number(d.shop_id),
      shopName: d.shop_name,
      productName: d.product_name,
      spec: d.spec ?? '',
      imagePath: d.image_path ?? '',
      deliverType: Number(d.deliver_type),
      price: money(d.price),
      quantity: dto.goods[i].quantity,
      deliverFee: money(d.deliver_fee),
    }));
    return { tenantId, deals, lines, quantities: dto.goods.map((g) => g.quantity) };
  }

  /** The per-user limit, read-only (computedOrder) — createOrder re-checks it under the deal's row lock. */
  private async checkLimits(em: EntityManager | DataSource, userId: number, cart: Cart): Promise<void> {
    for (let i = 0; i < cart.deals.length; i++) {
      const d = cart.deals[i];
      if (Number(d.limit_per_user) > 0) await this.assertWithinLimit(em, userId, d, cart.quantities[i]);
    }
  }

  private async assertWithinLimit(em: EntityManager | DataSource, userId: number, d: DealRow, qty: number): Promise<void> {
    const n = await this.orders.unitsBought(em, userId, Number(d.id));
    const limit = Number(d.limit_per_user);
    if (n + qty > limit) throw DomainError.cannotBuy(`${d.name}: 超过每人限购 ${limit} 件 (per-user limit; already ${n})`);
  }

  /**
   * Takes stock with one conditional update per deal (in id order, so two carts never deadlock);
   * the update re-checks every rule atomically and holds the deal's row lock until commit, which also
   * makes the per-user limit check below exact (it counts this checkout's own, already inserted rows
   * plus every committed one).
   */
  private async takeStock(em: EntityManager, userId: number, cart: Cart, now: Date): Promise<void> {
    const order = cart.deals.map((d, i) => i).sort((a, b) => Number(cart.deals[a].id) - Number(cart.deals[b].id));
    for (const i of order) {
      const d = cart.deals[i];
      const took = await this.deals.take(em, Number(d.id), cart.quantities[i], now);
      if (!took.taken) {
        if (took.reason) throw DomainError.cannotBuy(`${d.name}: ${took.reason}`);
        throw DomainError.soldOut(`${d.name} 库存不足`);
      }
      if (Number(d.limit_per_user) > 0) await this.assertWithinLimit(em, userId, d, 0);
    }
  }

  private async price(userId: number, cart: Cart, couponId: number | undefined, now: Date, strict: boolean) {
    const ctx = { now, userId, tenantId: cart.tenantId };
    const pre = preSaleDealOf(cart.deals);
    if (pre && couponId !== undefined && strict) throw DomainError.cannotBuy(PRE_SALE_NO_COUPON);
    const all: CouponTerms[] = await this.coupons.loadTermsForUser(userId, cart.tenantId, now);
    let requested: CouponTerms | null = null;
    if (couponId !== undefined) {
      requested = all.find((t) => t.memberCouponId === couponId) ?? (await this.coupons.loadTerms(couponId, userId));
    }
    const memberCoupons = all.map((terms) => {
      const ev = couponVerdict(pre, terms, cart.lines, ctx);
      return { terms, valid: ev.valid, checked: false, reason: ev.reason, ev };
    });
    let applied: { memberCouponId: number; amount: Big; eligible: number[]; terms: CouponTerms } | null = null;
    if (couponId !== undefined) {
      const entry = requested ? memberCoupons.find((m) => m.terms.memberCouponId === couponId) : undefined;
      if (requested && entry?.valid) {
        entry.checked = true;
        applied = { memberCouponId: couponId, amount: entry.ev.amount, eligible: entry.ev.eligible, terms: entry.terms };
      } else {
        const reason = entry?.reason ?? '优惠券不可用 (coupon not usable)';
        if (strict) throw DomainError.cannotBuy(reason);
        if (!entry && requested) {
          const ev = couponVerdict(pre, requested, cart.lines, ctx);
          memberCoupons.unshift({ terms: requested, valid: false, checked: false, reason: ev.reason ?? reason, ev });
        }
      }
    }
    const pricing = preSalePricing(
      priceCheckout(cart.lines, applied ? { terms: applied.terms, amount: applied.amount, eligible: applied.eligible } : null),
      pre,
    );
    return {
      pricing,
      memberCoupons: memberCoupons.map(({ terms, valid, checked, reason }) => ({ terms, valid, checked, reason })),
      applied,
    };
  }
}

/**
 * A team deal (teamSize ≥ 2) sells alone: one line per checkout, so one order holds one seat.
 * A team_id on a plain deal is refused. Returns the team deal, if any.
 */
function assertTeamCart(cart: Cart, teamId: number | undefined): DealRow | null {
  const team = cart.deals.find(isTeamDeal) ?? null;
  if (team && cart.deals.length !== 1) {
    throw DomainError.badRequest(`参数错误 goods: 拼团商品「${team.name}」须单独下单，只能有一行 (a team checkout has exactly one line)`, [
      { field: 'goods', message: 'a team deal must be the only line' },
    ]);
  }
  if (!team && teamId !== undefined) throw DomainError.cannotBuy('该团购不是拼团商品 (team_id given for a deal that is not a team buy)');
  return team;
}
