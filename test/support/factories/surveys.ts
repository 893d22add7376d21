import type { Consultation } from '../../../src/modules/consultations';
import { createParticipationModule } from '../../../src/modules/participation';
import {
  createSurveysService,
  defaultSettings,
  type Question,
  type Survey,
  type SurveyDefinition,
  type SurveySettings,
  type SurveysService,
} from '../../../src/modules/surveys';
import type { TestApp } from '../app';
import { consultationsServiceFor, createRoundAndConsultation } from './consultations';

/** "Text" in both languages, so a definition built from these is complete for publishing. */
export function both(en: string, fr = `${en} (fr)`): { en: string; fr: string } {
  return { en, fr };
}

/** One question of each of the eleven types, complete in both languages. */
export function everyTypeQuestions(): Question[] {
  const options = [
    { id: 'a', label: both('Alpha') },
    { id: 'b', label: both('Beta') },
    { id: 'c', label: both('Gamma') },
  ];
  return [
    {
      id: 'single',
      type: 'single_choice',
      label: both('Pick one'),
      required: true,
      options,
      allowOther: true,
      randomize: false,
    },
    {
      id: 'multi',
      type: 'multiple_choice',
      label: both('Pick some'),
      required: false,
      options,
      allowOther: true,
      randomize: false,
      minSelections: 1,
      maxSelections: 2,
    },
    {
      id: 'drop',
      type: 'dropdown',
      label: both('Choose'),
      required: false,
      options,
      allowOther: false,
      randomize: false,
    },
    { id: 'short', type: 'short_text', label: both('Name a thing'), required: false, maxLength: 10 },
    { id: 'long', type: 'long_text', label: both('Tell us more'), required: false, maxLength: 50 },
    { id: 'num', type: 'number', label: both('How many'), required: false, min: 1, max: 10, integer: true },
    { id: 'day', type: 'date', label: both('When'), required: false, min: '2026-01-01', max: '2026-12-31' },
    { id: 'mail', type: 'email', label: both('Email'), required: false },
    {
      id: 'stars',
      type: 'rating',
      label: both('Rate it'),
      required: false,
      points: 5,
      lowLabel: both('Bad'),
      highLabel: both('Good'),
    },
    {
      id: 'grid',
      type: 'matrix',
      label: both('Agree?'),
      required: true,
      rows: [
        { id: 'r1', label: both('Row one') },
        { id: 'r2', label: both('Row two') },
      ],
      scale: [
        { id: 'no', label: both('No') },
        { id: 'yes', label: both('Yes') },
      ],
    },
    { id: 'rank', type: 'ranking', label: both('Rank these'), required: false, options, randomize: false },
  ];
}

/** "Do you like the plan?" Yes / No, required: the first question of most test surveys. */
export function likesQuestion(): Question {
  return {
    id: 'likes',
    type: 'single_choice',
    label: both('Do you like the plan?', 'Aimez-vous le plan?'),
    required: true,
    options: [
      { id: 'yes', label: both('Yes', 'Oui') },
      { id: 'no', label: both('No', 'Non') },
    ],
    allowOther: false,
    randomize: false,
  };
}

/** A small multi-page survey: a choice, a follow-up shown only for "yes", a page shown only for "no". */
export function threePageDefinition(): SurveyDefinition {
  return {
    title: both('Budget survey', 'Sondage sur le budget'),
    description: both('Tell us about the budget.', 'Parlez-nous du budget.'),
    sections: [
      {
        id: 's1',
        title: both('About the plan', 'Au sujet du plan'),
        questions: [
          likesQuestion(),
          {
            id: 'why',
            type: 'long_text',
            label: both('What do you like most?', 'Qu’aimez-vous le plus?'),
            required: true,
            maxLength: 500,
            showIf: { questionId: 'likes', operator: 'equals', values: ['yes'] },
          },
        ],
      },
      {
        id: 's2',
        title: both('What to change', 'Quoi changer'),
        showIf: { questionId: 'likes', operator: 'equals', values: ['no'] },
        questions: [
          {
            id: 'change',
            type: 'short_text',
            label: both('What would you change?', 'Que changeriez-vous?'),
            required: true,
            maxLength: 200,
          },
        ],
      },
      {
        id: 's3',
        title: both('Priorities', 'Priorités'),
        questions: [
          {
            id: 'score',
            type: 'rating',
            label: both('How important is this?', 'Quelle importance?'),
            required: false,
            points: 5,
          },
        ],
      },
    ],
  };
}

/** The surveys service on a TestApp's database, with the real consultations and participation modules. */
export async function surveysServiceFor(ctx: TestApp): Promise<SurveysService> {
  const consultations = await consultationsServiceFor(ctx);
  const { participation } = createParticipationModule({
    connection: ctx.db.connection,
  });
  const service = createSurveysService({
    connection: ctx.db.connection,
    consultations,
    participation,
    notifications: ctx.notifications,
    baseUrl: ctx.config.baseUrl,
    secret: ctx.config.sessionSecret,
    answerRecorder: ctx.composition.answerCounters,
  });
  await service.init();
  await participation.init();
  return service;
}

export const FACTORY_SURVEY_OFFICER = { id: 'factory-officer', roles: ['officer' as const] };

/**
 * A survey in a published, open consultation; published unless told otherwise.
 * `createSurvey(ctx, { settings: { audience: 'invited' } })`.
 */
export async function createSurvey(
  ctx: TestApp,
  options: {
    definition?: SurveyDefinition;
    settings?: Partial<SurveySettings>;
    status?: 'draft' | 'published' | 'closed';
    consultation?: Parameters<typeof createRoundAndConsultation>[1];
  } = {},
): Promise<{ survey: Survey; service: SurveysService; consultation: Consultation }> {
  const service = await surveysServiceFor(ctx);
  const { consultation } = await createRoundAndConsultation(ctx, options.consultation);
  const created = await service.createSurvey(
    { consultationId: consultation.id, title: both('Survey') },
    FACTORY_SURVEY_OFFICER,
  );
  const definition = options.definition ?? threePageDefinition();
  await service.editDefinition(created.id, FACTORY_SURVEY_OFFICER, () => definition);
  await service.updateSettings(
    created.id,
    { ...defaultSettings(), ...options.settings },
    FACTORY_SURVEY_OFFICER,
  );
  const status = options.status ?? 'published';
  if (status !== 'draft') await service.publish(created.id, FACTORY_SURVEY_OFFICER);
  if (status === 'closed') await service.close(created.id, FACTORY_SURVEY_OFFICER);
  return { survey: await service.getSurvey(created.id), service, consultation };
}
