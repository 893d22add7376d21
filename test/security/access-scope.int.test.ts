/**
 * Security class: access by role and scope. Staff belong to an organisation; rounds and consultations belong to an
 * organisation, surveys to their consultation's. An officer or analyst of organisation A cannot reach anything of
 * organisation B that reads or exports responses, manages or moderates (a 404, like an id that does not exist, and
 * nothing of it in their lists); B's own staff and admins can. One rule decides: platform/http/access.ts.
 */
import request from 'supertest';
import { csrfTokenFrom, FormAgent } from '../support/agent';
import { buildTestApp, type TestApp } from '../support/app';
import { createSurvey } from '../support/factories/surveys';
import { createPerson, signInWithForm } from '../support/sign-in';
import type { Role } from '../../src/platform/http/auth';

const ADMIN_ACTOR = { id: '000000000000000000000001', email: 'root@example.test', roles: ['admin' as const] };

describe('access by role and organisation', () => {
  let ctx: TestApp;
  let surveyId: string;
  let consultationId: string;
  let consultationTitle: string;
  let roundSlug: string;
  let roundId: string;
  let commentId: string;
  const commentBody = 'A comment only organisation B should moderate';
  const browsers = new Map<string, FormAgent>();

  /** A signed-in browser of a person with `roles` in `organisation` (undefined: the default organisation). */
  async function staff(name: string, roles: Role[], organisation?: string): Promise<FormAgent> {
    const person = await createPerson(ctx, { roles, name });
    if (organisation) await ctx.composition.accounts.setOrganisation(ADMIN_ACTOR, person.id, organisation);
    const agent = await signInWithForm(ctx, person);
    browsers.set(name, agent);
    return agent;
  }

  beforeAll(async () => {
    ctx = await buildTestApp();
    const accounts = ctx.composition.accounts;
    await accounts.init();
    for (const code of ['org-a', 'org-b']) {
      await accounts.saveOrganisation(ADMIN_ACTOR, { code, nameEn: `Dept ${code}`, nameFr: `Min ${code}` });
    }
    // The survey, its consultation and round, made by the factories (default organisation), then moved to B.
    const made = await createSurvey(ctx);
    surveyId = made.survey.id;
    consultationId = made.consultation.id;
    consultationTitle = made.consultation.title.en;
    roundId = made.consultation.roundId;
    const consultations = ctx.consultations.consultations;
    roundSlug = (await consultations.getRoundById(roundId)).slug;
    await consultations.setConsultationOrganisation(consultationId, 'org-b', ADMIN_ACTOR);
    await consultations.setRoundOrganisation(roundId, 'org-b', ADMIN_ACTOR);

    // One submitted response (so exports have a row) and one comment (so moderation has an item).
    await made.service.submitComplete({
      surveyId,
      respondent: { key: 'anon:api-scope-test', locale: 'en' },
      idempotencyKey: 'scope-test-1',
      answers: { likes: 'yes', why: 'Because', score: 4 },
      sector: 'civil_society',
      region: 'ON',
    });
    const participant = await createPerson(ctx, { roles: [] });
    const comment = await ctx.consultations.comments.postComment({
      consultation: await consultations.getConsultationById(consultationId),
      user: { ...participant, roles: ['participant'] },
      body: commentBody,
      submissionId: 'scope-comment-1',
    });
    commentId = comment.id;

    await staff('officerA', ['officer'], 'org-a');
    await staff('analystA', ['analyst'], 'org-a');
    await staff('officerB', ['officer'], 'org-b');
    await staff('analystB', ['analyst'], 'org-b');
    await staff('admin', ['admin'], 'org-a');
  }, 60_000);
  afterAll(() => ctx.close());

  /** Every staff page that reads, exports or analyses the responses of organisation B's survey. */
  const analysisRoutes = () => [
    `/analysis/surveys/${surveyId}`,
    `/analysis/surveys/${surveyId}/responses.csv`,
    `/analysis/surveys/${surveyId}/responses.json`,
    `/analysis/surveys/${surveyId}/codebook.csv`,
    `/analysis/surveys/${surveyId}/codebook.json`,
    `/analysis/surveys/${surveyId}/texts/why`,
    `/analysis/consultations/${consultationId}`,
    `/analysis/rounds/${roundSlug}`,
  ];
  /** Officer pages of B's survey, consultation, round and comment. */
  const officerRoutes = () => [
    `/manage/surveys/${surveyId}`,
    `/manage/surveys/${surveyId}/details`,
    `/manage/surveys/${surveyId}/settings`,
    `/manage/surveys/${surveyId}/export`,
    `/manage/surveys/${surveyId}/invitations`,
    `/manage/surveys/${surveyId}/preview/s1`,
    `/officer/consultations/${consultationId}`,
    `/officer/consultations/${consultationId}/edit`,
    `/officer/consultations/${consultationId}/report`,
    `/officer/rounds/${roundId}/edit`,
    `/officer/comments/${commentId}`,
  ];

  async function status(who: string, path: string): Promise<number> {
    return (await (browsers.get(who) as FormAgent).agent.get(path)).status;
  }

  describe('pages that read, export or analyse responses', () => {
    it.each(['officerA', 'analystA'])(
      'when %s (organisation A) asks for any of organisation B’s, then each is a 404',
      async (who) => {
        for (const path of analysisRoutes()) expect([path, await status(who, path)]).toEqual([path, 404]);
      },
    );

    it.each(['officerB', 'analystB', 'admin'])('when %s asks for them, then each is served', async (who) => {
      for (const path of analysisRoutes()) expect([path, await status(who, path)]).toEqual([path, 200]);
    });

    it('when organisation A’s analyst asks for an export, then no response row leaves (a 404, not an empty file)', async () => {
      const res = await (browsers.get('analystA') as FormAgent).agent.get(
        `/analysis/surveys/${surveyId}/responses.csv`,
      );
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('Because');
      const ok = await (browsers.get('analystB') as FormAgent).agent.get(
        `/analysis/surveys/${surveyId}/responses.csv`,
      );
      expect(ok.text).toContain('Because');
    });
  });

  describe('officer pages (builder, invitations, consultation, round, moderation)', () => {
    it('when organisation A’s officer asks for any of organisation B’s, then each is a 404', async () => {
      for (const path of officerRoutes()) expect([path, await status('officerA', path)]).toEqual([path, 404]);
    });

    it.each(['officerB', 'admin'])('when %s asks for them, then each is served', async (who) => {
      for (const path of officerRoutes()) expect([path, await status(who, path)]).toEqual([path, 200]);
    });

    it('when an analyst asks for officer pages, then the role alone refuses them (403)', async () => {
      expect(await status('analystB', `/manage/surveys/${surveyId}`)).toBe(403);
      expect(await status('analystB', `/officer/consultations/${consultationId}`)).toBe(403);
    });

    it('when organisation A’s officer posts to B’s survey, consultation or comment, then it is a 404 and nothing changes', async () => {
      const agent = browsers.get('officerA') as FormAgent;
      const token = csrfTokenFrom((await agent.agent.get('/officer')).text) as string;
      const post = (path: string, body: Record<string, string>) =>
        agent.agent
          .post(path)
          .type('form')
          .send({ _csrf: token, ...body });
      expect((await post(`/manage/surveys/${surveyId}/close`, { confirm: 'yes' })).status).toBe(404);
      expect((await post(`/manage/surveys/${surveyId}/duplicate`, {})).status).toBe(404);
      expect(
        (await post(`/manage/surveys/${surveyId}/invitations`, { emails: 'someone@example.ca' })).status,
      ).toBe(404);
      expect((await post(`/officer/consultations/${consultationId}/close`, { confirm: 'yes' })).status).toBe(
        404,
      );
      expect((await post(`/officer/consultations/${consultationId}/archive`, {})).status).toBe(404);
      expect((await post(`/officer/comments/${commentId}/hide`, { reason: 'spam' })).status).toBe(404);
      expect((await post(`/analysis/surveys/${surveyId}/refresh`, {})).status).toBe(404);
      const survey = await ctx.composition.surveys.getSurvey(surveyId);
      expect(survey.status).toBe('published');
      const consultation = await ctx.consultations.consultations.getConsultationById(consultationId);
      expect(consultation.status).toBe('open');
      const comment = await ctx.consultations.comments.getComment(commentId);
      expect(comment.hidden).toBeFalsy();
    });

    it('when organisation A’s officer creates a survey in B’s consultation, then that consultation is unknown to them', async () => {
      const agent = browsers.get('officerA') as FormAgent;
      await agent.get('/manage/surveys');
      const res = await agent.post('/manage/surveys', {
        consultationId,
        titleEn: 'Sneaky',
        titleFr: 'Sournois',
      });
      expect(res.status).toBe(422);
    });

    it('when organisation A’s officer creates a consultation in B’s round, then that round is unknown to them', async () => {
      const agent = browsers.get('officerA') as FormAgent;
      await agent.get('/officer/consultations/new');
      const res = await agent.post('/officer/consultations', {
        roundId,
        titleEn: 'Sneaky',
        titleFr: '',
        opensAt: '2027-01-01T09:00',
        closesAt: '2027-02-01T09:00',
      });
      expect(res.status).toBe(422);
    });
  });

  describe('lists', () => {
    it('when organisation A’s staff open their lists, then nothing of organisation B is in them', async () => {
      for (const [who, path] of [
        ['officerA', '/officer'],
        ['officerA', '/manage/surveys'],
        ['officerA', '/officer/moderation?status=pending'],
        ['officerA', '/officer/consultations/new'],
        ['analystA', '/analysis'],
      ] as const) {
        const res = await (browsers.get(who) as FormAgent).agent.get(path);
        expect([path, res.status]).toEqual([path, 200]);
        expect([path, res.text.includes(consultationTitle)]).toEqual([path, false]);
        expect([path, res.text.includes(commentBody)]).toEqual([path, false]);
        expect([path, res.text.includes(surveyId)]).toEqual([path, false]);
      }
    });

    it('when organisation B’s staff and admins open them, then B’s consultation, survey and comment are there', async () => {
      for (const who of ['officerB', 'admin']) {
        const agent = browsers.get(who) as FormAgent;
        expect((await agent.agent.get('/officer')).text).toContain(consultationTitle);
        expect((await agent.agent.get('/manage/surveys')).text).toContain(surveyId);
        expect((await agent.agent.get('/officer/moderation?status=pending')).text).toContain(commentBody);
      }
      expect((await (browsers.get('analystB') as FormAgent).agent.get('/analysis')).text).toContain(
        roundSlug,
      );
    });
  });

  describe('drafts on public pages', () => {
    it('when a consultation of B is a draft, then A’s staff get a 404 for its page while B’s staff preview it', async () => {
      const consultations = ctx.consultations.consultations;
      const draft = await consultations.createConsultation(
        {
          roundId,
          slug: 'scope-draft-consultation',
          title: { en: 'Scope draft', fr: 'Ébauche' },
          summary: { en: '', fr: '' },
          body: { en: '', fr: '' },
          themes: [],
          leadOrganisation: { en: '', fr: '' },
          contactEmail: '',
          opensAt: new Date(Date.now() + 86_400_000),
          closesAt: new Date(Date.now() + 10 * 86_400_000),
        },
        { id: 'someone', roles: ['officer'], organisationId: 'org-b' },
      );
      expect(draft.organisationId).toBe('org-b');
      expect(await status('officerA', '/consultations/scope-draft-consultation')).toBe(404);
      expect(await status('analystA', '/consultations/scope-draft-consultation')).toBe(404);
      expect(await status('officerB', '/consultations/scope-draft-consultation')).toBe(200);
      expect(await status('admin', '/consultations/scope-draft-consultation')).toBe(200);
      const listing = await (browsers.get('officerA') as FormAgent).agent.get('/consultations?status=draft');
      expect(listing.text).not.toContain('Scope draft');
      const ownListing = await (browsers.get('officerB') as FormAgent).agent.get(
        '/consultations?status=draft',
      );
      expect(ownListing.text).toContain('Scope draft');
      expect((await request(ctx.app).get('/consultations/scope-draft-consultation')).status).toBe(404);
    });
  });

  describe('organisations', () => {
    it('when records predate organisations, then they and unassigned staff belong to the default organisation', async () => {
      const orgs = await ctx.composition.accounts.listOrganisations();
      expect(orgs.map((o) => o.id)).toEqual(['default', 'org-a', 'org-b']);
      const person = await createPerson(ctx, { roles: ['officer'] });
      expect((await ctx.composition.accounts.getUser(person.id)).organisationId).toBe('default');
    });

    it('when an admin moves a staff account, then it is audited and applies on the next request', async () => {
      const person = await createPerson(ctx, { roles: ['analyst'], name: 'Mover' });
      const agent = await signInWithForm(ctx, person);
      expect((await agent.agent.get(`/analysis/surveys/${surveyId}`)).status).toBe(404);
      const admin = browsers.get('admin') as FormAgent;
      await admin.get(`/admin/users/${person.id}`);
      const res = await admin.post(`/admin/users/${person.id}/organisation`, { organisationId: 'org-b' });
      expect(res.status).toBe(303);
      expect((await agent.agent.get(`/analysis/surveys/${surveyId}`)).status).toBe(200);
      const audit = await ctx.composition.accounts.listAudit({ targetId: person.id });
      expect(audit.map((e) => e.action)).toContain('user.organisation_changed');
    });

    it('when an admin moves a consultation or a round, then its surveys follow and only admins may move them', async () => {
      const made = await createSurvey(ctx);
      const path = `/manage/surveys/${made.survey.id}`;
      expect(await status('officerA', path)).toBe(404);
      const officerA = browsers.get('officerA') as FormAgent;
      const token = csrfTokenFrom((await officerA.agent.get('/officer')).text) as string;
      const refused = await officerA.agent
        .post(`/officer/consultations/${made.consultation.id}/organisation`)
        .type('form')
        .send({ _csrf: token, organisationId: 'org-a' });
      expect(refused.status).toBe(404);
      const admin = browsers.get('admin') as FormAgent;
      const page = await admin.get(`/officer/consultations/${made.consultation.id}`);
      expect(page.text).toContain('name="organisationId"');
      const unknown = await admin.post(`/officer/consultations/${made.consultation.id}/organisation`, {
        organisationId: 'no-such-org',
      });
      expect(unknown.status).toBe(400);
      const moved = await admin.post(`/officer/consultations/${made.consultation.id}/organisation`, {
        organisationId: 'org-a',
      });
      expect(moved.status).toBe(303);
      expect(await status('officerA', path)).toBe(200);
      expect(await status('officerB', path)).toBe(404);
      // The round, likewise, from its edit page.
      await admin.get(`/officer/rounds/${made.consultation.roundId}/edit`);
      const round = await admin.post(`/officer/rounds/${made.consultation.roundId}/organisation`, {
        organisationId: 'org-a',
      });
      expect(round.status).toBe(303);
      expect(await status('officerA', `/officer/rounds/${made.consultation.roundId}/edit`)).toBe(200);
      expect(
        (await officerA.agent.get(`/officer/rounds/${made.consultation.roundId}/edit`)).text,
      ).not.toContain('name="organisationId"');
    });

    it('when an admin shares a consultation with another organisation, then its staff may analyse it, not manage it', async () => {
      const made = await createSurvey(ctx);
      const consultations = ctx.consultations.consultations;
      await consultations.setConsultationOrganisation(made.consultation.id, 'org-b', ADMIN_ACTOR);
      const analysis = `/analysis/surveys/${made.survey.id}`;
      expect(await status('analystA', analysis)).toBe(404);
      const admin = browsers.get('admin') as FormAgent;
      const page = await admin.get(`/officer/consultations/${made.consultation.id}`);
      expect(page.text).toContain('name="sharedWith"');
      const shared = await admin.post(`/officer/consultations/${made.consultation.id}/sharing`, {
        sharedWith: 'org-a',
      });
      expect(shared.status).toBe(303);
      for (const path of [
        analysis,
        `${analysis}/responses.csv`,
        `/analysis/consultations/${made.consultation.id}`,
      ]) {
        expect([path, await status('analystA', path)]).toEqual([path, 200]);
        expect([path, await status('officerA', path)]).toEqual([path, 200]);
      }
      expect((await (browsers.get('analystA') as FormAgent).agent.get('/analysis')).text).toContain(
        `/analysis/consultations/${made.consultation.id}`,
      );
      // Sharing is for reading: managing, moderating and the round stay with organisation B.
      for (const path of [
        `/manage/surveys/${made.survey.id}`,
        `/officer/consultations/${made.consultation.id}`,
        `/analysis/rounds/${(await consultations.getRoundById(made.consultation.roundId)).slug}`,
      ]) {
        expect([path, await status('officerA', path)]).toEqual([path, 404]);
      }
      expect((await (browsers.get('officerA') as FormAgent).agent.get('/officer')).text).not.toContain(
        made.consultation.title.en,
      );
      const unshared = await admin.post(`/officer/consultations/${made.consultation.id}/sharing`, {});
      expect(unshared.status).toBe(303);
      expect(await status('analystA', analysis)).toBe(404);
      const bad = await admin.post(`/officer/consultations/${made.consultation.id}/sharing`, {
        sharedWith: 'nope',
      });
      expect(bad.status).toBe(400);
    });

    it('when an admin adds an organisation with a bad or taken code, then the form says so (422)', async () => {
      const admin = browsers.get('admin') as FormAgent;
      await admin.get('/admin/organisations');
      const bad = await admin.post('/admin/organisations', { code: 'Not A Code', nameEn: 'X', nameFr: 'X' });
      expect(bad.status).toBe(422);
      const taken = await admin.post('/admin/organisations', { code: 'org-a', nameEn: 'X', nameFr: 'X' });
      expect(taken.status).toBe(422);
      const ok = await admin.post('/admin/organisations', { code: 'org-c', nameEn: 'C', nameFr: 'C' });
      expect(ok.status).toBe(303);
      expect(await status('officerA', '/admin/organisations')).toBe(403);
    });
  });
});
