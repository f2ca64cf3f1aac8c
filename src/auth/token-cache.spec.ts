import { TokenCache } from './token-cache';

describe(TokenCache.name, () => {
  let now: number;
  let sut: TokenCache<string>;
  beforeEach(() => {
    now = 1_000_000;
    sut = new TokenCache<string>(3, () => now);
  });

  it('answers a stored token until, not at, its expiry', () => {
    sut.set('a', 'A', now + 500);
    expect(sut.get('a')).toBe('A');
    now += 499;
    expect(sut.get('a')).toBe('A');
    now += 1;
    expect(sut.get('a')).toBeUndefined();
    expect(sut.size).toBe(0);
  });

  it('does not store a token that has already expired', () => {
    sut.set('a', 'A', now);
    sut.set('b', 'B', now - 1);
    sut.set('c', 'C', Number.NaN);
    expect(sut.size).toBe(0);
  });

  it('drops the least recently used token beyond its bound', () => {
    sut.set('a', 'A', now + 1000);
    sut.set('b', 'B', now + 1000);
    sut.set('c', 'C', now + 1000);
    expect(sut.get('a')).toBe('A'); // b is now the least recently used
    sut.set('d', 'D', now + 1000);
    expect(sut.size).toBe(3);
    expect(sut.get('b')).toBeUndefined();
    expect([sut.get('a'), sut.get('c'), sut.get('d')]).toEqual(['A', 'C', 'D']);
  });

  it('replaces an entry stored again without growing', () => {
    sut.set('a', 'A', now + 1000);
    sut.set('a', 'A2', now + 2000);
    expect(sut.size).toBe(1);
    now += 1500;
    expect(sut.get('a')).toBe('A2');
  });
});
