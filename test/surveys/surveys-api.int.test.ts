import request from 'supertest';
import { Types } from 'mongoose';
import { FormAgent } from '../support/agent';
import { buildTestApp, type TestApp } from '../support/app';
import { createSurvey } from '../support/factories/surveys';
import { signInAs } from '../support/sign-in';

describe('surveys JSON API', () => {
  let ctx: TestApp;

  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(() => ctx.close());

  const count = (surveyId: string) =>
    ctx.db.connection.collection('responses').countDocuments({ surveyId: new Types.ObjectId(surveyId) });
  const valid = {
    answers: { likes: 'no', change: 'More trains', score: 5 },
    sector: 'civil_society',
    region: 'ON',
  };

  it('when a published survey is asked for, then its definition comes back; a draft is a 404 problem', async () => {
    const { survey } = await createSurvey(ctx);
    const res = await request(ctx.app).get(`/api/v1/surveys/${survey.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: survey.id,
      version: 1,
      status: 'published',
      title: { en: 'Budget survey' },
    });
    expect(res.body.sections.map((s: { id: string }) => s.id)).toEqual(['s1', 's2', 's3']);
    expect(res.body.selfIdentification.sectors).toContain('civil_society');
    const { survey: draft } = await createSurvey(ctx, { status: 'draft' });
    const missing = await request(ctx.app).get(`/api/v1/surveys/${draft.id}`);
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('when a valid response is posted without a session, then it is stored (201) without any CSRF token', async () => {
    const { survey } = await createSurvey(ctx);
    const res = await request(ctx.app)
      .post(`/api/v1/surveys/${survey.id}/responses`)
      .set('Idempotency-Key', 'key-0001-abcdef')
      .send(valid);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ surveyId: survey.id, surveyVersion: 1, status: 'submitted' });
    expect(res.headers.location).toBe(`/api/v1/surveys/${survey.id}/responses/${res.body.id}`);
    expect(await count(survey.id)).toBe(1);
  });

  it('when 20 identical submissions arrive in parallel, then exactly one response is stored and all get it', async () => {
    const { survey } = await createSurvey(ctx);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        request(ctx.app)
          .post(`/api/v1/surveys/${survey.id}/responses`)
          .set('Idempotency-Key', 'same-key-parallel-1')
          .send(valid),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(results.map((r) => r.body.id as string)).size).toBe(1);
    expect(await count(survey.id)).toBe(1);
  });

  it('when a client retries with the same key, then it gets the same response back and nothing new is stored', async () => {
    const { survey } = await createSurvey(ctx);
    const first = await request(ctx.app)
      .post(`/api/v1/surveys/${survey.id}/responses`)
      .set('Idempotency-Key', 'first-key-123')
      .send(valid);
    expect(first.status).toBe(201);
    const replay = await request(ctx.app)
      .post(`/api/v1/surveys/${survey.id}/responses`)
      .set('Idempotency-Key', 'first-key-123')
      .send(valid);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.id).toBe(first.body.id);
    expect(await count(survey.id)).toBe(1);
  });

  it('when a signed-in respondent who already answered submits again with a new key, then 409', async () => {
    const { survey } = await createSurvey(ctx);
    const { agent: browser } = await signInAs(ctx, { name: 'Lin Wu' });
    const page = await browser.get(`/surveys/${survey.id}/pages/s1`);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
    const post = (key: string) =>
      browser.agent
        .post(`/api/v1/surveys/${survey.id}/responses`)
        .set('X-CSRF-Token', token)
        .set('Idempotency-Key', key)
        .send(valid);
    expect((await post('lin-first-key')).status).toBe(201);
    const again = await post('lin-second-key');
    expect(again.status).toBe(409);
    expect(JSON.parse(again.text).detail).toContain('already answered');
    expect(await count(survey.id)).toBe(1);
  });

  it('when answers are invalid, then 422 lists each question id with a translated message and nothing is stored', async () => {
    const { survey } = await createSurvey(ctx);
    const res = await request(ctx.app)
      .post(`/api/v1/surveys/${survey.id}/responses`)
      .set('Idempotency-Key', 'invalid-key-1')
      .set('Accept-Language', 'fr')
      .send({ answers: { likes: 'maybe', score: '5', ghost: 1 }, sector: 'aliens', region: 'ON' });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const errors = JSON.parse(res.text).errors as { field: string; message: string }[];
    expect(errors).toEqual(
      expect.arrayContaining([
        { field: 'ghost', message: 'Il n’y a pas de question «\u00a0ghost\u00a0» dans ce sondage.' },
        { field: 'likes', message: 'Choisissez l’une des options proposées.' },
        { field: 'score', message: 'Choisissez un point de 1 à 5.' },
        { field: 'sector', message: expect.stringContaining('Choisissez') },
      ]),
    );
    expect(await count(survey.id)).toBe(0);
  });

  it('when the Idempotency-Key is missing, then 400', async () => {
    const { survey } = await createSurvey(ctx);
    const res = await request(ctx.app).post(`/api/v1/surveys/${survey.id}/responses`).send(valid);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).detail).toContain('Idempotency-Key');
  });

  it('when the survey is closed, then 410; invitation-only, then 403; signed-in only, then 401', async () => {
    const { survey: closed } = await createSurvey(ctx, { status: 'closed' });
    const post = (id: string) =>
      request(ctx.app)
        .post(`/api/v1/surveys/${id}/responses`)
        .set('Idempotency-Key', 'k-123456789')
        .send(valid);
    expect((await post(closed.id)).status).toBe(410);
    const { survey: invited } = await createSurvey(ctx, { settings: { audience: 'invited' } });
    expect((await post(invited.id)).status).toBe(403);
    const { survey: signedIn } = await createSurvey(ctx, { settings: { audience: 'signed_in' } });
    expect((await post(signedIn.id)).status).toBe(401);
    expect(await count(closed.id)).toBe(0);
  });

  it('when an API POST carries a session cookie but no CSRF token, then it is still refused', async () => {
    const { survey } = await createSurvey(ctx);
    const browser = new FormAgent(ctx.app);
    // a page whose form needs the session's token creates the session (anonymous survey pages no longer do)
    await browser.get('/sign-in');
    const res = await browser.agent
      .post(`/api/v1/surveys/${survey.id}/responses`)
      .set('Idempotency-Key', 'browser-key-1')
      .send(valid);
    expect(res.status).toBe(403);
    expect(await count(survey.id)).toBe(0);
  });

  it('when the OpenAPI document is asked for, then it documents both survey paths', async () => {
    const res = await request(ctx.app).get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/surveys/{surveyId}', '/api/v1/surveys/{surveyId}/responses']),
    );
    expect(Object.keys(res.body.paths['/api/v1/surveys/{surveyId}/responses'].post.responses)).toEqual(
      expect.arrayContaining(['201', '409', '410', '422', '403']),
    );
  });
});
