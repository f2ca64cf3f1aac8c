import { Inject, Injectable } from '@nestjs/common';
import Big from 'big.js';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { CouponService } from '../coupon/coupon.service';
import type { CouponTerms } from '../coupon/coupon-terms';
import { isDuplicateKeyError } from '../common/exception.filter';
import { Codes, DomainError } from '../common/errors';
import { money } from '../common/money';
import { addSeconds } from '../common/time';
import { dbDate, execute, insertId, rows, runTx } from '../database/sql';
import { PAYMENT_PROVIDER, PaymentProvider } from '../payment/payment-provider';
import { evaluateCoupon, formatCheckout, priceCheckout } from '../pricing/pricing';
import type { PricingLine } from '../pricing/pricing.types';
import { AddressDto, ComputeOrderDto, CreateOrderDto } from './dto/checkout.dto';
import { newOrderCode } from './order-code';
import { SettlementService } from './settlement.service';
import { addMember, joinTeam, openTeam } from '../team/team.seats';

interface DealRow {
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
  lbs: string;
  address: string;
}

interface Cart {
  tenantId: number;
  deals: DealRow[]; // in request order
  lines: PricingLine[];
  quantities: number[];
}

export interface CheckoutAnswer {
  http: number;
  body: unknown;
}

const asDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(String(v).replace(' ', 'T') + (String(v).endsWith('Z') ? '' : 'Z')));
const truthy = (v: unknown) => v === true || v === 1 || v === '1';

/** computedOrder / createOrder (contract §5): validation and pricing before the transaction, little work under the stock row lock. */
@Injectable()
export class CheckoutService {
  constructor(
    private readonly ds: DataSource,
    private readonly config: AppConfig,
    private readonly coupons: CouponService,
    private readonly settlement: SettlementService,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
  ) {}

  async compute(userId: number, dto: ComputeOrderDto): Promise<Record<string, unknown>> {
    const now = new Date();
    const cart = await this.loadCart(dto, now);
    assertTeamCart(cart, undefined);
    await this.checkLimits(this.ds.manager, userId, cart);
    const { pricing, memberCoupons } = await this.price(userId, cart, dto.coupon_id, now, false);
    return formatCheckout(pricing, memberCoupons) as unknown as Record<string, unknown>;
  }

  /** The whole createOrder, with Idempotency-Key semantics; returns the answer to send (and to replay). */
  async create(userId: number, dto: CreateOrderDto, idemKey?: string): Promise<CheckoutAnswer> {
    const hash = idemKey ? requestHash(dto) : '';
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.createOnce(userId, dto, idemKey, hash);
      } catch (e) {
        if (!isDuplicateKeyError(e)) throw e;
        if (idemKey && /uq_idem|idempotency/i.test((e as Error).message)) return this.replay(userId, idemKey, hash);
        // an order or pay number met an existing one (random digits): draw new ones
        if (attempt >= 3) throw e;
      }
    }
  }

  private async replay(userId: number, key: string, hash: string): Promise<CheckoutAnswer> {
    const [row] = await rows<{ request_hash: string; response_http: number | null; response_body: string | null }>(
      this.ds,
      'SELECT request_hash, response_http, response_body FROM idempotency_key WHERE user_id = ? AND idem_key = ?',
      [userId, key],
    );
    if (!row) throw new DomainError(409, Codes.DUPLICATE_SERIAL, '流水号重复: 该 Idempotency-Key 的请求正在处理，请稍后重试 (in progress)');
    if (row.request_hash !== hash) {
      throw new DomainError(422, Codes.DUPLICATE_SERIAL, '流水号重复: 该 Idempotency-Key 已用于另一个请求 (key reused with a different body)');
    }
    if (row.response_body === null) throw new DomainError(409, Codes.DUPLICATE_SERIAL, '流水号重复: 该 Idempotency-Key 的请求正在处理 (in progress)');
    return { http: row.response_http ?? 200, body: JSON.parse(row.response_body) };
  }

  private async createOnce(userId: number, dto: CreateOrderDto, idemKey: string | undefined, hash: string): Promise<CheckoutAnswer> {
    const now = new Date();
    const cart = await this.loadCart(dto, now);
    const express = cart.lines.some((l) => l.deliverType === 2);
    if (express && !dto.address) throw DomainError.badRequest('参数错误 address: address is required when a line is express (快递)', [{ field: 'address', message: 'required for express' }]);
    const teamDeal = assertTeamCart(cart, dto.team_id);
    const { pricing, memberCoupons, applied } = await this.price(userId, cart, dto.coupon_id, now, true);
    const payNo = newOrderCode(now);
    const expireTime = addSeconds(now, this.config.orderPayTimeoutSeconds);
    const codes = cart.lines.map(() => newOrderCode(now));
    const addressText = dto.address ? formatAddress(dto.address) : '';
    const phone = dto.phone ?? dto.address?.mobile ?? '';
    const remark = dto.remark ?? '';
    const view = formatCheckout(pricing, memberCoupons) as unknown as Record<string, unknown> & { orders: Record<string, unknown>[] };
    const body = {
      status: 200,
      msg: 'ok',
      data: { pay_no: payNo, ...view, orders: view.orders.map((o, i) => ({ code: codes[i], ...o })) as Record<string, unknown>[] },
    };
    const free = pricing.totalPrice.eq(0);

    await runTx(this.ds, async (em) => {
      if (idemKey) {
        // the unique (user_id, idem_key) row makes a concurrent retry wait for this transaction
        await insertId(em, 'INSERT INTO idempotency_key (user_id, idem_key, request_hash, state) VALUES (?, ?, ?, ?)', [userId, idemKey, hash, 'running']);
      }
      if (applied) await this.coupons.useInTx(em, applied.memberCouponId, userId, cart.tenantId, payNo, now);
      const checkoutId = await insertId(
        em,
        'INSERT INTO checkout (pay_no, tenant_id, user_id, status, goods_price, discount_price, dispatch_price, total_price, member_coupon_id, expire_time, provider) VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)',
        [
          payNo,
          cart.tenantId,
          userId,
          pricing.goodsPrice.toFixed(2),
          pricing.discountPrice.toFixed(2),
          pricing.dispatchPrice.toFixed(2),
          pricing.totalPrice.toFixed(2),
          applied?.memberCouponId ?? null,
          dbDate(em, expireTime),
          this.provider.name,
        ],
      );
      // the team row before the deal row (takeStock): the lock order every team path keeps
      let teamId: number | null = null;
      if (teamDeal) {
        if (dto.team_id !== undefined) {
          await joinTeam(em, dto.team_id, Number(teamDeal.id), userId, now);
          teamId = dto.team_id;
        } else {
          const byHours = addSeconds(now, Number(teamDeal.team_hours || 24) * 3600);
          const end = asDate(teamDeal.end_time);
          teamId = await openTeam(em, {
            tenantId: cart.tenantId,
            dealId: Number(teamDeal.id),
            userId,
            price: money(teamDeal.price).toFixed(2),
            teamSize: Number(teamDeal.team_size),
            expireAt: end < byHours ? end : byHours,
          });
        }
        body.data.orders = body.data.orders.map((o) => ({ ...o, team_id: teamId }));
      }
      const placeholders: string[] = [];
      const params: unknown[] = [];
      cart.lines.forEach((l, i) => {
        const p = pricing.lines[i];
        const d = cart.deals[i];
        placeholders.push('(?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
        params.push(
          codes[i],
          payNo,
          checkoutId,
          cart.tenantId,
          l.shopId,
          l.groupBuyingId,
          userId,
          l.deliverType,
          l.price.toFixed(2),
          l.quantity,
          p.goodsPrice.toFixed(2),
          p.couponPrice.toFixed(2),
          p.dispatchPrice.toFixed(2),
          p.payPrice.toFixed(2),
          dbDate(em, expireTime),
          l.deliverType === 2 ? addressText : '',
          d.lbs ?? '',
          phone,
          remark,
          l.productName,
          l.spec,
          l.imagePath,
          teamId,
        );
      });
      await execute(
        em,
        `INSERT INTO group_buying_order (code, pay_no, checkout_id, tenant_id, shop_id, group_buying_id, user_id, status, deliver_type, price, qty, goods_money, coupon_money, deliver_fee, money, expire_time, address, lbs, phone, remark, product_name, spec, image_path, team_id) VALUES ${placeholders.join(', ')}`,
        params,
      );
      if (teamId !== null) {
        const [o] = await rows<{ id: number }>(em, 'SELECT id FROM group_buying_order WHERE code = ?', [codes[0]]);
        await addMember(em, { teamId, userId, orderId: Number(o.id), orderCode: codes[0] });
      }
      // Stock last: the hot deal's row lock is held only for this update, the limit check and COMMIT.
      await this.takeStock(em, userId, cart, now);
      if (free) {
        // nothing to pay: paid at creation
        await this.settlement.settle(em, checkoutId, now, { type: 'system', id: null }, { transactionId: 'free' });
      }
      if (idemKey) {
        await execute(em, "UPDATE idempotency_key SET state = 'done', response_http = 200, response_body = ? WHERE user_id = ? AND idem_key = ?", [
          JSON.stringify(body),
          userId,
          idemKey,
        ]);
      }
    });
    return { http: 200, body };
  }

  /** Loads the deals of the cart in one query and applies the rules that need no lock. */
  private async loadCart(dto: ComputeOrderDto, now: Date): Promise<Cart> {
    const ids = dto.goods.map((g) => g.product_id);
    if (new Set(ids).size !== ids.length) {
      throw DomainError.badRequest('参数错误 goods: 同一团购不能重复出现 (repeated product_id)', [{ field: 'goods', message: 'repeated product_id' }]);
    }
    const found = await rows<DealRow>(
      this.ds,
      `SELECT g.id, g.tenant_id, g.shop_id, s.name AS shop_name, g.name, g.product_name, g.spec, g.image_path, g.price, g.stock, g.deliver_type, g.deliver_fee,
              g.in_use, g.deleted_at, g.start_time, g.end_time, g.limit_per_user, g.team_size, g.team_hours, g.lbs, g.address
         FROM group_buying g JOIN shop s ON s.id = g.shop_id WHERE g.id IN (${ids.map(() => '?').join(',')})`,
      ids,
    );
    const byId = new Map(found.map((d) => [Number(d.id), d]));
    const deals = ids.map((id) => {
      const d = byId.get(id);
      if (!d) throw DomainError.notFound(`团购 ${id}`);
      return d;
    });
    const tenantId = Number(deals[0].tenant_id);
    if (deals.some((d) => Number(d.tenant_id) !== tenantId)) {
      throw DomainError.badRequest('参数错误 goods: 所有商品须属于同一商户 (deals of different tenants)', [{ field: 'goods', message: 'deals of different tenants' }]);
    }
    deals.forEach((d, i) => {
      const reason = unbuyable(d, now);
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
    const [{ n }] = await rows<{ n: number | string | null }>(
      em,
      'SELECT COALESCE(SUM(qty), 0) AS n FROM group_buying_order WHERE user_id = ? AND group_buying_id = ? AND status NOT IN (2, 5, 6)',
      [userId, d.id],
    );
    const limit = Number(d.limit_per_user);
    if (Number(n) + qty > limit) throw DomainError.cannotBuy(`${d.name}: 超过每人限购 ${limit} 件 (per-user limit; already ${Number(n)})`);
  }

  /**
   * Takes stock with one conditional update per deal (in id order, so two carts never deadlock);
   * the update re-checks every rule atomically and holds the deal's row lock until commit, which also
   * makes the per-user limit check below exact (it counts this checkout's own, already inserted rows
   * plus every committed one).
   */
  private async takeStock(em: EntityManager, userId: number, cart: Cart, now: Date): Promise<void> {
    const order = cart.deals.map((d, i) => i).sort((a, b) => Number(cart.deals[a].id) - Number(cart.deals[b].id));
    const at = dbDate(em, now);
    for (const i of order) {
      const d = cart.deals[i];
      const qty = cart.quantities[i];
      const took = await execute(
        em,
        'UPDATE group_buying SET stock = stock - ?, order_count = order_count + 1 WHERE id = ? AND stock >= ? AND deleted_at IS NULL AND in_use = 1 AND start_time <= ? AND end_time > ?',
        [qty, d.id, qty, at, at],
      );
      if (took !== 1) {
        const [fresh] = await rows<DealRow>(em, 'SELECT id, name, stock, in_use, deleted_at, start_time, end_time FROM group_buying WHERE id = ?', [d.id]);
        const reason = fresh ? unbuyable(fresh, now) : '已删除';
        if (reason) throw DomainError.cannotBuy(`${d.name}: ${reason}`);
        throw DomainError.soldOut(`${d.name} 库存不足`);
      }
      if (Number(d.limit_per_user) > 0) await this.assertWithinLimit(em, userId, d, 0);
    }
  }

  private async price(userId: number, cart: Cart, couponId: number | undefined, now: Date, strict: boolean) {
    const ctx = { now, userId, tenantId: cart.tenantId };
    const all: CouponTerms[] = await this.coupons.loadTermsForUser(userId, cart.tenantId, now);
    let requested: CouponTerms | null = null;
    if (couponId !== undefined) {
      requested = all.find((t) => t.memberCouponId === couponId) ?? (await this.coupons.loadTerms(couponId, userId));
    }
    const memberCoupons = all.map((terms) => {
      const ev = evaluateCoupon(terms, cart.lines, ctx);
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
          const ev = evaluateCoupon(requested, cart.lines, ctx);
          memberCoupons.unshift({ terms: requested, valid: false, checked: false, reason: ev.reason ?? reason, ev });
        }
      }
    }
    const pricing = priceCheckout(cart.lines, applied ? { terms: applied.terms, amount: applied.amount, eligible: applied.eligible } : null);
    return { pricing, memberCoupons: memberCoupons.map(({ terms, valid, checked, reason }) => ({ terms, valid, checked, reason })), applied };
  }
}

/**
 * A team deal (teamSize ≥ 2) sells alone: one line per checkout, so one order holds one seat.
 * A team_id on a plain deal is refused. Returns the team deal, if any.
 */
function assertTeamCart(cart: Cart, teamId: number | undefined): DealRow | null {
  const team = cart.deals.find((d) => Number(d.team_size) >= 2) ?? null;
  if (team && cart.deals.length !== 1) {
    throw DomainError.badRequest(`参数错误 goods: 拼团商品「${team.name}」须单独下单，只能有一行 (a team checkout has exactly one line)`, [
      { field: 'goods', message: 'a team deal must be the only line' },
    ]);
  }
  if (!team && teamId !== undefined) throw DomainError.cannotBuy('该团购不是拼团商品 (team_id given for a deal that is not a team buy)');
  return team;
}

function unbuyable(d: Pick<DealRow, 'in_use' | 'deleted_at' | 'start_time' | 'end_time'>, now: Date): string | null {
  if (d.deleted_at) return '团购已删除 (deleted)';
  if (!truthy(d.in_use)) return '团购未启用 (not in use)';
  if (asDate(d.start_time) > now) return '团购未开始 (not started)';
  if (asDate(d.end_time) <= now) return '团购已结束 (ended)';
  return null;
}

export function formatAddress(a: AddressDto): string {
  return `${a.username} ${a.mobile} ${a.province}${a.city}${a.district}${a.street ?? ''}${a.address}`.slice(0, 500);
}

/** Same key + same body = same request; the hash covers what createOrder reads from the body. */
function requestHash(dto: CreateOrderDto): string {
  const canonical = JSON.stringify({
    goods: dto.goods.map((g) => [g.product_id, g.quantity]),
    coupon_id: dto.coupon_id ?? null,
    address: dto.address ? [dto.address.mobile, dto.address.username, dto.address.province, dto.address.city, dto.address.district, dto.address.street ?? '', dto.address.address] : null,
    phone: dto.phone ?? null,
    remark: dto.remark ?? null,
    team_id: dto.team_id ?? null,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

