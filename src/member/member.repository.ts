import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { DataSource, EntityManager } from 'typeorm';
import { escapeLike, LIKE_ESCAPE } from '../common/like';
import { money } from '../common/money';
import { execute, forUpdate, isMysql, marks, rows } from '../database/sql';
import type { LedgerReason, WalletKind } from './wallet-ledger.entity';

export interface WalletRow {
  point: number;
  balance: Big;
}

export interface NewLedgerEntry {
  tenantId: number;
  userId: number;
  kind: WalletKind;
  amount: Big;
  after: Big;
  reason: LedgerReason;
  checkoutId?: number | null;
  orderCode?: string | null;
  remark?: string;
  adminId?: number | null;
}

export interface LedgerRow {
  id: number;
  kind: WalletKind;
  amount: string | number;
  after_value: string | number;
  reason: LedgerReason;
  order_code: string | null;
  remark: string;
  create_time: Date | string;
}

/** What is still held of a checkout's deductions, per order and kind (Σ of its checkout/return/refund entries, negated). */
export interface HeldShare {
  tenant_id: number;
  user_id: number;
  checkout_id: number;
  order_code: string;
  kind: WalletKind;
  held: Big;
}

export interface SettingRow {
  pointValue: number;
  pointMaxRate: number;
  pointRewardRate: Big;
}

const DEDUCTION_REASONS = "('checkout', 'return', 'refund')";

/**
 * Every statement on member_wallet, wallet_ledger and member_setting. The wallet moves only by
 * conditional UPDATEs whose WHERE keeps it at or above zero; each returns whether it moved.
 */
@Injectable()
export class MemberRepository {
  constructor(private readonly ds: DataSource) {}

  // ---------- wallet ----------

  async wallet(db: EntityManager | DataSource, tenantId: number, userId: number, lock = false): Promise<WalletRow | null> {
    const [w] = await rows<{ point: number | string; balance: string | number }>(
      db,
      `SELECT point, balance FROM member_wallet WHERE tenant_id = ? AND user_id = ?${lock ? forUpdate(db) : ''}`,
      [tenantId, userId],
    );
    return w ? { point: Number(w.point), balance: money(String(w.balance)) } : null;
  }

  /** The wallets of several users in one tenant, by user id (users without one are absent). */
  async wallets(tenantId: number, userIds: number[]): Promise<Map<number, WalletRow>> {
    const found = await rows<{ user_id: number | string; point: number | string; balance: string | number }>(
      this.ds,
      `SELECT user_id, point, balance FROM member_wallet WHERE tenant_id = ? AND user_id IN (${marks(userIds.length)})`,
      [tenantId, ...userIds],
    );
    return new Map(found.map((w) => [Number(w.user_id), { point: Number(w.point), balance: money(String(w.balance)) }]));
  }

  /** Creates the (empty) wallet if there is none; harmless when another transaction just did. */
  async ensure(em: EntityManager, tenantId: number, userId: number): Promise<void> {
    const verb = isMysql(em) ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    await execute(em, `${verb} INTO member_wallet (tenant_id, user_id, point, balance) VALUES (?, ?, 0, 0)`, [tenantId, userId]);
  }

  /** Adds (or, negative, takes) points and balance, only while neither goes below zero; true when it moved. */
  async move(em: EntityManager, tenantId: number, userId: number, points: number, balance: Big): Promise<boolean> {
    const b = balance.toFixed(2);
    const n = await execute(
      em,
      'UPDATE member_wallet SET point = point + ?, balance = balance + ? WHERE tenant_id = ? AND user_id = ? AND point + ? >= 0 AND balance + ? >= 0',
      [points, b, tenantId, userId, points, b],
    );
    return n === 1;
  }

  /** A page of the tenant's members (users with a wallet), by nickname/openId when `keyword`, newest wallet first. */
  async members(tenantId: number, keyword: string | undefined, skip: number, take: number, userId?: number) {
    let where = 'w.tenant_id = ?';
    const params: unknown[] = [tenantId];
    if (userId !== undefined) {
      where += ' AND w.user_id = ?';
      params.push(userId);
    }
    if (keyword) {
      where += ` AND (u.nickname LIKE ? ${LIKE_ESCAPE} OR u.open_id LIKE ? ${LIKE_ESCAPE})`;
      const kw = `%${escapeLike(keyword)}%`;
      params.push(kw, kw);
    }
    const from = `FROM member_wallet w INNER JOIN app_user u ON u.id = w.user_id WHERE ${where}`;
    const list = await rows<{
      user_id: number;
      open_id: string;
      nickname: string;
      avatar: string;
      point: number;
      balance: string | number;
      update_time: Date | string;
    }>(
      this.ds,
      `SELECT w.user_id, u.open_id, u.nickname, u.avatar, w.point, w.balance, w.update_time ${from} ORDER BY w.id DESC LIMIT ? OFFSET ?`,
      [...params, take, skip],
    );
    const [sums] = await rows<{ n: number | string; point: number | string | null; balance: number | string | null }>(
      this.ds,
      `SELECT COUNT(*) AS n, SUM(w.point) AS point, SUM(w.balance) AS balance ${from}`,
      params,
    );
    return { list, total: Number(sums.n), point: Number(sums.point ?? 0), balance: money(String(sums.balance ?? 0)) };
  }

  async userExists(userId: number): Promise<boolean> {
    return (await rows(this.ds, 'SELECT id FROM app_user WHERE id = ?', [userId])).length === 1;
  }

  // ---------- ledger ----------

  async insertEntries(em: EntityManager, list: NewLedgerEntry[]): Promise<void> {
    if (!list.length) return;
    const params = list.flatMap((e) => [
      e.tenantId,
      e.userId,
      e.kind,
      e.amount.toFixed(2),
      e.after.toFixed(2),
      e.reason,
      e.checkoutId ?? null,
      e.orderCode ?? null,
      (e.remark ?? '').slice(0, 255),
      e.adminId ?? null,
    ]);
    await execute(
      em,
      `INSERT INTO wallet_ledger (tenant_id, user_id, kind, amount, after_value, reason, checkout_id, order_code, remark, admin_id) VALUES ${list
        .map(() => `(${marks(10)})`)
        .join(', ')}`,
      params,
    );
  }

  /** A page of one wallet's entries (of one kind when given), newest first. */
  async ledger(tenantId: number, userId: number, kind: WalletKind | undefined, skip: number, take: number) {
    let where = 'tenant_id = ? AND user_id = ?';
    const params: unknown[] = [tenantId, userId];
    if (kind) {
      where += ' AND kind = ?';
      params.push(kind);
    }
    const list = await rows<LedgerRow>(
      this.ds,
      `SELECT id, kind, amount, after_value, reason, order_code, remark, create_time FROM wallet_ledger WHERE ${where} ORDER BY id DESC LIMIT ? OFFSET ?`,
      [...params, take, skip],
    );
    const [{ n }] = await rows<{ n: number | string }>(this.ds, `SELECT COUNT(*) AS n FROM wallet_ledger WHERE ${where}`, params);
    return { list, total: Number(n) };
  }

  /** What the checkouts still hold of the wallets, per order and kind (only shares above zero). */
  async heldByCheckouts(em: EntityManager, checkoutIds: number[]): Promise<HeldShare[]> {
    if (!checkoutIds.length) return [];
    const found = await rows<Omit<HeldShare, 'held'> & { net: string | number }>(
      em,
      `SELECT tenant_id, user_id, checkout_id, order_code, kind, SUM(amount) AS net FROM wallet_ledger
       WHERE checkout_id IN (${marks(checkoutIds.length)}) AND reason IN ${DEDUCTION_REASONS}
       GROUP BY tenant_id, user_id, checkout_id, order_code, kind HAVING SUM(amount) < 0 ORDER BY checkout_id, order_code, kind DESC`,
      checkoutIds,
    );
    return found.map((r) => ({ ...r, checkout_id: Number(r.checkout_id), held: money(String(r.net)).times(-1) }));
  }

  /** What one order still holds (same as above, by order code). */
  async heldByOrder(em: EntityManager, orderCode: string): Promise<HeldShare[]> {
    const found = await rows<Omit<HeldShare, 'held'> & { net: string | number }>(
      em,
      `SELECT tenant_id, user_id, checkout_id, order_code, kind, SUM(amount) AS net FROM wallet_ledger
       WHERE order_code = ? AND checkout_id IS NOT NULL AND reason IN ${DEDUCTION_REASONS}
       GROUP BY tenant_id, user_id, checkout_id, order_code, kind HAVING SUM(amount) < 0 ORDER BY checkout_id, kind DESC`,
      [orderCode],
    );
    return found.map((r) => ({ ...r, checkout_id: Number(r.checkout_id), held: money(String(r.net)).times(-1) }));
  }

  /** Every deduction entry of a checkout, oldest first. */
  deductionEntries(em: EntityManager, checkoutId: number) {
    return rows<{
      tenant_id: number;
      user_id: number;
      order_code: string;
      kind: WalletKind;
      amount: string | number;
      reason: LedgerReason;
    }>(
      em,
      `SELECT tenant_id, user_id, order_code, kind, amount, reason FROM wallet_ledger WHERE checkout_id = ? AND reason IN ${DEDUCTION_REASONS} ORDER BY id`,
      [checkoutId],
    );
  }

  /** Σ of an order's reward entries (points earned less points taken back). */
  async rewardOf(em: EntityManager, orderCode: string): Promise<{ net: number; any: boolean }> {
    const [r] = await rows<{ net: string | number | null; n: number | string }>(
      em,
      "SELECT SUM(amount) AS net, COUNT(*) AS n FROM wallet_ledger WHERE order_code = ? AND checkout_id IS NULL AND kind = 'point' AND reason IN ('reward', 'refund')",
      [orderCode],
    );
    return { net: Number(r?.net ?? 0), any: Number(r?.n ?? 0) > 0 };
  }

  // ---------- settings ----------

  async setting(db: EntityManager | DataSource, tenantId: number): Promise<SettingRow | null> {
    const [s] = await rows<{ point_value: number; point_max_rate: number; point_reward_rate: string | number }>(
      db,
      'SELECT point_value, point_max_rate, point_reward_rate FROM member_setting WHERE tenant_id = ?',
      [tenantId],
    );
    return s
      ? { pointValue: Number(s.point_value), pointMaxRate: Number(s.point_max_rate), pointRewardRate: money(String(s.point_reward_rate)) }
      : null;
  }

  /** The settings of several tenants, by tenant id (tenants that never saved theirs are absent). */
  async settingsOf(tenantIds: number[]): Promise<Map<number, SettingRow>> {
    const found = await rows<{
      tenant_id: number | string;
      point_value: number;
      point_max_rate: number;
      point_reward_rate: string | number;
    }>(
      this.ds,
      `SELECT tenant_id, point_value, point_max_rate, point_reward_rate FROM member_setting WHERE tenant_id IN (${marks(tenantIds.length)})`,
      tenantIds,
    );
    return new Map(
      found.map((s) => [
        Number(s.tenant_id),
        { pointValue: Number(s.point_value), pointMaxRate: Number(s.point_max_rate), pointRewardRate: money(String(s.point_reward_rate)) },
      ]),
    );
  }

  async saveSetting(em: EntityManager, tenantId: number, s: SettingRow): Promise<void> {
    const values = [s.pointValue, s.pointMaxRate, s.pointRewardRate.toFixed(2)];
    const n = await execute(
      em,
      'UPDATE member_setting SET point_value = ?, point_max_rate = ?, point_reward_rate = ? WHERE tenant_id = ?',
      [...values, tenantId],
    );
    if (n === 0)
      await execute(em, 'INSERT INTO member_setting (tenant_id, point_value, point_max_rate, point_reward_rate) VALUES (?, ?, ?, ?)', [
        tenantId,
        ...values,
      ]);
  }
}
