import { findForbiddenKey, MAX_DEPTH, parseJsonText } from './forbidden-keys';

describe(findForbiddenKey.name, () => {
  it.each([
    [{ x: { constructor: 'y' } }, 'x.constructor', 'constructor'],
    [{ goods: [{ constructor: {} }] }, 'goods[0].constructor', 'constructor'],
    [JSON.parse('{"a":1,"__proto__":{"admin":true}}'), '__proto__', '__proto__'],
    [{ a: [[{ prototype: 1 }]] }, 'a[0][0].prototype', 'prototype'],
    [{ 'constructor[x]': '1' }, 'constructor[x]', 'constructor'],
    [{ 'a.prototype': '1' }, 'a.prototype', 'prototype'],
    [[{ ok: 1 }, { constructor: 1 }], '[1].constructor', 'constructor'],
  ])('finds the key in %j', (value, path, key) => {
    expect(findForbiddenKey(value)).toEqual({ path, key });
  });

  it.each([
    [{ openId: 'x', nickname: 'constructor prototype' }],
    [{ constructors: 1, my_prototype: 2, proto: 3 }],
    [['constructor', '__proto__']],
    ['constructor'],
    [null],
    [undefined],
    [42],
    [Object.create(null)],
  ])('lets %j through', (value) => {
    expect(findForbiddenKey(value)).toBeUndefined();
  });

  it('reports input nested deeper than the bound instead of walking it', () => {
    let deep: Record<string, unknown> = { ok: 1 };
    for (let i = 0; i < 1000; i++) deep = { a: deep };
    const hit = findForbiddenKey(deep);
    expect(hit).toEqual({ path: expect.stringMatching(/^a(\.a)+$/) });
    expect(hit!.path.split('.')).toHaveLength(MAX_DEPTH);
    let fine: unknown = [1];
    for (let i = 0; i < MAX_DEPTH - 1; i++) fine = [fine];
    expect(findForbiddenKey(fine)).toBeUndefined();
  });
});

describe(parseJsonText.name, () => {
  it('parses JSON and drops forbidden keys at any depth', () => {
    expect(parseJsonText('[{"constructor":{"prototype":{}},"product_id":1,"x":{"__proto__":{"a":1},"b":2}}]')).toEqual([
      { product_id: 1, x: { b: 2 } },
    ]);
  });

  it('throws a SyntaxError on text nested deeper than the bound, like on bad JSON', () => {
    expect(() => parseJsonText(`${'['.repeat(5000)}${']'.repeat(5000)}`)).toThrow(SyntaxError);
    expect(() => parseJsonText('{"a":')).toThrow(SyntaxError);
    expect(parseJsonText('{"constructor[x]":1,"a":1}')).toEqual({ a: 1 });
  });
});
