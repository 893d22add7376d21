import { both, everyTypeQuestions, threePageDefinition } from '../../../test/support/factories/surveys';
import {
  candidateFromForm,
  meetsCondition,
  readPage,
  shownSections,
  validateAnswer,
  validateResponse,
  type FormFields,
} from './survey-answers';
import type { Question, SurveyDefinition } from './survey-definition';

const questions = everyTypeQuestions();
function q(id: string): Question {
  const found = questions.find((question) => question.id === id);
  if (!found) throw new Error(id);
  return found;
}
/** The message key of validating a form's fields for one question, or 'ok'. */
function formCheck(id: string, fields: FormFields): string {
  const result = validateAnswer(q(id), candidateFromForm(q(id), fields));
  return result.ok ? 'ok' : result.message.key.replace('surveys:answer.errors.', '');
}
function jsonCheck(id: string, value: unknown, other?: unknown): string {
  const result = validateAnswer(q(id), { value, other });
  return result.ok ? 'ok' : result.message.key.replace('surveys:answer.errors.', '');
}
function value(id: string, fields: FormFields) {
  const result = validateAnswer(q(id), candidateFromForm(q(id), fields));
  if (!result.ok) throw new Error(result.message.key);
  return result;
}

describe('answer validation by question type', () => {
  describe('single choice', () => {
    it('when nothing is chosen on a required question, then it is required', () => {
      expect(formCheck('single', {})).toBe('required');
    });
    it('when an option of the question is chosen, then it is stored as its id', () => {
      expect(value('single', { q_single: 'b' }).value).toBe('b');
    });
    it('when an option of another question is sent, then it is refused', () => {
      expect(formCheck('single', { q_single: 'zzz' })).toBe('choice');
    });
    it('when "Other" is chosen without text, then the text is asked for; with text, it is kept', () => {
      const missing = validateAnswer(q('single'), candidateFromForm(q('single'), { q_single: 'other' }));
      expect(missing).toMatchObject({ ok: false, field: 'q_single_other' });
      expect(value('single', { q_single: 'other', q_single_other: ' Delta ' })).toEqual({
        ok: true,
        value: 'other',
        other: 'Delta',
      });
    });
    it('when a JSON client sends a list, then the type is refused', () => {
      expect(jsonCheck('single', ['a'])).toBe('type');
    });
  });

  describe('multiple choice', () => {
    it('when one field or several are sent, then both become a list', () => {
      expect(value('multi', { q_multi: 'a' }).value).toEqual(['a']);
      expect(value('multi', { q_multi: ['a', 'c'] }).value).toEqual(['a', 'c']);
    });
    it('when more than the maximum are chosen, then the maximum is named', () => {
      const result = validateAnswer(q('multi'), { value: ['a', 'b', 'c'] });
      expect(result).toMatchObject({
        ok: false,
        message: { key: 'surveys:answer.errors.maxSelections', values: { max: 2 } },
      });
    });
    it('when fewer than the minimum are chosen on an optional question, then nothing is fine but too few is not', () => {
      const minTwo = { ...q('multi'), minSelections: 2 } as Question;
      expect(validateAnswer(minTwo, { value: undefined }).ok).toBe(true);
      expect(validateAnswer(minTwo, { value: ['a'] })).toMatchObject({
        ok: false,
        message: { key: 'surveys:answer.errors.minSelections' },
      });
    });
    it('when an unknown option or a string is sent, then it is refused', () => {
      expect(jsonCheck('multi', ['a', 'nope'])).toBe('choice');
      expect(jsonCheck('multi', 'a')).toBe('type');
    });
  });

  describe('dropdown', () => {
    it('when "Other" is sent but the question has no Other, then it is refused', () => {
      expect(formCheck('drop', { q_drop: 'other' })).toBe('choice');
      expect(formCheck('drop', { q_drop: 'c' })).toBe('ok');
      expect(formCheck('drop', { q_drop: '' })).toBe('ok');
    });
  });

  describe('short and long text', () => {
    it('when the text is longer than the maximum, then the maximum is named', () => {
      expect(formCheck('short', { q_short: '12345678901' })).toBe('maxLength');
      expect(formCheck('long', { q_long: 'x'.repeat(51) })).toBe('maxLength');
    });
    it('when the text fits, then it is kept exactly as typed', () => {
      expect(value('short', { q_short: ' a  b ' }).value).toBe(' a  b ');
    });
    it('when a JSON client sends a number, then the type is refused', () => {
      expect(jsonCheck('short', 12)).toBe('type');
    });
  });

  describe('number', () => {
    it.each([
      ['abc', 'number'],
      ['1e3', 'number'],
      ['2.5', 'integer'],
      ['0', 'min'],
      ['11', 'max'],
      ['7', 'ok'],
      ['', 'ok'],
    ])('when %p is typed, then the result is %p', (typed, expected) => {
      expect(formCheck('num', { q_num: typed })).toBe(expected);
    });
    it('when a French decimal comma is typed, then it is read as a decimal', () => {
      const decimal = { ...q('num'), integer: false } as Question;
      expect(validateAnswer(decimal, candidateFromForm(decimal, { q_num: '2,5' }))).toEqual({
        ok: true,
        value: 2.5,
      });
    });
    it('when a JSON client sends a string, then it is refused', () => {
      expect(jsonCheck('num', '5')).toBe('number');
    });
  });

  describe('date', () => {
    it.each([
      ['2026-02-30', 'date'],
      ['30/01/2026', 'date'],
      ['2025-12-31', 'dateMin'],
      ['2027-01-01', 'dateMax'],
      ['2026-06-15', 'ok'],
    ])('when %p is given, then the result is %p', (typed, expected) => {
      expect(formCheck('day', { q_day: typed })).toBe(expected);
    });
  });

  describe('email', () => {
    it('when the address has no domain, then it is refused; a valid one is trimmed', () => {
      expect(formCheck('mail', { q_mail: 'ada@' })).toBe('email');
      expect(value('mail', { q_mail: ' ada@example.org ' }).value).toBe('ada@example.org');
    });
  });

  describe('rating scale', () => {
    it.each([
      ['0', 'scale'],
      ['6', 'scale'],
      ['2.5', 'scale'],
      ['5', 'ok'],
    ])('when %p is given on a 5-point scale, then the result is %p', (typed, expected) => {
      expect(formCheck('stars', { q_stars: typed })).toBe(expected);
    });
  });

  describe('matrix', () => {
    it('when every row is answered, then the answer is a map of row to scale option', () => {
      expect(value('grid', { q_grid_r1: 'yes', q_grid_r2: 'no' }).value).toEqual({ r1: 'yes', r2: 'no' });
    });
    it('when a row of a required matrix is missing, then the error points at that row', () => {
      const result = validateAnswer(q('grid'), candidateFromForm(q('grid'), { q_grid_r1: 'yes' }));
      expect(result).toMatchObject({
        ok: false,
        field: 'q_grid_r2',
        message: { key: 'surveys:answer.errors.matrixRows' },
      });
    });
    it('when a value is not on the scale or a row is unknown, then it is refused', () => {
      expect(formCheck('grid', { q_grid_r1: 'maybe', q_grid_r2: 'no' })).toBe('choice');
      expect(jsonCheck('grid', { r1: 'yes', r2: 'no', r9: 'yes' })).toBe('matrixRowUnknown');
      expect(jsonCheck('grid', ['yes', 'no'])).toBe('type');
    });
  });

  describe('ranking', () => {
    it('when every option gets a distinct rank, then the answer is the option ids in order', () => {
      expect(value('rank', { q_rank_a: '3', q_rank_b: '1', q_rank_c: '2' }).value).toEqual(['b', 'c', 'a']);
    });
    it.each([
      [{ q_rank_a: '1', q_rank_b: '1', q_rank_c: '2' }, 'ranking'],
      [{ q_rank_a: '1', q_rank_b: '2' }, 'ranking'],
      [{ q_rank_a: '1', q_rank_b: '2', q_rank_c: '4' }, 'ranking'],
      [{}, 'ok'],
    ])('when the ranks are %p, then the result is %p', (fields, expected) => {
      expect(formCheck('rank', fields)).toBe(expected);
    });
    it('when a JSON client sends a list that is not a permutation of the options, then it is refused', () => {
      expect(jsonCheck('rank', ['a', 'b'])).toBe('ranking');
      expect(jsonCheck('rank', ['a', 'b', 'x'])).toBe('ranking');
      expect(jsonCheck('rank', ['c', 'a', 'b'])).toBe('ok');
    });
  });
});

describe('conditions', () => {
  const equals = (values: string[]) => ({ questionId: 'x', operator: 'equals' as const, values });
  const contains = (values: string[]) => ({ questionId: 'x', operator: 'contains' as const, values });
  const oneOf = (values: string[]) => ({ questionId: 'x', operator: 'one_of' as const, values });

  it('when the question is unanswered, then no condition is met', () => {
    expect(meetsCondition(equals(['a']), undefined)).toBe(false);
    expect(meetsCondition(oneOf(['a']), undefined)).toBe(false);
  });
  it('when "equals" compares a single answer, then case and spaces do not matter', () => {
    expect(meetsCondition(equals(['yes']), 'yes')).toBe(true);
    expect(meetsCondition(equals(['Yes']), ' yes ')).toBe(true);
    expect(meetsCondition(equals(['no']), 'yes')).toBe(false);
    expect(meetsCondition(equals(['4']), 4)).toBe(true);
  });
  it('when "equals" compares a list, then it must hold exactly the values', () => {
    expect(meetsCondition(equals(['a', 'b']), ['b', 'a'])).toBe(true);
    expect(meetsCondition(equals(['a']), ['a', 'b'])).toBe(false);
  });
  it('when "contains" is used, then a list must include every value and a text every piece', () => {
    expect(meetsCondition(contains(['a']), ['a', 'b'])).toBe(true);
    expect(meetsCondition(contains(['a', 'c']), ['a', 'b'])).toBe(false);
    expect(meetsCondition(contains(['water']), 'Clean Water now')).toBe(true);
  });
  it('when "one of" is used, then any shared value meets it', () => {
    expect(meetsCondition(oneOf(['a', 'c']), 'c')).toBe(true);
    expect(meetsCondition(oneOf(['a', 'c']), ['b', 'c'])).toBe(true);
    expect(meetsCondition(oneOf(['a', 'c']), 'b')).toBe(false);
  });
  it('when the answer is a matrix, then no condition is met', () => {
    expect(meetsCondition(oneOf(['a']), { r1: 'a' })).toBe(false);
  });

  const definition = threePageDefinition();
  it('when "yes" is answered, then the follow-up question is required and the "no" page is hidden', () => {
    const page = readPage(definition, 0, { q_likes: 'yes' }, { answers: {}, otherText: {} });
    expect(page.errors.map((e) => e.field)).toEqual(['q_why']);
    expect(shownSections(definition, { likes: 'yes' })).toEqual([0, 2]);
  });
  it('when "no" is answered, then the follow-up is skipped (its answer dropped) and the "no" page shows', () => {
    const page = readPage(definition, 0, { q_likes: 'no', q_why: 'ignored' }, { answers: {}, otherText: {} });
    expect(page.errors).toEqual([]);
    expect(page.answers).toEqual({ likes: 'no' });
    expect(shownSections(definition, page.answers)).toEqual([0, 1, 2]);
  });
  it('when an earlier answer changes, then answers of questions that became hidden are dropped', () => {
    const before = { answers: { likes: 'no', change: 'more parks' }, otherText: {} };
    const page = readPage(definition, 0, { q_likes: 'yes', q_why: 'trees' }, before);
    expect(page.answers).toEqual({ likes: 'yes', why: 'trees' });
  });
});

describe('validating a whole response (JSON)', () => {
  const definition: SurveyDefinition = threePageDefinition();
  it('when a question id is unknown, then it is named in the errors', () => {
    const result = validateResponse(definition, { answers: { likes: 'no', change: 'x', bogus: 1 } });
    expect(result.errors).toEqual([
      expect.objectContaining({
        questionId: 'bogus',
        message: { key: 'surveys:answer.errors.unknownQuestion', values: { id: 'bogus' } },
      }),
    ]);
  });
  it('when a required question on a shown page is missing, then it is reported; on a hidden page it is not', () => {
    expect(
      validateResponse(definition, { answers: { likes: 'no' } }).errors.map((e) => e.questionId),
    ).toEqual(['change']);
    expect(validateResponse(definition, { answers: { likes: 'yes', why: 'x' } }).errors).toEqual([]);
  });
  it('when an answer is given to a hidden question, then it is not kept', () => {
    const result = validateResponse(definition, { answers: { likes: 'yes', why: 'x', change: 'y' } });
    expect(result.answers).toEqual({ likes: 'yes', why: 'x' });
  });
  it('when "Other" text comes with a choice, then it is kept beside the answer', () => {
    const withOther: SurveyDefinition = {
      title: both('T'),
      sections: [{ id: 's', title: both('S'), questions: [q('single')] }],
    };
    const result = validateResponse(withOther, {
      answers: { single: 'other' },
      otherText: { single: 'Delta' },
    });
    expect(result).toEqual({ answers: { single: 'other' }, otherText: { single: 'Delta' }, errors: [] });
  });
});
