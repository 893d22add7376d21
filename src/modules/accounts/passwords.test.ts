import { hashPassword, passwordProblem, verifyDummyPassword, verifyPassword } from './passwords';

describe('password policy', () => {
  it.each([
    ['short', 'accounts:errors.password.tooShort'],
    ['qwertyuiop12', 'accounts:errors.password.common'],
    ['password1234', 'accounts:errors.password.common'],
    ['jennifer12345', 'accounts:errors.password.guessable'],
    ['aaaaaaaaaaaaaaaa', 'accounts:errors.password.guessable'],
    ['x'.repeat(300), 'accounts:errors.password.tooLong'],
  ])('when the password is %p, then it is refused (%s)', (password, key) => {
    expect(passwordProblem(password)?.key).toBe(key);
  });

  it.each(['correct horse battery staple', 'blue-giraffe-eats-maple-toast', 'Tr0ub4dor&3xyz!'])(
    'when the password is a strong passphrase (%p), then it is accepted',
    (password) => {
      expect(passwordProblem(password)).toBeUndefined();
    },
  );

  it('when a long passphrase is given, then it is accepted quickly', () => {
    const started = Date.now();
    expect(passwordProblem('a long sentence about open government in canada, '.repeat(5))).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("when the password is the user's own email, then it is refused", () => {
    expect(passwordProblem('marie.tremblay@example.org', ['marie.tremblay@example.org'])?.key).toBe(
      'accounts:errors.password.guessable',
    );
  });
});

describe('password hashing', () => {
  it('when a password is hashed, then it is argon2id and only the same password verifies', async () => {
    const stored = await hashPassword('blue-giraffe-eats-maple-toast');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(stored, 'blue-giraffe-eats-maple-toast')).toBe(true);
    expect(await verifyPassword(stored, 'blue-giraffe-eats-maple-toasT')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
    expect(await verifyDummyPassword('anything')).toBe(false);
  });
});
