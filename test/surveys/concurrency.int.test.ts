import crypto from 'node:crypto';
import type { Express } from 'express';
import { Types } from 'mongoose';
import request from 'supertest';
import { createSurveysService, type SurveysService } from '../../src/modules/surveys';
import type { SubmittedAnswers } from '../../src/modules/surveys/answer-recorder';
import type { TestApp } from '../support/app';
import { consultationsServiceFor } from '../support/factories/consultations';
import { both, createSurvey } from '../support/factories/surveys';
import { buildTwinApps, type TwinApps } from '../support/twin-apps';

/**
 * Two app instances on one database: races between them must end exactly as if the requests had come one by one.
 * Nothing is serialised in the app; the database's single-document atomicity and the `_id`s decide.
 */
describe('surveys under concurrent requests from two instances', () => {
  let twins: TwinApps;
  let ctx: TestApp;

  beforeAll(async () => {
    twins = await buildTwinApps();
    const [first] = twins.apps;
    ctx = {
      app: first.app,
      composition: first.composition,
      db: twins.db,
      config: twins.config,
      notifications: first.composition.notifications,
      consultations: first.composition.consultations,
      close: () => twins.close(),
    };
  });
  afterAll(() => twins.close());

  const app = (i: number): Express => twins.apps[i % 2]!.app;
  const surveysOf = (i: number): SurveysService => twins.apps[i % 2]!.composition.surveys;

  /** An anonymous browser: its respondent cookie and the survey form token that goes with it. */
  function browser() {
    const key = crypto.randomBytes(24).toString('base64url');
    const token = surveysOf(0).formToken(key);
    return {
      key,
      post(target: Express, path: string, fields: Record<string, string>) {
        return request(target)
          .post(path)
          .set('Cookie', `agora.respondent=${key}`)
          .type('form')
          .send(new URLSearchParams({ _survey: token, ...fields }).toString());
      },
      get(target: Express, path: string) {
        return request(target).get(path).set('Cookie', `agora.respondent=${key}`);
      },
    };
  }

  async function stored(surveyId: string) {
    return twins.db.connection
      .collection('responses')
      .find({ surveyId: new Types.ObjectId(surveyId) })
      .toArray();
  }

  async function ledger(surveyId: string) {
    return {
      submissions: await twins.db.connection
        .collection('participation_submissions')
        .countDocuments({ surveyId }),
      participants: await twins.db.connection
        .collection('participations')
        .countDocuments({ scope: 'survey', scopeId: surveyId }),
    };
  }

  /** Fills the first two pages of the three-page survey, then "About you" is left for the submission. */
  async function prepare(b: ReturnType<typeof browser>, surveyId: string, target = app(0)) {
    await b.post(target, `/surveys/${surveyId}/pages/s1`, { q_likes: 'yes', q_why: 'Trees', action: 'next' });
    await b.post(target, `/surveys/${surveyId}/pages/s3`, { q_score: '4', action: 'next' });
  }

  const submitFields = { si_sector: 'academia', si_region: 'ON', action: 'next' };

  it('when one respondent submits six times at once through both instances, then one response is stored and counted once', async () => {
    const { survey, consultation } = await createSurvey(ctx);
    const b = browser();
    await prepare(b, survey.id);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        b.post(app(i), `/surveys/${survey.id}/pages/about-you`, submitFields),
      ),
    );
    for (const result of results) {
      // Every attempt either gets the one submission (thanks) or is told it was already answered.
      expect([303, 409]).toContain(result.status);
      if (result.status === 303) expect(result.headers.location).toBe(`/surveys/${survey.id}/thanks`);
    }
    expect(results.some((r) => r.status === 303)).toBe(true);
    const docs = await stored(survey.id);
    expect(docs.map((d) => d.status)).toEqual(['submitted']);
    expect(await ledger(survey.id)).toEqual({ submissions: 1, participants: 1 });
    expect(await surveysOf(1).responseStatusCounts({ surveyId: survey.id })).toEqual({
      draft: 0,
      submitted: 1,
    });
    expect(await surveysOf(0).responseCounts.countByConsultation([consultation.id])).toEqual(
      new Map([[consultation.id, 1]]),
    );
    expect(await twins.apps[0].composition.effects.pending()).toEqual([]);
  });

  it('when twenty respondents submit at once through both instances, then all are stored and every count is exact', async () => {
    const { survey, consultation } = await createSurvey(ctx);
    const browsers = Array.from({ length: 20 }, () => browser());
    await Promise.all(browsers.map((b, i) => prepare(b, survey.id, app(i))));
    expect(await surveysOf(0).responseStatusCounts({ surveyId: survey.id })).toEqual({
      draft: 20,
      submitted: 0,
    });
    const results = await Promise.all(
      browsers.map((b, i) => b.post(app(i + 1), `/surveys/${survey.id}/pages/about-you`, submitFields)),
    );
    expect(results.map((r) => r.status)).toEqual(browsers.map(() => 303));
    const docs = await stored(survey.id);
    expect(docs).toHaveLength(20);
    expect(docs.every((d) => d.status === 'submitted')).toBe(true);
    expect(await ledger(survey.id)).toEqual({ submissions: 20, participants: 20 });
    for (const scope of [
      { surveyId: survey.id },
      { consultationId: consultation.id },
      { roundId: consultation.roundId },
    ])
      expect(await surveysOf(1).responseStatusCounts(scope)).toEqual({ draft: 0, submitted: 20 });
  });

  it('when two tabs save different questions of one page at once, then both answers are kept', async () => {
    const { survey } = await createSurvey(ctx, {
      definition: {
        title: both('Two tabs'),
        sections: [
          {
            id: 'p1',
            title: both('One page'),
            questions: ['a', 'b', 'c', 'd'].map((id) => ({
              id,
              type: 'short_text' as const,
              label: both(`Question ${id}`),
              required: false,
              maxLength: 100,
            })),
          },
        ],
      },
      settings: { selfIdentification: false },
    });
    for (let round = 0; round < 5; round += 1) {
      const b = browser();
      const path = `/surveys/${survey.id}/pages/p1`;
      // Each tab sends the page as it shows it: its own question filled in, the other ones empty.
      const saves = await Promise.all([
        b.post(app(0), path, { q_a: `a${round}`, action: 'save' }),
        b.post(app(1), path, { q_b: `b${round}`, action: 'save' }),
        b.post(app(0), path, { q_c: `c${round}`, action: 'save' }),
        b.post(app(1), path, { q_d: `d${round}`, action: 'save' }),
      ]);
      expect(saves.map((s) => s.status)).toEqual([303, 303, 303, 303]);
      const draft = await surveysOf(round).findDraft(survey.id, `anon:${b.key}`);
      expect(draft?.answers).toEqual({ a: `a${round}`, b: `b${round}`, c: `c${round}`, d: `d${round}` });
    }
    // A cleared answer is removed (only what this request changed is written).
    const b = browser();
    const path = `/surveys/${survey.id}/pages/p1`;
    await b.post(app(0), path, { q_a: 'x', q_b: 'y', action: 'save' });
    await b.post(app(1), path, { q_a: 'x', action: 'save' });
    expect((await surveysOf(0).findDraft(survey.id, `anon:${b.key}`))?.answers).toEqual({ a: 'x' });
    expect(await surveysOf(0).responseStatusCounts({ surveyId: survey.id })).toEqual({
      draft: 6,
      submitted: 0,
    });
  });

  it('when an API client sends one submission ten times at once, then one response is stored and every answer is that one', async () => {
    const { survey } = await createSurvey(ctx);
    const body = {
      answers: { likes: 'no', change: 'More buses', score: 2 },
      sector: 'private_sector',
      region: 'QC',
    };
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        request(app(i))
          .post(`/api/v1/surveys/${survey.id}/responses`)
          .set('Idempotency-Key', 'same-key-0001')
          .send(body),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(results.map(() => 201));
    const ids = new Set(results.map((r) => (r.body as { id: string }).id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.headers['idempotent-replayed'] !== 'true').length).toBeLessThanOrEqual(1);
    expect(await stored(survey.id)).toHaveLength(1);
    expect(await ledger(survey.id)).toEqual({ submissions: 1, participants: 1 });
    expect(await surveysOf(0).responseStatusCounts({ surveyId: survey.id })).toEqual({
      draft: 0,
      submitted: 1,
    });

    const other = await request(app(1))
      .post(`/api/v1/surveys/${survey.id}/responses`)
      .set('Idempotency-Key', 'same-key-0001')
      .send({ ...body, answers: { ...body.answers, score: 5 } });
    expect(other.status).toBe(422);
    expect(other.headers['content-type']).toContain('application/problem+json');
    expect((other.body as { detail: string }).detail).toContain(
      'Idempotency-Key reused with a different request',
    );
    expect(await stored(survey.id)).toHaveLength(1);
  });

  it('when the same key is sent with different bodies at once, then one is stored and the others are refused with 422', async () => {
    const { survey } = await createSurvey(ctx, { settings: { onePerRespondent: false } });
    const results = await Promise.all(
      [1, 2, 3, 4].map((score, i) =>
        request(app(i))
          .post(`/api/v1/surveys/${survey.id}/responses`)
          .set('Idempotency-Key', 'race-key-0001')
          .send({ answers: { likes: 'no', change: 'Buses', score }, sector: 'private_sector', region: 'QC' }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 422, 422, 422]);
    expect(await stored(survey.id)).toHaveLength(1);
    expect(await ledger(survey.id)).toEqual({ submissions: 1, participants: 1 });
  });

  it('when a signed-in respondent submits through the API, then a second key is "already answered" (409)', async () => {
    const { survey } = await createSurvey(ctx);
    const service = surveysOf(0);
    const respondent = { key: 'user:concurrency-user', userId: 'concurrency-user', locale: 'en' as const };
    const input = {
      surveyId: survey.id,
      respondent,
      answers: { likes: 'yes', why: 'Parks' },
      sector: 'academia',
      region: 'ON',
    };
    const first = await service.submitComplete({ ...input, idempotencyKey: 'user-key-0001' });
    expect(first.replayed).toBe(false);
    expect((await service.submitComplete({ ...input, idempotencyKey: 'user-key-0001' })).replayed).toBe(true);
    await expect(
      surveysOf(1).submitComplete({ ...input, idempotencyKey: 'user-key-0002' }),
    ).rejects.toMatchObject({
      messageRef: { key: 'surveys:answer.alreadyAnswered' },
    });
  });

  it('when an instance dies between the steps of a submission, then the reconciler finishes it and it is counted exactly once', async () => {
    const { survey } = await createSurvey(ctx, { settings: { onePerRespondent: false } });
    const consultations = await consultationsServiceFor(twins.db.connection);
    const recorded: SubmittedAnswers[] = [];
    const answerRecorder = { recordAnswers: async (input: SubmittedAnswers) => void recorded.push(input) };
    // The "dying" instance: its response is stored, then the process stops before participation is recorded.
    const dying = createSurveysService({
      connection: twins.db.connection,
      consultations,
      participation: {
        recordSubmission: () => Promise.reject(new Error('the process died here')),
      },
      notifications: twins.apps[0].composition.notifications,
      baseUrl: twins.config.baseUrl,
      secret: twins.config.sessionSecret,
      answerRecorder,
    });
    const input = {
      surveyId: survey.id,
      respondent: { key: 'anon:api-crash-test', locale: 'en' as const },
      idempotencyKey: 'crash-key-0001',
      answers: { likes: 'no', change: 'Trains', score: 3 },
      sector: 'academia',
      region: 'NS',
    };
    await expect(dying.submitComplete(input)).rejects.toThrow('the process died here');
    expect(await stored(survey.id)).toHaveLength(1);
    expect(await ledger(survey.id)).toEqual({ submissions: 0, participants: 0 });
    expect(await twins.apps[1].composition.effects.pending('submission')).toHaveLength(1);

    // Too young for the reconciler: a request may still be finishing it.
    expect(await twins.apps[1].composition.effects.reconcile()).toBe(0);
    // The other instance's reconciler (and then a second pass) finish it once.
    jest
      .spyOn(twins.apps[1].composition.answerCounters, 'recordAnswers')
      .mockImplementation(answerRecorder.recordAnswers);
    expect(await twins.apps[1].composition.effects.reconcile({ graceMs: 0 })).toBe(1);
    expect(await twins.apps[0].composition.effects.reconcile({ graceMs: 0 })).toBe(0);
    expect(await ledger(survey.id)).toEqual({ submissions: 1, participants: 1 });
    expect(await surveysOf(0).responseStatusCounts({ surveyId: survey.id })).toEqual({
      draft: 0,
      submitted: 1,
    });
    expect(recorded.map((r) => r.revision)).toEqual(recorded.map(() => 1));
    expect(recorded.length).toBeGreaterThanOrEqual(1);

    // The client retries: the same response, nothing counted again.
    const retry = await surveysOf(1).submitComplete(input);
    expect(retry.replayed).toBe(true);
    expect(await ledger(survey.id)).toEqual({ submissions: 1, participants: 1 });
    expect(await surveysOf(0).responseStatusCounts({ surveyId: survey.id })).toEqual({
      draft: 0,
      submitted: 1,
    });
  });

  it('when a submitted response is edited, then the answer counters get the new revision with the previous answers', async () => {
    const { survey } = await createSurvey(ctx, { settings: { editableUntilClose: true } });
    const recorded: SubmittedAnswers[] = [];
    for (const twin of twins.apps)
      jest
        .spyOn(twin.composition.answerCounters, 'recordAnswers')
        .mockImplementation(async (input) => void recorded.push(input));
    const b = browser();
    await prepare(b, survey.id);
    expect((await b.post(app(1), `/surveys/${survey.id}/pages/about-you`, submitFields)).status).toBe(303);
    expect(recorded).toMatchObject([{ revision: 1, answers: { likes: 'yes', why: 'Trees', score: 4 } }]);
    // Editing: the pages go to a draft of changes; the response changes when the last page is saved.
    await b.post(app(0), `/surveys/${survey.id}/pages/s1`, {
      q_likes: 'yes',
      q_why: 'Parks',
      action: 'next',
    });
    const during = await stored(survey.id);
    expect(during.find((d) => d.status === 'submitted')?.answers).toEqual({
      likes: 'yes',
      why: 'Trees',
      score: 4,
    });
    await b.post(app(1), `/surveys/${survey.id}/pages/s3`, { q_score: '4', action: 'next' });
    expect((await b.post(app(0), `/surveys/${survey.id}/pages/about-you`, submitFields)).status).toBe(303);
    const after = await stored(survey.id);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ revision: 2, answers: { likes: 'yes', why: 'Parks', score: 4 } });
    expect(recorded[1]).toMatchObject({
      revision: 2,
      answers: { likes: 'yes', why: 'Parks', score: 4 },
      previous: { answers: { likes: 'yes', why: 'Trees', score: 4 }, sector: 'academia', region: 'ON' },
    });
    expect(await ledger(survey.id)).toEqual({ submissions: 1, participants: 1 });
    expect(await surveysOf(0).responseStatusCounts({ surveyId: survey.id })).toEqual({
      draft: 0,
      submitted: 1,
    });
  });

  it('when resume and invitation tokens are malformed or too long, then the answer is a clean 404', async () => {
    const { survey } = await createSurvey(ctx);
    for (const token of [
      'x',
      'a'.repeat(201),
      `d${'a'.repeat(32)}.${'b'.repeat(300)}`,
      'd.e.f',
      '%00',
      `i${'a'.repeat(32)}.zz`,
    ]) {
      expect(
        (await request(app(0)).get(`/surveys/${survey.id}/resume/${encodeURIComponent(token)}`)).status,
      ).toBe(404);
      expect(
        (await request(app(1)).get(`/surveys/${survey.id}/invitation/${encodeURIComponent(token)}`)).status,
      ).toBe(404);
    }
  });
});
