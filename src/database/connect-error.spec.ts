import { databaseLabel, describeDatabaseError, isDatabaseError } from './connect-error';

const err = (code: string | undefined, message: string, extra: object = {}) => Object.assign(new Error(message), { code, ...extra });

describe(describeDatabaseError.name, () => {
  const url = 'mysql://shop:s3cret@db.internal:3399/groupbuy';

  it.each([
    [err('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:3399'), 'cannot reach MySQL at db.internal:3399/groupbuy: ECONNREFUSED'],
    [err('ETIMEDOUT', 'connect ETIMEDOUT'), 'cannot reach MySQL at db.internal:3399/groupbuy: ETIMEDOUT (no answer within 10 s)'],
    [err('ENOTFOUND', 'getaddrinfo ENOTFOUND db.internal'), 'cannot reach MySQL at db.internal:3399/groupbuy: ENOTFOUND'],
    [
      err('ER_BAD_DB_ERROR', "Unknown database 'groupbuy'"),
      "cannot reach MySQL at db.internal:3399/groupbuy: ER_BAD_DB_ERROR (Unknown database 'groupbuy')",
    ],
    [
      err('ER_ACCESS_DENIED_ERROR', "Access denied for user 'shop'@'10.0.0.2'\n(using password: YES)"),
      "cannot reach MySQL at db.internal:3399/groupbuy: ER_ACCESS_DENIED_ERROR (Access denied for user 'shop'@'10.0.0.2' (using password: YES))",
    ],
    [
      Object.assign(new AggregateError([err('ECONNREFUSED', 'a'), err('ECONNREFUSED', 'b')], ''), {}),
      'cannot reach MySQL at db.internal:3399/groupbuy: ECONNREFUSED',
    ],
  ])('%s', (e, line) => {
    const text = describeDatabaseError(e, url, '/data');
    expect(text).toBe(line);
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('\n');
  });

  it('names the SQLite file for the embedded default', () => {
    expect(describeDatabaseError(err('EACCES', "EACCES: permission denied, mkdir '/ro/data'"), undefined, '/ro/data')).toBe(
      'cannot open SQLite at /ro/data/groupbuy.sqlite: EACCES',
    );
  });

  it('defaults the port to 3306', () => {
    expect(databaseLabel('mysql://root@127.0.0.1/x', '.')).toBe('MySQL at 127.0.0.1:3306/x');
  });
});

describe(isDatabaseError.name, () => {
  it.each([
    [err('ECONNREFUSED', ''), true],
    [err('ER_BAD_DB_ERROR', ''), true],
    [err('SQLITE_CANTOPEN', ''), true],
    [err('PROTOCOL_CONNECTION_LOST', ''), true],
    [new AggregateError([err('ECONNREFUSED', '')]), true],
    [new TypeError('x is not a function'), false],
    [err(undefined, 'Nest could not resolve dependencies'), false],
    [undefined, false],
  ])('%s → %s', (e, yes) => {
    expect(isDatabaseError(e)).toBe(yes);
  });
});
