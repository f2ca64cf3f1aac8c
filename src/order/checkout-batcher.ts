import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { isDuplicateKeyError } from '../common/db-errors';
import { DomainError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { isMysql, runTx } from '../database/sql';
import type { CartDealRow } from '../group-buying/deal.repository';
import { isTeamDeal } from '../group-buying/deal.rules';
import { DealStockService } from '../group-buying/deal-stock.service';
import type { CheckoutPricing, PricingLine } from '../pricing/pricing.types';
import { CheckoutRepository, NewCheckoutRow } from './checkout.repository';
import { NewOrderRow, OrderRepository } from './order.repository';

/** At most this many checkouts share one transaction (one INSERT of checkouts, one of orders). */
export const MAX_BATCH = 100;

/** A one-line checkout validated and priced before any transaction, ready to be written. */
export interface BatchCheckout {
  userId: number;
  /** one line: deals[0] and lines[0] */
  cart: { tenantId: number; deals: CartDealRow[]; lines: PricingLine[] };
  pricing: CheckoutPricing;
  payNo: string;
  code: string;
  expireTime: Date;
  address: string;
  phone: string;
  remark: string;
  provider: string;
  idemKey?: string;
  hash: string;
  /** the answer, stored with the Idempotency-Key and returned */
  body: Record<string, unknown>;
}

interface Pending {
  c: BatchCheckout;
  resolve: (body: Record<string, unknown>) => void;
  reject: (e: unknown) => void;
}

/**
 * Which createOrder carts go through the batch: one line of a deal that is not a team buy, no coupon,
 * something to pay (a free checkout is paid at creation), on MySQL/MariaDB (SQLite has one writer
 * anyway). Everything else keeps CheckoutService's own transaction.
 */
export function batchable(
  ds: DataSource,
  cart: { deals: CartDealRow[] },
  dto: { coupon_id?: number; team_id?: number },
  pricing: CheckoutPricing,
): boolean {
  return (
    isMysql(ds) &&
    cart.deals.length === 1 &&
    dto.coupon_id === undefined &&
    dto.team_id === undefined &&
    !isTeamDeal(cart.deals[0]) &&
    pricing.totalPrice.gt(0)
  );
}

/**
 * The hot deal's checkouts, merged: per deal, what arrives while the previous batch commits is
 * written by the next one, in one transaction whose every statement serves the whole batch:
 *
 *   Idempotency-Key rows (one INSERT each, only for requests that carry one)
 *   → the buyers' rows locked in id order and their unpaid checkouts counted (MAX_UNPAID_CHECKOUTS)
 *   → the deal row locked; in arrival order each checkout takes its units if they are left (else 1002)
 *     and if the buyer's per-user limit allows (units of committed orders + earlier ones of the batch)
 *   → one conditional stock UPDATE for the units taken, one INSERT of the checkouts, one of the orders
 *   → COMMIT.
 *
 * A checkout refused by a rule is answered its own error and the others go on; a failure of the whole
 * transaction (other than a deadlock, which runTx retries) runs each checkout again on its own, so one
 * bad checkout never fails the others. Stock stays exact with any number of instances: the deal row
 * lock and the conditional UPDATE are the same ones a single checkout uses.
 */
@Injectable()
export class CheckoutBatcher {
  private readonly queues = new Map<number, Pending[]>();

  constructor(
    private readonly ds: DataSource,
    private readonly config: AppConfig,
    private readonly deals: DealStockService,
    private readonly checkouts: CheckoutRepository,
    private readonly orders: OrderRepository,
  ) {}

  /** Writes the checkout with the next batch of its deal; resolves to its answer or rejects with its own error. */
  submit(c: BatchCheckout): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const dealId = Number(c.cart.deals[0].id);
      const queue = this.queues.get(dealId);
      if (queue) {
        queue.push({ c, resolve, reject });
        return;
      }
      this.queues.set(dealId, [{ c, resolve, reject }]);
      void this.drain(dealId);
    });
  }

  private async drain(dealId: number): Promise<void> {
    const queue = this.queues.get(dealId)!;
    try {
      while (queue.length) {
        const batch: Pending[] = [];
        const later: Pending[] = [];
        const keys = new Set<string>();
        for (const p of queue.splice(0, MAX_BATCH)) {
          // a retry of a request of this batch waits for it, then is answered from its key
          const key = p.c.idemKey === undefined ? '' : `${p.c.userId}\n${p.c.idemKey}`;
          if (key && keys.has(key)) later.push(p);
          else batch.push(p);
          if (key) keys.add(key);
        }
        await this.run(batch);
        queue.unshift(...later);
      }
    } finally {
      this.queues.delete(dealId);
    }
  }

  private async run(batch: Pending[]): Promise<void> {
    let outcome: (unknown | undefined)[];
    try {
      outcome = await runTx(this.ds, (em) =>
        this.write(
          em,
          batch.map((p) => p.c),
        ),
      );
    } catch (e) {
      if (batch.length === 1) {
        batch[0].reject(e);
        return;
      }
      // something of one checkout failed the whole statement (e.g. a random order number met an existing one)
      for (const p of batch) await this.run([p]);
      return;
    }
    batch.forEach((p, i) => (outcome[i] === undefined ? p.resolve(p.c.body) : p.reject(outcome[i])));
  }

  /** The batch's transaction; returns each checkout's refusal (undefined: written). */
  private async write(em: EntityManager, list: BatchCheckout[]): Promise<(unknown | undefined)[]> {
    const now = new Date();
    const refused: (unknown | undefined)[] = list.map(() => undefined);
    const live = () => list.map((_, i) => i).filter((i) => refused[i] === undefined);
    const claimed: number[] = [];
    for (const [i, c] of list.entries()) {
      if (c.idemKey === undefined) continue;
      try {
        await this.checkouts.claimKey(em, c.userId, c.idemKey, c.hash);
        claimed.push(i);
      } catch (e) {
        // the key's first request committed or is running elsewhere: CheckoutService answers from it
        if (!isDuplicateKeyError(e)) throw e;
        refused[i] = e;
      }
    }

    const max = this.config.maxUnpaidCheckouts;
    const users = [...new Set(live().map((i) => list[i].userId))];
    const unpaid = users.length ? await this.checkouts.unpaidOfUsers(em, users, list[0].cart.tenantId, now) : new Map<number, number>();
    for (const i of live()) {
      const n = unpaid.get(list[i].userId) ?? 0;
      if (n >= max) refused[i] = DomainError.tooManyRequests(`未支付订单过多，请先支付或取消 (at most ${max} unpaid checkouts at once)`);
      else unpaid.set(list[i].userId, n + 1);
    }

    const dealId = Number(list[0].cart.deals[0].id);
    const name = list[0].cart.deals[0].name;
    const taken: number[] = [];
    if (live().length) {
      const lock = await this.deals.lockForTake(em, dealId, now);
      if (lock.reason) for (const i of live()) refused[i] = DomainError.cannotBuy(`${name}: ${lock.reason}`);
      const limited = live().filter((i) => Number(list[i].cart.deals[0].limit_per_user) > 0);
      const bought = limited.length
        ? await this.orders.unitsBoughtByUsers(em, [...new Set(limited.map((i) => list[i].userId))], dealId)
        : new Map<number, number>();
      let left = lock.stock;
      let short = false;
      // as if one after the other, in arrival order: stock first (1002), then the per-user limit (1001)
      for (const i of live()) {
        const { userId, cart } = list[i];
        const [deal, line] = [cart.deals[0], cart.lines[0]];
        const limit = Number(deal.limit_per_user);
        const had = bought.get(userId) ?? 0;
        if (line.quantity > left) {
          refused[i] = DomainError.soldOut(`${deal.name} 库存不足`);
          short = true;
        } else if (limit > 0 && had + line.quantity > limit) {
          refused[i] = DomainError.cannotBuy(`${deal.name}: 超过每人限购 ${limit} 件 (per-user limit; already ${had})`);
        } else {
          left -= line.quantity;
          bought.set(userId, had + line.quantity);
          taken.push(i);
        }
      }
      if (short && lock.row) this.deals.seenShort(lock.row, left, lock.stamp);
    }

    if (taken.length) {
      const units = taken.reduce((n, i) => n + list[i].cart.lines[0].quantity, 0);
      // under the row lock this cannot fail; if it ever did, the batch is rolled back and run one by one
      if (!(await this.deals.takeLocked(em, dealId, units, taken.length, now)))
        throw new Error(`deal ${dealId}: stock changed under its row lock`);
      const ids = await this.checkouts.insertMany(
        em,
        taken.map((i) => checkoutRow(list[i])),
      );
      await this.orders.insertAll(
        em,
        taken.map((i, k) => orderRow(list[i], ids[k])),
      );
    }
    for (const i of claimed) {
      const c = list[i];
      if (refused[i] === undefined) await this.checkouts.keyDone(em, c.userId, c.idemKey!, c.body);
      else await this.checkouts.dropKey(em, c.userId, c.idemKey!);
    }
    return refused;
  }
}

function checkoutRow(c: BatchCheckout): NewCheckoutRow {
  const p = c.pricing;
  return {
    payNo: c.payNo,
    tenantId: c.cart.tenantId,
    userId: c.userId,
    goodsPrice: p.goodsPrice.toFixed(2),
    discountPrice: p.discountPrice.toFixed(2),
    dispatchPrice: p.dispatchPrice.toFixed(2),
    totalPrice: p.totalPrice.toFixed(2),
    memberCouponId: null,
    expireTime: c.expireTime,
    provider: c.provider,
  };
}

function orderRow(c: BatchCheckout, checkoutId: number): NewOrderRow {
  const l = c.cart.lines[0];
  const p = c.pricing.lines[0];
  return {
    code: c.code,
    payNo: c.payNo,
    checkoutId,
    tenantId: c.cart.tenantId,
    shopId: l.shopId,
    groupBuyingId: l.groupBuyingId,
    userId: c.userId,
    deliverType: l.deliverType,
    price: l.price.toFixed(2),
    qty: l.quantity,
    goodsMoney: p.goodsPrice.toFixed(2),
    couponMoney: p.couponPrice.toFixed(2),
    deliverFee: p.dispatchPrice.toFixed(2),
    money: p.payPrice.toFixed(2),
    expireTime: c.expireTime,
    address: l.deliverType === 2 ? c.address : '',
    lbs: c.cart.deals[0].lbs ?? '',
    phone: c.phone,
    remark: c.remark,
    productName: l.productName,
    spec: l.spec,
    imagePath: l.imagePath,
    teamId: null,
  };
}
