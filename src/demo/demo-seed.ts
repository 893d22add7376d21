import crypto from 'node:crypto';
import type { Composition } from '../composition-root';
import {
  createConsultationsService,
  createReportsService,
  type Actor,
  type ConsultationsService,
} from '../modules/consultations';
import {
  createSurveysService,
  defaultSettings,
  type SurveyDefinition,
  type SurveysService,
} from '../modules/surveys';
import type { AgeRange, Gender, Region, Sector } from '../platform/classifications';
import type { Role } from '../platform/http/auth';
import { seedActionPlan } from './demo-action-plan';
import { REGION_WEIGHTS, SECTOR_MIX, TEXT_ANSWERS, THEME_OPTIONS } from './demo-data';

export interface DemoAccount {
  role: Role;
  email: string;
  password: string;
}

export interface DemoResult {
  seeded: boolean;
  /** Why nothing was loaded, when seeded is false. */
  reason?: 'already-loaded' | 'not-empty';
  accounts: DemoAccount[];
  participants: Record<string, number>;
}

const DEMO_OFFICER: Actor = { id: 'demo-loader', roles: ['officer'], name: 'Demo loader' };
const DAY = 24 * 3600 * 1000;
export const DEMO_ROUND_SLUGS = ['engagement-2016', 'engagement-2018', 'engagement-2026'] as const;

/** A small deterministic generator, so the demo is the same every time. */
function generator(seed: number) {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return {
    next,
    pick<T>(list: readonly T[]): T {
      return list[Math.floor(next() * list.length)] as T;
    },
    weighted<T>(entries: [T, number][]): T {
      const total = entries.reduce((sum, [, w]) => sum + w, 0);
      let r = next() * total;
      for (const [value, w] of entries) if ((r -= w) < 0) return value;
      return entries[entries.length - 1]?.[0] as T;
    },
  };
}

function shuffledSectors(
  mix: Partial<Record<Sector, number>>,
  random: ReturnType<typeof generator>,
): Sector[] {
  const list = Object.entries(mix).flatMap(([sector, n]) =>
    Array.from({ length: n ?? 0 }, () => sector as Sector),
  );
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [list[i], list[j]] = [list[j] as Sector, list[i] as Sector];
  }
  return list;
}

function surveyDefinition(title: { en: string; fr: string }): SurveyDefinition {
  return {
    title,
    description: {
      en: 'Five minutes, in the language of your choice. Your answers are published only as totals.',
      fr: 'Cinq minutes, dans la langue de votre choix. Vos réponses ne sont publiées que sous forme de totaux.',
    },
    sections: [
      {
        id: 'priorities',
        title: { en: 'Your priorities', fr: 'Vos priorités' },
        questions: [
          {
            id: 'theme',
            type: 'single_choice',
            label: {
              en: 'Which area of open government matters most to you?',
              fr: 'Quel volet du gouvernement ouvert compte le plus pour vous?',
            },
            required: true,
            options: THEME_OPTIONS,
            allowOther: true,
            randomize: false,
          },
          {
            id: 'satisfaction',
            type: 'rating',
            label: {
              en: 'How well does the government engage civil society today?',
              fr: 'Dans quelle mesure le gouvernement mobilise-t-il la société civile aujourd’hui?',
            },
            required: false,
            points: 5,
            lowLabel: { en: 'Very poorly', fr: 'Très mal' },
            highLabel: { en: 'Very well', fr: 'Très bien' },
          },
          {
            id: 'collaboration',
            type: 'long_text',
            label: {
              en: 'Where should government and civil society work more closely together?',
              fr: 'Où le gouvernement et la société civile devraient-ils collaborer davantage?',
            },
            required: false,
            maxLength: 2000,
          },
        ],
      },
    ],
  };
}

interface RoundPlan {
  slug: (typeof DEMO_ROUND_SLUGS)[number];
  year: number;
  title: { en: string; fr: string };
  description: { en: string; fr: string };
  consultations: {
    slug: string;
    title: { en: string; fr: string };
    summary: { en: string; fr: string };
    themes: string[];
  }[];
}

const HISTORICAL_ROUNDS: RoundPlan[] = [
  {
    slug: 'engagement-2016',
    year: 2016,
    title: {
      en: '2016 engagement on the Third National Action Plan on Open Government',
      fr: 'Mobilisation de 2016 sur le troisième Plan d’action national pour un gouvernement ouvert',
    },
    description: {
      en: 'Canadians were asked what the third national action plan on open government should commit to.',
      fr: 'On a demandé à la population ce que le troisième plan d’action national pour un gouvernement ouvert devait prévoir.',
    },
    consultations: [
      {
        slug: 'ideas-third-action-plan',
        title: { en: 'Ideas for the third action plan', fr: 'Des idées pour le troisième plan d’action' },
        summary: {
          en: 'Tell us which open government commitments matter most to you.',
          fr: 'Dites-nous quels engagements pour un gouvernement ouvert comptent le plus pour vous.',
        },
        themes: ['open_dialogue', 'transparency'],
      },
      {
        slug: 'open-data-priorities-2016',
        title: { en: 'Open data priorities', fr: 'Priorités en matière de données ouvertes' },
        summary: {
          en: 'Which government data should be opened first?',
          fr: 'Quelles données gouvernementales faudrait-il ouvrir en premier?',
        },
        themes: ['open_data'],
      },
    ],
  },
  {
    slug: 'engagement-2018',
    year: 2018,
    title: {
      en: '2018 engagement on the Fourth National Action Plan on Open Government',
      fr: 'Mobilisation de 2018 sur le quatrième Plan d’action national pour un gouvernement ouvert',
    },
    description: {
      en: 'A round co-created with a multi-stakeholder forum, reaching out to civil society organizations across the country.',
      fr: 'Un cycle co-créé avec un forum multipartite, qui est allé à la rencontre des organisations de la société civile de tout le pays.',
    },
    consultations: [
      {
        slug: 'co-creating-fourth-action-plan',
        title: { en: 'Co-creating the fourth action plan', fr: 'Co-créer le quatrième plan d’action' },
        summary: {
          en: 'Help shape the commitments of the next national action plan.',
          fr: 'Aidez à définir les engagements du prochain plan d’action national.',
        },
        themes: ['open_dialogue', 'open_information'],
      },
      {
        slug: 'reaching-civil-society',
        title: { en: 'Reaching the right communities', fr: 'Joindre les bonnes communautés' },
        summary: {
          en: 'Which communities should our civil society engagement reach, and on which themes?',
          fr: 'Quelles communautés notre mobilisation de la société civile devrait-elle joindre, et sur quels thèmes?',
        },
        themes: ['open_dialogue', 'indigenous_reconciliation'],
      },
    ],
  },
];

/**
 * Loads the demo into an empty database: accounts for each role (random passwords, returned to be printed), the
 * 2016 and 2018 rounds with their consultations, surveys, synthetic respondents and "what we heard" reports, an open
 * round of today, and the indicators. Historical responses are submitted through the real services running on a
 * clock set in their consultation's window, so every count comes from the normal path.
 */
export async function seedDemo(composition: Composition): Promise<DemoResult> {
  const rounds = await composition.consultations.consultations.listRounds({ includeDrafts: true });
  const empty: DemoResult = { seeded: false, accounts: [], participants: {} };
  if (rounds.some((r) => r.slug === 'engagement-2016')) return { ...empty, reason: 'already-loaded' };
  if (rounds.length > 0 || (await composition.accounts.countUsers()) > 0)
    return { ...empty, reason: 'not-empty' };

  const accounts: DemoAccount[] = [];
  for (const role of ['admin', 'officer', 'analyst', 'reviewer', 'participant'] as const) {
    const password = crypto.randomBytes(12).toString('base64url');
    const email = `${role}@demo.agora.example`;
    await composition.accounts.createUser({
      email,
      name: {
        admin: 'Alex Admin',
        officer: 'Olivia Officer',
        analyst: 'Anand Analyst',
        reviewer: 'Riley Reviewer',
        participant: 'Pat Participant',
      }[role],
      password,
      roles: [role],
    });
    accounts.push({ role, email, password });
  }

  const random = generator(20181011);
  const participants: Record<string, number> = {};
  for (const plan of HISTORICAL_ROUNDS)
    participants[plan.slug] = await seedHistoricalRound(composition, plan, random);
  participants['engagement-2026'] = await seedCurrentRound(composition, random);
  await seedIndicators(composition);
  await seedActionPlan(composition, DEMO_OFFICER);
  return { seeded: true, accounts, participants };
}

async function seedHistoricalRound(
  composition: Composition,
  plan: RoundPlan,
  random: ReturnType<typeof generator>,
): Promise<number> {
  // Services of our own, on the same database, whose clock we move through the consultation's window.
  let now = new Date(Date.UTC(plan.year, 2, 1));
  const clock = () => now;
  const { connection, baseUrl, secret } = composition.parts;
  const consultations: ConsultationsService = createConsultationsService({
    connection,
    clock,
    freezer: composition.participation.reports,
  });
  const surveys: SurveysService = createSurveysService({
    connection,
    consultations,
    participation: composition.participation.participation,
    notifications: composition.notifications,
    answerRecorder: composition.answerCounters,
    baseUrl,
    secret,
    clock,
  });

  const round = await consultations.createRound(
    {
      slug: plan.slug,
      title: plan.title,
      description: plan.description,
      startsOn: new Date(Date.UTC(plan.year, 2, 1)),
      endsOn: new Date(Date.UTC(plan.year, 11, 15)),
      status: 'active',
    },
    DEMO_OFFICER,
  );
  const surveyIds: string[] = [];
  const consultationIds: string[] = [];
  for (const [index, c] of plan.consultations.entries()) {
    const consultation = await consultations.createConsultation(
      {
        slug: c.slug,
        roundId: round.id,
        title: c.title,
        summary: c.summary,
        body: {
          en: `## Why we are asking\n\n${c.summary.en}\n\nWe will publish what we heard and what we did about it.`,
          fr: `## Pourquoi nous posons la question\n\n${c.summary.fr}\n\nNous publierons ce que nous avons entendu et ce que nous en avons fait.`,
        },
        themes: c.themes,
        leadOrganisation: {
          en: 'Treasury Board of Canada Secretariat',
          fr: 'Secrétariat du Conseil du Trésor du Canada',
        },
        contactEmail: 'open-government@demo.agora.example',
        opensAt: new Date(Date.UTC(plan.year, 3 + index, 1)),
        closesAt: new Date(Date.UTC(plan.year, 5 + index, 30)),
      },
      DEMO_OFFICER,
    );
    await consultations.publishConsultation(consultation.id, DEMO_OFFICER);
    const survey = await surveys.createSurvey(
      { consultationId: consultation.id, title: c.title },
      DEMO_OFFICER,
    );
    await surveys.editDefinition(survey.id, DEMO_OFFICER, () => surveyDefinition(c.title));
    await surveys.updateSettings(survey.id, { ...defaultSettings(), askOrganisation: false }, DEMO_OFFICER);
    await surveys.publish(survey.id, DEMO_OFFICER);
    surveyIds.push(survey.id);
    consultationIds.push(consultation.id);
  }

  // Each participant answers one survey; one in six answers both (they still count once in the round).
  const sectors = shuffledSectors(SECTOR_MIX[String(plan.year) as '2016' | '2018'], random);
  let sequence = 0;
  now = new Date(Date.UTC(plan.year, 5, 1)); // both consultations are open in June
  for (const [i, sector] of sectors.entries()) {
    const region: Region = random.weighted(REGION_WEIGHTS);
    const locale = random.next() < 0.27 ? 'fr' : 'en';
    const targets = i % 6 === 0 ? surveyIds : [surveyIds[i % surveyIds.length] as string];
    for (const surveyId of targets) {
      sequence++;
      now = new Date(now.getTime() + 17 * 60_000);
      const theme = random.weighted([
        ['data', 4],
        ['information', 2],
        ['dialogue', sector === 'civil_society' ? 6 : 3],
        ['fiscal', 2],
        ['other', 1],
      ]);
      await surveys.submitComplete({
        surveyId,
        respondent: demoRespondent(plan.year, i, locale, random),
        idempotencyKey: `demo-${plan.year}-${sequence}`,
        answers: {
          theme,
          satisfaction: 1 + Math.floor(random.next() * (plan.year === 2016 ? 3 : 5)),
          ...(random.next() < 0.4 ? { collaboration: random.pick(TEXT_ANSWERS[locale]) } : {}),
        },
        otherText:
          theme === 'other' ? { theme: locale === 'fr' ? 'Contrats ouverts' : 'Open contracting' } : {},
        sector,
        region,
      });
    }
  }

  // The round is completed on its last day, which closes it and freezes its figures as of then (its indicator values
  // are dated by that day).
  now = new Date(Date.UTC(plan.year, 11, 15));
  await consultations.completeRound(round.id, DEMO_OFFICER);

  // "What we heard", published in December of the round's year, as it was then: the reports (and their citations)
  // are dated 2016 and 2018, not the day the demo was loaded.
  now = new Date(Date.UTC(plan.year, 11, 20));
  const reports = createReportsService({
    connection,
    consultations,
    notices: composition.consultations.notices,
    clock,
  });
  for (const consultationId of consultationIds) {
    await reports.publishReport(
      consultationId,
      {
        introduction: {
          en: `In ${plan.year}, people from every province and territory answered. Here is what we heard, and what we did.`,
          fr: `En ${plan.year}, des gens de toutes les provinces et de tous les territoires ont répondu. Voici ce que nous avons entendu, et ce que nous avons fait.`,
        },
        themes: [
          {
            title: { en: 'Explain what changed', fr: 'Expliquer ce qui a changé' },
            heard: {
              en: 'Many asked us to show how their input changed the plan.',
              fr: 'Beaucoup nous ont demandé de montrer comment leurs commentaires ont changé le plan.',
            },
            response: {
              en: 'Each commitment now says which suggestions it came from.',
              fr: 'Chaque engagement indique maintenant de quelles suggestions il découle.',
            },
          },
          {
            title: { en: 'Reach beyond the usual voices', fr: 'Aller au-delà des voix habituelles' },
            heard: {
              en: 'Civil society organizations asked to be involved earlier and more often.',
              fr: 'Les organisations de la société civile ont demandé à participer plus tôt et plus souvent.',
            },
            response: {
              en: 'We created a multi-stakeholder forum that meets regularly.',
              fr: 'Nous avons créé un forum multipartite qui se réunit régulièrement.',
            },
          },
        ],
      },
      DEMO_OFFICER,
    );
  }
  return sectors.length;
}

/**
 * Three in five demo respondents stand for account holders who consented to give their gender and age range (so
 * the GBA Plus view has data); the others answered anonymously. Accounts are not created for them.
 */
function demoRespondent(year: number, i: number, locale: 'en' | 'fr', random: ReturnType<typeof generator>) {
  const id = `demo${year}p${i}`;
  if (i % 5 >= 3) return { key: `anon:${id}`, browserKey: id, locale };
  return {
    key: `user:${id}`,
    userId: id,
    locale,
    profile: {
      gender: random.weighted<Gender>([
        ['woman', 48],
        ['man', 44],
        ['non_binary', 3],
        ['another_gender', 1],
        ['prefer_not_to_say', 4],
      ]),
      ageRange: random.weighted<AgeRange>([
        ['18_24', 8],
        ['25_34', 20],
        ['35_44', 22],
        ['45_54', 20],
        ['55_64', 17],
        ['65_plus', 10],
        ['prefer_not_to_say', 3],
      ]),
    },
  };
}

async function seedCurrentRound(
  composition: Composition,
  random: ReturnType<typeof generator>,
): Promise<number> {
  const consultations = composition.consultations.consultations;
  const surveys = composition.surveys;
  const today = new Date();
  const round = await consultations.createRound(
    {
      slug: 'engagement-2026',
      title: {
        en: '2026 ongoing dialogue on open government',
        fr: 'Dialogue continu de 2026 sur le gouvernement ouvert',
      },
      description: {
        en: 'An ongoing, two-way conversation between the government and civil society.',
        fr: 'Une conversation continue et bidirectionnelle entre le gouvernement et la société civile.',
      },
      startsOn: new Date(today.getTime() - 30 * DAY),
      endsOn: new Date(today.getTime() + 120 * DAY),
      status: 'active',
    },
    DEMO_OFFICER,
  );
  const consultation = await consultations.createConsultation(
    {
      slug: 'ongoing-dialogue-2026',
      roundId: round.id,
      title: { en: 'Ongoing dialogue with civil society', fr: 'Dialogue continu avec la société civile' },
      summary: {
        en: 'How should the government and civil society keep talking between action plans?',
        fr: 'Comment le gouvernement et la société civile devraient-ils continuer de se parler entre les plans d’action?',
      },
      body: {
        en: '## Have your say\n\nAnswer the short survey below, or comment on this page. We reply to comments.',
        fr: '## Donnez votre avis\n\nRépondez au court questionnaire ci-dessous, ou commentez cette page. Nous répondons aux commentaires.',
      },
      themes: ['open_dialogue'],
      leadOrganisation: {
        en: 'Treasury Board of Canada Secretariat',
        fr: 'Secrétariat du Conseil du Trésor du Canada',
      },
      contactEmail: 'open-government@demo.agora.example',
      opensAt: new Date(today.getTime() - 10 * DAY),
      closesAt: new Date(today.getTime() + 45 * DAY),
    },
    DEMO_OFFICER,
  );
  await consultations.publishConsultation(consultation.id, DEMO_OFFICER);
  const title = { en: 'Ongoing dialogue survey', fr: 'Questionnaire sur le dialogue continu' };
  const survey = await surveys.createSurvey({ consultationId: consultation.id, title }, DEMO_OFFICER);
  await surveys.editDefinition(survey.id, DEMO_OFFICER, () => surveyDefinition(title));
  await surveys.publish(survey.id, DEMO_OFFICER);
  const count = 24;
  for (let i = 0; i < count; i++) {
    const locale = random.next() < 0.3 ? 'fr' : 'en';
    await surveys.submitComplete({
      surveyId: survey.id,
      respondent: { key: `anon:demo2026p${i}`, browserKey: `demo2026p${i}`, locale },
      idempotencyKey: `demo-2026-${i}`,
      answers: { theme: random.pick(THEME_OPTIONS).id, satisfaction: 2 + Math.floor(random.next() * 4) },
      otherText: {},
      sector: random.weighted<Sector>([
        ['civil_society', 6],
        ['academia', 3],
        ['private_sector', 3],
        ['government', 2],
        ['individual', 9],
        ['prefer_not_to_say', 1],
      ]),
      region: random.weighted(REGION_WEIGHTS),
    });
  }
  return count;
}

async function seedIndicators(composition: Composition): Promise<void> {
  const indicators = composition.participation.indicators;
  const staff = {
    id: 'demo-loader',
    email: 'demo@demo.agora.example',
    name: 'Demo loader',
    roles: ['analyst' as const],
    locale: 'en' as const,
    profile: {},
  };
  await indicators.create(
    {
      slug: 'civil-society-share',
      nameEn: 'Share of engagement participants self-identifying as civil society',
      nameFr: 'Part des participants à la mobilisation qui se disent de la société civile',
      descriptionEn:
        'Computed from each round of engagement on the national action plan. The target is set for this demo.',
      descriptionFr:
        'Calculée à partir de chaque cycle de mobilisation sur le plan d’action national. La cible est fixée pour cette démonstration.',
      kind: 'sector_share',
      sector: 'civil_society',
      baselineValue: '8',
      baselineDate: '2016-12-15',
      targetValue: '20',
      targetDate: '2018-12-31',
      published: 'on',
      order: '1',
    },
    staff,
  );
  const forum = await indicators.create(
    {
      slug: 'forum-initiatives',
      nameEn: 'Collaborative initiatives, products or tools created by the multi-stakeholder forum',
      nameFr: 'Initiatives, produits ou outils collaboratifs créés par le forum multipartite',
      descriptionEn: 'Counted by hand by the forum secretariat.',
      descriptionFr: 'Comptés à la main par le secrétariat du forum.',
      kind: 'manual',
      unit: 'number',
      targetValue: '4',
      targetDate: '2018-06-30',
      published: 'on',
      order: '2',
    },
    staff,
  );
  await indicators.addDataPoint(
    forum.id,
    {
      value: '3',
      collectedAt: '2018-06-30',
      note: 'Input to the fourth plan’s commitments; support for a gender-based analysis of them; terms of reference and information products.',
    },
    staff,
  );
}
