import type { StoreDealView } from './group-buying.view';
import { STORE_DEAL_TTL_MS, StoreDealCache } from './store-deal.cache';

const view = (name: string) => ({ id: 1, name }) as StoreDealView;

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe(StoreDealCache.name, () => {
  afterEach(() => jest.useRealTimers());

  it('serves a view (or a 404) for the TTL, then reads again', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const sut = new StoreDealCache();
    const load = jest.fn().mockResolvedValueOnce(view('a')).mockResolvedValueOnce(view('b')).mockResolvedValueOnce(null);
    expect(await sut.get(1, load)).toEqual(view('a'));
    jest.setSystemTime(1_000_000 + STORE_DEAL_TTL_MS - 1);
    expect(await sut.get(1, load)).toEqual(view('a'));
    jest.setSystemTime(1_000_000 + STORE_DEAL_TTL_MS);
    expect(await sut.get(1, load)).toEqual(view('b'));
    jest.setSystemTime(1_000_000 + 2 * STORE_DEAL_TTL_MS);
    expect(await sut.get(1, load)).toBeNull();
    expect(await sut.get(1, load)).toBeNull();
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('concurrent misses share one read', async () => {
    const sut = new StoreDealCache();
    const d = deferred<StoreDealView | null>();
    const load = jest.fn(() => d.promise);
    const all = Promise.all(Array.from({ length: 20 }, () => sut.get(1, load)));
    d.resolve(view('a'));
    expect(await all).toEqual(Array(20).fill(view('a')));
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('an invalidation during a read keeps that read out of the cache', async () => {
    const sut = new StoreDealCache();
    const old = deferred<StoreDealView | null>();
    const inFlight = sut.get(1, () => old.promise);
    sut.invalidate(1);
    const fresh = sut.get(1, async () => view('new'));
    old.resolve(view('old'));
    expect(await inFlight).toEqual(view('old'));
    expect(await fresh).toEqual(view('new'));
    expect(await sut.get(1, async () => view('never'))).toEqual(view('new'));
  });

  it('a failed read is not cached', async () => {
    const sut = new StoreDealCache();
    await expect(sut.get(1, () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await sut.get(1, async () => view('a'))).toEqual(view('a'));
  });
});
