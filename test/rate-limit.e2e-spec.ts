import { RateLimitService } from '../src/rate-limit/rate-limit.service';
import { bootApp, Instance, secondInstance, TestApp } from './support/app';

/** RateLimitService on both databases: exact under concurrency, one count for every instance, windows that end. */
describe.each([
  ['MariaDB', false],
  ['SQLite', true],
])('RateLimitService (%s)', (label, sqlite) => {
  let t: TestApp;
  let sut: RateLimitService;

  beforeAll(async () => {
    t = await bootApp(`ratelimit_${label}`, {}, { sqlite });
    sut = t.app.get(RateLimitService);
  });
  afterAll(() => t.close());

  it('counts hits and allows exactly `limit` of many at once', async () => {
    const hits = await Promise.all(Array.from({ length: 60 }, () => sut.hit('burst', 20, 60)));
    expect(hits.filter((h) => h.allowed)).toHaveLength(20);
    expect(hits.map((h) => h.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it('keeps keys apart', async () => {
    expect(await sut.hit('apart:a', 1, 60)).toEqual({ allowed: true, count: 1 });
    expect(await sut.hit('apart:b', 1, 60)).toEqual({ allowed: true, count: 1 });
    expect(await sut.hit('apart:a', 1, 60)).toEqual({ allowed: false, count: 2 });
  });

  it('starts a new window once the last one ended', async () => {
    expect((await sut.hit('window', 1, 1)).allowed).toBe(true);
    expect((await sut.hit('window', 1, 1)).allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await sut.hit('window', 1, 1)).toEqual({ allowed: true, count: 1 });
  });

  it('reset forgets a count and holdFor extends its window', async () => {
    await sut.hit('r', 1, 60);
    await sut.reset('r');
    expect(await sut.hit('r', 1, 60)).toEqual({ allowed: true, count: 1 });
    await sut.hit('held', 5, 1);
    await sut.holdFor('held', 60);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await sut.hit('held', 5, 1)).toEqual({ allowed: true, count: 2 });
  });

  it('stores keys longer than the column as their hash', async () => {
    const long = `k:${'x'.repeat(500)}`;
    expect((await sut.hit(long, 1, 60)).count).toBe(1);
    expect((await sut.hit(long, 1, 60)).count).toBe(2);
    const rows: { counter_key: string }[] = await t.ds.query(
      "SELECT counter_key FROM rate_limit_counter WHERE counter_key LIKE 'sha256:%'",
    );
    expect(rows).toHaveLength(1);
  });

  if (!sqlite) {
    it('counts the hits that arrive together in a few statements, each caller with its own count', async () => {
      const query = jest.spyOn(t.ds, 'query');
      try {
        const hits = await Promise.all(Array.from({ length: 70 }, (_, i) => sut.hit(`together:${i % 7}`, 5, 60)));
        const statements = query.mock.calls.filter(([sql]) => /INSERT INTO rate_limit_counter/.test(sql)).length;
        expect(statements).toBeGreaterThanOrEqual(1);
        expect(statements).toBeLessThanOrEqual(3);
        for (let k = 0; k < 7; k++) {
          const mine = hits.filter((_, i) => i % 7 === k);
          expect(mine.map((h) => h.count)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
          expect(mine.filter((h) => h.allowed)).toHaveLength(5);
        }
      } finally {
        query.mockRestore();
      }
    });

    it('keys equal under the column collation share a counter, also within one statement', async () => {
      const hits = await Promise.all([sut.hit('Case:Key', 1, 60), sut.hit('case:key', 1, 60), sut.hit('CASE:KEY', 1, 60)]);
      expect(hits.map((h) => h.count).sort()).toEqual([1, 2, 3]);
      expect(hits.filter((h) => h.allowed)).toHaveLength(1);
    });

    describe('across two instances', () => {
      let second: Instance;
      beforeAll(async () => {
        second = await secondInstance(t);
      });
      afterAll(() => second.close());

      it('shares one count', async () => {
        const other = second.app.get(RateLimitService);
        const hits = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? other : sut).hit('shared', 15, 60)));
        expect(hits.filter((h) => h.allowed)).toHaveLength(15);
      });
    });
  }
});
