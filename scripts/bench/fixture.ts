/**
 * What the bench measures against, created through the app's own services (as an officer and an admin would):
 * one active round, one open consultation in it, two published surveys (one for the page measures, loaded with
 * responses; one for the API submissions), and an analyst account.
 */
import crypto from 'node:crypto';
import type { Composition } from '../../src/composition-root';
import { defaultSettings, type SurveyDefinition } from '../../src/modules/surveys';
import { REGIONS, SECTORS } from '../../src/platform/classifications';

const DAY = 24 * 3600 * 1000;
const OFFICER = { id: 'bench-officer', roles: ['officer' as const], name: 'Bench Officer' };

const both = (en: string, fr: string) => ({ en, fr });

export const TOPICS = ['housing', 'transit', 'health', 'climate', 'jobs'] as const;

/** A realistic two-page questionnaire: two choice questions, a rating and a comment, then "About you". */
export function benchDefinition(): SurveyDefinition {
  return {
    title: both('National consultation on services', 'Consultation nationale sur les services'),
    description: both('Tell us what matters to you.', 'Dites-nous ce qui compte pour vous.'),
    sections: [
      {
        id: 's1',
        title: both('Your views', 'Votre avis'),
        questions: [
          {
            id: 'likes',
            type: 'single_choice',
            label: both('Do you support the plan?', 'Appuyez-vous le plan?'),
            required: true,
            options: [
              { id: 'yes', label: both('Yes', 'Oui') },
              { id: 'no', label: both('No', 'Non') },
              { id: 'unsure', label: both('Not sure', 'Je ne sais pas') },
            ],
            allowOther: false,
            randomize: false,
          },
          {
            id: 'topics',
            type: 'multiple_choice',
            label: both('Which topics matter most?', 'Quels sujets comptent le plus?'),
            required: false,
            options: TOPICS.map((t) => ({ id: t, label: both(t, `${t} (fr)`) })),
            allowOther: false,
            randomize: false,
            maxSelections: 3,
          },
        ],
      },
      {
        id: 's2',
        title: both('Priorities', 'Priorités'),
        questions: [
          {
            id: 'score',
            type: 'rating',
            label: both('How important is this to you?', 'Quelle importance cela a-t-il pour vous?'),
            required: false,
            points: 5,
          },
          {
            id: 'comment',
            type: 'long_text',
            label: both('Anything else?', 'Autre chose?'),
            required: false,
            maxLength: 2000,
          },
        ],
      },
    ],
  };
}

/** A deterministic, varied valid response number `i` (answers as the API takes them, plus self-identification). */
export function answersFor(i: number): {
  answers: Record<string, unknown>;
  sector: (typeof SECTORS)[number];
  region: (typeof REGIONS)[number];
  locale: 'en' | 'fr';
} {
  // A small integer hash, so neighbouring responses differ.
  let h = Math.imul(i + 1, 2654435761) >>> 0;
  const pick = (n: number) => {
    h = Math.imul(h ^ (h >>> 15), 2246822519) >>> 0;
    return h % n;
  };
  const likes = ['yes', 'no', 'unsure'][pick(3)] as string;
  const topics = TOPICS.filter(() => pick(3) === 0).slice(0, 3);
  const answers: Record<string, unknown> = { likes, score: 1 + pick(5) };
  if (topics.length) answers.topics = topics;
  if (pick(4) === 0) answers.comment = `Comment number ${i}: more frequent buses and better clinics, please.`;
  return {
    answers,
    sector: SECTORS[pick(SECTORS.length)] as (typeof SECTORS)[number],
    region: REGIONS[pick(REGIONS.length)] as (typeof REGIONS)[number],
    locale: pick(4) === 0 ? 'fr' : 'en',
  };
}

export interface Fixture {
  roundId: string;
  roundSlug: string;
  consultationId: string;
  /** The survey the page measures read, loaded with responses. */
  surveyId: string;
  /** The survey the API submissions go to. */
  apiSurveyId: string;
  analyst: { email: string; password: string };
}

export async function createFixture(composition: Composition): Promise<Fixture> {
  const { consultations } = composition.consultations;
  const now = Date.now();
  const round = await consultations.createRound(
    {
      slug: 'bench-round',
      title: both('Benchmark round', 'Cycle de mesure'),
      description: both('A round for the benchmark.', 'Un cycle pour la mesure.'),
      startsOn: new Date(now - 60 * DAY),
      endsOn: new Date(now + 60 * DAY),
      status: 'active',
    },
    OFFICER,
  );
  let consultation = await consultations.createConsultation(
    {
      slug: 'bench-consultation',
      roundId: round.id,
      title: both('Benchmark consultation', 'Consultation de mesure'),
      summary: both('Measured.', 'Mesurée.'),
      body: both('## Why\n\nTo measure.', '## Pourquoi\n\nPour mesurer.'),
      themes: ['open_data'],
      leadOrganisation: both('Bench', 'Mesure'),
      contactEmail: 'bench@example.ca',
      opensAt: new Date(now - 45 * DAY),
      closesAt: new Date(now + 45 * DAY),
    },
    OFFICER,
  );
  consultation = await consultations.publishConsultation(consultation.id, OFFICER);

  const surveys = composition.surveys;
  const survey = async (title: string) => {
    const created = await surveys.createSurvey(
      { consultationId: consultation.id, title: both(title, `${title} (fr)`) },
      OFFICER,
    );
    await surveys.editDefinition(created.id, OFFICER, () => benchDefinition());
    await surveys.updateSettings(created.id, defaultSettings(), OFFICER);
    await surveys.publish(created.id, OFFICER);
    return created.id;
  };
  const surveyId = await survey('Pages');
  const apiSurveyId = await survey('API');

  const analyst = {
    email: 'analyst@bench.example.ca',
    // Random, so it passes the password policy; it lives only as long as this run's database.
    password: `Bench-${crypto.randomBytes(18).toString('base64url')}`,
  };
  await composition.accounts.createUser({
    email: analyst.email,
    name: 'Bench Analyst',
    password: analyst.password,
    roles: ['analyst'],
    locale: 'en',
  });
  return {
    roundId: round.id,
    roundSlug: round.slug,
    consultationId: consultation.id,
    surveyId,
    apiSurveyId,
    analyst,
  };
}
