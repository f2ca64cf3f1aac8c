/**
 * Admin order lists at scale: p50/p95 of getorderlist / getorderlistbygroupbuying for each filter and
 * sort with 10k, 100k and 1M orders in one tenant, and EXPLAIN of every list query.
 *
 *   npm run bench:lists                                   # 10,000 → 100,000 → 1,000,000 orders
 *   npm run bench:lists -- --sizes 10000,100000 --requests 40
 *
 * What it does:
 *  1. creates a fresh MariaDB database (`MYSQL_TEST_URL`, default mysql://root@127.0.0.1:3306/test) and
 *     boots the real app in this process on a local port (migrations, APP_TZ Asia/Shanghai, logs at warn);
 *  2. makes a tenant with its admin through the API, 20 shops, 200 deals (each sold over 10 days, 10 at
 *     a time, every 4th by express) and 20,000 buyers with set-based SQL;
 *  3. for each size, bulk-loads orders up to that size with INSERT … SELECT from MariaDB's sequence
 *     engine (`seq_1_to_N`) spread over 200 days (every status, pay times and sequences for paid ones),
 *     and their rollup rows with one INSERT … SELECT … GROUP BY;
 *  4. checks the rollup equals a GROUP BY over the orders, then for each scenario sends `--requests`
 *     sequential requests over HTTP (after 3 warm-ups) and prints p50/p95 in ms, the totalCount, and
 *     whether the answer's totals equal a COUNT/SUM over the orders (checked once per scenario);
 *  5. at the largest size, prints the plan of every SQL statement each scenario ran (MariaDB's ANALYZE:
 *     EXPLAIN's estimate and the rows actually read per table), flags any that read more than 100,000 rows, and keeps the plans and figures
 *     in bench/results/lists-<time>.json; drops the database (also on error).
 * Other load on the machine shows in the printed load average: figures compare only within one run.
 */
import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Big from 'big.js';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import { createTestDatabase, TestDatabase } from '../test/support/db';

const SHOPS = 20;
const DEALS = 200;
const USERS = 20_000;
const DAYS = 200;
const START = Date.UTC(2026, 0, 1) - 8 * 3_600_000; // 2026-01-01 00:00 Asia/Shanghai
const ADMIN_PASSWORD = 'bench-pass-123';

interface Scenario {
  name: string;
  path: 'getorderlist' | 'getorderlistbygroupbuying';
  query: Record<string, string | number>;
  /** the WHERE over group_buying_order (tenant added) that the answer's totals must equal */
  check?: { where: string; params: unknown[] };
}

function options() {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      sizes: { type: 'string', default: '10000,100000,1000000' },
      requests: { type: 'string', default: '30' },
      'load-pool-mb': { type: 'string', default: '0' },
    },
  });
  const sizes = values.sizes.split(',').map((s) => Number(s.replace(/_/g, '')));
  if (sizes.some((n) => !Number.isSafeInteger(n) || n < 1)) throw new Error('--sizes must be positive integers');
  return {
    sizes: sizes.sort((a, b) => a - b),
    requests: Math.max(5, Number(values.requests)),
    loadPoolMb: Number(values['load-pool-mb']) || 0,
  };
}

const day = (i: number) => new Date(START + i * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

async function setup(ds: DataSource, tenantId: number) {
  await ds.query(`INSERT INTO shop (tenant_id, name) SELECT ?, CONCAT('门店', seq) FROM seq_1_to_${SHOPS}`, [tenantId]);
  const [{ s0 }] = await ds.query('SELECT MIN(id) AS s0 FROM shop WHERE tenant_id = ?', [tenantId]);
  await ds.query(
    `INSERT INTO group_buying (tenant_id, shop_id, name, description, start_time, end_time, deliver_type, product_id, product_name, product_code, price, spec, stock)
     SELECT ?, ? + (seq - 1) % ${SHOPS}, CONCAT('团购', seq - 1), '', ?, ?, IF((seq - 1) % 4 = 3, 2, 1), seq, CONCAT('商品', seq - 1), 'P', '9.90', '1份', 1000000 FROM seq_1_to_${DEALS}`,
    [tenantId, Number(s0), new Date(START), new Date(START + DAYS * 86_400_000)],
  );
  const [{ g0 }] = await ds.query('SELECT MIN(id) AS g0 FROM group_buying WHERE tenant_id = ?', [tenantId]);
  await ds.query(
    `INSERT INTO app_user (open_id, nickname) SELECT CONCAT('bench-', seq), CONCAT('买家', LPAD(seq, 5, '0')) FROM seq_1_to_${USERS}`,
  );
  const [{ u0 }] = await ds.query("SELECT MIN(id) AS u0 FROM app_user WHERE open_id LIKE 'bench-%'");
  return { s0: Number(s0), g0: Number(g0), u0: Number(u0) };
}

/**
 * Orders `from`+1 … `to` (global numbers n): at time START + (n·φ mod 1)·DAYS days (spread over the
 * whole window at every size), deal = 10 deals on sale per 10-day block, status by 7n mod 19.
 */
async function load(ds: DataSource, tenantId: number, ids: { s0: number; g0: number; u0: number }, from: number, to: number) {
  const [{ lastId }] = await ds.query('SELECT COALESCE(MAX(id), 0) AS lastId FROM group_buying_order');
  const CHUNK = 100_000;
  for (let a = from; a < to; a += CHUNK) {
    const n = Math.min(CHUNK, to - a);
    // p = frac(k · 0.6180339887) in [0, 1): the order's place in the 200 days
    await ds.query(
      `INSERT INTO group_buying_order (create_time, code, pay_no, checkout_id, tenant_id, shop_id, group_buying_id, user_id, status, deliver_type,
         price, qty, goods_money, coupon_money, deliver_fee, money, sequence, pay_time, expire_time, phone, product_name, spec)
       SELECT t.ct, CONCAT('tg', LPAD(t.k, 24, '0')), CONCAT('tg', LPAD(t.k, 24, '0')), t.k, ?, ? + t.deal % ${SHOPS}, ? + t.deal, ? + (t.k * 7919) % ${USERS},
         t.st, IF(t.deal % 4 = 3, 2, 1), '9.90', t.qty, t.qty * 9.90, '0.00', '0.00', t.qty * 9.90,
         IF(t.st IN (1, 2, 3, 4, 8), t.k, NULL), IF(t.st IN (1, 2, 3, 4, 8), t.ct + INTERVAL 60 SECOND, NULL), t.ct + INTERVAL 15 MINUTE,
         CONCAT('138', LPAD((t.k * 104729) % 100000000, 8, '0')), CONCAT('商品', t.deal), '1份'
       FROM (SELECT s.k, s.p, ? + INTERVAL FLOOR(s.p * ${DAYS * 86_400}) SECOND AS ct,
               FLOOR(s.p * ${DAYS} / 10) * 10 + s.k % 10 AS deal, 1 + s.k % 3 AS qty,
               ELT(1 + (s.k * 7) % 19, 0, 1, 1, 1, 1, 2, 3, 4, 4, 4, 4, 4, 5, 5, 6, 7, 8, 8, 1) AS st
             FROM (SELECT seq + ? AS k, (seq + ?) * 0.6180339887 - FLOOR((seq + ?) * 0.6180339887) AS p FROM seq_1_to_${n}) s) t`,
      [tenantId, ids.s0, ids.g0, ids.u0, new Date(START), a, a, a],
    );
  }
  await ds.query(
    `INSERT INTO order_rollup (tenant_id, day, shop_id, group_buying_id, status, deliver_type, order_count, qty, money)
     SELECT tenant_id, DATE(create_time + INTERVAL 8 HOUR), shop_id, group_buying_id, status, deliver_type, COUNT(*), SUM(qty), SUM(money)
     FROM group_buying_order WHERE id > ? GROUP BY 1, 2, 3, 4, 5, 6
     ON DUPLICATE KEY UPDATE order_count = order_count + VALUES(order_count), qty = qty + VALUES(qty), money = money + VALUES(money)`,
    [Number(lastId)],
  );
}

/**
 * `--load-pool-mb N`: the bulk load (not measured) runs with an N MiB InnoDB buffer pool, then the
 * server's own size is restored before anything is measured, so the figures are those of that size.
 */
async function withLoadPool(ds: DataSource, mb: number, fn: () => Promise<void>): Promise<void> {
  if (!mb) return fn();
  const [{ size }] = await ds.query('SELECT @@GLOBAL.innodb_buffer_pool_size AS size');
  const resized = async (bytes: number) => {
    await ds.query(`SET GLOBAL innodb_buffer_pool_size = ${Math.floor(bytes)}`);
    for (let i = 0; i < 600; i++) {
      const [{ now }] = await ds.query('SELECT @@GLOBAL.innodb_buffer_pool_size AS now');
      const [st] = await ds.query("SHOW STATUS LIKE 'Innodb_buffer_pool_resize_status'");
      if (
        Number(now) >= bytes - 128 * 1024 * 1024 &&
        Number(now) <= bytes + 128 * 1024 * 1024 &&
        /^(|Completed.*|Size did not change.*)$/i.test(String(st?.Value ?? ''))
      )
        return;
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  await resized(mb * 1024 * 1024);
  try {
    await fn();
  } finally {
    await resized(Number(size));
    console.log(`(bulk load ran with a ${mb} MiB buffer pool; back to ${Math.round(Number(size) / 1048576)} MiB for the measurements)`);
  }
}

async function rollupExact(ds: DataSource): Promise<boolean> {
  const [r] = await ds.query(
    `SELECT COUNT(*) AS n FROM (
       SELECT tenant_id, DATE(create_time + INTERVAL 8 HOUR) AS day, shop_id, group_buying_id, status, deliver_type, COUNT(*) AS c, SUM(qty) AS q, SUM(money) AS m
       FROM group_buying_order GROUP BY 1, 2, 3, 4, 5, 6) o
     LEFT JOIN order_rollup r USING (tenant_id, day, shop_id, group_buying_id, status, deliver_type)
     WHERE r.order_count IS NULL OR r.order_count <> o.c OR r.qty <> o.q OR r.money <> o.m`,
  );
  return Number(r.n) === 0;
}

function scenarios(
  ids: { s0: number; g0: number; u0: number },
  sample: { code: string; phone: string; nickname: string; userId: number },
): Scenario[] {
  const dealId = ids.g0 + 57;
  const week = { startDate: day(60), endDate: day(66) };
  const partial = { startDate: `${day(60)} 10:30:00`, endDate: `${day(66)} 15:45:00` };
  const sh = (s: string) => new Date(`${s.length === 10 ? `${s}T00:00:00` : s.replace(' ', 'T')}+08:00`);
  const base: Scenario[] = [
    { name: 'none', path: 'getorderlist', query: {}, check: { where: '', params: [] } },
    { name: 'status=1', path: 'getorderlist', query: { status: 1 }, check: { where: 'AND status = 1', params: [] } },
    { name: 'shop', path: 'getorderlist', query: { shopId: ids.s0 + 3 }, check: { where: 'AND shop_id = ?', params: [ids.s0 + 3] } },
    { name: 'deliverType=2', path: 'getorderlist', query: { deliverType: 2 }, check: { where: 'AND deliver_type = 2', params: [] } },
    {
      name: '7 days',
      path: 'getorderlist',
      query: week,
      check: { where: 'AND create_time >= ? AND create_time < ?', params: [sh(week.startDate), sh(day(67))] },
    },
    {
      name: '7 days, partial edges',
      path: 'getorderlist',
      query: partial,
      check: { where: 'AND create_time >= ? AND create_time <= ?', params: [sh(partial.startDate), sh(partial.endDate)] },
    },
    {
      name: '7 days + status=4',
      path: 'getorderlist',
      query: { ...week, status: 4 },
      check: { where: 'AND create_time >= ? AND create_time < ? AND status = 4', params: [sh(week.startDate), sh(day(67))] },
    },
    { name: 'deal name', path: 'getorderlist', query: { name: '团购57' }, check: { where: 'AND group_buying_id = ?', params: [dealId] } },
    {
      name: 'keyword code',
      path: 'getorderlist',
      query: { keyword: sample.code },
      check: { where: 'AND code = ?', params: [sample.code] },
    },
    {
      name: 'keyword phone',
      path: 'getorderlist',
      query: { keyword: sample.phone },
      check: { where: 'AND phone LIKE ?', params: [`${sample.phone}%`] },
    },
    {
      name: 'keyword buyer',
      path: 'getorderlist',
      query: { keyword: sample.nickname },
      check: { where: 'AND user_id = ?', params: [sample.userId] },
    },
    {
      name: 'deal orders',
      path: 'getorderlistbygroupbuying',
      query: { groupBuyingId: dealId },
      check: { where: 'AND group_buying_id = ?', params: [dealId] },
    },
    {
      name: 'deal orders status=1',
      path: 'getorderlistbygroupbuying',
      query: { groupBuyingId: dealId, status: 1 },
      check: { where: 'AND group_buying_id = ? AND status = 1', params: [dealId] },
    },
    { name: 'deep page 500', path: 'getorderlist', query: { pageIndex: 500 } },
  ];
  for (const sort of ['createTime', 'payTime', 'money', 'qty', 'sequence']) {
    base.push({ name: `sort ${sort} desc`, path: 'getorderlist', query: { sort } });
    base.push({ name: `sort ${sort} asc`, path: 'getorderlist', query: { sort, order: 'true' } });
  }
  return base;
}

async function main(): Promise<void> {
  const { sizes, requests, loadPoolMb } = options();
  const db: TestDatabase = await createTestDatabase('bench_lists');
  const dataDir = mkdtempSync(join(tmpdir(), 'gb-bench-lists-'));
  let app: NestFastifyApplication | undefined;
  let failed = false;
  const out: Record<string, unknown> = { sizes, requests, results: [] as unknown[], plans: {} as Record<string, unknown> };
  try {
    const config = loadConfig({
      NODE_ENV: 'test',
      JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
      ADMIN_PASSWORD,
      JOBS_ENABLED: 'false',
      LOG_LEVEL: 'warn',
      APP_TZ: 'Asia/Shanghai',
      DATA_DIR: dataDir,
      DATABASE_URL: db.url,
    });
    app = await createApp(config);
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    const base = url.replace('[::1]', '127.0.0.1');
    const ds = app.get(DataSource);
    const post = async (path: string, body: object, token?: string) => {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      return (await res.json()) as { data: unknown };
    };
    const su = ((await post('/api/marketing/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).data as { token: string }).token;
    const tenantId = (
      await post('/api/marketing/tenant/create', { name: 'ListsBench', adminUsername: 'lists_admin', adminPassword: 'tenant-pass-123' }, su)
    ).data as number;
    const token = (
      (await post('/api/marketing/auth/login', { username: 'lists_admin', password: 'tenant-pass-123' })).data as { token: string }
    ).token;
    const ids = await setup(ds, tenantId);

    // every SQL statement the app runs while `capture` is set
    let capture: Array<{ sql: string; params: unknown[] }> | null = null;
    const query = ds.query.bind(ds);
    ds.query = ((sql: string, params?: unknown[]) => {
      if (capture && /^\s*SELECT/i.test(sql)) capture.push({ sql, params: params ?? [] });
      return query(sql, params);
    }) as typeof ds.query;

    const get = async (s: Scenario) => {
      const qs = new URLSearchParams(Object.entries(s.query).map(([k, v]): [string, string] => [k, String(v)])).toString();
      const t0 = performance.now();
      const res = await fetch(`${base}/api/marketing/groupbuying/${s.path}?${qs}`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await res.json()) as { totalCount: number; sumData: { qty: number; money: number }; data: unknown[] };
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`${s.name}: HTTP ${res.status} ${JSON.stringify(body)}`);
      return { ms, body };
    };

    let loaded = 0;
    console.log(
      `admin lists bench on ${db.name}; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const table: string[] = [];
    for (const size of sizes) {
      const t0 = Date.now();
      await withLoadPool(ds, loadPoolMb, () => load(ds, tenantId, ids, loaded, size));
      loaded = size;
      const exact = await rollupExact(ds);
      failed ||= !exact;
      const [[{ rr }], [sample]] = await Promise.all([
        ds.query('SELECT COUNT(*) AS rr FROM order_rollup'),
        ds.query(
          'SELECT o.code, o.phone, u.nickname, u.id AS userId FROM group_buying_order o JOIN app_user u ON u.id = o.user_id WHERE o.tenant_id = ? ORDER BY o.id DESC LIMIT 1',
          [tenantId],
        ),
      ]);
      console.log(
        `\n${size.toLocaleString('en')} orders loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s (${Number(rr).toLocaleString('en')} rollup rows, rollup = GROUP BY: ${exact ? 'yes' : 'NO'}); load average ${loadavg()[0].toFixed(2)}`,
      );
      const list = scenarios(ids, {
        code: sample.code,
        phone: String(sample.phone).slice(0, 7),
        nickname: sample.nickname,
        userId: Number(sample.userId),
      });
      for (const s of list) {
        for (let i = 0; i < 3; i++) await get(s);
        const times: number[] = [];
        let last: Awaited<ReturnType<typeof get>>['body'] | undefined;
        for (let i = 0; i < requests; i++) {
          const r = await get(s);
          times.push(r.ms);
          last = r.body;
        }
        let ok = '-';
        if (s.check && last) {
          const [r] = await query(
            `SELECT COUNT(*) AS n, COALESCE(SUM(qty), 0) AS q, COALESCE(SUM(money), 0) AS m FROM group_buying_order WHERE tenant_id = ? ${s.check.where}`,
            [tenantId, ...s.check.params],
          );
          const same =
            Number(r.n) === last.totalCount && Number(r.q) === last.sumData.qty && new Big(String(r.m)).eq(new Big(last.sumData.money));
          ok = same ? 'yes' : `NO (${r.n}/${r.q}/${r.m})`;
          failed ||= !same;
        }
        const row = { size, scenario: s.name, p50: pct(times, 50), p95: pct(times, 95), totalCount: last?.totalCount, exact: ok };
        (out.results as unknown[]).push(row);
        const line = `${String(size).padStart(8)}  ${s.name.padEnd(24)} ${row.p50.toFixed(1).padStart(7)} ${row.p95.toFixed(1).padStart(7)}  ${String(row.totalCount).padStart(8)}  ${ok}`;
        table.push(line);
        console.log(line);
        if (size === sizes[sizes.length - 1]) {
          capture = [];
          await get(s);
          const plans: unknown[] = [];
          for (const q of capture as Array<{ sql: string; params: unknown[] }>) {
            const plan = (await query(`ANALYZE ${q.sql}`, q.params)) as Array<Record<string, unknown>>;
            const worst = Math.max(...plan.map((p) => Number(p.r_rows ?? 0)));
            plans.push({ sql: q.sql.replace(/\s+/g, ' '), params: q.params, plan });
            const flag = worst > 100_000 ? '  <-- reads more than 100,000 rows' : '';
            failed ||= worst > 100_000;
            console.log(`      ${q.sql.replace(/\s+/g, ' ').slice(0, 150)}`);
            for (const p of plan)
              console.log(
                `        ${String(p.table).padEnd(12)} ${String(p.type).padEnd(7)} key=${String(p.key).padEnd(26)} est=${String(p.rows).padEnd(8)} read=${String(p.r_rows).padEnd(8)} ${String(p.Extra ?? '')}${flag}`,
              );
          }
          (out.plans as Record<string, unknown>)[s.name] = plans;
          capture = null;
        }
      }
    }
    console.log('\n    size  scenario                   p50 ms  p95 ms  totalCount  exact totals');
    for (const l of table) console.log(l);
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    const file = join(__dirname, 'results', `lists-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(out, null, 2));
    console.log(
      `\nsaved ${file}; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
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
