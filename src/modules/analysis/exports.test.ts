import { mergeQuestions, suppressedCombinations, weekOf } from './exports';
import { matchesFilters } from './filters';

describe('anonymous coarsening', () => {
  it('hides every combination under the threshold', () => {
    const hidden = suppressedCombinations(
      new Map([
        ['a|ON', 2],
        ['b|QC', 3],
        ['c|AB', 9],
      ]),
      5,
    );
    // 2 + 3 = 5 hidden rows: enough on their own.
    expect([...hidden].sort()).toEqual(['a|ON', 'b|QC']);
  });

  it('hides the next smallest combinations while the hidden rows are fewer than the threshold', () => {
    const hidden = suppressedCombinations(
      new Map([
        ['a|ON', 1],
        ['b|QC', 7],
        ['c|AB', 6],
      ]),
      5,
    );
    expect([...hidden].sort()).toEqual(['a|ON', 'c|AB']);
  });

  it('hides nothing when every combination is large enough, or with no threshold', () => {
    expect(suppressedCombinations(new Map([['a|ON', 5]]), 5).size).toBe(0);
    expect(suppressedCombinations(new Map([['a|ON', 1]]), 1).size).toBe(0);
  });

  it('when every row is in small groups, then every one is hidden', () => {
    const hidden = suppressedCombinations(
      new Map([
        ['a|ON', 1],
        ['b|QC', 2],
      ]),
      5,
    );
    expect(hidden.size).toBe(2);
  });

  it('gives the Monday of the week, in UTC', () => {
    expect(weekOf(new Date('2026-12-02T23:59:59.999Z'))).toBe('2026-11-30'); // a Wednesday
    expect(weekOf(new Date('2026-11-30T00:00:00Z'))).toBe('2026-11-30'); // a Monday
    expect(weekOf(new Date('2026-12-06T12:00:00Z'))).toBe('2026-11-30'); // a Sunday
  });
});

describe('questions over versions', () => {
  it('keeps the newest text and the options only older versions had', () => {
    const label = (en: string) => ({ en, fr: `${en} (fr)` });
    const merged = mergeQuestions([
      {
        definition: {
          sections: [
            {
              questions: [
                {
                  id: 'q',
                  type: 'single_choice',
                  label: label('New'),
                  options: [{ id: 'a', label: label('A') }],
                },
              ],
            },
          ],
        },
      },
      {
        definition: {
          sections: [
            {
              questions: [
                {
                  id: 'q',
                  type: 'single_choice',
                  label: label('Old'),
                  options: [
                    { id: 'a', label: label('A old') },
                    { id: 'b', label: label('B') },
                  ],
                  allowOther: true,
                },
                { id: 'gone', type: 'short_text', label: label('Gone') },
              ],
            },
          ],
        },
      },
    ]);
    expect(merged.map((q) => q.id)).toEqual(['q', 'gone']);
    expect(merged[0]?.label.en).toBe('New');
    expect(merged[0]?.options?.map((o) => o.label.en)).toEqual(['A', 'B']);
    expect(merged[0]?.allowOther).toBe(true);
  });
});

describe('filters', () => {
  const r = {
    sector: 'academia',
    locale: 'fr',
    channel: 'open',
    submittedAt: new Date('2026-03-01T23:30:00Z'),
  };
  it('match sector (absent = not_asked), region, language, channel and inclusive UTC dates', () => {
    expect(matchesFilters(r, { sector: 'academia', region: 'not_asked' })).toBe(true);
    expect(matchesFilters(r, { language: 'en' })).toBe(false);
    expect(matchesFilters(r, { channel: 'invited' })).toBe(false);
    expect(matchesFilters(r, { since: '2026-03-01', until: '2026-03-01' })).toBe(true);
    expect(matchesFilters(r, { since: '2026-03-02' })).toBe(false);
    expect(matchesFilters(r, { until: '2026-02-28' })).toBe(false);
  });
});
