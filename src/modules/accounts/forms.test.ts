import { keptValues, safeReturnTo } from './forms';

describe('safeReturnTo', () => {
  it.each([
    ['/consultations/budget?tab=2', '/consultations/budget?tab=2'],
    ['/profile', '/profile'],
    ['/consultations/../rounds', '/rounds'],
  ])('when returnTo is the same-origin path %p, then it is kept', (value, expected) => {
    expect(safeReturnTo(value)).toBe(expected);
  });

  it.each([
    'https://evil.example/',
    '//evil.example/x',
    '/..//evil.example',
    '/.//evil.example',
    '/a/../..//evil.example',
    '/../sign-in',
    '/\\evil.example',
    '\\\\evil.example',
    'javascript:alert(1)',
    '/ok\r\nSet-Cookie: x=1',
    '/sign-in',
    '',
    ['/a'],
    { $ne: null },
  ])('when returnTo is %p, then it is refused', (value) => {
    expect(safeReturnTo(value)).toBeUndefined();
  });
});

describe('keptValues', () => {
  it('when a field is an array or an object, then it is shown again as empty', () => {
    expect(
      keptValues({ email: ['a', 'b'], name: { $ne: 1 }, other: 'x' }, ['email', 'name', 'other']),
    ).toEqual({
      email: '',
      name: '',
      other: 'x',
    });
  });
});
