import { appendFileSync } from 'node:fs';
import { basename } from 'node:path';
import type request from 'supertest';
import type { Response } from 'supertest';
import { driftOf } from './openapi-check';

/**
 * With `RECORD_HTTP=<file>`, every answer the e2e suites get through `bootApp`'s client is appended to
 * <file> as one JSON line: who asked (suite, test), what (method, normalised path) and the answer's
 * status and shape, so two runs around a refactor can be compared (compare-recordings.ts).
 */
export interface Recording {
  suite: string;
  test: string;
  method: string;
  path: string;
  status: number | null;
  bodyStatus: unknown;
  shape: unknown;
}

type Http = ReturnType<typeof request>;
type Callback = (err: unknown, res?: Response) => void;

const FILE = process.env.RECORD_HTTP;
const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options'] as const;

/** Tests are run one after another: a request made after the last test ended comes from a hook of the next block. */
let finishedTest: string | undefined;
if (FILE) {
  afterEach(() => {
    finishedTest = expect.getState().currentTestName;
  });
}

/**
 * Wraps the client: every answer is checked against the OpenAPI document (openapi-check.ts; a mismatch fails
 * the request, hence the test) and, with RECORD_HTTP, recorded.
 */
export function recorded(http: Http): Http {
  const target = http as unknown as Record<string, (url: string) => { end(fn?: Callback): unknown }>;
  for (const method of METHODS) {
    const make = target[method];
    if (typeof make !== 'function') continue;
    target[method] = (url: string) => {
      const test = make(url);
      const asked = { suite: basename(expect.getState().testPath ?? 'unknown'), test: testName() };
      const end = test.end.bind(test);
      // supertest's `await`, `.then()` and `.expect()` all end here once the answer is in
      test.end = (fn?: Callback) =>
        end((err, res) => {
          const url = (test as unknown as { url: string }).url;
          if (FILE) write(asked, method === 'del' ? 'delete' : method, url, res);
          const drift = driftOf(method.toUpperCase(), url, res);
          fn?.(drift ? (err ?? new Error(drift)) : err, res);
        });
      return test;
    };
  }
  return http;
}

function testName(): string {
  const current = expect.getState().currentTestName;
  if (current === undefined) return '(hook)';
  return current === finishedTest ? `(hook after) ${current}` : current;
}

function write(asked: { suite: string; test: string }, method: string, url: string, res: Response | undefined): void {
  const body = res?.body as unknown;
  const line: Recording = {
    ...asked,
    method: method.toUpperCase(),
    path: normalisePath(url),
    status: res?.status ?? null,
    bodyStatus: body && typeof body === 'object' && !Array.isArray(body) && 'status' in body ? (body as { status: unknown }).status : null,
    shape: shapeOf(body),
  };
  appendFileSync(FILE!, `${JSON.stringify(line)}\n`);
}

/** Ids and order/pay numbers differ from run to run: `/api/group/order/order_info/:code`; query values are dropped, keys kept. */
export function normalisePath(url: string): string {
  const u = new URL(url, 'http://127.0.0.1');
  const path = u.pathname
    .split('/')
    .map((s) => (/^\d+$/.test(s) ? ':id' : /^tg\d{4,30}$/.test(s) ? ':code' : s))
    .join('/');
  const keys = [...new Set(u.searchParams.keys())].sort();
  return keys.length ? `${path}?${keys.join('&')}` : path;
}

/** Keys sorted at every level, an array as the shape of its first element, every value as its JSON type. */
export function shapeOf(v: unknown): unknown {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return v.length ? [shapeOf(v[0])] : [];
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, shapeOf(o[k])]),
    );
  }
  return typeof v;
}
