import { threePageDefinition } from '../../../test/support/factories/surveys';
import {
  formatLocalDateTime,
  parseLocalDateTime,
  questionFieldFor,
  questionFromForm,
  questionToForm,
  rowCount,
} from './builder-form';
import { deleteQuestion, moveQuestion, moveSection, questionsBefore } from './survey-builder';
import { checkDefinition } from './survey-definition';

describe('builder forms', () => {
  it('when option rows are filled, then blank rows are dropped and existing ids are kept', () => {
    const question = questionFromForm('single_choice', 'q1', {
      labelEn: ' Colour? ',
      labelFr: 'Couleur?',
      required: 'yes',
      option_0_id: 'red',
      option_0_en: 'Red',
      option_0_fr: 'Rouge',
      option_1_en: '',
      option_1_fr: '',
      option_2_en: 'Blue',
      option_2_fr: 'Bleu',
      allowOther: 'yes',
    });
    expect(question).toMatchObject({
      id: 'q1',
      type: 'single_choice',
      label: { en: 'Colour?', fr: 'Couleur?' },
      required: true,
      allowOther: true,
      randomize: false,
    });
    expect(question.type === 'single_choice' && question.options.map((o) => o.id)[0]).toBe('red');
    expect(question.type === 'single_choice' && question.options).toHaveLength(2);
  });

  it('when a question is shown again in its form, then reading the form gives the same question', () => {
    for (const question of threePageDefinition().sections.flatMap((s) => s.questions)) {
      const again = questionFromForm(question.type, question.id, questionToForm(question));
      expect(
        checkDefinition({
          title: { en: 'T', fr: 'T' },
          sections: [{ id: 's', title: { en: 'S', fr: 'S' }, questions: [again] }],
        }).ok,
      ).toBe(question.showIf === undefined);
      expect({ ...again, showIf: undefined }).toEqual({ ...question, showIf: undefined, help: undefined });
    }
  });

  it('when a number setting is not a number, then it stays text so validation can name it', () => {
    expect(questionFromForm('number', 'n', { labelEn: 'N', max: 'five', min: '2,5' })).toMatchObject({
      max: 'five',
      min: 2.5,
    });
  });

  it.each([
    ['label.fr', 'labelFr'],
    ['options[2].label.en', 'option_2_en'],
    ['rows[0].id', 'row_0_en'],
    ['scale', 'scale_0_en'],
    ['showIf.questionId', 'showIfQuestion'],
    ['showIf.values[1]', 'showIfValues'],
    ['lowLabel.fr', 'lowFr'],
    ['max', 'max'],
  ])('when a definition error is at %p, then the form field is %p', (path, field) => {
    expect(questionFieldFor(path)).toBe(field);
  });

  it('when rows are counted, then three blank rows are added', () => {
    expect(rowCount({ option_0_en: 'a', option_1_en: 'b' }, 'option')).toBe(5);
  });

  it('when an officer types a date and time, then it is Eastern time, summer and winter', () => {
    expect(parseLocalDateTime('2026-07-01T09:00')?.toISOString()).toBe('2026-07-01T13:00:00.000Z');
    expect(parseLocalDateTime('2026-12-01T09:00')?.toISOString()).toBe('2026-12-01T14:00:00.000Z');
    expect(formatLocalDateTime(new Date('2026-12-01T14:00:00Z'))).toBe('2026-12-01T09:00');
    expect(parseLocalDateTime('tomorrow')).toBeUndefined();
  });
});

describe('builder edits', () => {
  it('when a question is moved at the edge of its page, then it moves to the neighbouring page', () => {
    const moved = moveQuestion(threePageDefinition(), 'change', 'down');
    expect(moved.sections.map((s) => s.questions.map((q) => q.id))).toEqual([
      ['likes', 'why'],
      [],
      ['change', 'score'],
    ]);
    expect(
      moveQuestion(threePageDefinition(), 'likes', 'up').sections[0]?.questions.map((q) => q.id),
    ).toEqual(['likes', 'why']);
  });

  it('when a page is moved, then the definition is a new object and the input is unchanged', () => {
    const original = threePageDefinition();
    const moved = moveSection(original, 's3', 'up');
    expect(moved.sections.map((s) => s.id)).toEqual(['s1', 's3', 's2']);
    expect(original.sections.map((s) => s.id)).toEqual(['s1', 's2', 's3']);
  });

  it('when a question others depend on is deleted, then the definition check refuses it', () => {
    const result = checkDefinition(deleteQuestion(threePageDefinition(), 'likes'));
    expect(result.ok).toBe(false);
  });

  it('when the questions before a question are asked for, then only earlier ones come back', () => {
    expect(questionsBefore(threePageDefinition(), { questionId: 'change' }).map((q) => q.id)).toEqual([
      'likes',
      'why',
    ]);
    expect(questionsBefore(threePageDefinition(), { sectionId: 's2' }).map((q) => q.id)).toEqual([
      'likes',
      'why',
    ]);
  });
});
