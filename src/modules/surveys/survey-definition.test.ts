import { both, everyTypeQuestions, threePageDefinition } from '../../../test/support/factories/surveys';
import { checkDefinition, type SurveyDefinition } from './survey-definition';

function errorsOf(input: unknown, forPublishing = false) {
  const result = checkDefinition(input, { forPublishing });
  return result.ok
    ? []
    : result.errors.map((e) => `${e.path}: ${e.message.key.replace('surveys:definition.errors.', '')}`);
}

describe('survey definitions', () => {
  it('when every question type is used, complete in both languages, then the definition is publishable', () => {
    const definition = {
      title: both('All'),
      sections: [{ id: 's1', title: both('One'), questions: everyTypeQuestions() }],
    };
    expect(errorsOf(definition, true)).toEqual([]);
  });

  it('when defaults are left out, then they are filled in', () => {
    const result = checkDefinition({
      title: { en: 'T' },
      sections: [
        { id: 's1', title: { en: 'S' }, questions: [{ id: 'q1', type: 'short_text', label: { en: 'Q' } }] },
      ],
    });
    expect(result.ok && result.definition.sections[0]?.questions[0]).toMatchObject({
      required: false,
      maxLength: 200,
      label: { en: 'Q', fr: '' },
    });
  });

  it('when a condition points forward, at itself or at nothing, then each is refused with its path', () => {
    const definition = threePageDefinition();
    const s1 = definition.sections[0]!;
    s1.questions[0]!.showIf = { questionId: 'why', operator: 'equals', values: ['x'] };
    s1.questions[1]!.showIf = { questionId: 'why', operator: 'equals', values: ['x'] };
    definition.sections[2]!.showIf = { questionId: 'deleted', operator: 'equals', values: ['x'] };
    expect(errorsOf(definition)).toEqual([
      'sections[0].questions[0].showIf.questionId: conditionSameOrLater',
      'sections[0].questions[1].showIf.questionId: conditionSameOrLater',
      'sections[2].showIf.questionId: conditionUnknown',
    ]);
  });

  it('when a section depends on a question of its own section, then it is refused', () => {
    const definition = threePageDefinition();
    definition.sections[2]!.showIf = { questionId: 'score', operator: 'one_of', values: ['1'] };
    expect(errorsOf(definition)).toEqual(['sections[2].showIf.questionId: conditionSameOrLater']);
  });

  it('when a condition compares a choice with a value that is not one of its options, then it is refused', () => {
    const definition = threePageDefinition();
    definition.sections[1]!.showIf = { questionId: 'likes', operator: 'equals', values: ['maybe'] };
    expect(errorsOf(definition)).toEqual(['sections[1].showIf.values[0]: conditionValue']);
  });

  it('when ids repeat or use reserved or unsafe names, then each is listed', () => {
    const definition: SurveyDefinition = threePageDefinition();
    definition.sections[2]!.questions[0]!.id = 'likes';
    const choice = definition.sections[0]!.questions[0]!;
    if (choice.type === 'single_choice') choice.options[1]!.id = 'other';
    expect(errorsOf(definition)).toEqual([
      'sections[0].questions[0].options[1].id: reservedId',
      // the "no" option was renamed, so the page shown on "no" now compares with a value that does not exist
      'sections[1].showIf.values[0]: conditionValue',
      'sections[2].questions[0].id: duplicateId',
    ]);
    expect(
      errorsOf({ title: both('T'), sections: [{ id: 'bad_id', title: both('S'), questions: [] }] }),
    ).toEqual(['sections[0].id: id']);
  });

  it('when a JSON import has several mistakes, then every one is listed with its path', () => {
    const imported = {
      title: 'not localized',
      sections: [
        {
          id: 's1',
          title: both('S'),
          questions: [
            { id: 'q1', type: 'telepathy', label: both('Q') },
            { id: 'q2', type: 'number', label: both('N'), min: 'low' },
            { id: 'q3', type: 'single_choice', label: both('C'), options: [] },
          ],
        },
      ],
    };
    expect(errorsOf(imported)).toEqual([
      'title: type',
      'sections[0].questions[0].type: value',
      'sections[0].questions[1].min: type',
      'sections[0].questions[2].options: options',
    ]);
  });

  it('when ranges are upside down, then they are refused', () => {
    const definition: SurveyDefinition = {
      title: both('T'),
      sections: [
        {
          id: 's',
          title: both('S'),
          questions: [
            { id: 'n', type: 'number', label: both('N'), required: false, min: 5, max: 1, integer: false },
            {
              id: 'd',
              type: 'date',
              label: both('D'),
              required: false,
              min: '2026-05-01',
              max: '2026-01-01',
            },
          ],
        },
      ],
    };
    expect(errorsOf(definition)).toEqual([
      'sections[0].questions[0].max: range',
      'sections[0].questions[1].max: range',
    ]);
  });

  it('when publishing with a French label missing, then the path of every missing translation is listed', () => {
    const definition = threePageDefinition();
    definition.title.fr = '';
    definition.sections[0]!.questions[1]!.label.fr = ' ';
    expect(errorsOf(definition)).toEqual([]);
    expect(errorsOf(definition, true)).toEqual([
      'title.fr: missing_fr',
      'sections[0].questions[1].label.fr: missing_fr',
    ]);
  });

  it('when publishing a survey without questions, then it is refused', () => {
    expect(errorsOf({ title: both('T'), sections: [] }, true)).toEqual(['sections: noQuestions']);
  });
});
