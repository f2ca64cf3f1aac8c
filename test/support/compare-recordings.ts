/**
 * Compares two RECORD_HTTP files (see http-recorder.ts) made before and after a change:
 *
 *   npx ts-node test/support/compare-recordings.ts /tmp/rec-before.jsonl /tmp/rec-after.jsonl
 *
 * Answers are grouped by (suite, test, method, path) and compared as multisets, since concurrent
 * requests of one test land in any order. Prints the groups that differ; exits 1 when any does.
 */
import { readFileSync } from 'node:fs';
import type { Recording } from './http-recorder';

type Answer = Pick<Recording, 'status' | 'bodyStatus' | 'shape'>;
type Groups = Map<string, Map<string, number>>;

function load(file: string): Groups {
  const groups: Groups = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as Recording;
    const key = JSON.stringify([r.suite, r.test, r.method, r.path]);
    const answer = JSON.stringify({ status: r.status, bodyStatus: r.bodyStatus, shape: r.shape } satisfies Answer);
    const answers = groups.get(key) ?? new Map<string, number>();
    answers.set(answer, (answers.get(answer) ?? 0) + 1);
    groups.set(key, answers);
  }
  return groups;
}

/** Where two shapes part: one line a difference, named by its path in the body. */
export function shapeDiff(a: unknown, b: unknown, at = 'body'): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (Array.isArray(a) && Array.isArray(b)) {
    if (!a.length || !b.length) return [`${at}: ${a.length ? 'items' : 'empty'} → ${b.length ? 'items' : 'empty'}`];
    return shapeDiff(a[0], b[0], `${at}[]`);
  }
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    const out: string[] = [];
    for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
      if (!(k in y)) out.push(`${at}.${k}: removed`);
      else if (!(k in x)) out.push(`${at}.${k}: added (${brief(y[k])})`);
      else out.push(...shapeDiff(x[k], y[k], `${at}.${k}`));
    }
    return out;
  }
  return [`${at}: ${brief(a)} → ${brief(b)}`];
}

function brief(v: unknown): string {
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function label(a: string): string {
  const { status, bodyStatus } = JSON.parse(a) as Answer;
  return `HTTP ${status ?? '-'}${bodyStatus !== null ? ` status ${JSON.stringify(bodyStatus)}` : ''}`;
}

/** The lines describing how the answers of one group changed (empty when they did not). */
export function groupDiff(before: Map<string, number>, after: Map<string, number>): string[] {
  const gone: string[] = [];
  const come: string[] = [];
  for (const a of new Set([...before.keys(), ...after.keys()])) {
    const n = (after.get(a) ?? 0) - (before.get(a) ?? 0);
    for (let i = 0; i < Math.abs(n); i++) (n < 0 ? gone : come).push(a);
  }
  const lines: string[] = [];
  // pair a vanished answer with a new one to show what changed in it, nearest status first
  while (gone.length && come.length) {
    const a = gone.shift()!;
    const sa = JSON.parse(a) as Answer;
    let j = come.findIndex((c) => (JSON.parse(c) as Answer).status === sa.status);
    if (j < 0) j = 0;
    const b = come.splice(j, 1)[0];
    const sb = JSON.parse(b) as Answer;
    lines.push(`  ~ ${label(a)}${label(a) === label(b) ? ', shape changed' : ` → ${label(b)}`}`);
    for (const d of shapeDiff(sa.shape, sb.shape)) lines.push(`      ${d}`);
  }
  for (const a of gone) lines.push(`  - ${label(a)} (no longer answered)`);
  for (const b of come) lines.push(`  + ${label(b)} (new)`);
  return lines;
}

function main(argv: string[]): number {
  const [beforeFile, afterFile] = argv;
  if (!beforeFile || !afterFile) {
    console.error('usage: ts-node test/support/compare-recordings.ts <before.jsonl> <after.jsonl>');
    return 2;
  }
  const before = load(beforeFile);
  const after = load(afterFile);
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  let differing = 0;
  for (const key of keys) {
    const [suite, test, method, path] = JSON.parse(key) as string[];
    const b = before.get(key);
    const a = after.get(key);
    const count = (m?: Map<string, number>) => [...(m?.values() ?? [])].reduce((s, n) => s + n, 0);
    let lines: string[];
    if (!a) lines = [`  - only before (${count(b)} request(s))`];
    else if (!b) lines = [`  + only after (${count(a)} request(s))`];
    else lines = groupDiff(b, a);
    if (!lines.length) continue;
    differing++;
    console.log(`${suite} › ${test} › ${method} ${path}`);
    for (const l of lines) console.log(l);
  }
  console.log(`${keys.length} groups (suite, test, method, path) compared, ${differing} differ`);
  return differing ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
