import {
  addInto,
  contribution,
  safeKey,
  sliceFor,
  slicesOf,
  summaryFromCounts,
  unflatten,
  type QuestionCounts,
} from './answer-counts';
import { QuestionAccumulator, type SummaryQuestion } from './question-summary';

const label = (en: string) => ({ en, fr: en });
const options = (...ids: string[]) => ids.map((id) => ({ id, label: label(id) }));

/** Counts built from answers the way the recorder does, then summarised, next to the accumulator's summary. */
function both(question: SummaryQuestion, values: unknown[]) {
  const types = new Map([[question.id, question.type]]);
  const total = {};
  const accumulator = new QuestionAccumulator(question);
  for (const value of values) {
    addInto(total, contribution(types, { [question.id]: value as never }));
    accumulator.add(value as never);
  }
  const counts = (unflatten(total).q as Record<string, QuestionCounts> | undefined)?.[question.id];
  return { live: summaryFromCounts(question, counts, undefined), expected: accumulator.result() };
}

describe('answer counts', () => {
  it('when choice, rating, matrix and ranking answers are counted, then the summary equals the one from the answers', () => {
    const single = {
      id: 's',
      type: 'single_choice',
      label: label('S'),
      options: options('a', 'b'),
      allowOther: true,
    };
    const { live, expected } = both(single, ['a', 'b', 'a', 'other', undefined, '']);
    // The accumulator also lists "other" texts; the counters leave written answers to the snapshot.
    const { otherTexts, ...counted } = expected as typeof expected & { otherTexts?: string[] };
    expect(otherTexts).toEqual([]);
    expect(live).toEqual(counted);
    expect(live).toMatchObject({ kind: 'choice', answered: 4 });

    const rating = { id: 'r', type: 'rating', label: label('R'), points: 5 };
    const r = both(rating, [5, 4, 4, 1, 2, 2]);
    expect(r.live).toEqual(r.expected);

    const matrix = {
      id: 'm',
      type: 'matrix',
      label: label('M'),
      rows: options('r1', 'r2'),
      scale: options('lo', 'hi'),
    };
    const m = both(matrix, [{ r1: 'lo', r2: 'hi' }, { r1: 'hi' }, { r2: 'hi' }]);
    expect(m.live).toEqual(m.expected);

    const ranking = { id: 'k', type: 'ranking', label: label('K'), options: options('x', 'y', 'z') };
    const k = both(ranking, [
      ['y', 'x', 'z'],
      ['y', 'z', 'x'],
      ['x', 'y'],
    ]);
    expect(k.live).toEqual(k.expected);
  });

  it('when a number question is counted, then the mean is live and the median waits for the snapshot', () => {
    const { live, expected } = both({ id: 'n', type: 'number', label: label('N') }, [10, 2, 30, 'x']);
    expect(live).toMatchObject({
      kind: 'numeric',
      answered: expected.answered,
      median: null,
      distribution: [],
    });
    expect(live.kind === 'numeric' && live.mean).toBe(expected.kind === 'numeric' && expected.mean);
  });

  it('when an edit is counted, then adding the new and subtracting the previous contribution leaves only the new', () => {
    const types = new Map([
      ['s', 'single_choice'],
      ['t', 'long_text'],
    ]);
    const total = addInto({}, contribution(types, { s: 'a', t: 'hello' }));
    addInto(total, contribution(types, { s: 'b' }));
    addInto(total, contribution(types, { s: 'a', t: 'hello' }), -1);
    expect(total).toEqual(contribution(types, { s: 'b' }));
  });

  it('when a value is not a plain id, then its key is a hash without dots or dollars', () => {
    expect(safeKey('abc-1')).toBe('abc-1');
    expect(safeKey('4')).toBe('4');
    for (const odd of ['a.b', '$where', '2.5', '', 'x'.repeat(80)]) {
      expect(safeKey(odd)).toMatch(/^~[A-Za-z0-9_-]+$/);
    }
    expect(safeKey('a.b')).not.toBe(safeKey('a-b'));
  });

  it('when slices are named, then a response is in four and a filter picks one of them', () => {
    expect(slicesOf('academia', undefined)).toEqual([
      'all',
      's:academia',
      'r:not_asked',
      'sr:academia:not_asked',
    ]);
    expect(sliceFor({})).toBe('all');
    expect(sliceFor({ region: 'ON' })).toBe('r:ON');
    expect(sliceFor({ sector: 'academia', region: 'ON' })).toBe('sr:academia:ON');
  });
});
