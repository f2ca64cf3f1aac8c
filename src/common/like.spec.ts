import { escapeLike, LIKE_ESCAPE } from './like';

describe(escapeLike.name, () => {
  it.each([
    ['abc', 'abc'],
    ['100%', '100!%'],
    ['a_b', 'a!_b'],
    ['wow!', 'wow!!'],
    ['%_!%', '!%!_!!!%'],
    ['中文', '中文'],
    ['back\\slash', 'back\\slash'],
    ['', ''],
  ])('%j → %j', (input, out) => {
    expect(escapeLike(input)).toBe(out);
  });

  it('pairs with an ESCAPE clause on the same character', () => {
    expect(LIKE_ESCAPE).toBe("ESCAPE '!'");
  });
});
