import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

// scrypt from node:crypto (no native addon to build); OWASP's current minimum. The parameters are
// stored with each hash, so older hashes still verify and are upgraded at the next login.
export const SCRYPT_COST: ScryptCost = { N: 2 ** 17, r: 8, p: 1 };
const KEYLEN = 32;

// A stored hash names its own cost: refuse absurd ones instead of letting a bad row exhaust memory.
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

function derive(password: string, salt: Buffer, c: ScryptCost): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node's default cap (32 MiB) is below that at N=2^17
  const maxmem = 2 * 128 * c.N * c.r;
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEYLEN, { N: c.N, r: c.r, p: c.p, maxmem }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

function parse(stored: string): { cost: ScryptCost; salt: Buffer; hash: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map((x) => (/^\d{1,8}$/.test(x) ? Number(x) : NaN));
  const powerOfTwo = N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > MAX_N || !(r >= 1 && r <= MAX_R) || !(p >= 1 && p <= MAX_P)) return undefined;
  const salt = Buffer.from(parts[4], 'base64');
  const hash = Buffer.from(parts[5], 'base64');
  if (salt.length === 0 || hash.length !== KEYLEN) return undefined;
  return { cost: { N, r, p }, salt, hash };
}

export async function hashPassword(password: string, cost: ScryptCost = SCRYPT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parse(stored);
  if (!h) return false;
  const key = await derive(password, h.salt, h.cost);
  return timingSafeEqual(key, h.hash);
}

/** True when the stored hash was made at another cost than today's: hash the password again after it verifies. */
export function needsRehash(stored: string): boolean {
  const h = parse(stored);
  return !h || h.cost.N !== SCRYPT_COST.N || h.cost.r !== SCRYPT_COST.r || h.cost.p !== SCRYPT_COST.p;
}

/** A dummy hash so a login for an unknown username costs the same time as a wrong password. */
export const DUMMY_HASH = `scrypt$${SCRYPT_COST.N}$${SCRYPT_COST.r}$${SCRYPT_COST.p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(KEYLEN).toString('base64')}`;
