import { rangeEnd, rangeStart } from '../common/query';
import { setAppTimezone } from '../common/time';
import { splitDays } from './order-list.repository';

describe('splitDays: a createTime range as whole APP_TZ days (rollup) and partial edges (orders)', () => {
  afterAll(() => setAppTimezone('Asia/Shanghai'));
  const iso = (edges: Array<[Date, Date]>) => edges.map(([a, b]) => [a.toISOString(), b.toISOString()]);

  it('whole days only: no edges', () => {
    setAppTimezone('Asia/Shanghai');
    const s = splitDays(rangeStart('2026-01-22'), rangeEnd('2026-01-23'));
    expect(s.days).toEqual({ from: '2026-01-22', to: '2026-01-24' });
    expect(s.edges).toEqual([]);
  });

  it('partial bounds: whole days inside, the edges from the orders', () => {
    setAppTimezone('Asia/Shanghai');
    const s = splitDays(rangeStart('2026-01-20 10:00:01'), rangeEnd('2026-01-23 10:00:00'));
    expect(s.days).toEqual({ from: '2026-01-21', to: '2026-01-23' });
    expect(iso(s.edges)).toEqual([
      ['2026-01-20T02:00:01.000Z', '2026-01-20T16:00:00.000Z'],
      ['2026-01-22T16:00:00.000Z', '2026-01-23T02:00:00.001Z'],
    ]);
  });

  it('less than a day between the bounds: one edge, no days', () => {
    setAppTimezone('Asia/Shanghai');
    const s = splitDays(rangeStart('2026-01-22 10:00:01'), rangeEnd('2026-01-23 10:00:00'));
    expect(s.days).toBeUndefined();
    expect(iso(s.edges)).toEqual([['2026-01-22T02:00:01.000Z', '2026-01-23T02:00:00.001Z']]);
  });

  it('open ends and an empty range', () => {
    setAppTimezone('Asia/Shanghai');
    expect(splitDays(undefined, undefined)).toEqual({ days: { from: undefined, to: undefined }, edges: [] });
    expect(splitDays(rangeStart('2026-01-22 12:00:00'), undefined).days).toEqual({ from: '2026-01-23', to: undefined });
    expect(splitDays(undefined, rangeEnd('2026-01-22')).days).toEqual({ from: undefined, to: '2026-01-23' });
    expect(splitDays(rangeStart('2026-01-23'), rangeEnd('2026-01-22'))).toEqual({ edges: [] });
  });

  it('a DST zone: the day of the spring change is 23 hours long', () => {
    setAppTimezone('America/New_York');
    const s = splitDays(rangeStart('2026-03-08'), rangeEnd('2026-03-08 12:00:00'));
    expect(s.days).toBeUndefined();
    const whole = splitDays(rangeStart('2026-03-08'), rangeEnd('2026-03-08'));
    expect(whole).toEqual({ days: { from: '2026-03-08', to: '2026-03-09' }, edges: [] });
  });
});
