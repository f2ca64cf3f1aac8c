/**
 * Load with autocannon, accounted exactly. Requests sent during the measured window are the
 * "measured" ones; once the window closes every connection switches to a side-effect-free drain
 * request (GET /health, /ping) until each measured request has its answer, and only then is the load
 * stopped. autocannon alone drops the requests in flight when its duration ends, and the server still
 * carries them out: an order or a visit without an answer, which would make the database checks
 * inexact. Req/s counts the expected answers to measured requests over the window; latencies are those
 * answers' (all statuses), exact percentiles.
 */
import { withTimeout } from './processes';

// autocannon ships no type declarations: the part of its API used here
interface AcRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AcRequest, context: AcContext) => AcRequest;
  onResponse?: (status: number, body: string, context: AcContext) => void;
}
interface AcContext {
  measured?: boolean;
}
interface AcOptions {
  url: string;
  connections: number;
  duration: number;
  pipelining: number;
  timeout: number;
  sampleInt: number;
  requests: AcRequest[];
}
interface AcResult {
  errors: number;
  timeouts: number;
}
interface AcInstance extends PromiseLike<AcResult> {
  stop(): void;
  on(event: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: AcOptions) => AcInstance;

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadSpec {
  url: string;
  connections: number;
  seconds: number;
  /** the i-th measured request (tokens rotate through i) */
  request: (i: number) => HttpRequest;
  /** what the connections send after the window while measured answers are still due: no side effects */
  drain: HttpRequest;
  /** the answer this scenario is about (counted in req/s); any other is reported as unexpected */
  expected: (status: number, body: string) => boolean;
}

export interface LoadFigures {
  seconds: number;
  /** expected answers per second of the window */
  rps: number;
  p50: number;
  p99: number;
  sent: number;
  answered: number;
  expected: number;
  /** answers by HTTP status, measured requests only */
  statuses: Record<string, number>;
  /** answers that were not the expected one, by HTTP status (a 409 with another code shows as 409) */
  unexpected: Record<string, number>;
  errors: number;
  timeouts: number;
  /** measured requests still without an answer when the load had to stop (0 unless something hung) */
  unanswered: number;
}

const TIMEOUT_S = 10;
const DRAIN_LIMIT_S = TIMEOUT_S + 5;

function percentile(sorted: Float64Array, p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function load(spec: LoadSpec): Promise<LoadFigures> {
  const deadline = Date.now() + spec.seconds * 1000;
  let sent = 0;
  let answered = 0;
  let expected = 0;
  let lastMeasured = false;
  const statuses: Record<string, number> = {};
  const unexpected: Record<string, number> = {};
  const latencies: number[] = [];
  // set once autocannon runs; the request callbacks below need it first
  const running: { instance?: AcInstance } = {};
  const finishIfDrained = () => {
    if (Date.now() >= deadline && answered >= sent) running.instance?.stop();
  };

  // pipelining 1: a connection's context belongs to its one request in flight, so onResponse knows what it answers
  const request: AcRequest = {
    method: 'GET',
    path: '/',
    setupRequest: (req, ctx) => {
      if (Date.now() < deadline) {
        ctx.measured = true;
        const r = spec.request(sent++);
        return { ...req, ...r, headers: { ...req.headers, ...r.headers } };
      }
      ctx.measured = false;
      return { ...req, ...spec.drain, headers: { ...req.headers, ...spec.drain.headers } };
    },
    onResponse: (status, body, ctx) => {
      // autocannon emits 'response' (with the latency) right after this call, for the same answer
      lastMeasured = ctx.measured === true;
      if (!lastMeasured) return finishIfDrained();
      answered++;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (spec.expected(status, body)) expected++;
      else unexpected[status] = (unexpected[status] ?? 0) + 1;
      finishIfDrained();
    },
  };
  const instance = autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.seconds + DRAIN_LIMIT_S,
    pipelining: 1,
    timeout: TIMEOUT_S,
    // how often autocannon looks at its stop flag once the drain is over
    sampleInt: 50,
    requests: [request],
  });
  running.instance = instance;
  instance.on('response', (_client, _status, _bytes, ms) => {
    if (lastMeasured) latencies.push(ms);
  });
  const poll = setInterval(finishIfDrained, 50);
  let result: AcResult;
  try {
    result = await withTimeout(Promise.resolve(instance), (spec.seconds + DRAIN_LIMIT_S + 30) * 1000, `load on ${spec.url}`);
  } finally {
    clearInterval(poll);
  }
  const sorted = Float64Array.from(latencies).sort();
  return {
    seconds: spec.seconds,
    rps: expected / spec.seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    sent,
    answered,
    expected,
    statuses,
    unexpected,
    errors: result.errors,
    timeouts: result.timeouts,
    unanswered: sent - answered,
  };
}
