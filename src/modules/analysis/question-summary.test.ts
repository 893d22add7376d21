import { CrossTab, QuestionAccumulator, type SummaryQuestion } from './question-summary';

const label = (en: string) => ({ en, fr: en });
const options = (...ids: string[]) => ids.map((id) => ({ id, label: label(id) }));

function summarise(question: SummaryQuestion, values: unknown[], filter = '') {
  const acc = new QuestionAccumulator(question, filter);
  for (const v of values) acc.add(v as never);
  return acc.result();
}

describe('question summaries', () => {
  it('when a single choice is summarised, then each option has its count and share of those who answered', () => {
    const q = {
      id: 'q',
      type: 'single_choice',
      label: label('Q'),
      options: options('a', 'b'),
      allowOther: true,
    };
    expect(summarise(q, ['a', 'a', 'b', 'other', undefined, ''])).toMatchObject({
      kind: 'choice',
      answered: 4,
      rows: [
        { key: 'a', count: 2, share: 0.5 },
        { key: 'b', count: 1, share: 0.25 },
        { key: 'other', count: 1, share: 0.25 },
      ],
    });
  });

  it('when a multiple choice is summarised, then shares are of respondents and may add up to more than 100%', () => {
    const q = { id: 'q', type: 'multiple_choice', label: label('Q'), options: options('a', 'b') };
    const result = summarise(q, [['a', 'b'], ['a'], []]);
    expect(result).toMatchObject({
      answered: 2,
      rows: [
        { key: 'a', count: 2, share: 1 },
        { key: 'b', count: 1, share: 0.5 },
      ],
    });
  });

  it('when numbers and ratings are summarised, then mean, median and the distribution are exact', () => {
    const rating = summarise({ id: 'r', type: 'rating', label: label('R'), points: 5 }, [5, 4, 4, 1]);
    expect(rating).toMatchObject({ kind: 'numeric', answered: 4, mean: 3.5, median: 4, min: 1, max: 5 });
    expect(rating.kind === 'numeric' && rating.distribution.map((d) => d.count)).toEqual([1, 0, 0, 2, 1]);
    const number = summarise({ id: 'n', type: 'number', label: label('N') }, [10, 2, 30]);
    expect(number).toMatchObject({ mean: 14, median: 10 });
  });

  it('when a matrix is summarised, then each row is a table over the scale', () => {
    const q = {
      id: 'm',
      type: 'matrix',
      label: label('M'),
      rows: options('r1', 'r2'),
      scale: options('low', 'high'),
    };
    const result = summarise(q, [{ r1: 'low', r2: 'high' }, { r1: 'high' }]);
    expect(result).toMatchObject({
      kind: 'matrix',
      rows: [
        {
          key: 'r1',
          answered: 2,
          cells: [
            { key: 'low', count: 1 },
            { key: 'high', count: 1 },
          ],
        },
        {
          key: 'r2',
          answered: 1,
          cells: [
            { key: 'low', count: 0 },
            { key: 'high', count: 1, share: 1 },
          ],
        },
      ],
    });
  });

  it('when rankings are summarised, then options are ordered by average rank', () => {
    const q = { id: 'k', type: 'ranking', label: label('K'), options: options('x', 'y', 'z') };
    const result = summarise(q, [
      ['y', 'x', 'z'],
      ['y', 'z', 'x'],
      ['x', 'y', 'z'],
    ]);
    expect(result.kind === 'ranking' && result.rows).toEqual([
      { key: 'y', averageRank: 1.33, firstPlace: 2 },
      { key: 'x', averageRank: 2, firstPlace: 1 },
      { key: 'z', averageRank: 2.67, firstPlace: 0 },
    ]);
  });

  it('when text answers are searched, then only matching ones are listed and emails are never listed', () => {
    const text = summarise(
      { id: 't', type: 'long_text', label: label('T') },
      ['Open data please', 'More consultations', 'open budgets'],
      'OPEN',
    );
    expect(text).toEqual({ kind: 'text', answered: 3, texts: ['Open data please', 'open budgets'] });
    expect(summarise({ id: 'e', type: 'email', label: label('E') }, ['a@example.ca'])).toEqual({
      kind: 'private',
      answered: 1,
    });
  });

  it('when dates are summarised, then the earliest and latest are given', () => {
    expect(summarise({ id: 'd', type: 'date', label: label('D') }, ['2018-05-01', '2016-01-02'])).toEqual({
      kind: 'date',
      answered: 2,
      earliest: '2016-01-02',
      latest: '2018-05-01',
    });
  });

  it('when a choice question is crossed with sector, then each cell is a share of that sector', () => {
    const tab = new CrossTab(
      { id: 'q', type: 'single_choice', label: label('Q'), options: options('a', 'b') },
      ['civil_society', 'academia'],
    );
    tab.add('a', 'civil_society');
    tab.add('b', 'civil_society');
    tab.add('a', 'academia');
    expect(tab.result()).toEqual({
      rows: [
        {
          key: 'a',
          cells: [
            { column: 'civil_society', count: 1, share: 0.5 },
            { column: 'academia', count: 1, share: 1 },
          ],
        },
        {
          key: 'b',
          cells: [
            { column: 'civil_society', count: 1, share: 0.5 },
            { column: 'academia', count: 0, share: 0 },
          ],
        },
      ],
      totals: [
        { column: 'civil_society', count: 2 },
        { column: 'academia', count: 1 },
      ],
    });
  });
});
