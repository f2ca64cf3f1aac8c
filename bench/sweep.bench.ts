/**
 * Expiry sweep benchmark: how fast a backlog of expired, unpaid checkouts is worked through, and how
 * the time per checkout grows with the size of the backlog.
 *
 *   npm run bench:sweep                         # backlogs of 10,000 and 100,000 checkouts
 *   npm run bench:sweep -- 1000 10000           # other sizes
 *   npm run bench:sweep -- --max-seconds 120    # stop each size's sweep after 120 s (default 600)
 *
 * What it does:
 *  1. creates a fresh MariaDB database (test/support/db.ts, `MYSQL_TEST_URL`, default
 *     mysql://root@127.0.0.1:3306/test) and boots the real app in this process (migrations, sandbox
 *     payments, JOBS_ENABLED=false so only the bench drives the sweep);
 *  2. for each size N: empties the order tables, makes 50 deals, and bulk-inserts N checkouts already
 *     past their expire_time with their orders (one line each, every 5th with a second line), in
 *     multi-row INSERTs of 1,000 rows, taking the ordered stock off the deals as createOrder would;
 *  3. runs SweepService.runOnce() (set-based batches of 1,000 checkouts, one transaction each) until the
 *     backlog is gone or --max-seconds is reached, printing the rate every 15 s, then count, seconds,
 *     checkouts/s and µs per checkout;
 *  4. checks the database: every deal's stock back to its initial value minus what is still held by
 *     checkouts not yet expired, orderCount equal to those orders, every swept checkout and order 5 →
 *     "exact: yes/no" (exit code 1 on "no");
 *  5. prints how the time per checkout grows between sizes (1.0× = linear in the backlog), and drops
 *     the database (also on error).
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import { SweepService } from '../src/jobs/sweep.service';
import { createTestDatabase, TestDatabase } from '../test/support/db';

const DEALS = 50;
const CHUNK = 1000;
const INITIAL_STOCK = 10_000_000;

interface Result {
  size: number;
  swept: number;
  seconds: number;
  finished: boolean;
  exact: boolean;
}

function options() {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: { 'max-seconds': { type: 'string', default: '600' } },
    allowPositionals: true,
  });
  const sizes = positionals.length ? positionals.map((p) => Number(p.replace(/[_,]/g, ''))) : [10_000, 100_000];
  if (sizes.some((n) => !Number.isSafeInteger(n) || n < 1))
    throw new Error(`sizes must be positive integers, got ${positionals.join(' ')}`);
  const maxSeconds = Number(values['max-seconds']);
  if (!(maxSeconds > 0)) throw new Error('--max-seconds must be a positive number');
  return { sizes, maxSeconds };
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

async function insertChunks(ds: DataSource, head: string, rowsSql: string[], params: unknown[][]): Promise<void> {
  for (let i = 0; i < rowsSql.length; i += CHUNK) {
    await ds.query(`${head} VALUES ${rowsSql.slice(i, i + CHUNK).join(', ')}`, params.slice(i, i + CHUNK).flat());
  }
}

/** N expired checkouts with their orders, the stock they hold already taken off the deals. */
async function seedBacklog(ds: DataSource, size: number, round: number, tenantId: number, shopId: number): Promise<number[]> {
  await ds.query('DELETE FROM order_log');
  await ds.query('DELETE FROM group_buying_order');
  await ds.query('DELETE FROM checkout');
  const dealIds: number[] = [];
  const values = Array.from({ length: DEALS }, (_, i) => i);
  await ds.query(
    `INSERT INTO group_buying (tenant_id, shop_id, name, description, start_time, end_time, deliver_type, in_use, product_id, product_name, product_code, price, spec, stock) VALUES ${values
      .map(() => "(?, ?, ?, '', ?, ?, 1, 1, 1, ?, 'P-1', '9.90', '1份', ?)")
      .join(', ')}`,
    values.flatMap((i) => [
      tenantId,
      shopId,
      `bench-${round}-${i}`,
      new Date(Date.now() - 86_400_000),
      new Date(Date.now() + 30 * 86_400_000),
      `商品${i}`,
      INITIAL_STOCK,
    ]),
  );
  for (const r of await ds.query('SELECT id FROM group_buying WHERE name LIKE ? ORDER BY id', [`bench-${round}-%`]))
    dealIds.push(Number(r.id));

  const expire = new Date(Date.now() - 3600_000);
  const checkoutRows: string[] = [];
  const checkoutParams: unknown[][] = [];
  for (let i = 0; i < size; i++) {
    checkoutRows.push("(?, ?, 1, 0, '19.80', '0.00', '0.00', '19.80', ?, 'sandbox')");
    // spread expiry over an hour so the ORDER BY expire_time walks a real range
    checkoutParams.push([`tg${round}${pad(i, 12)}`, tenantId, new Date(expire.getTime() - (i % 3600) * 1000)]);
  }
  await insertChunks(
    ds,
    'INSERT INTO checkout (pay_no, tenant_id, user_id, status, goods_price, discount_price, dispatch_price, total_price, expire_time, provider)',
    checkoutRows,
    checkoutParams,
  );
  const ids = new Map<string, { id: number; expire: Date }>();
  for (const r of await ds.query('SELECT id, pay_no, expire_time FROM checkout'))
    ids.set(r.pay_no, { id: Number(r.id), expire: r.expire_time });

  const orderRows: string[] = [];
  const orderParams: unknown[][] = [];
  const held = new Map<number, { qty: number; orders: number }>();
  for (let i = 0; i < size; i++) {
    const payNo = `tg${round}${pad(i, 12)}`;
    const c = ids.get(payNo)!;
    const lines = i % 5 === 0 ? [dealIds[i % DEALS], dealIds[(i + 1) % DEALS]] : [dealIds[i % DEALS]];
    lines.forEach((dealId, j) => {
      const qty = (i % 3) + 1;
      orderRows.push("(?, ?, ?, ?, ?, ?, 1, 0, 1, '9.90', ?, '9.90', '0.00', '0.00', '9.90', ?, '商品', '1份')");
      orderParams.push([`tg9${round}${pad(i, 12)}${j}`, payNo, c.id, tenantId, shopId, dealId, qty, c.expire]);
      const h = held.get(dealId) ?? { qty: 0, orders: 0 };
      h.qty += qty;
      h.orders += 1;
      held.set(dealId, h);
    });
  }
  await insertChunks(
    ds,
    'INSERT INTO group_buying_order (code, pay_no, checkout_id, tenant_id, shop_id, group_buying_id, user_id, status, deliver_type, price, qty, goods_money, coupon_money, deliver_fee, money, expire_time, product_name, spec)',
    orderRows,
    orderParams,
  );
  for (const [dealId, h] of held)
    await ds.query('UPDATE group_buying SET stock = stock - ?, order_count = ? WHERE id = ?', [h.qty, h.orders, dealId]);
  return dealIds;
}

/** Stock + what unexpired checkouts still hold = initial; orderCount = those orders; swept ones all 5. */
async function verify(ds: DataSource, dealIds: number[]): Promise<boolean> {
  const deals = await ds.query(`SELECT id, stock, order_count FROM group_buying WHERE id IN (${dealIds.join(', ')})`);
  const held = new Map<number, { qty: number; n: number }>();
  for (const r of await ds.query(
    `SELECT group_buying_id AS id, SUM(qty) AS qty, COUNT(*) AS n FROM group_buying_order WHERE status IN (0, 7) GROUP BY group_buying_id`,
  )) {
    held.set(Number(r.id), { qty: Number(r.qty), n: Number(r.n) });
  }
  let ok = true;
  for (const d of deals) {
    const h = held.get(Number(d.id)) ?? { qty: 0, n: 0 };
    if (Number(d.stock) + h.qty !== INITIAL_STOCK || Number(d.order_count) !== h.n) {
      ok = false;
      console.log(`  deal ${d.id}: stock ${d.stock} + held ${h.qty} ≠ ${INITIAL_STOCK} or order_count ${d.order_count} ≠ ${h.n}`);
    }
  }
  const [mismatch] = await ds.query(
    'SELECT COUNT(*) AS n FROM group_buying_order o JOIN checkout c ON c.pay_no = o.pay_no WHERE (c.status = 5) <> (o.status = 5)',
  );
  if (Number(mismatch.n) !== 0) {
    ok = false;
    console.log(`  ${mismatch.n} orders disagree with their checkout's status`);
  }
  return ok;
}

async function main(): Promise<void> {
  const { sizes, maxSeconds } = options();
  const db: TestDatabase = await createTestDatabase('bench_sweep');
  const dataDir = mkdtempSync(join(tmpdir(), 'gb-bench-sweep-'));
  let app: NestFastifyApplication | undefined;
  const results: Result[] = [];
  let failed = false;
  try {
    const config = loadConfig({
      NODE_ENV: 'test',
      JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
      ADMIN_PASSWORD: 'bench-pass-123',
      JOBS_ENABLED: 'false',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      DATABASE_URL: db.url,
    });
    app = await createApp(config);
    await app.init();
    const ds = app.get(DataSource);
    const sweep = app.get(SweepService);
    const [tenant] = await ds.query('SELECT id FROM tenant ORDER BY id LIMIT 1');
    await ds.query("INSERT INTO shop (tenant_id, name, address, phone, lbs) VALUES (?, 'bench', '', '', '')", [tenant.id]);
    const [shop] = await ds.query('SELECT id FROM shop ORDER BY id DESC LIMIT 1');
    console.log(`sweep bench on ${db.name}: sizes ${sizes.join(', ')}; at most ${maxSeconds} s of sweeping per size`);

    for (const [round, size] of sizes.entries()) {
      const seedStart = Date.now();
      const dealIds = await seedBacklog(ds, size, round, Number(tenant.id), Number(shop.id));
      console.log(`\n${size} expired checkouts seeded in ${((Date.now() - seedStart) / 1000).toFixed(1)} s; sweeping…`);
      const start = Date.now();
      const deadline = start + maxSeconds * 1000;
      let swept = 0;
      let errors = 0;
      let lastReport = start;
      while (swept < size && Date.now() < deadline) {
        const c = await sweep.runOnce({ budgetMs: Math.min(30_000, deadline - Date.now()) });
        swept += c.expired;
        errors += c.errors;
        if (Date.now() - lastReport > 15_000) {
          lastReport = Date.now();
          console.log(
            `  … ${swept} in ${((lastReport - start) / 1000).toFixed(0)} s (${(swept / ((lastReport - start) / 1000)).toFixed(0)}/s)`,
          );
        }
        if (!c.expired && !c.partial) break;
      }
      const seconds = (Date.now() - start) / 1000;
      const exact = await verify(ds, dealIds);
      failed ||= !exact || errors > 0;
      results.push({ size, swept, seconds, finished: swept === size, exact });
      console.log(
        `  ${swept}/${size} swept in ${seconds.toFixed(1)} s: ${(swept / seconds).toFixed(0)} checkouts/s, ${((seconds * 1e6) / Math.max(swept, 1)).toFixed(0)} µs each; errors ${errors}; exact: ${exact ? 'yes' : 'no'}${swept === size ? '' : ` (stopped at --max-seconds ${maxSeconds}: ${size - swept} left)`}`,
      );
    }

    console.log('\nsize      swept     seconds  checkouts/s  µs/checkout  per-item vs first  exact');
    const base = results[0];
    const perItem = (r: Result) => r.seconds / Math.max(r.swept, 1);
    for (const r of results) {
      console.log(
        `${String(r.size).padEnd(9)} ${String(r.swept).padEnd(9)} ${r.seconds.toFixed(1).padStart(7)}  ${(r.swept / r.seconds).toFixed(0).padStart(11)}  ${(perItem(r) * 1e6).toFixed(0).padStart(11)}  ${(perItem(r) / perItem(base)).toFixed(2).padStart(15)}×  ${r.exact ? 'yes' : 'no'}${r.finished ? '' : ' (partial)'}`,
      );
    }
    for (let i = 1; i < results.length; i++) {
      const a = results[i - 1];
      const b = results[i];
      console.log(
        `${a.size} → ${b.size}: backlog ×${(b.size / a.size).toFixed(1)}, time per checkout ×${(perItem(b) / perItem(a)).toFixed(2)} (1.0 = linear total time)${b.finished ? '' : `; the ${b.size} run did not finish within ${maxSeconds} s, its rate is over the first ${b.swept} checkouts`}`,
      );
    }
  } catch (e) {
    failed = true;
    console.error(e);
  } finally {
    if (app) await app.close();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

void main();
