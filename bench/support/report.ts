/** The one table `npm run bench` prints (and saves as JSON): each figure as median [min–max] over the rounds. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LoadFigures } from './load';

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: number[]): Spread {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return { median: NaN, min: NaN, max: NaN };
  const mid = v.length >> 1;
  return { median: v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2, min: v[0], max: v[v.length - 1] };
}

export interface ScenarioRuns {
  id: string;
  title: string;
  baseline: string;
  /** one entry per round, measured run only */
  app: LoadFigures[];
  base: LoadFigures[];
  /** app/baseline ratio of the medians must reach this */
  minRatio: number;
  /** app p99 (median over rounds) must stay under this, ms */
  maxP99?: number;
}

export interface MemoryRuns {
  /** app RSS after set-up, before the first load, MiB */
  appIdle: number | null;
  appPeak: number[];
  appAfter: number[];
  basePeak: number[];
  /** the peak's ceiling, MiB */
  maxPeak: number;
}

export interface Row {
  scenario: string;
  app: Spread;
  appLatency: { p50: number; p99: number } | null;
  baseline: string;
  base: Spread | null;
  baseLatency: { p50: number; p99: number } | null;
  unit: 'req/s' | 'MiB';
  ratio: number;
  target: string;
  result: 'PASS' | 'BELOW' | 'info';
}

export function rows(scenarios: ScenarioRuns[], mem: MemoryRuns | null): Row[] {
  const out: Row[] = [];
  for (const s of scenarios) {
    const app = spread(s.app.map((f) => f.rps));
    const base = spread(s.base.map((f) => f.rps));
    const appLatency = { p50: spread(s.app.map((f) => f.p50)).median, p99: spread(s.app.map((f) => f.p99)).median };
    const ratio = app.median / base.median;
    const pass = ratio >= s.minRatio && (s.maxP99 === undefined || appLatency.p99 <= s.maxP99);
    out.push({
      scenario: s.title,
      app,
      appLatency,
      baseline: s.baseline,
      base,
      baseLatency: { p50: spread(s.base.map((f) => f.p50)).median, p99: spread(s.base.map((f) => f.p99)).median },
      unit: 'req/s',
      ratio,
      target: `≥ ${s.minRatio.toFixed(1)}×` + (s.maxP99 !== undefined ? `, p99 ≤ ${s.maxP99} ms` : ''),
      result: pass ? 'PASS' : 'BELOW',
    });
  }
  if (mem && mem.appPeak.length) {
    const peak = spread(mem.appPeak);
    const basePeak = spread(mem.basePeak);
    out.push({
      scenario: 'peak RSS during hot-deal',
      app: peak,
      appLatency: null,
      baseline: 'baseline-server (a) peak',
      base: basePeak,
      baseLatency: null,
      unit: 'MiB',
      ratio: peak.median / basePeak.median,
      target: `max ≤ ${mem.maxPeak} MiB`,
      result: peak.max <= mem.maxPeak ? 'PASS' : 'BELOW',
    });
    const after = spread(mem.appAfter);
    out.push({
      scenario: 'RSS 10 s after hot-deal',
      app: after,
      appLatency: null,
      baseline: 'app idle before round 1',
      base: mem.appIdle === null ? null : spread([mem.appIdle]),
      baseLatency: null,
      unit: 'MiB',
      ratio: mem.appIdle === null ? NaN : after.median / mem.appIdle,
      target: 'back near idle',
      result: 'info',
    });
  }
  return out;
}

const num = (n: number, d = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : '-';
const spreadText = (s: Spread | null, d = 0) => (s ? `${num(s.median, d)} [${num(s.min, d)}–${num(s.max, d)}]` : '-');
const latencyText = (l: { p50: number; p99: number } | null) => (l ? `${num(l.p50, 1)} / ${num(l.p99, 1)}` : '');

export function table(list: Row[]): string {
  const cells: string[][] = [
    [
      'scenario',
      'app median [min–max]',
      'app p50 / p99 ms',
      'baseline',
      'baseline median [min–max]',
      'base p50 / p99 ms',
      'ratio',
      'target',
      'result',
    ],
  ];
  for (const r of list) {
    cells.push([
      r.scenario,
      `${spreadText(r.app)} ${r.unit}`,
      latencyText(r.appLatency),
      r.baseline,
      r.base ? `${spreadText(r.base)} ${r.unit}` : '-',
      latencyText(r.baseLatency),
      Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}×` : '-',
      r.target,
      r.result,
    ]);
  }
  const widths = cells[0].map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  const right = new Set([1, 2, 4, 5, 6]);
  const line = (c: string[]) =>
    c
      .map((v, i) => (right.has(i) ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n') + '\n';
}

export function writeJson(path: string, payload: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(payload, null, 2) + '\n');
}
