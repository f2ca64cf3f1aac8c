import { BatchLoader, tenantUserKey, usersByTenant } from './batch-loader';

/** A loadMany whose queries the test finishes by hand. */
function manual() {
  const calls: { keys: number[]; done: (m: Map<number, string>) => void; fail: (e: Error) => void }[] = [];
  const loadMany = (keys: number[]) =>
    new Promise<Map<number, string>>((done, fail) => {
      calls.push({ keys, done, fail });
    });
  return { calls, loadMany };
}

const tick = () => new Promise((r) => setImmediate(r));

describe(BatchLoader.name, () => {
  it('reads the keys asked for together in one query, each caller getting its value', async () => {
    const { calls, loadMany } = manual();
    const loader = new BatchLoader(loadMany);
    const first = loader.load(1);
    // asked while the first query runs: read together by the next one
    const rest = [loader.load(2), loader.load(1), loader.load(3), loader.load(2)];
    expect(calls.map((c) => c.keys)).toEqual([[1]]);
    calls[0].done(new Map([[1, 'one@1']]));
    expect(await first).toBe('one@1');
    await tick();
    expect(calls.map((c) => c.keys)).toEqual([[1], [2, 1, 3]]);
    calls[1].done(
      new Map([
        [1, 'one@2'],
        [2, 'two@2'],
      ]),
    );
    // a key asked for after a query left is never answered by that query: 1 is read again
    expect(await Promise.all(rest)).toEqual(['two@2', 'one@2', undefined, 'two@2']);
  });

  it('fails the callers of a failed query only; the next query still goes', async () => {
    const { calls, loadMany } = manual();
    const loader = new BatchLoader(loadMany);
    const a = loader.load(1);
    const b = loader.load(2);
    calls[0].fail(new Error('gone'));
    await expect(a).rejects.toThrow('gone');
    await tick();
    calls[1].done(new Map([[2, 'two']]));
    expect(await b).toBe('two');
    await tick();
    const c = loader.load(3);
    expect(calls.map((x) => x.keys)).toEqual([[1], [2], [3]]);
    calls[2].done(new Map());
    expect(await c).toBeUndefined();
  });

  it('sends at most maxKeys keys per query', async () => {
    const { calls, loadMany } = manual();
    const loader = new BatchLoader(loadMany, 2);
    const all = [loader.load(0), loader.load(1), loader.load(2), loader.load(3), loader.load(4)];
    const answer = (keys: number[]) => new Map(keys.map((k) => [k, `v${k}`]));
    calls[0].done(answer(calls[0].keys));
    await tick();
    calls[1].done(answer(calls[1].keys));
    await tick();
    calls[2].done(answer(calls[2].keys));
    expect(await Promise.all(all)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
    expect(calls.map((c) => c.keys)).toEqual([[0], [1, 2], [3, 4]]);
  });
});

describe('usersByTenant', () => {
  it('groups (tenant, user) keys by tenant, users in key order', () => {
    const keys = [tenantUserKey(2, 7), tenantUserKey(1, 3), tenantUserKey(2, 5)];
    expect([...usersByTenant(keys)]).toEqual([
      [2, [7, 5]],
      [1, [3]],
    ]);
  });
});
