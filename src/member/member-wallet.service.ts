import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { DataSource, EntityManager } from 'typeorm';
import { BatchLoader, tenantUserKey, usersByTenant } from '../common/batch-loader';
import { DomainError } from '../common/errors';
import { money, sum, ZERO } from '../common/money';
import { storePaging } from '../common/pagination';
import type { WalletTerms } from '../pricing/deductions';
import { MemberRepository, NewLedgerEntry, SettingRow, WalletRow } from './member.repository';
import { StoreLedgerQuery, StoreWalletQuery } from './member.dto';
import { toStoreLedgerView } from './member.view';
import type { LedgerReason, WalletKind } from './wallet-ledger.entity';

export const DEFAULT_SETTING: SettingRow = { pointValue: 100, pointMaxRate: 50, pointRewardRate: new Big(1) };

/** One order line's part of a checkout's deductions, as the checkout debits it. */
export interface WalletShare {
  orderCode: string;
  pointCoins: number;
  balanceMoney: Big;
}

/** A change of one wallet: entries of one user in one tenant, applied together. */
type Change = Omit<NewLedgerEntry, 'after' | 'tenantId' | 'userId'>;

const pointsOf = (changes: Change[]) => changes.filter((c) => c.kind === 'point').reduce((a, c) => a + Number(c.amount.toFixed(0)), 0);
const balanceOf = (changes: Change[]) => sum(changes.filter((c) => c.kind === 'balance').map((c) => c.amount));

/**
 * The member wallet (contract §11): what the checkout reads for pricing and the changes it makes inside
 * its own transaction (debit, return, refund share, rewards). Every change is one conditional UPDATE of
 * the wallet row (never below zero) and its ledger entries, so the wallet always equals its ledger's sum.
 * Whether a change happens once is decided by the caller's own conditional update (the checkout or order
 * row it moved); the amounts come from the ledger, so a second call finds nothing left to give back.
 */
@Injectable()
export class MemberWalletService {
  // checkouts of a flash sale read their wallets and their tenant's settings together (one query per round trip)
  private readonly walletsOf = new BatchLoader<string, WalletRow>(async (keys) => {
    const out = new Map<string, WalletRow>();
    for (const [tenantId, userIds] of usersByTenant(keys))
      for (const [userId, w] of await this.repo.wallets(tenantId, userIds)) out.set(tenantUserKey(tenantId, userId), w);
    return out;
  });
  private readonly settingsOf = new BatchLoader<number, SettingRow>((tenantIds) => this.repo.settingsOf(tenantIds));

  constructor(
    private readonly ds: DataSource,
    private readonly repo: MemberRepository,
  ) {}

  async settings(tenantId: number, db: EntityManager | DataSource = this.ds): Promise<SettingRow> {
    return (await this.repo.setting(db, tenantId)) ?? DEFAULT_SETTING;
  }

  /** The caller's wallet in the tenant and the tenant's settings, for pricing (no wallet yet: zeros). */
  async termsFor(userId: number, tenantId: number): Promise<WalletTerms> {
    const [w, found] = await Promise.all([this.walletsOf.load(tenantUserKey(tenantId, userId)), this.settingsOf.load(tenantId)]);
    const s = found ?? DEFAULT_SETTING;
    return { point: w?.point ?? 0, balance: w?.balance ?? ZERO, pointValue: s.pointValue, pointMaxRate: s.pointMaxRate };
  }

  // ---------- storefront ----------

  async wallet(userId: number, q: StoreWalletQuery) {
    const [w, s] = await Promise.all([this.repo.wallet(this.ds, q.tenant_id, userId), this.settings(q.tenant_id)]);
    return { point: w?.point ?? 0, balance: (w?.balance ?? ZERO).toFixed(2), point_value: s.pointValue };
  }

  async ledger(userId: number, q: StoreLedgerQuery) {
    const { page, limit, skip, take } = storePaging(q);
    const { list, total } = await this.repo.ledger(q.tenant_id, userId, q.kind, skip, take);
    return { list: list.map(toStoreLedgerView), total, page, limit };
  }

  // ---------- checkout API (the order module, inside its transactions) ----------

  /** Debits a checkout's deductions, one entry per order and kind; 409/1001 when the wallet no longer holds them. */
  async debitForCheckout(
    em: EntityManager,
    d: { tenantId: number; userId: number; checkoutId: number; shares: WalletShare[] },
  ): Promise<void> {
    const changes: Change[] = [];
    for (const s of d.shares) {
      const base = { reason: 'checkout' as const, checkoutId: d.checkoutId, orderCode: s.orderCode, remark: '下单抵扣' };
      if (s.pointCoins > 0) changes.push({ ...base, kind: 'point', amount: new Big(-s.pointCoins) });
      if (s.balanceMoney.gt(0)) changes.push({ ...base, kind: 'balance', amount: s.balanceMoney.times(-1) });
    }
    if (!changes.length) return;
    if (!(await this.apply(em, d.tenantId, d.userId, changes)))
      throw DomainError.cannotBuy('积分或余额不足，请重新结算 (not enough points or balance: price the order again)');
  }

  /**
   * Gives back what expired or cancelled checkouts still hold (reason `return`), set-based: one read of
   * their ledger, one update per wallet. Safe to call twice: what was given back is no longer held.
   */
  async returnForCheckouts(em: EntityManager, checkoutIds: number[]): Promise<number> {
    const held = await this.repo.heldByCheckouts(em, [...new Set(checkoutIds)]);
    return this.giveBack(em, held, 'return', '订单过期或取消，退回抵扣');
  }

  /**
   * A late payment (§6) revives a checkout whose deductions were returned at expiry: they are debited
   * again. False (nothing changed) when the wallet no longer holds them; the payment is then refunded.
   */
  async retakeForCheckout(em: EntityManager, checkoutId: number): Promise<boolean> {
    const entries = await this.repo.deductionEntries(em, checkoutId);
    if (!entries.length) return true;
    const first = new Map<string, Big>();
    const net = new Map<string, Big>();
    for (const e of entries) {
      const k = `${e.order_code}|${e.kind}`;
      const amount = money(String(e.amount));
      if (e.reason === 'checkout' && !first.has(k)) first.set(k, amount);
      net.set(k, (net.get(k) ?? ZERO).plus(amount));
    }
    const changes: Change[] = [];
    for (const [k, amount] of first) {
      if (!(net.get(k) ?? ZERO).eq(0)) continue; // still held: nothing to take again
      const [orderCode, kind] = k.split('|') as [string, WalletKind];
      changes.push({ kind, amount, reason: 'checkout', checkoutId, orderCode, remark: '逾期支付，重新抵扣' });
    }
    if (!changes.length) return true;
    return this.apply(em, Number(entries[0].tenant_id), Number(entries[0].user_id), changes);
  }

  /**
   * A refunded order: its share of the checkout's deductions comes back (reason `refund`), and the
   * points it earned on completion are taken back, down to zero, never below.
   */
  async refundOrder(em: EntityManager, order: { tenantId: number; userId: number; orderCode: string }): Promise<void> {
    // the reward first, from what the member holds now (points already spent are not owed back)
    const reward = await this.repo.rewardOf(em, order.orderCode);
    if (reward.net > 0) {
      const w = await this.repo.wallet(em, order.tenantId, order.userId, true);
      const take = Math.min(reward.net, w?.point ?? 0);
      if (take > 0)
        await this.apply(em, order.tenantId, order.userId, [
          { kind: 'point', amount: new Big(-take), reason: 'refund', orderCode: order.orderCode, remark: '订单退款，扣回奖励积分' },
        ]);
    }
    await this.giveBack(em, await this.repo.heldByOrder(em, order.orderCode), 'refund', '订单退款，退回抵扣');
  }

  /** A completed order earns floor(money × pointRewardRate) points, once. Returns the points given. */
  async rewardOrder(em: EntityManager, order: { tenantId: number; userId: number; orderCode: string; money: Big }): Promise<number> {
    const s = await this.settings(order.tenantId, em);
    const points = Number(order.money.times(s.pointRewardRate).round(0, Big.roundDown).toFixed(0));
    if (points <= 0 || (await this.repo.rewardOf(em, order.orderCode)).any) return 0;
    await this.repo.ensure(em, order.tenantId, order.userId);
    await this.apply(em, order.tenantId, order.userId, [
      { kind: 'point', amount: new Big(points), reason: 'reward', orderCode: order.orderCode, remark: '订单完成奖励积分' },
    ]);
    return points;
  }

  // ---------- shared ----------

  /** Moves the wallet by the changes (only if nothing goes below zero) and writes them with their `after`. */
  async apply(em: EntityManager, tenantId: number, userId: number, changes: Change[]): Promise<boolean> {
    const points = pointsOf(changes);
    const balance = balanceOf(changes);
    if (!(await this.repo.move(em, tenantId, userId, points, balance))) return false;
    const w = (await this.repo.wallet(em, tenantId, userId))!;
    // the wallet after the last entry is what it is now; each earlier one is that less what came after it
    let point = new Big(w.point);
    let bal = w.balance;
    const entries: NewLedgerEntry[] = [];
    for (let i = changes.length - 1; i >= 0; i--) {
      const c = changes[i];
      entries[i] = { ...c, tenantId, userId, after: c.kind === 'point' ? point : bal };
      if (c.kind === 'point') point = point.minus(c.amount);
      else bal = bal.minus(c.amount);
    }
    await this.repo.insertEntries(em, entries);
    return true;
  }

  private async giveBack(
    em: EntityManager,
    held: Awaited<ReturnType<MemberRepository['heldByOrder']>>,
    reason: LedgerReason,
    remark: string,
  ): Promise<number> {
    const byWallet = new Map<string, typeof held>();
    for (const h of held) {
      const k = `${h.tenant_id}|${h.user_id}`;
      byWallet.set(k, [...(byWallet.get(k) ?? []), h]);
    }
    for (const list of byWallet.values()) {
      const changes: Change[] = list.map((h) => ({
        kind: h.kind,
        amount: h.held,
        reason,
        checkoutId: h.checkout_id,
        orderCode: h.order_code,
        remark,
      }));
      await this.apply(em, Number(list[0].tenant_id), Number(list[0].user_id), changes);
    }
    return held.length;
  }
}
