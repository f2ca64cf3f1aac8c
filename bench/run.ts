/**
 * The flash sale (秒杀), every scenario against a bare baseline, in one run:
 *
 *   npm run bench                                              # 3 rounds, 2 s warm-up + 10 s measured per run, 50 connections
 *   npm run bench -- --rounds 5 --duration 20 --connections 100
 *   npm run bench -- --only detail,order-list                   # some scenarios (hot-deal, sold-out, detail, order-list)
 *   npm run bench -- --only hot-deal --cpu-prof /tmp/prof       # the app runs with node --cpu-prof, profile written there at exit
 *   npm run bench -- --only hot-deal --node-flags="--max-semi-space-size=4" --app-env="MALLOC_ARENA_MAX=1"
 *
 * The app gets the node flags and the environment of `npm run start:prod` (`[NAME=value …] node [flags] dist/main.js`,
 * as in the Dockerfile) unless --node-flags or --app-env say otherwise: --app-env takes space-separated NAME=value
 * pairs, `--node-flags=` and `--app-env=` run the app with none (flags that start with a dash need the `=` form).
 *
 * What it does:
 *  1. creates a fresh MariaDB database (test/support/db.ts, `MYSQL_TEST_URL`, default mysql://root@127.0.0.1:3306/test),
 *     builds dist/ when it is missing or older than src/, and starts four processes: the app (`node dist/main.js`,
 *     NODE_ENV=test for dev login and sandbox payments, jobs off, LOG_LEVEL=warn, every rate limit out of reach,
 *     pool --pool), and the baselines (a) bench/baseline-server.js, the app's order transaction on bare Fastify + mysql2;
 *     (b) bench/baseline-reads.js, JWT check + one SELECT for deal detail and order list; (c) bench/nest-ping.js,
 *     Nest on Fastify with one GET /ping;
 *  2. through the app's API: admin login, a shop, five deals (hot deal and its baseline twin with --stock units, a
 *     sold-out deal with stock 0, a deal for detail views, one for the order-list orders), --users storefront logins,
 *     and 5 orders for each of --list-users of them (kept out of the hot-deal load, so they hold exactly 5);
 *  3. rounds of interleaved runs, app then its baseline per scenario, each a warm-up then a measured run
 *     (bench/support/load.ts: autocannon, tokens rotating per request, every measured request answered):
 *       hot-deal   POST /api/group/order/createOrder on the hot deal            vs (a) POST /order     2xx
 *       sold-out   POST /api/group/order/createOrder on the stock-0 deal        vs (c) GET /ping       409/1002 | 2xx
 *       detail     GET /api/group/groupbuying/detail/{id} with a user token     vs (b) GET /detail/:id 2xx
 *       order-list POST /api/group/order/order_list {} (users with 5 orders)    vs (b) POST /orders    2xx
 *     and the app's RSS: peak during its hot-deal runs, and 10 s after them, against (a)'s peak;
 *  4. after every round, checks the database and the answers (bench/support/checks.ts);
 *  5. prints one table (median [min–max] over rounds, ratio of medians, target, PASS/BELOW) and writes it with
 *     every run's figures to bench/results/<time>.json. A failed check sets exit code 1; a figure below its
 *     target does not (it is a measurement, not a fault);
 *  6. stops every child and drops the database on exit, error, Ctrl-C and the watchdog.
 *
 * The app, the baselines, MariaDB and the load generator share the machine's cores: figures are indicative,
 * and comparable only between runs on the same machine under the same other load.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { Connection, createConnection } from 'mysql2/promise';
import { createTestDatabase } from '../test/support/db';
import { Check, checkAnswers, checkListUsers, checkOrderedDeal, checkSoldOut, checkVisits } from './support/checks';
import { HttpRequest, load, LoadFigures } from './support/load';
import * as proc from './support/processes';
import { MemoryRuns, rows, ScenarioRuns, table, writeJson } from './support/report';
import { is2xx, probe, SCENARIOS, scenarios, Server } from './support/scenarios';
import { ORDERS_PER_LIST_USER, seed, Seed } from './support/seed';

const ADMIN_USERNAME = 'admin';
const ADMIN_PASSWORD = 'bench-pass-123';
const MAX_PEAK_MIB = 200;
const RSS_AFTER_S = 10;

type Options = ReturnType<typeof options>;

/** The environment (`NAME=value` before `node`) and node flags (between `node` and `dist/main.js`) of `npm run start:prod`. */
function startProd(): { env: string; flags: string } {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const m = /^((?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*)node\s+(.*?)\s*dist\/main\.js$/.exec(pkg.scripts['start:prod'].trim());
  return m ? { env: m[1].trim(), flags: m[2] } : { env: '', flags: '' };
}

/** `NAME=value NAME2=value2` → { NAME: 'value', NAME2: 'value2' } */
function envPairs(s: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of s.split(/\s+/).filter(Boolean)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(pair);
    if (!m) throw new Error(`--app-env takes space-separated NAME=value pairs (got ${pair})`);
    env[m[1]] = m[2];
  }
  return env;
}

function options(argv: string[], command: string) {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '50' },
      rounds: { type: 'string', default: '3' },
      users: { type: 'string', default: '2000' },
      'list-users': { type: 'string', default: '200' },
      pool: { type: 'string', default: '10' },
      stock: { type: 'string', default: '100000000' },
      only: { type: 'string', default: SCENARIOS.join(',') },
      'node-flags': { type: 'string' },
      'app-env': { type: 'string' },
      'cpu-prof': { type: 'string', default: '' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      `usage: ${command} -- [--rounds 3] [--duration 10] [--warmup 2] [--connections 50] [--users 2000] [--list-users 200]\n` +
        `       [--pool 10] [--stock 100000000] [--only ${SCENARIOS.join(',')}] [--node-flags "<node flags of the app>"]\n` +
        `       [--app-env "NAME=value …"] [--cpu-prof DIR]\n`,
    );
    process.exit(0);
  }
  const int = (name: string, v: string | undefined, min: number, max: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer in ${min}..${max} (got ${v})`);
    return n;
  };
  const only = String(values.only)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length || !only.length) throw new Error(`--only takes a comma list of ${SCENARIOS.join(', ')} (got ${values.only})`);
  return {
    duration: int('duration', values.duration, 1, 3600),
    warmup: int('warmup', values.warmup, 0, 600),
    connections: int('connections', values.connections, 1, 10_000),
    rounds: int('rounds', values.rounds, 1, 100),
    users: int('users', values.users, 2, 100_000),
    listUsers: int('list-users', values['list-users'], 1, 100_000),
    pool: int('pool', values.pool, 1, 1000),
    stock: int('stock', values.stock, 1, 1_000_000_000),
    only: SCENARIOS.filter((s) => only.includes(s)),
    // the app runs with the node flags and environment of `npm run start:prod` (and the Dockerfile) unless told otherwise
    nodeFlags: (values['node-flags'] ?? startProd().flags).split(/\s+/).filter(Boolean),
    appEnv: envPairs(values['app-env'] ?? startProd().env),
    cpuProf: String(values['cpu-prof']),
  };
}

const say = (line: string) => process.stdout.write(line + '\n');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function merge(a: LoadFigures | undefined, b: LoadFigures) {
  const unexpected: Record<string, number> = { ...b.unexpected };
  for (const [k, v] of Object.entries(a?.unexpected ?? {})) unexpected[k] = (unexpected[k] ?? 0) + v;
  return { unexpected, errors: b.errors + (a?.errors ?? 0), unanswered: b.unanswered + (a?.unanswered ?? 0) };
}

function gitCommit(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: proc.ROOT, encoding: 'utf8' }).stdout?.trim() || 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: proc.ROOT, encoding: 'utf8' }).stdout?.trim();
  return dirty ? `${head} (src modified)` : head;
}

export async function runBench(argv: string[], command = 'npm run bench'): Promise<void> {
  const started = Date.now();
  const opt: Options = options(argv, command);
  const perRun = opt.warmup + opt.duration + 10;
  const budgetMs = (600 + opt.rounds * (opt.only.length * 2 * perRun + RSS_AFTER_S + 15)) * 1000;
  proc.installExitHandlers();
  proc.startWatchdog(budgetMs);

  const load1 = loadavg()[0];
  const appEnv = Object.entries(opt.appEnv)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  say(
    `flash-sale benchmark: ${opt.only.join(', ')}; ${plural(opt.rounds, 'round')} of ${opt.warmup} s warm-up + ${opt.duration} s measured per run, ` +
      `${opt.connections} connections, ${opt.users} users, pool ${opt.pool}, app node flags "${opt.nodeFlags.join(' ')}"` +
      `${appEnv ? `, app env "${appEnv}"` : ''}; ${cpus().length} cores, load average ${load1.toFixed(2)}`,
  );
  if (load1 > 0.7) say('note: other work is running on this machine; the figures will be noisy');
  proc.buildIfStale();

  const db = await proc.withTimeout(createTestDatabase('bench'), 20_000, 'creating the database');
  proc.onCleanup(() => db.drop());
  say(`database ${db.name}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'gb-bench-'));
  proc.onCleanup(async () => rmSync(dataDir, { recursive: true, force: true }));
  const jwtSecret = randomBytes(24).toString('hex');

  const start = async (
    name: string,
    script: string,
    env: Record<string, string>,
    ready: string,
    drain: HttpRequest,
    nodeArgs: string[] = [],
  ): Promise<Server> => {
    const port = await proc.freePort();
    const base = `http://127.0.0.1:${port}`;
    // the app's CPU profile (node --cpu-prof), written when it stops at the end of the run
    if (name === 'app' && opt.cpuProf) nodeArgs = [...nodeArgs, '--cpu-prof', `--cpu-prof-dir=${opt.cpuProf}`];
    const child = proc.startChild(name, script, { PORT: String(port), HOST: '127.0.0.1', ...env }, nodeArgs);
    return { name, child, base, ready, drain };
  };
  const health: HttpRequest = { method: 'GET', path: '/health' };
  const servers = await Promise.all([
    start(
      'app',
      'dist/main.js',
      {
        DATABASE_URL: db.url,
        // production refuses sandbox payments and dev login, which the benchmark needs
        NODE_ENV: 'test',
        JWT_SECRET: jwtSecret,
        PAYMENT_PROVIDER: 'sandbox',
        AUTH_DEV_LOGIN: 'true',
        JOBS_ENABLED: 'false',
        LOG_LEVEL: 'warn',
        LOGIN_RATE_LIMIT_PER_MINUTE: '1000000',
        ORDER_RATE_LIMIT_PER_MINUTE: '1000000',
        MAX_UNPAID_CHECKOUTS: '1000000',
        ADMIN_USERNAME,
        ADMIN_PASSWORD,
        DB_POOL_SIZE: String(opt.pool),
        DATA_DIR: dataDir,
        ...opt.appEnv,
      },
      '/health',
      health,
      opt.nodeFlags,
    ),
    start('baseline-order', 'bench/baseline-server.js', { DATABASE_URL: db.url, DB_POOL_SIZE: String(opt.pool) }, '/health', health),
    start(
      'baseline-reads',
      'bench/baseline-reads.js',
      { DATABASE_URL: db.url, DB_POOL_SIZE: String(opt.pool), JWT_SECRET: jwtSecret },
      '/health',
      health,
    ),
    start('nest-ping', 'bench/nest-ping.js', {}, '/ping', { method: 'GET', path: '/ping' }),
  ]);
  // the app runs the migrations first; the baselines read its tables only once load starts
  for (const s of servers) await proc.waitReady(s.child, s.base, s.ready, 90_000);
  const [app, order, reads, ping] = servers;

  const conn: Connection = await createConnection({ uri: db.url });
  proc.onCleanup(() => conn.end());

  const t0 = Date.now();
  const data = await seed(
    app.base,
    {
      adminUsername: ADMIN_USERNAME,
      adminPassword: ADMIN_PASSWORD,
      users: opt.users,
      listUsers: opt.listUsers,
      hotStock: opt.stock,
      withListOrders: opt.only.includes('order-list'),
    },
    (line) => say(`set-up: ${line}`),
  );
  say(
    `set-up done in ${((Date.now() - t0) / 1000).toFixed(1)} s: deals hot ${data.hotDeal}, hot baseline ${data.baselineHotDeal}, ` +
      `sold out ${data.soldOutDeal}, detail ${data.detailDeal}, order list ${data.listDeal}`,
  );

  const list = scenarios(data, app, order, reads, ping).filter((s) => opt.only.includes(s.id));
  // 2xx answers so far per scenario and side: what the database counts must equal
  const answered = new Map<string, number>();
  await probe(list, answered);

  const appIdle = proc.memory(app.child.proc.pid)?.rss ?? null;
  const mem: MemoryRuns = { appIdle, appPeak: [], appAfter: [], basePeak: [], maxPeak: MAX_PEAK_MIB };
  const results: ScenarioRuns[] = list.map((s) => ({
    id: s.id,
    title: s.title,
    baseline: s.baseline,
    app: [],
    base: [],
    minRatio: s.minRatio,
    maxP99: s.maxP99,
  }));
  const runs: unknown[] = [];
  const checks: Check[] = [];
  let rssAfter: Promise<void> | undefined;

  for (let round = 1; round <= opt.rounds; round++) {
    say(`\nround ${round}/${opt.rounds}`);
    for (const [k, sc] of list.entries()) {
      for (const [label, side] of [
        ['app', sc.app],
        ['baseline', sc.base],
      ] as const) {
        // the app is measured idle 10 s after its hot-deal load: nothing else loads it before that
        if (label === 'app' && rssAfter) await rssAfter;
        const pid = side.server.child.proc.pid;
        const peak = sc.id === 'hot-deal' ? proc.watchPeak(pid) : undefined;
        const spec = {
          url: side.server.base,
          connections: opt.connections,
          request: side.request,
          drain: side.server.drain,
          expected: side.expected,
        };
        const warm = opt.warmup > 0 ? await load({ ...spec, seconds: opt.warmup }) : undefined;
        const cpu0 = proc.cpuSeconds(pid);
        const f = await load({ ...spec, seconds: opt.duration });
        const cpu1 = proc.cpuSeconds(pid);
        const cpu = cpu0 !== null && cpu1 !== null ? (100 * (cpu1 - cpu0)) / opt.duration : null;
        const key = `${sc.id}:${label}`;
        answered.set(key, (answered.get(key) ?? 0) + (warm ? sum2xx(warm) : 0) + sum2xx(f));
        (label === 'app' ? results[k].app : results[k].base).push(f);
        const peakMiB = peak?.stop() ?? null;
        if (peakMiB !== null) (label === 'app' ? mem.appPeak : mem.basePeak).push(peakMiB);
        if (sc.id === 'hot-deal' && label === 'app') {
          rssAfter = proc.sleep(RSS_AFTER_S * 1000).then(() => {
            const m = proc.memory(pid);
            if (m) mem.appAfter.push(m.rss);
            rssAfter = undefined;
          });
        }
        runs.push({
          round,
          scenario: sc.id,
          side: label,
          server: side.server.name,
          warmup: warm,
          measured: f,
          cpuPercent: cpu,
          peakRssMiB: peakMiB,
        });
        checks.push(checkAnswers(round, `${sc.id} ${label} answers`, merge(warm, f)));
        say(runLine(sc.id, label, f, cpu, peakMiB));
      }
    }
    if (rssAfter) await rssAfter;
    checks.push(...(await roundChecks(conn, round, opt, data, answered)));
    for (const c of checks.filter((c) => c.round === round && !c.name.endsWith(' answers'))) {
      say(`  check ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
    }
    for (const c of checks.filter((c) => c.round === round && c.name.endsWith(' answers') && !c.ok))
      say(`  check FAIL ${c.name}: ${c.detail}`);
  }

  const tableRows = rows(results, opt.only.includes('hot-deal') ? mem : null);
  const failed = checks.filter((c) => !c.ok);
  say(
    `\nflash sale: ${plural(opt.rounds, 'round')} × ${opt.duration} s per run, ${opt.connections} connections, ${opt.users} users, pool ${opt.pool} ` +
      `(req/s: expected answers per second; latencies of those answers; figures indicative: everything shares ${cpus().length} cores)\n`,
  );
  process.stdout.write(table(tableRows));
  say(
    `\nchecks: ${checks.length - failed.length}/${checks.length} passed${failed.length ? ` — FAILED: ${failed.map((c) => `round ${c.round} ${c.name}`).join(', ')}` : ''}`,
  );

  const file = join(proc.ROOT, 'bench', 'results', `${new Date(started).toISOString().replace(/[:.]/g, '-')}.json`);
  const wallSeconds = Math.round((Date.now() - started) / 1000);
  writeJson(file, {
    startedAt: new Date(started).toISOString(),
    wallSeconds,
    command: [command, ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    options: opt,
    commit: gitCommit(),
    machine: { cores: cpus().length, loadAverageBefore: load1, loadAverageAfter: loadavg()[0], node: process.version },
    rows: tableRows,
    memory: mem,
    runs,
    checks,
    ok: failed.length === 0,
  });
  say(`results: ${relative(process.cwd(), file)}; wall time ${wallSeconds} s`);
  if (failed.length) process.exitCode = 1;
}

const sum2xx = (f: LoadFigures) => Object.entries(f.statuses).reduce((n, [code, c]) => n + (is2xx(Number(code)) ? c : 0), 0);

function runLine(id: string, label: string, f: LoadFigures, cpu: number | null, peak: number | null): string {
  const odd = Object.entries(f.unexpected).map(([code, n]) => `${code}×${n}`);
  return (
    `  ${id.padEnd(10)} ${label.padEnd(8)} ${f.rps.toFixed(1).padStart(9)} req/s  p50 ${f.p50.toFixed(1)} p99 ${f.p99.toFixed(1)} ms` +
    (cpu === null ? '' : `  CPU ${cpu.toFixed(0)}%`) +
    (peak === null ? '' : `  peak RSS ${peak.toFixed(0)} MiB`) +
    (odd.length ? `  unexpected ${odd.join(' ')}` : '') +
    (f.errors ? `  errors ${f.errors}` : '') +
    (f.unanswered ? `  unanswered ${f.unanswered}` : '')
  );
}

async function roundChecks(conn: Connection, round: number, opt: Options, s: Seed, answered: Map<string, number>): Promise<Check[]> {
  const out: Check[] = [];
  const n = (key: string) => answered.get(key) ?? 0;
  if (opt.only.includes('hot-deal')) {
    out.push(await checkOrderedDeal(conn, round, 'hot deal (app)', s.hotDeal, opt.stock, n('hot-deal:app')));
    out.push(await checkOrderedDeal(conn, round, 'hot deal (baseline a)', s.baselineHotDeal, opt.stock, n('hot-deal:baseline')));
  }
  if (opt.only.includes('sold-out')) out.push(await checkSoldOut(conn, round, s.soldOutDeal));
  if (opt.only.includes('detail')) out.push(await checkVisits(conn, round, s.detailDeal, n('detail:app')));
  if (opt.only.includes('order-list'))
    out.push(
      await checkListUsers(
        conn,
        round,
        s.listUsers.map((u) => u.id),
        ORDERS_PER_LIST_USER,
      ),
    );
  return out;
}

if (require.main === module) {
  runBench(process.argv.slice(2))
    .catch((e) => {
      process.stderr.write(`\nbenchmark failed: ${e instanceof Error ? e.message : String(e)}\n${proc.childTails()}`);
      process.exitCode = 1;
    })
    .finally(async () => {
      await proc.cleanup();
      process.exit();
    });
}
