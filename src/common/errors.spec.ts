import { DomainError } from './errors';

const frames = (e: Error) => (e.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).length;

describe(DomainError.name, () => {
  it('creates expected (4xx) errors without capturing a stack', () => {
    for (const e of [
      DomainError.soldOut(),
      DomainError.cannotBuy('x'),
      DomainError.badRequest('x'),
      DomainError.unauthorized(),
      DomainError.notFound(),
      new DomainError(422, 801, 'x'),
    ]) {
      expect(frames(e)).toBe(0);
      expect(e.message).not.toBe('');
      expect(e).toBeInstanceOf(Error);
    }
    expect(DomainError.soldOut()).toMatchObject({ http: 409, status: 1002, message: '已售罄: 库存不足' });
  });

  it('keeps the stack of a 5xx, and leaves Error.stackTraceLimit as it was', () => {
    const before = Error.stackTraceLimit;
    DomainError.conflict('x');
    expect(Error.stackTraceLimit).toBe(before);
    const e = new DomainError(503, 503, 'provider down');
    expect(frames(e)).toBeGreaterThan(0);
    expect(frames(new Error('plain'))).toBeGreaterThan(0);
  });
});
