import request from 'supertest';
import { Types } from 'mongoose';
import { createParticipationModule } from '../../src/modules/participation';
import { ValidationError } from '../../src/platform/errors';
import { FormAgent } from '../support/agent';
import { buildTestApp, type TestApp } from '../support/app';
import { both, createSurvey, FACTORY_SURVEY_OFFICER } from '../support/factories/surveys';
import type { SurveyDefinition } from '../../src/modules/surveys';

describe('frozen versions, submit-once and participation', () => {
  let ctx: TestApp;

  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(() => ctx.close());

  const post = (surveyId: string, key: string, answers: Record<string, unknown>) =>
    request(ctx.app)
      .post(`/api/v1/surveys/${surveyId}/responses`)
      .set('Idempotency-Key', key)
      .send({ answers, sector: 'civil_society', region: 'ON' });
  const addQuestion = (definition: SurveyDefinition): SurveyDefinition => {
    definition.sections[2]?.questions.push({
      id: 'extra',
      type: 'short_text',
      label: both('Anything else?', 'Autre chose?'),
      required: false,
      maxLength: 200,
    });
    return definition;
  };

  it('when a published survey without responses is edited, then it is changed in place (same version)', async () => {
    const { survey, service } = await createSurvey(ctx);
    const edited = await service.editDefinition(survey.id, FACTORY_SURVEY_OFFICER, addQuestion);
    expect(edited.version).toBe(1);
    expect(edited.frozen).toBe(false);
  });

  it('when a survey with responses is edited, then the edit is a new version and old responses keep theirs', async () => {
    const { survey, service } = await createSurvey(ctx);
    const first = await post(survey.id, 'version-one-key', { likes: 'no', change: 'x' });
    expect(first.body.surveyVersion).toBe(1);
    expect((await service.getSurvey(survey.id)).frozen).toBe(true);

    const edited = await service.editDefinition(survey.id, FACTORY_SURVEY_OFFICER, addQuestion);
    expect(edited.version).toBe(2);
    const v1 = await service.definitionFor(survey.id, 1);
    expect(v1.sections[2]?.questions.map((q) => q.id)).toEqual(['score']);
    expect((await service.definitionFor(survey.id, 2)).sections[2]?.questions.map((q) => q.id)).toEqual([
      'score',
      'extra',
    ]);

    const second = await post(survey.id, 'version-two-key', { likes: 'no', change: 'y', extra: 'More' });
    expect(second.status).toBe(201);
    expect(second.body.surveyVersion).toBe(2);
    const stored = await ctx.db.connection
      .collection('responses')
      .find({ surveyId: new Types.ObjectId(survey.id) })
      .sort({ surveyVersion: 1 })
      .toArray();
    expect(stored.map((r) => [r.surveyVersion, r.answers])).toEqual([
      [1, { likes: 'no', change: 'x' }],
      [2, { likes: 'no', change: 'y', extra: 'More' }],
    ]);
    const read = [];
    for await (const response of service.submittedResponses(survey.id))
      read.push([response.surveyVersion, response.answers]);
    expect(read).toEqual([
      [1, { likes: 'no', change: 'x' }],
      [2, { likes: 'no', change: 'y', extra: 'More' }],
    ]);
    // version 2 has a response now, so the next edit is version 3
    expect((await service.editDefinition(survey.id, FACTORY_SURVEY_OFFICER, (d) => d)).version).toBe(3);
  });

  it('when an edit would leave a published survey without French, then it is refused with the path', async () => {
    const { survey, service } = await createSurvey(ctx);
    const attempt = service.editDefinition(survey.id, FACTORY_SURVEY_OFFICER, (d) => {
      d.sections[0]!.title.fr = '';
      return d;
    });
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({
      fieldErrors: [
        { field: 'sections[0].title.fr', message: { key: 'surveys:definition.errors.missing_fr' } },
      ],
    });
  });

  it('when the last page is sent 20 times at once from one browser, then one response is stored', async () => {
    const { survey } = await createSurvey(ctx);
    const agent = new FormAgent(ctx.app);
    await agent.get(`/surveys/${survey.id}/pages/s1`);
    await agent.post(`/surveys/${survey.id}/pages/s1`, { q_likes: 'yes', q_why: 'Parks', action: 'next' });
    await agent.post(`/surveys/${survey.id}/pages/s3`, { action: 'next' });
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        agent.post(`/surveys/${survey.id}/pages/about-you`, {
          si_sector: 'individual',
          si_region: 'YT',
          action: 'next',
        }),
      ),
    );
    // the first submits; the others see the response exists (thank-you again, or "already answered")
    expect(
      results.filter((r) => r.status === 303 && r.headers.location === `/surveys/${survey.id}/thanks`).length,
    ).toBeGreaterThanOrEqual(1);
    expect(results.every((r) => r.status === 303 || r.status === 409)).toBe(true);
    expect(
      await ctx.db.connection
        .collection('responses')
        .countDocuments({ surveyId: new Types.ObjectId(survey.id) }),
    ).toBe(1);
  });

  it('when a response is submitted, then participation records the respondent with the sector they gave', async () => {
    const { survey, consultation } = await createSurvey(ctx);
    await post(survey.id, 'participation-key-1', { likes: 'no', change: 'z' });
    const { participation } = createParticipationModule({
      connection: ctx.db.connection,
    });
    const counts = await participation.counts('survey', survey.id);
    expect(counts.participants).toBe(1);
    expect(counts.by.sector).toMatchObject({ civil_society: 1 });
    expect((await participation.counts('round', consultation.roundId)).participants).toBe(1);
  });

  it('when a survey does not ask who people are, then participation counts them as "not asked"', async () => {
    const { survey } = await createSurvey(ctx, { settings: { selfIdentification: false } });
    const res = await request(ctx.app)
      .post(`/api/v1/surveys/${survey.id}/responses`)
      .set('Idempotency-Key', 'not-asked-key-1')
      .send({ answers: { likes: 'no', change: 'z' } });
    expect(res.status).toBe(201);
    const { participation } = createParticipationModule({
      connection: ctx.db.connection,
    });
    expect((await participation.counts('survey', survey.id)).by.sector).toMatchObject({ not_asked: 1 });
  });
});

describe('what the consultations module reads from surveys', () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(() => ctx.close());

  it('when a consultation has surveys and responses, then the directory lists the published ones and counts submissions', async () => {
    const { survey, service, consultation } = await createSurvey(ctx);
    await service.createSurvey(
      { consultationId: consultation.id, title: both('Draft one') },
      FACTORY_SURVEY_OFFICER,
    );
    await request(ctx.app)
      .post(`/api/v1/surveys/${survey.id}/responses`)
      .set('Idempotency-Key', 'directory-key-1')
      .send({ answers: { likes: 'no', change: 'x' }, sector: 'academia', region: 'QC' });
    expect(await service.surveyDirectory.listForConsultation(consultation.id)).toEqual([
      { id: survey.id, title: survey.definition.title, href: `/surveys/${survey.id}`, isOpen: true },
    ]);
    const counts = await service.responseCounts.countByConsultation([
      consultation.id,
      new Types.ObjectId().toString(),
    ]);
    expect(counts.get(consultation.id)).toBe(1);
    expect([...counts.values()]).toEqual([1, 0]);
  });
});
