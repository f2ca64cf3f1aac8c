import Fastify, { FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import { createAppLoggers } from './app.logger';
import { addResponseHooks, requestIdGenerator, SECURITY_HEADERS } from './http.hooks';

async function server(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l));
      cb();
    },
  });
  const fastify = Fastify({ genReqId: requestIdGenerator(), requestIdHeader: false });
  addResponseHooks(fastify, createAppLoggers(level, stream).requests);
  fastify.get('/health', async () => ({ status: 'ok' }));
  fastify.get('/api/group/x', async () => ({ status: 200 }));
  fastify.get('/boom', async () => {
    throw new Error('boom');
  });
  await fastify.ready();
  return { fastify, lines };
}

describe('response hooks', () => {
  let s: { fastify: FastifyInstance; lines: Record<string, unknown>[] };
  beforeAll(async () => {
    s = await server('info');
  });
  afterAll(() => s.fastify.close());
  beforeEach(() => (s.lines.length = 0));

  it("sets helmet's headers on answers, 404s and errors alike", async () => {
    for (const url of ['/api/group/x', '/nope', '/boom']) {
      const res = await s.fastify.inject({ url });
      expect(res.headers).toEqual(expect.objectContaining(SECURITY_HEADERS));
    }
    expect(SECURITY_HEADERS['x-frame-options']).toBe('SAMEORIGIN');
    expect(SECURITY_HEADERS['x-content-type-options']).toBe('nosniff');
  });

  it('echoes a well-formed x-request-id and replaces anything else with a fresh UUID-shaped id', async () => {
    expect((await s.fastify.inject({ url: '/api/group/x', headers: { 'x-request-id': 'abc-123' } })).headers['x-request-id']).toBe(
      'abc-123',
    );
    const bad = await s.fastify.inject({ url: '/api/group/x', headers: { 'x-request-id': 'a b<script>' } });
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('generates ids unique within a process and across processes', () => {
    const a = requestIdGenerator();
    const b = requestIdGenerator();
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      ids.add(a({ headers: {} }));
      ids.add(b({ headers: {} }));
    }
    expect(ids.size).toBe(20_000);
    for (const id of [...ids].slice(0, 5)) expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs one line per request with id, method, url, status and response time', async () => {
    const res = await s.fastify.inject({ method: 'GET', url: '/api/group/x?page=2', headers: { authorization: 'Bearer secret-token' } });
    await s.fastify.inject({ url: '/nope' });
    await s.fastify.inject({ url: '/boom' });
    expect(s.lines).toEqual([
      {
        level: 30,
        time: expect.any(Number),
        pid: process.pid,
        hostname: expect.any(String),
        req: { id: res.headers['x-request-id'], method: 'GET', url: '/api/group/x?page=2' },
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
        msg: 'request completed',
      },
      expect.objectContaining({ req: expect.objectContaining({ url: '/nope' }), res: { statusCode: 404 }, msg: 'request completed' }),
      expect.objectContaining({ req: expect.objectContaining({ url: '/boom' }), res: { statusCode: 500 }, msg: 'request errored' }),
    ]);
    expect(JSON.stringify(s.lines)).not.toContain('secret-token');
  });

  it('does not log health checks', async () => {
    await s.fastify.inject({ url: '/health' });
    await s.fastify.inject({ url: '/health?probe=1' });
    expect(s.lines).toEqual([]);
  });

  it('writes no request line below info, while headers and ids stay', async () => {
    const quiet = await server('warn');
    try {
      const res = await quiet.fastify.inject({ url: '/api/group/x' });
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(quiet.lines).toEqual([]);
    } finally {
      await quiet.fastify.close();
    }
  });
});
