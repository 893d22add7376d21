/**
 * Security class: access by role and scope, for action plans and indicators. A plan belongs to an organisation (its
 * creator's; an admin may move it), and its commitments, milestones, key indicators and status updates to the plan's.
 * An officer of organisation B gets a 404 for every officer page and POST of organisation A's plan, and nothing is
 * written; an analyst of B neither sees nor changes A's participation indicators (/analysis/indicators). Admins see
 * and manage all. Published plans and indicators stay public. One rule decides: platform/http/access.ts.
 */
import request from 'supertest';
import { FormAgent } from '../support/agent';
import { buildTestApp, type TestApp } from '../support/app';
import { createSurvey } from '../support/factories/surveys';
import { createPerson, signInWithForm } from '../support/sign-in';
import type { Actor } from '../../src/modules/commitments';
import { NotFoundError } from '../../src/platform/errors';
import type { Role } from '../../src/platform/http/auth';
import { commitmentInput, service } from '../commitments/helpers';

const ADMIN_ACTOR = { id: '000000000000000000000001', email: 'root@example.test', roles: ['admin' as const] };
const OFFICER_A: Actor = { id: 'officer-a', roles: ['officer'], name: 'Officer A', organisationId: 'org-a' };
const PLAN_TITLE = 'Organisation A plan';
const INDICATOR_NAME = 'Organisation A indicator';

describe('access to action plans and indicators by organisation', () => {
  let ctx: TestApp;
  let slug: string;
  let milestoneId: string;
  let indicatorId: string;
  let participationIndicatorId: string;
  let consultationA: { id: string; title: string };
  const browsers = new Map<string, FormAgent>();

  async function staff(name: string, roles: Role[], organisation: string): Promise<FormAgent> {
    const person = await createPerson(ctx, { roles, name });
    await ctx.composition.accounts.setOrganisation(ADMIN_ACTOR, person.id, organisation);
    const agent = await signInWithForm(ctx, person);
    browsers.set(name, agent);
    return agent;
  }
  const browser = (who: string) => browsers.get(who) as FormAgent;
  const status = async (who: string, path: string) => (await browser(who).agent.get(path)).status;

  /** Everything stored about A's plan and indicator: any write (even a no-op $set) changes `updatedAt`. */
  async function stored() {
    const db = ctx.db.connection;
    return JSON.stringify({
      plan: await db.collection('action_plans').findOne({ _id: `plan:${slug}` as never }),
      commitment: await db.collection('commitments').findOne({ _id: `commitment:${slug}:1` as never }),
      commitments: await db.collection('commitments').countDocuments({ planSlug: slug }),
      updates: await db.collection('commitment_updates').countDocuments({ planSlug: slug }),
      indicator: await db.collection('indicators').findOne({ slug: 'org-a-indicator' }),
      audit: await db.collection('audit').countDocuments({}),
    });
  }

  beforeAll(async () => {
    ctx = await buildTestApp();
    const accounts = ctx.composition.accounts;
    await accounts.init();
    for (const code of ['org-a', 'org-b']) {
      await accounts.saveOrganisation(ADMIN_ACTOR, { code, nameEn: `Dept ${code}`, nameFr: `Min ${code}` });
    }
    const plans = service(ctx);
    const plan = await plans.createPlan(
      {
        slug: 'org-a-plan',
        title: { en: PLAN_TITLE, fr: 'Plan de l’organisation A' },
        summary: { en: 'Summary', fr: 'Résumé' },
        organisation: { en: 'Government of Canada', fr: 'Gouvernement du Canada' },
        periodStart: '2024',
        periodEnd: '2026',
      },
      OFFICER_A,
    );
    slug = plan.slug;
    expect(plan.organisationId).toBe('org-a');
    await plans.createCommitment(slug, commitmentInput('1'), OFFICER_A);
    const withMilestone = await plans.addMilestone(
      slug,
      '1',
      { number: '1.1', text: { en: 'Step', fr: 'Étape' }, status: 'limited', startDate: '', endDate: '' },
      OFFICER_A,
    );
    milestoneId = withMilestone.milestones[0]!.id;
    const withIndicator = await plans.saveIndicator(
      slug,
      '1',
      undefined,
      {
        name: { en: 'Forums held', fr: 'Forums tenus' },
        target: { en: '4', fr: '4' },
        targetDate: '2026-01-01',
        source: 'manual',
        actual: { en: '', fr: '' },
        actualDate: '',
        sector: '',
        roundIds: [],
      },
      OFFICER_A,
    );
    indicatorId = withIndicator.indicators[0]!.id;

    const participationIndicator = await ctx.composition.participation.indicators.create(
      {
        slug: 'org-a-indicator',
        nameEn: INDICATOR_NAME,
        nameFr: 'Indicateur de l’organisation A',
        kind: 'manual',
        unit: 'number',
        targetValue: '10',
        targetDate: '2026-12-31',
        published: '',
      },
      {
        id: 'analyst-a',
        email: 'a@example.ca',
        name: 'Analyst A',
        roles: ['analyst'],
        organisationId: 'org-a',
        profile: {},
      } as never,
    );
    participationIndicatorId = participationIndicator.id;
    expect(participationIndicator.organisationId).toBe('org-a');

    // A draft consultation of organisation A, which B's officers must not be able to link to their commitments.
    const made = await createSurvey(ctx);
    await ctx.consultations.consultations.setConsultationOrganisation(
      made.consultation.id,
      'org-a',
      ADMIN_ACTOR,
    );
    consultationA = { id: made.consultation.id, title: made.consultation.title.en };

    await staff('officerA', ['officer'], 'org-a');
    await staff('officerB', ['officer'], 'org-b');
    await staff('analystA', ['analyst'], 'org-a');
    await staff('analystB', ['analyst'], 'org-b');
    await staff('admin', ['admin'], 'org-b');
  }, 60_000);
  afterAll(() => ctx.close());

  /** Every officer page of A's plan and what is in it. */
  const planPages = () => {
    const c = `/officer/plans/${slug}/commitments/1`;
    return [
      `/officer/plans/${slug}`,
      `/officer/plans/${slug}/edit`,
      `/officer/plans/${slug}/import`,
      `/officer/plans/${slug}/commitments/new`,
      c,
      `${c}/edit`,
      `${c}/milestones/new`,
      `${c}/milestones/${milestoneId}/edit`,
      `${c}/indicators/new`,
      `${c}/indicators/${indicatorId}/edit`,
    ];
  };

  describe('officer pages of a plan', () => {
    it('when organisation B’s officer asks for any page of organisation A’s plan, then each is a 404', async () => {
      for (const path of planPages()) expect([path, await status('officerB', path)]).toEqual([path, 404]);
    });

    it.each(['officerA', 'admin'])('when %s asks for them, then each is served', async (who) => {
      for (const path of planPages()) expect([path, await status(who, path)]).toEqual([path, 200]);
    });

    it('when organisation B’s officer posts to A’s plan, commitment, milestone, indicator or import, then each is a 404 and nothing is written', async () => {
      const before = await stored();
      const agent = browser('officerB');
      await agent.get('/officer/plans');
      const c = `/officer/plans/${slug}/commitments/1`;
      const posts: [string, Record<string, string>][] = [
        [
          `/officer/plans/${slug}/edit`,
          {
            titleEn: 'Hijacked',
            titleFr: 'Détourné',
            summaryEn: 'x',
            summaryFr: 'x',
            organisationEn: 'x',
            organisationFr: 'x',
            periodStart: '2024',
            periodEnd: '2026',
          },
        ],
        [`/officer/plans/${slug}/publish`, {}],
        [`/officer/plans/${slug}/organisation`, { organisationId: 'org-b' }],
        [
          `/officer/plans/${slug}/import`,
          { csv: 'type,commitment,title_en,title_fr\ncommitment,2,Sneaky,Sournois\n' },
        ],
        [
          `/officer/plans/${slug}/commitments/new`,
          { number: '2', titleEn: 'Sneaky', titleFr: 'Sournois', status: 'not_started' },
        ],
        [`${c}/edit`, { titleEn: 'Hijacked', titleFr: 'Détourné' }],
        [`${c}/publish`, {}],
        [
          `${c}/status`,
          {
            milestoneId: '',
            status: 'complete',
            date: '2024-01-01',
            noteEn: 'Done',
            noteFr: 'Fait',
            submissionId: 'scope-plans-status-1',
          },
        ],
        [`${c}/milestones/new`, { number: '1.2', textEn: 'x', textFr: 'x', status: 'limited' }],
        [`${c}/milestones/${milestoneId}/edit`, { number: '1.1', textEn: 'Hijacked', textFr: 'x' }],
        [`${c}/milestones/${milestoneId}/delete`, {}],
        [`${c}/indicators/new`, { nameEn: 'x', nameFr: 'x', source: 'manual' }],
        [`${c}/indicators/${indicatorId}/edit`, { nameEn: 'Hijacked', nameFr: 'x', source: 'manual' }],
        [`${c}/indicators/${indicatorId}/delete`, {}],
      ];
      for (const [path, fields] of posts) {
        expect([path, (await agent.post(path, fields)).status]).toEqual([path, 404]);
      }
      expect(await stored()).toEqual(before);
      // The same check holds in the service, whatever route calls it.
      await expect(
        service(ctx).removeMilestone(slug, '1', milestoneId, {
          id: 'b',
          roles: ['officer'],
          organisationId: 'org-b',
        }),
      ).rejects.toBeInstanceOf(NotFoundError);
      expect(await stored()).toEqual(before);
    });

    it('when organisation A’s officer posts to their own plan, then it is written (the refusal above is the scope, not the form)', async () => {
      const agent = browser('officerA');
      await agent.get(`/officer/plans/${slug}/commitments/1/milestones/new`);
      const res = await agent.post(`/officer/plans/${slug}/commitments/1/milestones/new`, {
        number: '1.2',
        textEn: 'Second step',
        textFr: 'Deuxième étape',
        status: 'limited',
        startDate: '',
        endDate: '',
      });
      expect(res.status).toBe(303);
      const commitment = await service(ctx).getCommitment(slug, '1', { includeDrafts: true });
      expect(commitment.milestones.map((m) => m.number)).toContain('1.2');
    });
  });

  describe('lists and links', () => {
    it('when organisation B’s officer lists the plans, then A’s plan is not there; A’s officer and admins see it', async () => {
      const own = await browser('officerB').agent.get('/officer/plans');
      expect(own.status).toBe(200);
      expect(own.text).not.toContain(PLAN_TITLE);
      expect((await browser('officerA').agent.get('/officer/plans')).text).toContain(PLAN_TITLE);
      expect((await browser('admin').agent.get('/officer/plans')).text).toContain(PLAN_TITLE);
    });

    it('when organisation B’s officer links a commitment to A’s draft consultation, then it is unknown to them (422) and not offered', async () => {
      const plans = service(ctx);
      const planB = await plans.createPlan(
        {
          slug: 'org-b-plan',
          title: { en: 'Organisation B plan', fr: 'Plan B' },
          summary: { en: '', fr: '' },
          organisation: { en: '', fr: '' },
          periodStart: '2024',
          periodEnd: '2026',
        },
        { id: 'officer-b', roles: ['officer'], organisationId: 'org-b' },
      );
      const agent = browser('officerB');
      const form = await agent.get(`/officer/plans/${planB.slug}/commitments/new`);
      expect(form.status).toBe(200);
      expect(form.text).not.toContain(consultationA.title);
      const res = await agent.post(`/officer/plans/${planB.slug}/commitments/new`, {
        number: '1',
        titleEn: 'Linked',
        titleFr: 'Lié',
        status: 'not_started',
        consultationIds: consultationA.id,
      });
      expect(res.status).toBe(422);
      expect((await plans.getPlan(planB.slug, { includeDrafts: true })).commitmentNumbers).toEqual([]);
    });
  });

  describe('indicators under /analysis', () => {
    it('when organisation B’s analyst lists the indicators, then A’s is not there; A’s analyst and admins see it', async () => {
      const list = await browser('analystB').agent.get('/analysis/indicators');
      expect(list.status).toBe(200);
      expect(list.text).not.toContain(INDICATOR_NAME);
      expect((await browser('analystA').agent.get('/analysis/indicators')).text).toContain(INDICATOR_NAME);
      expect((await browser('admin').agent.get('/analysis/indicators')).text).toContain(INDICATOR_NAME);
    });

    it('when organisation B’s analyst opens or posts to A’s indicator, then each is a 404 and nothing is written', async () => {
      const before = await stored();
      const agent = browser('analystB');
      const edit = `/analysis/indicators/${participationIndicatorId}/edit`;
      expect(await status('analystB', edit)).toBe(404);
      expect(await status('analystA', edit)).toBe(200);
      await agent.get('/analysis/indicators');
      for (const [path, fields] of [
        [
          `/analysis/indicators/${participationIndicatorId}`,
          {
            slug: 'org-a-indicator',
            nameEn: 'Hijacked',
            nameFr: 'Détourné',
            kind: 'manual',
            unit: 'number',
            targetValue: '1',
            targetDate: '2026-12-31',
          },
        ],
        [
          `/analysis/indicators/${participationIndicatorId}/data-points`,
          { value: '3', collectedAt: '2025-01-01', note: 'x' },
        ],
        [`/analysis/indicators/${participationIndicatorId}/delete`, {}],
      ] as const) {
        expect([path, (await agent.post(path, fields)).status]).toEqual([path, 404]);
      }
      expect(await stored()).toEqual(before);
    });

    it('when B’s analyst opens /analysis, then A’s plans and indicators are not in it', async () => {
      const index = await browser('analystB').agent.get('/analysis');
      expect(index.status).toBe(200);
      expect(index.text).not.toContain(INDICATOR_NAME);
      expect(index.text).not.toContain(PLAN_TITLE);
    });
  });

  describe('organisations', () => {
    it('when a plan predates organisations, then it belongs to the default organisation', async () => {
      const plans = service(ctx);
      await plans.createPlan(
        {
          slug: 'legacy-plan',
          title: { en: 'Legacy plan', fr: 'Ancien plan' },
          summary: { en: '', fr: '' },
          organisation: { en: '', fr: '' },
          periodStart: '2016',
          periodEnd: '2018',
        },
        OFFICER_A,
      );
      await ctx.db.connection
        .collection('action_plans')
        .updateOne({ _id: 'plan:legacy-plan' as never }, { $unset: { organisationId: 1 } });
      expect((await plans.getPlan('legacy-plan', { includeDrafts: true })).organisationId).toBe('default');
      const defaultOfficer = await signInWithForm(ctx, await createPerson(ctx, { roles: ['officer'] }));
      expect((await defaultOfficer.agent.get('/officer/plans/legacy-plan')).status).toBe(200);
      expect(await status('officerA', '/officer/plans/legacy-plan')).toBe(404);
    });

    it('when an admin moves a plan to another organisation, then it is audited, its staff manage it and only admins may move it', async () => {
      const page = await browser('admin').get(`/officer/plans/${slug}`);
      expect(page.text).toContain('name="organisationId"');
      expect((await browser('admin').agent.get(`/fr/officer/plans/${slug}`)).text).toContain(
        'Déplacer vers cette organisation',
      );
      expect((await browser('officerA').agent.get(`/officer/plans/${slug}`)).text).not.toContain(
        'name="organisationId"',
      );
      const unknown = await browser('admin').post(`/officer/plans/${slug}/organisation`, {
        organisationId: 'no-such-org',
      });
      expect(unknown.status).toBe(400);
      // A's own officer may manage the plan, not move it.
      await browser('officerA').get(`/officer/plans/${slug}`);
      const refused = await browser('officerA').post(`/officer/plans/${slug}/organisation`, {
        organisationId: 'org-b',
      });
      expect(refused.status).toBe(404);
      expect((await service(ctx).getPlan(slug, { includeDrafts: true })).organisationId).toBe('org-a');

      await browser('admin').get(`/officer/plans/${slug}`);
      const moved = await browser('admin').post(`/officer/plans/${slug}/organisation`, {
        organisationId: 'org-b',
      });
      expect(moved.status).toBe(303);
      expect(await status('officerB', `/officer/plans/${slug}/commitments/1`)).toBe(200);
      expect(await status('officerA', `/officer/plans/${slug}/commitments/1`)).toBe(404);
      const entry = await ctx.db.connection
        .collection('audit')
        .findOne({ action: 'plan.organisation_changed', targetId: slug });
      expect(entry?.details).toMatchObject({ from: 'org-a', to: 'org-b' });
    });

    it('when a plan is published, then its public pages stay public whatever its organisation', async () => {
      const plans = service(ctx);
      const planB = 'org-b-plan';
      await plans.updatePlan(
        planB,
        {
          title: { en: 'Organisation B plan', fr: 'Plan B' },
          summary: { en: 'Summary', fr: 'Résumé' },
          organisation: { en: 'Government', fr: 'Gouvernement' },
          periodStart: '2024',
          periodEnd: '2026',
        },
        { id: 'officer-b', roles: ['officer'], organisationId: 'org-b' },
      );
      await plans.publishPlan(planB, { id: 'officer-b', roles: ['officer'], organisationId: 'org-b' });
      expect((await request(ctx.app).get(`/plans/${planB}`)).status).toBe(200);
      expect((await browser('officerA').agent.get(`/plans/${planB}`)).status).toBe(200);
    });
  });
});
