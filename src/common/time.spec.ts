import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';
import fc from 'fast-check';
import { DATE_FORMAT, formatDate, parseDate, setAppTimezone } from './time';

dayjs.extend(utc);
dayjs.extend(timezone);

describe('formatDate', () => {
  afterAll(() => setAppTimezone('Asia/Shanghai'));

  it.each(['Asia/Shanghai', 'UTC', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata'])(
    'gives the same text as dayjs in %s for any instant, DST edges included',
    (tz) => {
      setAppTimezone(tz);
      fc.assert(
        fc.property(fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
          expect(formatDate(d)).toBe(dayjs(d).tz(tz).format(DATE_FORMAT));
        }),
        { numRuns: 300 },
      );
    },
  );

  it('writes midnight as 00, not 24, and keeps the zone day', () => {
    setAppTimezone('Asia/Shanghai');
    expect(formatDate(new Date('2026-01-14T16:00:00Z'))).toBe('2026-01-15 00:00:00');
    expect(formatDate(new Date('2026-12-31T16:00:00.999Z'))).toBe('2027-01-01 00:00:00');
    setAppTimezone('America/New_York');
    // the hour that does not exist, and the one that happens twice
    expect(formatDate(new Date('2026-03-08T07:00:00Z'))).toBe('2026-03-08 03:00:00');
    expect(formatDate(new Date('2026-11-01T05:30:00Z'))).toBe('2026-11-01 01:30:00');
    expect(formatDate(new Date('2026-11-01T06:30:00Z'))).toBe('2026-11-01 01:30:00');
  });

  it('round-trips with parseDate and answers null for no date', () => {
    setAppTimezone('Asia/Shanghai');
    const d = new Date('2026-05-06T07:08:09Z');
    expect(parseDate(formatDate(d))).toEqual(d);
    expect(formatDate(null)).toBeNull();
    expect(formatDate(new Date(NaN))).toBeNull();
  });
});
