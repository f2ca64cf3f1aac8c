/**
 * Child processes, their clean-up and what /proc says about them, for the benchmarks: every server
 * runs in its own process so the load generator never shares its event loop, and whatever ends the
 * run (the last line, an error, Ctrl-C, the watchdog) stops them and runs the registered teardowns.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');

export interface Child {
  name: string;
  proc: ChildProcess;
  tail: string[];
  /** start-up lines are shown; later ones are kept for the failure report only */
  echo: boolean;
  exited: Promise<number | null>;
  running: boolean;
}

const children: Child[] = [];
const teardowns: (() => Promise<void>)[] = [];

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, rej) => {
      timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

export function startChild(name: string, script: string, env: Record<string, string>, nodeArgs: string[] = []): Child {
  const proc = spawn(process.execPath, [...nodeArgs, script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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

/** Runs at clean-up after the children are stopped, last registered first (drop the database, remove temp dirs). */
export function onCleanup(fn: () => Promise<void>): void {
  teardowns.push(fn);
}

let cleaning: Promise<void> | undefined;
export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all(children.map(stopChild));
    for (const fn of teardowns.reverse()) {
      await withTimeout(fn(), 20_000, 'clean-up').catch((e) => process.stderr.write(`clean-up: ${e.message}\n`));
    }
  })();
  return cleaning;
}

/** Ctrl-C, SIGTERM and a hard exit all stop the children; the signals also run the teardowns. */
export function installExitHandlers(): void {
  process.on('exit', () => {
    for (const c of children) if (c.running) c.proc.kill('SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      process.stderr.write(`\n${sig}: stopping the servers and dropping the database…\n`);
      void cleanup().finally(() => process.exit(130));
    });
  }
}

export function startWatchdog(budgetMs: number): void {
  const watchdog = setTimeout(() => {
    process.stderr.write(`\nwatchdog: the benchmark took more than ${Math.round(budgetMs / 1000)} s; stopping\n`);
    void cleanup().finally(() => process.exit(1));
  }, budgetMs);
  watchdog.unref();
}

/** The last lines each child printed, for the report of a failed run. */
export function childTails(): string {
  return children
    .filter((c) => c.tail.length)
    .map((c) => `--- last lines of ${c.name}:\n${c.tail.slice(-15).join('\n')}\n`)
    .join('');
}

export function freePort(): Promise<number> {
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

/** Waits until GET `path` answers 200; then the child's output is no longer echoed. */
export async function waitReady(c: Child, base: string, path: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (!c.running) throw new Error(`${c.name} exited before answering ${path}:\n${c.tail.join('\n')}`);
    try {
      const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) {
        c.echo = false;
        return;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${c.name}: GET ${path} did not answer 200 within ${timeoutMs} ms:\n${c.tail.join('\n')}`);
    await sleep(200);
  }
}

// ---------------------------------------------------------------------------------------------
// /proc (Linux); null elsewhere

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

/** Resident set size now (VmRSS) and its high-water mark (VmHWM), in MiB. */
export function memory(pid: number | undefined): { rss: number; hwm: number } | null {
  if (!pid) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/**
 * Peak RSS over a stretch of time: VmHWM reset at the start (clear_refs 5, Linux ≥ 4.0) and read at the
 * end, with VmRSS sampled every 100 ms in case the reset is refused.
 */
export function watchPeak(pid: number | undefined): { stop(): number | null } {
  if (!pid) return { stop: () => null };
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // the sampled maximum below still holds
  }
  let max = memory(pid)?.rss ?? 0;
  const timer = setInterval(() => {
    max = Math.max(max, memory(pid)?.rss ?? 0);
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      const m = memory(pid);
      if (!m) return max || null;
      return Math.max(max, m.rss, Number.isFinite(m.hwm) ? m.hwm : 0);
    },
  };
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

/** `npm run build` when dist/main.js is missing or older than anything it is built from. */
export function buildIfStale(): void {
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
