import { DUMMY_HASH, hashPassword, needsRehash, SCRYPT_COST, verifyPassword } from './password';

describe('password', () => {
  it("hashes at OWASP's scrypt cost (N=2^17, r=8, p=1)", async () => {
    expect(SCRYPT_COST).toEqual({ N: 131072, r: 8, p: 1 });
    const h = await hashPassword('correct horse');
    expect(h).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword('correct horse', h)).toBe(true);
    expect(await verifyPassword('wrong horse', h)).toBe(false);
    expect(needsRehash(h)).toBe(false);
  });

  it('still verifies a hash of an older cost, and says it needs a rehash', async () => {
    const old = await hashPassword('correct horse', { N: 16384, r: 8, p: 1 });
    expect(old).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('correct horse', old)).toBe(true);
    expect(await verifyPassword('wrong horse', old)).toBe(false);
    expect(needsRehash(old)).toBe(true);
  });

  it('keeps the dummy hash at the current cost, so an unknown username costs as much as a wrong password', () => {
    expect(DUMMY_HASH).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(needsRehash(DUMMY_HASH)).toBe(false);
  });

  it.each(['', 'plain', 'scrypt$1$2$3', 'scrypt$99999999999$8$1$AA==$AA==', 'scrypt$131072$8$1$$', 'bcrypt$x$y$z$a$b'])(
    'refuses a malformed or absurd stored value %j without throwing',
    async (stored) => {
      expect(await verifyPassword('x', stored)).toBe(false);
    },
  );
});
