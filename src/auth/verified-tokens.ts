import { Injectable } from '@nestjs/common';
import type { Identity } from './auth.types';
import { TokenCache } from './token-cache';

/** Bounds the cache at a few MB whatever the number of tokens in use. */
export const TOKEN_CACHE_SIZE = 10_000;

/**
 * Tokens this instance has verified → the identity each proves, until the token's own expiry. An HS256
 * check costs far more than the rest of the guard, and a token only ever proves the same thing. Shared by
 * the guard and by answers given before the Nest pipeline (the sold-out shortcut), which only trust a token
 * found here.
 */
@Injectable()
export class VerifiedTokens extends TokenCache<Identity> {
  constructor() {
    super(TOKEN_CACHE_SIZE);
  }
}

/** The bearer token of a request (`Authorization`, or seed 000's `Authori-zation`), if any. */
export function bearerToken(headers: Record<string, string | string[] | undefined>): string | undefined {
  const raw = headers['authori-zation'] ?? headers['authorization'];
  const h = Array.isArray(raw) ? raw[0] : raw;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h.trim());
  return m ? m[1] : undefined;
}
