import { formatDateOnly } from './i18n';
import { calendarDate, parseWallClock, toWallClock } from './zoned-time';

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

describe('dates without a time of day', () => {
  it.each([
    ['midnight UTC (demo, API)', new Date(Date.UTC(2018, 2, 1)), '2018-03-01'],
    ['midnight in Toronto (officer form)', parseWallClock('2018-03-01') as Date, '2018-03-01'],
    ['midnight in Toronto in summer', parseWallClock('2018-07-01') as Date, '2018-07-01'],
    [
      'an evening in Toronto, already the next day in UTC',
      new Date('2018-03-02T03:00:00.000Z'),
      '2018-03-01',
    ],
  ])('when a date is stored as %s, then it is the date it is', (_label, date, day) => {
    expect(calendarDate(date)).toBe(day);
  });

  it('when 2018-03-01 is shown, then it is March 1 in English and le 1er mars in French, not February 28', () => {
    for (const date of [new Date(Date.UTC(2018, 2, 1)), parseWallClock('2018-03-01') as Date]) {
      expect(formatDateOnly(date, 'en')).toBe('March 1, 2018');
      expect(formatDateOnly(date, 'fr')).toBe('1er mars 2018');
    }
    expect(formatDateOnly(new Date(Date.UTC(2018, 11, 15)), 'fr')).toBe('15 décembre 2018');
    expect(formatDateOnly(new Date(Date.UTC(2018, 11, 31)), 'en')).toBe('December 31, 2018');
  });
});
