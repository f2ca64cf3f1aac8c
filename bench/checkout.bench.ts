/**
 * Flash-sale checkout benchmark (秒杀): many shoppers buy one hot deal at once.
 *
 *   npm run bench:checkout                                  # 3 s warm-up + 15 s measured, 50 connections
 *   npm run bench:checkout -- --duration 30 --connections 100 --warmup 5 --users 200
 *
 * What it does:
 *  1. creates a fresh MariaDB database (test/support/db.ts, `MYSQL_TEST_URL`, default
 *     mysql://root@127.0.0.1:3306/test), builds dist/ if it is missing or older than src/, and starts
 *     the real app (`node dist/main.js`, NODE_ENV=test for sandbox payments and dev login, which production
 *     refuses; pool 10) in a child process, so the load generator never shares the app's event loop;
 *  2. through the app's own API: logs in the super-admin, creates a shop and two hot deals (price 9.90,
 *     stock 10,000,000 each: one for the app, one for the baseline), logs in 200 storefront users;
 *  3. starts bench/baseline-server.js in another child process: bare Fastify 5 + mysql2 pool of the same
 *     size, one route that runs the same order transaction (conditional stock UPDATE, INSERT checkout,
 *     INSERT group_buying_order) on the same tables, with no auth, validation, ORM or coupon work;
 *  4. with autocannon in this process, for each server in turn (baseline, then app): a warm-up run
 *     (not counted) then the measured run, same duration and connections; app requests are
 *     POST /api/group/order/createOrder {"goods":[{"product_id":…,"quantity":1}]} with
 *     `Authori-Zation: Bearer …` rotating over the users; baseline requests are POST /order with a
 *     rotating `x-user-id`;
 *  5. prints requests/s counting 2xx only, latency p50/p99 of the 2xx answers, non-2xx and socket
 *     errors, and the ratio app/baseline (target ≥ 1.0×, printed as measured), then checks the database:
 *     for each deal, stock + ordered quantity = initial stock, order_count = number of orders, one checkout
 *     per order, and no 2xx answer without its order row → "consistent: yes/no" (exit code 1 on "no");
 *  6. stops both children and drops the database (also on Ctrl-C, on error and on the watchdog timeout).
 *
 * Numbers depend on the machine: the app, the baseline, MariaDB and the load generator share its cores.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { createTestDatabase, TestDatabase } from '../test/support/db';

// ---------------------------------------------------------------------------------------------
// autocannon ships no type declarations: the part of its API used here

interface AcHistogram {
  average: number;
  stddev: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p99: number;
}
interface AcRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AcRequest, context: unknown) => AcRequest;
}
interface AcOptions {
  url: string;
  connections: number;
  duration: number;
  pipelining?: number;
  timeout?: number;
  excludeErrorStats?: boolean;
  requests: AcRequest[];
}
interface AcResult {
  duration: number;
  latency: AcHistogram;
  requests: AcHistogram & { sent: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: AcOptions) => PromiseLike<AcResult> & { stop?: () => void };

// ---------------------------------------------------------------------------------------------
// options

const ROOT = resolve(__dirname, '..');
const ADMIN_USERNAME = 'admin';
const ADMIN_PASSWORD = 'bench-pass-123';

function options() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      duration: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '50' },
      users: { type: 'string', default: '200' },
      stock: { type: 'string', default: '10000000' },
      pool: { type: 'string', default: '10' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run bench:checkout -- [--duration 15] [--warmup 3] [--connections 50] [--users 200] [--stock 10000000] [--pool 10]\n',
    );
    process.exit(0);
  }
  const int = (name: string, v: string | undefined, min: number, max: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer in ${min}..${max} (got ${v})`);
    return n;
  };
  return {
    duration: int('duration', values.duration, 1, 3600),
    warmup: int('warmup', values.warmup, 0, 600),
    connections: int('connections', values.connections, 1, 10_000),
    users: int('users', values.users, 1, 100_000),
    stock: int('stock', values.stock, 1, 1_000_000_000),
    pool: int('pool', values.pool, 1, 1000),
  };
}

// ---------------------------------------------------------------------------------------------
// child processes and cleanup

interface Child {
  name: string;
  proc: ChildProcess;
  tail: string[];
  echo: boolean;
  exited: Promise<number | null>;
  running: boolean;
}

const children: Child[] = [];
let db: TestDatabase | undefined;
let dataDir: string | undefined;

function startChild(name: string, script: string, env: Record<string, string>): Child {
  const proc = spawn(process.execPath, [script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const child: Child = { name, proc, tail: [], echo: true, running: true, exited: Promise.resolve(null) };
  child.exited = new Promise((res) => {
    proc.once('exit', (code, signal) => {
      child.running = false;
      res(code ?? (signal ? -1 : null));
    });
    proc.once('error', (e) => {
      child.tail.push(`spawn error: ${e.message}`);
      child.running = false;
      res(-1);
    });
  });
  const onData = (buf: Buffer) => {
    for (const line of buf.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      child.tail.push(line);
      if (child.tail.length > 40) child.tail.shift();
      // start-up lines (the app's production warnings, "listening on …") are shown; later ones only on failure
      if (child.echo) process.stdout.write(`  [${name}] ${line.slice(0, 300)}\n`);
    }
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
  children.push(child);
  return child;
}

async function stopChild(c: Child): Promise<void> {
  if (!c.running) return;
  c.proc.kill('SIGTERM');
  const t = setTimeout(() => c.running && c.proc.kill('SIGKILL'), 5000);
  await c.exited;
  clearTimeout(t);
}

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all(children.map(stopChild));
    if (db) {
      const d = db;
      db = undefined;
      await withTimeout(d.drop(), 20_000, 'dropping the database').catch((e) =>
        process.stderr.write(`could not drop database ${d.name}: ${e.message}\n`),
      );
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  })();
  return cleaning;
}

process.on('exit', () => {
  for (const c of children) if (c.running) c.proc.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    process.stderr.write(`\n${sig}: stopping the servers and dropping the database…\n`);
    void cleanup().finally(() => process.exit(130));
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, rej) => {
      timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

async function waitHealthy(c: Child, base: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (!c.running) throw new Error(`${c.name} exited before answering /health:\n${c.tail.join('\n')}`);
    try {
      const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) {
        c.echo = false;
        return;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${c.name}: GET /health did not answer 200 within ${timeoutMs} ms:\n${c.tail.join('\n')}`);
    await sleep(200);
  }
}

// ---------------------------------------------------------------------------------------------
// build

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of readdirSync(path)) max = Math.max(max, newestMtime(join(path, e)));
  return max;
}

function buildIfStale(): void {
  const main = join(ROOT, 'dist', 'main.js');
  const inputs = [
    join(ROOT, 'src'),
    join(ROOT, 'tsconfig.json'),
    join(ROOT, 'tsconfig.build.json'),
    join(ROOT, 'package-lock.json'),
  ].filter((p) => existsSync(p));
  const newest = Math.max(...inputs.map(newestMtime));
  if (existsSync(main) && statSync(main).mtimeMs >= newest) {
    process.stdout.write('dist/ is up to date\n');
    return;
  }
  process.stdout.write(existsSync(main) ? 'dist/ is older than src/: npm run build\n' : 'no dist/: npm run build\n');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit', timeout: 300_000 });
  if (r.status !== 0 || !existsSync(main)) throw new Error(`npm run build failed (${r.error?.message ?? `exit ${r.status}`})`);
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers for the set-up (through the app's own API)

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, body: parsed };
}

function expectOk(what: string, a: Answer): Answer {
  if (a.status !== 200) throw new Error(`${what}: HTTP ${a.status} ${JSON.stringify(a.body).slice(0, 500)}`);
  return a;
}

/** `YYYY-MM-DD HH:mm:ss` in Asia/Shanghai (UTC+8 all year, no DST). */
function shanghai(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
// load

interface Target {
  name: string;
  url: string;
  child: Child;
  requests: AcRequest[];
  dealId: number;
  answered2xx: number;
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  codes: string;
  seconds: number;
  cpu: number | null;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere. */
function cpuSeconds(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

async function hammer(t: Target, seconds: number, connections: number): Promise<AcResult> {
  const run = autocannon({
    url: t.url,
    connections,
    duration: seconds,
    pipelining: 1,
    timeout: 10,
    excludeErrorStats: true,
    requests: t.requests,
  });
  const r = await withTimeout(Promise.resolve(run), (seconds + 60) * 1000, `load on ${t.name}`);
  t.answered2xx += r['2xx'];
  return r;
}

function figures(r: AcResult, cpu: number | null): Figures {
  const codes = Object.entries(r.statusCodeStats)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, s]) => `${code}×${s.count}`)
    .join(' ');
  return {
    rps: r['2xx'] / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    codes,
    seconds: r.duration,
    cpu,
  };
}

// ---------------------------------------------------------------------------------------------
// consistency

interface DealCheck {
  name: string;
  dealId: number;
  initial: number;
  stock: number;
  orders: number;
  qty: number;
  orderCount: number;
  checkouts: number;
  answered2xx: number;
  ok: boolean;
}

async function checkDeals(url: string, targets: Target[], initial: number): Promise<DealCheck[]> {
  const conn = await createConnection({ uri: url });
  try {
    const out: DealCheck[] = [];
    for (const t of targets) {
      const [[deal]] = (await conn.query('SELECT stock, order_count FROM group_buying WHERE id = ?', [t.dealId])) as unknown as [
        { stock: number; order_count: number }[],
      ];
      const [[agg]] = (await conn.query(
        'SELECT COUNT(*) AS n, COALESCE(SUM(o.qty), 0) AS q, COUNT(DISTINCT c.id) AS c FROM group_buying_order o LEFT JOIN checkout c ON c.id = o.checkout_id AND c.pay_no = o.pay_no WHERE o.group_buying_id = ?',
        [t.dealId],
      )) as unknown as [{ n: number | string; q: number | string; c: number | string }[]];
      const stock = Number(deal.stock);
      const orders = Number(agg.n);
      const qty = Number(agg.q);
      const checkouts = Number(agg.c);
      const orderCount = Number(deal.order_count);
      out.push({
        name: t.name,
        dealId: t.dealId,
        initial,
        stock,
        orders,
        qty,
        orderCount,
        checkouts,
        answered2xx: t.answered2xx,
        ok: stock + qty === initial && orderCount === orders && checkouts === orders && orders >= t.answered2xx && stock >= 0,
      });
    }
    return out;
  } finally {
    await conn.end();
  }
}

// ---------------------------------------------------------------------------------------------

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const pad = (s: string, w: number) => (s.length >= w ? s : ' '.repeat(w - s.length) + s);

async function main(): Promise<void> {
  const opt = options();
  const budgetMs = 300_000 + 2 * (opt.warmup + opt.duration) * 1000;
  const watchdog = setTimeout(() => {
    process.stderr.write(`\nwatchdog: the benchmark took more than ${budgetMs / 1000} s; stopping\n`);
    void cleanup().finally(() => process.exit(1));
  }, budgetMs);
  watchdog.unref();

  process.stdout.write(
    `checkout benchmark: warm-up ${opt.warmup} s + ${opt.duration} s measured, ${opt.connections} connections, ${opt.users} users, pool ${opt.pool}, stock ${fmt(opt.stock)}\n`,
  );
  const [load1] = loadavg();
  if (load1 > 0.7)
    process.stdout.write(`note: load average ${load1.toFixed(2)} before the run: other work on this machine makes the figures noisy\n`);
  buildIfStale();

  db = await withTimeout(createTestDatabase('bench_checkout'), 20_000, 'creating the database');
  process.stdout.write(`database ${db.name}\n`);
  dataDir = mkdtempSync(join(tmpdir(), 'gb-bench-'));

  // --- the app
  const appPort = await freePort();
  const appBase = `http://127.0.0.1:${appPort}`;
  const app = startChild('app', 'dist/main.js', {
    DATABASE_URL: db.url,
    PORT: String(appPort),
    HOST: '127.0.0.1',
    // production refuses sandbox payments and dev login, which the benchmark needs
    NODE_ENV: 'test',
    JWT_SECRET: randomBytes(20).toString('hex'),
    PAYMENT_PROVIDER: 'sandbox',
    AUTH_DEV_LOGIN: 'true',
    JOBS_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000000',
    ADMIN_USERNAME,
    ADMIN_PASSWORD,
    DB_POOL_SIZE: String(opt.pool),
    DATA_DIR: dataDir,
  });
  await waitHealthy(app, appBase, 90_000);

  // --- set-up through the API
  const admin = expectOk(
    'admin login',
    await post(appBase, '/api/marketing/auth/login', { username: ADMIN_USERNAME, password: ADMIN_PASSWORD }),
  ).body.data.token as string;
  const auth = { Authorization: `Bearer ${admin}` };
  const shopId = Number(
    expectOk(
      'shop create',
      await post(
        appBase,
        '/api/marketing/shop/create',
        { name: '秒杀门店 bench', address: '广州市白云区', phone: '020-12345678', lbs: '113.26,23.13' },
        auth,
      ),
    ).body.data,
  );
  const now = Date.now();
  const newDeal = async (label: string) =>
    Number(
      expectOk(
        `deal create (${label})`,
        await post(
          appBase,
          '/api/marketing/groupbuying/create',
          {
            shopId,
            name: `秒杀 ${label}`,
            productName: `秒杀商品 ${label}`,
            price: 9.9,
            stock: opt.stock,
            startTime: shanghai(new Date(now - 24 * 3600_000)),
            endTime: shanghai(new Date(now + 30 * 24 * 3600_000)),
            deliverType: 1,
          },
          auth,
        ),
      ).body.data,
    );
  const appDeal = await newDeal('app');
  const baseDeal = await newDeal('baseline');
  const users = await mapLimit(
    Array.from({ length: opt.users }, (_, i) => `bench-user-${i}`),
    16,
    async (openId) => {
      const a = expectOk('user login', await post(appBase, '/api/group/auth/login', { openId, nickname: openId }));
      return { token: a.body.data.token as string, id: Number(a.body.data.user.id) };
    },
  );
  process.stdout.write(`set up: shop ${shopId}, app deal ${appDeal}, baseline deal ${baseDeal}, ${users.length} users logged in\n`);

  // --- the baseline
  const basePort = await freePort();
  const baseUrl = `http://127.0.0.1:${basePort}`;
  const baseline = startChild('baseline', 'bench/baseline-server.js', {
    DATABASE_URL: db.url,
    PORT: String(basePort),
    HOST: '127.0.0.1',
    DB_POOL_SIZE: String(opt.pool),
  });
  await waitHealthy(baseline, baseUrl, 30_000);

  // --- one order each, to fail fast with the answer if something is off
  const appBody = JSON.stringify({ goods: [{ product_id: appDeal, quantity: 1 }] });
  const baseBody = JSON.stringify({ product_id: baseDeal, quantity: 1 });
  expectOk(
    'first app order',
    await post(appBase, '/api/group/order/createOrder', JSON.parse(appBody), { 'Authori-Zation': `Bearer ${users[0].token}` }),
  );
  expectOk('first baseline order', await post(baseUrl, '/order', JSON.parse(baseBody), { 'x-user-id': String(users[0].id) }));

  let appTurn = 0;
  let baseTurn = 0;
  const targets: Target[] = [
    {
      name: 'baseline',
      url: baseUrl,
      child: baseline,
      dealId: baseDeal,
      answered2xx: 1,
      requests: [
        {
          method: 'POST',
          path: '/order',
          headers: { 'content-type': 'application/json' },
          body: baseBody,
          setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'x-user-id': String(users[baseTurn++ % users.length].id) } }),
        },
      ],
    },
    {
      name: 'app',
      url: appBase,
      child: app,
      dealId: appDeal,
      answered2xx: 1,
      requests: [
        {
          method: 'POST',
          path: '/api/group/order/createOrder',
          headers: { 'content-type': 'application/json' },
          body: appBody,
          setupRequest: (req) => ({
            ...req,
            headers: { ...req.headers, 'Authori-Zation': `Bearer ${users[appTurn++ % users.length].token}` },
          }),
        },
      ],
    },
  ];

  const results = new Map<string, Figures>();
  for (const t of targets) {
    if (opt.warmup > 0) {
      process.stdout.write(`${t.name}: warm-up ${opt.warmup} s…\n`);
      await hammer(t, opt.warmup, opt.connections);
    }
    process.stdout.write(`${t.name}: measuring ${opt.duration} s…\n`);
    const cpu0 = cpuSeconds(t.child.proc.pid);
    const r = await hammer(t, opt.duration, opt.connections);
    const cpu1 = cpuSeconds(t.child.proc.pid);
    const f = figures(r, cpu0 !== null && cpu1 !== null ? (100 * (cpu1 - cpu0)) / r.duration : null);
    results.set(t.name, f);
    process.stdout.write(`${t.name}: ${fmt(f.rps, 1)} req/s (2xx)\n`);
  }
  // let in-flight transactions (cut off when autocannon stopped) finish before counting rows
  await sleep(1000);

  // --- report
  const rows: string[][] = [['server', '2xx req/s', 'p50 ms', 'p99 ms', '2xx', 'non-2xx', 'errors', 'server CPU', 'non-2xx codes']];
  for (const t of targets) {
    const f = results.get(t.name)!;
    rows.push([
      t.name,
      fmt(f.rps, 1),
      fmt(f.p50, 1),
      fmt(f.p99, 1),
      fmt(f.ok),
      fmt(f.non2xx),
      fmt(f.errors) + (f.timeouts ? ` (${f.timeouts} timeouts)` : ''),
      f.cpu === null ? '-' : `${fmt(f.cpu)}%`,
      f.codes || '-',
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  process.stdout.write(
    `\nflash sale, POST createOrder on one hot deal: ${opt.duration} s, ${opt.connections} connections, pool ${opt.pool}, ${users.length} users\n`,
  );
  for (const [i, r] of rows.entries()) {
    process.stdout.write(
      r
        .map((c, j) => (j === 0 || j === r.length - 1 ? c.padEnd(widths[j]) : pad(c, widths[j])))
        .join('  ')
        .trimEnd() + '\n',
    );
    if (i === 0) process.stdout.write(widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
  }
  const appRps = results.get('app')!.rps;
  const baseRps = results.get('baseline')!.rps;
  const ratio = baseRps > 0 ? appRps / baseRps : NaN;
  process.stdout.write('(server CPU: % of one core used by that server process during its measured run; 2xx latencies only)\n');
  process.stdout.write(`\nratio app/baseline (2xx req/s): ${ratio.toFixed(2)}×  (target ≥ 1.00×: ${ratio >= 1 ? 'met' : 'not met'})\n`);

  const checks = await withTimeout(checkDeals(db.url, targets, opt.stock), 30_000, 'consistency check');
  process.stdout.write('\n');
  for (const c of checks) {
    process.stdout.write(
      `${c.name} deal ${c.dealId}: stock ${fmt(c.stock)} + ordered ${fmt(c.qty)} = ${fmt(c.stock + c.qty)} (initial ${fmt(c.initial)}); ` +
        `orders ${fmt(c.orders)}, order_count ${fmt(c.orderCount)}, checkouts ${fmt(c.checkouts)}, 2xx answered ${fmt(c.answered2xx)} → ${c.ok ? 'ok' : 'MISMATCH'}\n`,
    );
  }
  const consistent = checks.every((c) => c.ok);
  process.stdout.write(`consistent: ${consistent ? 'yes' : 'no'}\n`);
  if (!consistent) process.exitCode = 1;
}

main()
  .catch((e) => {
    process.stderr.write(`\nbenchmark failed: ${e instanceof Error ? e.message : String(e)}\n`);
    for (const c of children) if (c.tail.length) process.stderr.write(`--- last lines of ${c.name}:\n${c.tail.slice(-15).join('\n')}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanup();
    process.exit();
  });
