import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { errorBody } from './envelope';

/**
 * What helmet 8 sets with contentSecurityPolicy and crossOriginEmbedderPolicy off (CSP off so Swagger UI's
 * inline assets load). The values never depend on the request, so they are set from this map rather than
 * by running helmet's middleware chain on every request.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
});

const GIVEN_ID = /^[\w.-]{1,128}$/;
const COUNTER_SPAN = 2 ** 48;

/**
 * Request ids for Fastify's genReqId: a well-formed `x-request-id` from the client is kept; otherwise a
 * UUID-shaped id whose first 74 bits are random per process and whose last 48 are a counter, so ids stay
 * unique across instances without a random draw per request.
 */
export function requestIdGenerator(): (req: { headers: Record<string, string | string[] | undefined> }) => string {
  const prefix = randomUUID().slice(0, 24);
  let n = randomBytes(6).readUIntBE(0, 6);
  return (req) => {
    const given = req.headers['x-request-id'];
    if (typeof given === 'string' && GIVEN_ID.test(given)) return given;
    n = (n + 1) % COUNTER_SPAN;
    return prefix + n.toString(16).padStart(12, '0');
  };
}

/** The request line is skipped for health checks, which load balancers send every few seconds. */
const isHealthCheck = (url: string) => url.startsWith('/health');

/**
 * Per-request work that needs no request context, all in synchronous hooks: the security headers and the
 * echoed `x-request-id` on every answer (404s and errors included), and one JSON line per request from
 * `logger` once the response is finished.
 */
export function addResponseHooks(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    void reply.headers(SECURITY_HEADERS).header('x-request-id', req.id);
    done();
  });
  if (!logger.isLevelEnabled('info')) return;
  fastify.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (!isHealthCheck(req.url)) {
      const statusCode = reply.statusCode;
      logger.info(
        { req: { id: req.id, method: req.method, url: req.url }, res: { statusCode }, responseTime: Math.round(reply.elapsedTime) },
        statusCode >= 500 ? 'request errored' : 'request completed',
      );
    }
    done();
  });
}

/**
 * Form-encoded bodies (seed 000) are parsed for every route by the adapter; only the routes whose document
 * says so take them (`METHOD /path/:param`, from the OpenAPI document): elsewhere they are a 415, as any
 * other undocumented content type is.
 */
export function refuseUndocumentedForms(fastify: FastifyInstance, allowed: ReadonlySet<string>): void {
  fastify.addHook('onRequest', (req, reply, done) => {
    const type = req.headers['content-type'];
    if (typeof type !== 'string' || !/^application\/x-www-form-urlencoded\b/i.test(type)) return done();
    const route = req.routeOptions.url;
    // an unknown route stays a 404
    if (route === undefined || allowed.has(`${req.method} ${route}`)) return done();
    void reply
      .code(415)
      .send(errorBody(req.url.split('?')[0], 415, '不支持的 Content-Type：此接口只接受 JSON (this route takes JSON only)'));
  });
}
