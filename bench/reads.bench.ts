/**
 * Storefront read benchmark: deal detail, order list and createOrder on a sold-out deal, under load.
 *
 *   npx ts-node bench/reads.bench.ts                                 # 3 s warm-up + 10 s measured per scenario
 *   npx ts-node bench/reads.bench.ts -- --duration 15 --users 2000 --connections 50
 *   npx ts-node bench/reads.bench.ts -- --app /elsewhere/dist/main.js     # another build, e.g. before a change
 *
 * What it does:
 *  1. creates a fresh MariaDB database (`MYSQL_TEST_URL`), builds dist/ when older than src/, starts
 *     the real app (`node dist/main.js`, NODE_ENV=test for dev login and sandbox payments, pool 10) and
 *     bench/reads-baseline-server.js (bare Fastify + mysql2 with the same HS256 check) as child processes;
 *  2. through the app's API: a shop, a deal on sale, a deal with no stock, `--users` storefront users
 *     (default 2,000) with five orders each;
 *  3. with autocannon, tokens rotating over the users, for each scenario a warm-up then the measured run:
 *     GET detail/{id} on the app and on the bare server; POST order_list on both; createOrder on the
 *     sold-out deal on the app (its 409/1002 answers are what is counted there);
 *  4. prints answers/s, p50/p99, the app/bare ratio, and the app's resident memory (peak and after).
 *
 * Figures depend on the machine and on whatever else runs on it; compare runs made side by side.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createTestDatabase, TestDatabase } from '../test/support/db';

interface AcRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AcRequest) => AcRequest;
}
interface AcResult {
  duration: number;
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => PromiseLike<AcResult>;

const ROOT = resolve(__dirname, '..');
const ADMIN_PASSWORD = 'bench-pass-123';

function options() {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '50' },
      users: { type: 'string', default: '2000' },
      pool: { type: 'string', default: '10' },
      app: { type: 'string' },
    },
    strict: true,
  });
  const int = (v: string | undefined) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`not a positive integer: ${v}`);
    return n;
  };
  return {
    duration: int(values.duration),
    warmup: Number(values.warmup),
    connections: int(values.connections),
    users: int(values.users),
    pool: int(values.pool),
    app: values.app ? resolve(values.app) : undefined,
  };
}

interface Child {
  name: string;
  proc: ChildProcess;
  tail: string[];
  running: boolean;
  exited: Promise<void>;
}
const children: Child[] = [];
let db: TestDatabase | undefined;
let dataDir: string | undefined;

function startChild(name: string, script: string, env: Record<string, string>): Child {
  const proc = spawn(process.execPath, [script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const child: Child = { name, proc, tail: [], running: true, exited: Promise.resolve() };
  child.exited = new Promise((res) => proc.once('exit', () => ((child.running = false), res())));
  const keep = (buf: Buffer) => {
    child.tail.push(...buf.toString('utf8').split('\n').filter(Boolean));
    child.tail.splice(0, Math.max(0, child.tail.length - 30));
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  children.push(child);
  return child;
}

async function cleanup(): Promise<void> {
  await Promise.all(
    children.map(async (c) => {
      if (!c.running) return;
      c.proc.kill('SIGTERM');
      const t = setTimeout(() => c.running && c.proc.kill('SIGKILL'), 5000);
      await c.exited;
      clearTimeout(t);
    }),
  );
  if (db) await db.drop().catch((e: Error) => process.stderr.write(`could not drop ${db?.name}: ${e.message}\n`));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function waitHealthy(c: Child, base: string): Promise<void> {
  const until = Date.now() + 90_000;
  for (;;) {
    if (!c.running) throw new Error(`${c.name} exited:\n${c.tail.join('\n')}`);
    const ok = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    if (Date.now() > until) throw new Error(`${c.name} never answered /health:\n${c.tail.join('\n')}`);
    await sleep(200);
  }
}

function newest(path: string): number {
  const st = statSync(path);
  return st.isDirectory() ? Math.max(st.mtimeMs, ...readdirSync(path).map((e) => newest(join(path, e)))) : st.mtimeMs;
}

function buildIfStale(): void {
  const main = join(ROOT, 'dist', 'main.js');
  if (existsSync(main) && statSync(main).mtimeMs >= newest(join(ROOT, 'src'))) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit', timeout: 300_000 });
  if (r.status !== 0) throw new Error('npm run build failed');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const parsed = (await res.json()) as { status?: number };
  if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${JSON.stringify(parsed).slice(0, 300)}`);
  return parsed;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

const shanghai = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');

/** Resident memory of a process in MiB from /proc: now and the peak since it started. */
function memory(pid: number | undefined): { rss: number; peak: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? NaN) / 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return null;
  }
}

interface Row {
  scenario: string;
  server: string;
  rps: number;
  p50: number;
  p99: number;
  codes: string;
}

async function hammer(url: string, req: AcRequest, seconds: number, connections: number, counted: (code: string) => boolean) {
  const r = await autocannon({ url, connections, duration: seconds, pipelining: 1, timeout: 10, requests: [req] });
  const n = Object.entries(r.statusCodeStats)
    .filter(([c]) => counted(c))
    .reduce((a, [, s]) => a + s.count, 0);
  const codes = Object.entries(r.statusCodeStats)
    .map(([c, s]) => `${c}×${s.count}`)
    .join(' ');
  return { rps: n / r.duration, p50: r.latency.p50, p99: r.latency.p99, codes: codes + (r.errors ? ` errors×${r.errors}` : '') };
}

async function main(): Promise<void> {
  const opt = options();
  process.stdout.write(
    `reads benchmark: ${opt.warmup} s warm-up + ${opt.duration} s per run, ${opt.connections} connections, ${opt.users} users\n`,
  );
  process.stdout.write(`load average before: ${loadavg()[0].toFixed(2)} (other work on the machine makes the figures noisy)\n`);
  if (!opt.app) buildIfStale();
  db = await createTestDatabase('bench_reads');
  dataDir = mkdtempSync(join(tmpdir(), 'gb-bench-reads-'));
  const secret = randomBytes(24).toString('hex');
  const appPort = await freePort();
  const appBase = `http://127.0.0.1:${appPort}`;
  const app = startChild('app', opt.app ?? 'dist/main.js', {
    DATABASE_URL: db.url,
    PORT: String(appPort),
    HOST: '127.0.0.1',
    NODE_ENV: 'test',
    JWT_SECRET: secret,
    PAYMENT_PROVIDER: 'sandbox',
    AUTH_DEV_LOGIN: 'true',
    JOBS_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000000',
    ORDER_RATE_LIMIT_PER_MINUTE: '1000000',
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD,
    DB_POOL_SIZE: String(opt.pool),
    DATA_DIR: dataDir,
  });
  await waitHealthy(app, appBase);
  const barePort = await freePort();
  const bareBase = `http://127.0.0.1:${barePort}`;
  const bare = startChild('bare', 'bench/reads-baseline-server.js', {
    DATABASE_URL: db.url,
    JWT_SECRET: secret,
    PORT: String(barePort),
    DB_POOL_SIZE: String(opt.pool),
  });
  await waitHealthy(bare, bareBase);

  const admin = (await post(appBase, '/api/marketing/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).data.token as string;
  const auth = { Authorization: `Bearer ${admin}` };
  const shopId = Number((await post(appBase, '/api/marketing/shop/create', { name: '读门店 bench', address: '广州' }, auth)).data);
  const deal = async (name: string, stock: number) =>
    Number(
      (
        await post(
          appBase,
          '/api/marketing/groupbuying/create',
          {
            shopId,
            name,
            productName: name,
            price: 9.9,
            stock,
            deliverType: 1,
            startTime: shanghai(new Date(Date.now() - 86_400_000)),
            endTime: shanghai(new Date(Date.now() + 30 * 86_400_000)),
          },
          auth,
        )
      ).data,
    );
  const hot = await deal('热卖', 10_000_000);
  const gone = await deal('已售罄', 0);
  const tokens = await mapLimit(
    Array.from({ length: opt.users }, (_, i) => `bench-reader-${i}`),
    16,
    async (openId) => (await post(appBase, '/api/group/auth/login', { openId })).data.token as string,
  );
  await mapLimit(
    tokens.flatMap((tk) => Array.from({ length: 5 }, () => tk)),
    16,
    (tk) =>
      post(appBase, '/api/group/order/createOrder', { goods: [{ product_id: hot, quantity: 1 }] }, { 'Authori-Zation': `Bearer ${tk}` }),
  );
  process.stdout.write(`set up: deals ${hot} (on sale) and ${gone} (sold out), ${tokens.length} users with 5 orders each\n`);

  let turn = 0;
  const rotating = (req: AcRequest): AcRequest => ({
    ...req,
    setupRequest: (r) => ({ ...r, headers: { ...r.headers, 'Authori-Zation': `Bearer ${tokens[turn++ % tokens.length]}` } }),
  });
  const json = { 'content-type': 'application/json' };
  const ok = (c: string) => c.startsWith('2');
  const runs: Array<{ scenario: string; server: string; url: string; req: AcRequest; counted: (c: string) => boolean }> = [
    {
      scenario: 'detail',
      server: 'app',
      url: appBase,
      req: rotating({ method: 'GET', path: `/api/group/groupbuying/detail/${hot}` }),
      counted: ok,
    },
    { scenario: 'detail', server: 'bare', url: bareBase, req: rotating({ method: 'GET', path: `/detail/${hot}` }), counted: ok },
    {
      scenario: 'order_list',
      server: 'app',
      url: appBase,
      req: rotating({ method: 'POST', path: '/api/group/order/order_list', headers: json, body: '{}' }),
      counted: ok,
    },
    {
      scenario: 'order_list',
      server: 'bare',
      url: bareBase,
      req: rotating({ method: 'POST', path: '/order_list', headers: json, body: '{}' }),
      counted: ok,
    },
    {
      scenario: 'sold-out createOrder (409s)',
      server: 'app',
      url: appBase,
      req: rotating({
        method: 'POST',
        path: '/api/group/order/createOrder',
        headers: json,
        body: JSON.stringify({ goods: [{ product_id: gone, quantity: 1 }] }),
      }),
      counted: (c) => c === '409',
    },
  ];
  const rows: Row[] = [];
  for (const r of runs) {
    if (opt.warmup > 0) await hammer(r.url, r.req, opt.warmup, opt.connections, r.counted);
    const f = await hammer(r.url, r.req, opt.duration, opt.connections, r.counted);
    rows.push({ scenario: r.scenario, server: r.server, ...f });
    process.stdout.write(`${r.scenario} ${r.server}: ${f.rps.toFixed(0)}/s p50 ${f.p50} ms p99 ${f.p99} ms [${f.codes}]\n`);
  }
  const mem = memory(app.proc.pid);
  await sleep(5000);
  const idle = memory(app.proc.pid);

  process.stdout.write('\nscenario                      server      /s    p50 ms  p99 ms  app/bare\n');
  for (const r of rows) {
    const b = rows.find((x) => x.scenario === r.scenario && x.server === 'bare');
    const ratio = r.server === 'app' && b ? `${(r.rps / b.rps).toFixed(2)}×` : '';
    process.stdout.write(
      `${r.scenario.padEnd(30)}${r.server.padEnd(6)}${r.rps.toFixed(0).padStart(8)}${String(r.p50).padStart(9)}${String(r.p99).padStart(8)}  ${ratio}\n`,
    );
  }
  if (mem && idle) {
    process.stdout.write(
      `\napp memory: peak RSS ${mem.peak.toFixed(0)} MiB, RSS after the load ${mem.rss.toFixed(0)} MiB, 5 s later ${idle.rss.toFixed(0)} MiB\n`,
    );
  }
  process.stdout.write(`load average after: ${loadavg()[0].toFixed(2)}\n`);
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void cleanup().finally(() => process.exit(130)));
main()
  .catch((e: Error) => {
    process.stderr.write(`\nbenchmark failed: ${e.message}\n`);
    for (const c of children) process.stderr.write(`--- ${c.name}:\n${c.tail.slice(-10).join('\n')}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanup();
    process.exit();
  });
