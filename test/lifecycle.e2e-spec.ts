import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LifecycleService, RUNNING_MARKER } from '../src/health/lifecycle.service';
import { bootApp, TEST_JWT_SECRET, TestApp } from './support/app';

/** The real process (`src/main.ts`), as an engineer on call meets it: start failures, stop, restart after a crash. */
interface Run {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(env: Record<string, string>): Run {
  const proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      JWT_SECRET: TEST_JWT_SECRET,
      ADMIN_PASSWORD: 'admin-pass-123',
      JOBS_ENABLED: 'false',
      DATABASE_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { proc, stdout: () => out, stderr: () => err, exited };
}

async function until(what: string, check: () => boolean, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

const lines = (s: string) => s.split('\n').filter((l) => l.trim() !== '');

describe('Start and stop (the real process)', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'gb-life-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  describe('a database that cannot be used at start: one line naming host, database and cause, exit 1', () => {
    let silent: Server;
    const held: Socket[] = [];
    let silentPort: number;

    beforeAll(async () => {
      // accepts TCP and never says a word, like a half-dead proxy
      silent = createServer((s) => held.push(s));
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      silentPort = (silent.address() as AddressInfo).port;
    });
    afterAll(async () => {
      held.forEach((s) => s.destroy());
      await new Promise((r) => silent.close(r));
    });

    it('refused, missing or silent', async () => {
      const closed = await freePort();
      const started = Date.now();
      const [refused, missing, mute] = [
        run({ DATABASE_URL: `mysql://root@127.0.0.1:${closed}/gbdb`, DATA_DIR: dataDir() }),
        run({ DATABASE_URL: 'mysql://root@127.0.0.1:3306/gbt_no_such_database', DATA_DIR: dataDir() }),
        run({ DATABASE_URL: `mysql://root:secret-pass@127.0.0.1:${silentPort}/gbdb`, DATA_DIR: dataDir() }),
      ];
      const [a, b, c] = await Promise.all([refused.exited, missing.exited, mute.exited]);
      const elapsed = Date.now() - started;

      expect(a.code).toBe(1);
      expect(refused.stdout()).toBe('');
      expect(lines(refused.stderr())).toEqual([`groupbuy: failed to start: cannot reach MySQL at 127.0.0.1:${closed}/gbdb: ECONNREFUSED`]);

      expect(b.code).toBe(1);
      expect(missing.stdout()).toBe('');
      expect(lines(missing.stderr())).toEqual([
        "groupbuy: failed to start: cannot reach MySQL at 127.0.0.1:3306/gbt_no_such_database: ER_BAD_DB_ERROR (Unknown database 'gbt_no_such_database')",
      ]);

      expect(c.code).toBe(1);
      expect(mute.stdout()).toBe('');
      expect(lines(mute.stderr())).toEqual([
        `groupbuy: failed to start: cannot reach MySQL at 127.0.0.1:${silentPort}/gbdb: ETIMEDOUT (no answer within 10 s)`,
      ]);
      // one bounded connect attempt, not three
      expect(elapsed).toBeLessThan(60_000);
    }, 120_000);
  });

  it('SIGKILL leaves a marker the next start reports in one line; SIGTERM logs one line, drains and stops cleanly', async () => {
    const dir = dataDir();
    const port = await freePort();
    const env = { DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1' };

    const first = run(env);
    await until('the first start', () => first.stdout().includes('listening'));
    expect(existsSync(join(dir, RUNNING_MARKER))).toBe(true);
    expect(first.stderr()).toBe('');
    first.proc.kill('SIGKILL');
    await first.exited;
    expect(existsSync(join(dir, RUNNING_MARKER))).toBe(true);

    const second = run(env);
    await until('the second start', () => second.stdout().includes('listening'));
    expect(lines(second.stderr())).toEqual([
      expect.stringMatching(
        new RegExp(`^groupbuy: warning: the previous run \\(pid ${first.proc.pid}, started [0-9T:.-]+Z\\) did not stop cleanly`),
      ),
    ]);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);

    second.proc.kill('SIGTERM');
    const end = await second.exited;
    expect(end.code === 0 || end.signal === 'SIGTERM').toBe(true);
    expect(lines(second.stdout()).filter((l) => l.startsWith('groupbuy:'))).toEqual([
      'groupbuy: SIGTERM received: draining in-flight requests, then stopping',
    ]);
    expect(existsSync(join(dir, RUNNING_MARKER))).toBe(false);

    const third = run(env);
    await until('the third start', () => third.stdout().includes('listening'));
    expect(third.stderr()).toBe('');
    third.proc.kill('SIGTERM');
    await third.exited;
  }, 240_000);
});

describe('Draining (§2 envelope on 503)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootApp('draining', {}, { sqlite: true });
  });
  afterAll(() => t.close());

  it('answers new requests 503 in the envelope of their route family, never in Fastify’s own body', async () => {
    expect((await t.http.get('/api/group/groupbuying/list')).status).toBe(200);
    t.app.get(LifecycleService).drain();
    const store = await t.http.get('/api/group/groupbuying/list');
    expect(store.status).toBe(503);
    expect(store.body).toEqual({ status: 503, msg: expect.stringContaining('shutting down') });
    const admin = await t.http.get('/api/marketing/shop/getlist');
    expect(admin.status).toBe(503);
    expect(admin.body).toEqual({ status: 503, message: expect.stringContaining('shutting down') });
    const health = await t.http.get('/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 503 });
    expect(health.body.error).toBeUndefined();
    expect(health.headers.connection).toBe('close');
  });
});
