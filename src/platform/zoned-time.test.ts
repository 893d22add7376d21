import { parseWallClock, toWallClock } from './zoned-time';

describe('wall-clock times in Toronto', () => {
  it.each([
    ['2026-01-15T09:30', '2026-01-15T14:30:00.000Z'],
    ['2026-07-15T09:30', '2026-07-15T13:30:00.000Z'],
    ['2026-03-08T03:30', '2026-03-08T07:30:00.000Z'],
    ['2026-11-01T00:00', '2026-11-01T04:00:00.000Z'],
    ['2026-12-01', '2026-12-01T05:00:00.000Z'],
  ])('when an officer types %s, then it is the instant %s', (input, iso) => {
    expect(parseWallClock(input)?.toISOString()).toBe(iso);
  });

  it.each([
    '',
    'tomorrow',
    '2026-02-30T10:00',
    '2026-13-01T10:00',
    '2026-01-01T24:00',
    '2026-01-01T10:00:00Z',
  ])('when the value is %p, then it is not a date', (input) => {
    expect(parseWallClock(input)).toBeUndefined();
  });

  it('when an instant is shown in a form, then it reads back as the same instant', () => {
    const instant = new Date('2026-07-15T13:30:00.000Z');
    expect(toWallClock(instant)).toBe('2026-07-15T09:30');
    expect(parseWallClock(toWallClock(instant))?.getTime()).toBe(instant.getTime());
  });
});
