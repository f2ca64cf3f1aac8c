import type { FastifyInstance } from 'fastify';
import { DomainError } from './errors';

/** Keys that reach object prototypes when a body is copied or transformed (class-transformer throws on them). */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
// far deeper than any body of ours; deeper input is refused rather than walked
export const MAX_DEPTH = 64;

/** `constructor`, `a.prototype` or `constructor[x]`: the forbidden segment, if any. */
const forbiddenSegment = (key: string) => key.split(/[[\].]/).find((segment) => FORBIDDEN.has(segment));
const isForbidden = (key: string) => forbiddenSegment(key) !== undefined;

export interface ForbiddenKey {
  path: string;
  /** the forbidden key, or undefined when the input is nested deeper than MAX_DEPTH */
  key?: string;
}

/**
 * The first key named `__proto__`, `constructor` or `prototype` anywhere in a parsed body or query,
 * with its path. Bracket and dot segments count (`constructor[x]`, `a.prototype`), so a parser that
 * nests such keys later finds nothing to nest. Input nested deeper than MAX_DEPTH is reported too.
 */
export function findForbiddenKey(value: unknown, path = '', depth = 0): ForbiddenKey | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_DEPTH) return { path };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findForbiddenKey(value[i], `${path}[${i}]`, depth + 1);
      if (hit) return hit;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const here = path ? `${path}.${key}` : key;
    const bad = forbiddenSegment(key);
    if (bad) return { path: here, key: bad };
    const hit = findForbiddenKey((value as Record<string, unknown>)[key], here, depth + 1);
    if (hit) return hit;
  }
  return undefined;
}

/**
 * JSON.parse for JSON that arrives inside a string field (seed 000 posts `goods` as a string), which
 * the body check cannot see into: forbidden keys are dropped, and nesting deeper than MAX_DEPTH
 * throws a SyntaxError like any other unparseable text.
 */
export function parseJsonText(text: string): unknown {
  return withoutForbiddenKeys(JSON.parse(text), 0);
}

function withoutForbiddenKeys(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) throw new SyntaxError(`nested deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) return value.map((v) => withoutForbiddenKeys(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (!isForbidden(key)) out[key] = withoutForbiddenKeys(v, depth + 1);
  return out;
}

/** Refuses such keys in every route's query and body with a 400 naming them (§12), before any pipe sees them. */
export function refuseForbiddenKeys(fastify: FastifyInstance): void {
  // a callback hook: an async one costs every request a promise and a tick
  fastify.addHook('preValidation', (req, _reply, done: (e?: Error) => void) => {
    const hit = findForbiddenKey(req.query, 'query') ?? findForbiddenKey(req.body, '');
    if (!hit) return done();
    const field = hit.path.replace(/^query\./, '') || 'body';
    if (hit.key === undefined) {
      return done(
        DomainError.badRequest(`参数错误 ${field}: 嵌套过深 (nested deeper than ${MAX_DEPTH} levels)`, [
          { field, message: 'nested too deeply' },
        ]),
      );
    }
    done(
      DomainError.badRequest(`参数错误 ${field}: 不允许的字段名 "${hit.key}" (key "${hit.key}" is not allowed)`, [
        { field, message: `key "${hit.key}" is not allowed` },
      ]),
    );
  });
}
