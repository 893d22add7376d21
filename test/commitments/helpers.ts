import type { Actor, CommitmentsService } from '../../src/modules/commitments';
import type { TestApp } from '../support/app';

export { agentAs } from '../support/sign-in';
export { textOf } from '../consultations/helpers';

/** The officer the helpers act as (services only; HTTP tests sign in for real). */
export const OFFICER: Actor = { id: 'helper-officer', roles: ['officer'], name: 'Helper Officer' };

let sequence = 0;

export function service(ctx: TestApp): CommitmentsService {
  return ctx.composition.commitments.commitments;
}

export function commitmentInput(number: string, overrides: Record<string, unknown> = {}) {
  return {
    number,
    theme: { en: 'Open dialogue', fr: 'Dialogue ouvert' },
    title: { en: `Engage civil society ${number}`, fr: `Mobiliser la société civile ${number}` },
    summary: {
      en: 'Ongoing dialogue with civil society.',
      fr: 'Un dialogue continu avec la société civile.',
    },
    leadDepartment: { en: 'Treasury Board Secretariat', fr: 'Secrétariat du Conseil du Trésor' },
    enquiryEmail: 'open@example.gc.ca',
    otherActors: { en: 'Multi-stakeholder forum', fr: 'Forum multipartite' },
    plannedResult: { en: 'A formal mechanism for dialogue.', fr: 'Un mécanisme officiel de dialogue.' },
    description: { en: 'We will **talk** regularly.', fr: 'Nous nous **parlerons** régulièrement.' },
    status: 'substantial',
    consultationIds: [],
    roundIds: [],
    ...overrides,
  };
}

/** A plan (published unless told otherwise), with a unique slug. */
export async function createPlan(ctx: TestApp, options: { publish?: boolean; slug?: string } = {}) {
  sequence += 1;
  const slug = options.slug ?? `plan-${sequence}-${Math.random().toString(36).slice(2, 7)}`;
  const plan = await service(ctx).createPlan(
    {
      slug,
      title: { en: `National Action Plan ${sequence}`, fr: `Plan d’action national ${sequence}` },
      summary: { en: 'What we commit to.', fr: 'Ce à quoi nous nous engageons.' },
      organisation: { en: 'Government of Canada', fr: 'Gouvernement du Canada' },
      periodStart: '2018',
      periodEnd: '2020',
    },
    OFFICER,
  );
  if (options.publish !== false) await service(ctx).publishPlan(plan.slug, OFFICER);
  return service(ctx).getPlan(plan.slug, { includeDrafts: true });
}

/** A commitment with one complete milestone, one planned milestone and one "other" milestone. */
export async function createCommitment(
  ctx: TestApp,
  planSlug: string,
  number: string,
  options: { publish?: boolean; overrides?: Record<string, unknown> } = {},
) {
  const s = service(ctx);
  await s.createCommitment(planSlug, commitmentInput(number, options.overrides), OFFICER);
  await s.addMilestone(
    planSlug,
    number,
    {
      number: `${number}.1`,
      text: { en: 'Renew the forum.', fr: 'Renouveler le forum.' },
      status: 'complete',
      startDate: '2018-01-01',
      endDate: '2018-06-30',
    },
    OFFICER,
  );
  await s.addMilestone(
    planSlug,
    number,
    {
      number: `${number}.2`,
      text: { en: 'Targeted engagement.', fr: 'Mobilisation ciblée.' },
      status: 'limited',
      startDate: '',
      endDate: '',
    },
    OFFICER,
  );
  await s.addMilestone(
    planSlug,
    number,
    {
      number: '',
      text: { en: 'First in-person meeting held.', fr: 'Première rencontre en personne tenue.' },
      status: 'complete',
      startDate: '',
      endDate: '2018-01-31',
    },
    OFFICER,
  );
  if (options.publish !== false) await s.publishCommitment(planSlug, number, OFFICER);
  return s.getCommitment(planSlug, number, { includeDrafts: true });
}
