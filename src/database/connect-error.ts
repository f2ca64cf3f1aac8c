import { join, resolve } from 'node:path';

/** mysql2's initial connect gives up after this (a server that accepts TCP but never answers). */
export const CONNECT_TIMEOUT_MS = 10_000;

/** Where the app keeps its data, as an operator would name it: host:port/db (never the password), or the SQLite file. */
export function databaseLabel(databaseUrl: string | undefined, dataDir: string): string {
  if (!databaseUrl) return `SQLite at ${join(resolve(dataDir), 'groupbuy.sqlite')}`;
  try {
    const u = new URL(databaseUrl);
    return `MySQL at ${u.hostname}:${u.port || 3306}${u.pathname || '/'}`;
  } catch {
    return 'MySQL (unparseable DATABASE_URL)';
  }
}

/**
 * One line saying why the database could not be used at start, e.g.
 * `cannot reach MySQL at 127.0.0.1:3399/db: ECONNREFUSED`.
 */
export function describeDatabaseError(e: unknown, databaseUrl: string | undefined, dataDir: string): string {
  const code = errorCode(e);
  const message = oneLine((e as { message?: string })?.message ?? String(e));
  let cause: string;
  if (code === 'ETIMEDOUT') cause = `ETIMEDOUT (no answer within ${CONNECT_TIMEOUT_MS / 1000} s)`;
  else if (code && /^E[A-Z]+$/.test(code)) cause = code;
  else if (code) cause = `${code} (${message})`;
  else cause = message;
  const verb = databaseUrl ? 'cannot reach' : 'cannot open';
  return `${verb} ${databaseLabel(databaseUrl, dataDir)}: ${cause}`;
}

/** An error with a system, MySQL or SQLite code: the database could not be reached or used, as opposed to a bug. */
export function isDatabaseError(e: unknown): boolean {
  return /^(E[A-Z]+|ER_[A-Z_]+|SQLITE_[A-Z_]+|PROTOCOL_[A-Z_]+)$/.test(errorCode(e) ?? '');
}

function errorCode(e: unknown): string | undefined {
  const err = (e ?? {}) as { code?: unknown; errors?: { code?: unknown }[] };
  // an AggregateError (IPv4 and IPv6 both refused) carries the codes of its parts
  const code = err.code ?? err.errors?.[0]?.code;
  return typeof code === 'string' ? code : undefined;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
