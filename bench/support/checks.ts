/** What the database must say after each round: no order lost or invented, nothing sold past zero, every visit counted. */
import type { Connection } from 'mysql2/promise';
import { sleep } from './processes';

export interface Check {
  round: number;
  name: string;
  ok: boolean;
  detail: string;
}

async function one<T>(db: Connection, sql: string, params: unknown[]): Promise<T> {
  const [rows] = (await db.query(sql, params)) as unknown as [T[]];
  return rows[0];
}

async function dealState(db: Connection, dealId: number) {
  const deal = await one<{ stock: number; order_count: number; visit_times: number }>(
    db,
    'SELECT stock, order_count, visit_times FROM group_buying WHERE id = ?',
    [dealId],
  );
  const agg = await one<{ n: number | string; q: number | string; c: number | string }>(
    db,
    'SELECT COUNT(*) AS n, COALESCE(SUM(o.qty), 0) AS q, COUNT(DISTINCT c.id) AS c FROM group_buying_order o LEFT JOIN checkout c ON c.id = o.checkout_id AND c.pay_no = o.pay_no WHERE o.group_buying_id = ?',
    [dealId],
  );
  return {
    stock: Number(deal.stock),
    orderCount: Number(deal.order_count),
    visits: Number(deal.visit_times),
    orders: Number(agg.n),
    units: Number(agg.q),
    checkouts: Number(agg.c),
  };
}

/**
 * A deal under createOrder load (one unit per order, one order per checkout): stock taken = units in
 * orders, order_count = orders, and orders = createOrder answers 2xx (measured requests all got their answer).
 */
export async function checkOrderedDeal(db: Connection, round: number, name: string, dealId: number, initial: number, answered2xx: number) {
  const s = await dealState(db, dealId);
  const taken = initial - s.stock;
  const ok = taken === s.units && s.orderCount === s.orders && s.checkouts === s.orders && s.orders === answered2xx && s.stock >= 0;
  const detail =
    `stock taken ${taken} vs units in orders ${s.units}; order_count ${s.orderCount} vs orders ${s.orders}; ` +
    `checkouts ${s.checkouts}; 2xx answered ${answered2xx}`;
  return { round, name, ok, detail } as Check;
}

export async function checkSoldOut(db: Connection, round: number, dealId: number) {
  const s = await dealState(db, dealId);
  const ok = s.stock === 0 && s.orders === 0 && s.orderCount === 0;
  return {
    round,
    name: 'sold-out deal untouched',
    ok,
    detail: `stock ${s.stock}, orders ${s.orders}, order_count ${s.orderCount}`,
  } as Check;
}

/** The users order_list reads still hold exactly their orders. */
export async function checkListUsers(db: Connection, round: number, userIds: number[], perUser: number) {
  if (!userIds.length) return { round, name: 'order_list users', ok: true, detail: 'none' } as Check;
  const r = await one<{ n: number | string }>(db, `SELECT COUNT(*) AS n FROM group_buying_order WHERE user_id IN (?)`, [userIds]);
  const want = userIds.length * perUser;
  return { round, name: 'order_list users', ok: Number(r.n) === want, detail: `orders ${Number(r.n)} (want ${want})` } as Check;
}

/** visit_times = detail views answered 2xx; counts kept in memory may reach the row up to ~1 s later, so poll for 3 s. */
export async function checkVisits(db: Connection, round: number, dealId: number, answered2xx: number) {
  const until = Date.now() + 3000;
  let visits = (await dealState(db, dealId)).visits;
  while (visits !== answered2xx && Date.now() < until) {
    await sleep(200);
    visits = (await dealState(db, dealId)).visits;
  }
  const diff = visits - answered2xx;
  return {
    round,
    name: 'detail visits counted',
    ok: diff === 0,
    detail: `visit_times ${visits} vs detail views answered 2xx ${answered2xx}${diff ? ` (difference ${diff > 0 ? '+' : ''}${diff})` : ''}`,
  } as Check;
}

/** Every answer of every run was the scenario's expected one, and none failed or went unanswered. */
export function checkAnswers(round: number, name: string, f: { unexpected: Record<string, number>; errors: number; unanswered: number }) {
  const codes = Object.entries(f.unexpected).map(([code, n]) => `${code}×${n}`);
  const ok = codes.length === 0 && f.errors === 0 && f.unanswered === 0;
  const parts = [codes.length ? `unexpected answers ${codes.join(' ')}` : 'no unexpected answer'];
  if (f.errors) parts.push(`${f.errors} socket errors/timeouts`);
  if (f.unanswered) parts.push(`${f.unanswered} requests never answered`);
  return { round, name, ok, detail: parts.join('; ') } as Check;
}
