import { Logger } from '@nestjs/common';
import { Writable } from 'node:stream';
import { createAppLoggers, PinoNestLogger } from './app.logger';

function capture(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l));
      cb();
    },
  });
  const pino = createAppLoggers(level, stream).app;
  return { lines, pino, sut: new PinoNestLogger(pino) };
}

describe(PinoNestLogger.name, () => {
  it('writes a string message with its context', () => {
    const { lines, sut } = capture();
    sut.log('demo data created', 'DemoData');
    sut.warn('slow', 'RateLimitService');
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, context: 'DemoData', msg: 'demo data created' }),
      expect.objectContaining({ level: 40, context: 'RateLimitService', msg: 'slow' }),
    ]);
  });

  it('merges an object first argument into the line, and puts an Error under err', () => {
    const { lines, sut } = capture();
    sut.error({ url: '/x', reqId: 'r1' }, 'unhandled error', 'Errors');
    sut.error(new Error('boom'), 'SweepService');
    expect(lines[0]).toEqual(expect.objectContaining({ level: 50, url: '/x', reqId: 'r1', msg: 'unhandled error', context: 'Errors' }));
    expect(lines[1]).toEqual(
      expect.objectContaining({ level: 50, context: 'SweepService', err: expect.objectContaining({ message: 'boom' }) }),
    );
  });

  it("turns Nest's error(message, stack, context) into an err with that stack", () => {
    const { lines, sut } = capture();
    sut.error('failed', 'Error: failed\n    at somewhere (x.js:1:1)', 'ExceptionHandler');
    expect(lines[0]).toEqual(
      expect.objectContaining({
        context: 'ExceptionHandler',
        err: expect.objectContaining({ message: 'failed', stack: expect.stringContaining('at somewhere') }),
      }),
    );
  });

  it('is what `new Logger(context)` in a service writes through', () => {
    const { lines, sut } = capture();
    Logger.overrideLogger(sut);
    try {
      new Logger('OrderService').warn({ orderId: 7 }, 'refund pending');
    } finally {
      Logger.overrideLogger(true);
    }
    expect(lines).toEqual([expect.objectContaining({ level: 40, context: 'OrderService', orderId: 7, msg: 'refund pending' })]);
  });

  it('honours LOG_LEVEL: below the level, and at silent, nothing is written', () => {
    const warn = capture('warn');
    warn.sut.log('hidden', 'X');
    warn.sut.debug('hidden', 'X');
    warn.sut.warn('shown', 'X');
    expect(warn.lines.map((l) => l.msg)).toEqual(['shown']);
    const silent = capture('silent');
    silent.sut.error('hidden', 'X');
    silent.sut.fatal('hidden', 'X');
    expect(silent.lines).toEqual([]);
  });

  it('redacts auth headers and cookies wherever a request is logged', () => {
    const { lines, pino } = capture();
    pino.info({
      req: { url: '/a', headers: { authorization: 'Bearer s1', 'authori-zation': 'Bearer s2', cookie: 'sid=s3', accept: '*/*' } },
    });
    expect(JSON.stringify(lines[0])).not.toMatch(/s1|s2|s3/);
    expect(lines[0].req).toEqual({
      url: '/a',
      headers: { authorization: '[Redacted]', 'authori-zation': '[Redacted]', cookie: '[Redacted]', accept: '*/*' },
    });
  });
});
