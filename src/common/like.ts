/** The ESCAPE clause that goes with `escapeLike`: `col LIKE :kw ESCAPE '!'` (same on MySQL/MariaDB and SQLite). */
export const LIKE_ESCAPE = "ESCAPE '!'";

/**
 * Makes user text match itself literally inside a LIKE pattern: `%`, `_` and the escape character
 * are prefixed with `!`. Use with LIKE_ESCAPE, e.g. `{ kw: `%${escapeLike(q)}%` }`. `!` rather than a
 * backslash, whose meaning inside SQL string literals differs between MySQL modes and SQLite.
 */
export function escapeLike(s: string): string {
  return s.replace(/[!%_]/g, (c) => `!${c}`);
}
