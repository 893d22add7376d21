/**
 * Security class: drafts. A survey is public only while it is published (or closed) inside a consultation that is
 * published (or archived). A published survey of a draft consultation is a 404 everywhere the public reaches it
 * (the survey API, the answering pages, the thank-you page, receipts), with nothing of it in the answer, however
 * guessable its id; officers of its organisation still preview it in the builder.
 */
import request from 'supertest';
import { csrfTokenFrom } from '../support/agent';
import { buildTestApp, type TestApp } from '../support/app';
import { createSurvey } from '../support/factories/surveys';
import { agentAs } from '../support/sign-in';

const TITLE = 'Budget survey';

describe('surveys of draft consultations', () => {
  let ctx: TestApp;
  let surveyId: string;
  let consultationId: string;

  beforeAll(async () => {
    ctx = await buildTestApp();
    const made = await createSurvey(ctx, { consultation: { publication: 'draft' } });
    surveyId = made.survey.id;
    consultationId = made.consultation.id;
    expect(made.survey.status).toBe('published');
    expect(made.consultation.publication).toBe('draft');
  });
  afterAll(() => ctx.close());

  const pages = () => [
    `/surveys/${surveyId}`,
    `/surveys/${surveyId}/pages/s1`,
    `/surveys/${surveyId}/check`,
    `/surveys/${surveyId}/saved`,
    `/surveys/${surveyId}/thanks`,
  ];

  it('when anyone asks the survey API for its definition, then it is a 404 problem with nothing of the survey', async () => {
    const res = await request(ctx.app).get(`/api/v1/surveys/${surveyId}`);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.text).not.toContain(TITLE);
    expect(res.text).not.toContain('likes');
  });

  it('when anyone submits a response through the API, then it is a 404 and nothing is stored', async () => {
    const res = await request(ctx.app)
      .post(`/api/v1/surveys/${surveyId}/responses`)
      .set('Idempotency-Key', 'drafts-test-1')
      .send({ answers: { likes: 'no', change: 'x' }, sector: 'civil_society', region: 'ON' });
    expect(res.status).toBe(404);
    expect(await ctx.composition.surveys.responseStatusCounts({ surveyId })).toEqual(
      expect.objectContaining({ submitted: 0 }),
    );
  });

  it.each([
    ['anonymous', ''],
    ['a signed-in participant', 'participant:dana'],
    ['an analyst', 'analyst'],
  ])(
    'when %s opens the answering and thank-you pages, then each is a 404 without the title',
    async (_label, who) => {
      const agent = await agentAs(ctx, who);
      for (const path of pages()) {
        const res = await agent.agent.get(path);
        expect([path, res.status]).toEqual([path, 404]);
        expect([path, res.text.includes(TITLE)]).toEqual([path, false]);
      }
    },
  );

  it('when a signed-in participant posts a page or asks for a receipt, then it is a 404', async () => {
    const agent = await agentAs(ctx, 'participant:dana');
    const token = csrfTokenFrom((await agent.agent.get('/profile')).text) as string;
    const page = await agent.agent
      .post(`/surveys/${surveyId}/pages/s1`)
      .type('form')
      .send({ _csrf: token, q_likes: 'yes', q_why: 'x', action: 'next' });
    expect(page.status).toBe(404);
    const receipt = await agent.agent
      .post(`/surveys/${surveyId}/receipt`)
      .type('form')
      .send({ _csrf: token });
    expect(receipt.status).toBe(404);
  });

  it('when an officer of its organisation previews it in the builder, then it is shown', async () => {
    const agent = await agentAs(ctx, 'officer');
    const res = await agent.agent.get(`/manage/surveys/${surveyId}/preview/s1`);
    expect(res.status).toBe(200);
  });

  it('when the consultation is published, then the same survey is public (API, start and thank-you pages)', async () => {
    const consultations = ctx.consultations.consultations;
    await consultations.publishConsultation(consultationId, { id: 'officer', roles: ['officer'] });
    expect((await request(ctx.app).get(`/api/v1/surveys/${surveyId}`)).status).toBe(200);
    expect((await request(ctx.app).get(`/surveys/${surveyId}`)).status).toBe(200);
    const thanks = await request(ctx.app).get(`/surveys/${surveyId}/thanks`);
    expect(thanks.status).toBe(200);
    expect(thanks.text).toContain(TITLE);
  });
});
