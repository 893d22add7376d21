import request from 'supertest';
import { Types } from 'mongoose';
import { SURVEY_RATE_LIMITS } from '../../src/modules/surveys';
import { RateLimiter, type RateLimitRule } from '../../src/platform/http/rate-limit';
import { FormAgent } from '../support/agent';
import { buildTestApp, testConfig, type TestApp } from '../support/app';
import { createSurvey } from '../support/factories/surveys';

describe('rate limits on answering surveys', () => {
  let ctx: TestApp;

  beforeAll(async () => {
    ctx = await buildTestApp({ config: testConfig({ TRUST_PROXY: 'true' }) });
  });
  afterAll(() => ctx.close());

  function agentAt(address: string, lang = 'en'): FormAgent {
    const agent = new FormAgent(ctx.app);
    agent.agent.set('X-Forwarded-For', address).set('Accept-Language', lang);
    return agent;
  }
  const responses = (surveyId: string) =>
    ctx.db.connection
      .collection('responses')
      .find({ surveyId: new Types.ObjectId(surveyId) })
      .toArray();

  /** Spends `count` attempts of `rule` for `subject`, as earlier requests would have. */
  async function spend(rule: RateLimitRule, subject: string, count: number) {
    const limiter = new RateLimiter(ctx.db.connection);
    try {
      // In parallel batches: the counter is one atomic $inc per attempt, whatever the interleaving.
      for (let i = 0; i < count; i += 50)
        await Promise.all(
          Array.from({ length: Math.min(50, count - i) }, () => limiter.consume(rule, subject)),
        );
    } finally {
      limiter.stop();
    }
  }

  const valid = {
    answers: { likes: 'no', change: 'More trains', score: 5 },
    sector: 'civil_society',
    region: 'ON',
  };

  it('when one respondent saves pages more often than a person could, then the next save is a translated 429 and nothing changes', async () => {
    const { survey } = await createSurvey(ctx);
    const agent = agentAt('192.0.2.10', 'fr');
    await agent.get(`/surveys/${survey.id}/pages/s1`);
    const { limit } = SURVEY_RATE_LIMITS.pageSaveRespondent;
    for (let i = 0; i < limit; i++) {
      const saved = await agent.post(`/surveys/${survey.id}/pages/s1`, {
        q_likes: 'yes',
        q_why: `Reason ${i}`,
        action: 'save',
      });
      expect(saved.status).toBe(303);
    }
    const refused = await agent.post(`/surveys/${survey.id}/pages/s1`, {
      q_likes: 'no',
      q_why: 'Too many',
      action: 'save',
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.text).toContain('Trop de tentatives');
    const stored = await responses(survey.id);
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored[0])).toContain(`Reason ${limit - 1}`);
    expect(JSON.stringify(stored[0])).not.toContain('Too many');

    // Another respondent at the same address answers unaffected, to the end.
    const neighbour = agentAt('192.0.2.10');
    await neighbour.get(`/surveys/${survey.id}/pages/s1`);
    expect(
      (await neighbour.post(`/surveys/${survey.id}/pages/s1`, { q_likes: 'no', action: 'next' })).status,
    ).toBe(303);
  });

  it('when one address sends too many page saves, then a new respondent there gets 429 and nothing is stored; another address is unaffected', async () => {
    const { survey } = await createSurvey(ctx);
    const rule = SURVEY_RATE_LIMITS.pageSaveAddress;
    await spend(rule, '192.0.2.20', rule.limit);
    const agent = agentAt('192.0.2.20');
    expect((await agent.get(`/surveys/${survey.id}/pages/s1`)).status).toBe(200);
    const refused = await agent.post(`/surveys/${survey.id}/pages/s1`, { q_likes: 'yes', action: 'next' });
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('Too many attempts');
    expect(await responses(survey.id)).toHaveLength(0);

    const elsewhere = agentAt('192.0.2.21');
    await elsewhere.get(`/surveys/${survey.id}/pages/s1`);
    const saved = await elsewhere.post(`/surveys/${survey.id}/pages/s1`, { q_likes: 'no', action: 'next' });
    expect(saved.status).toBe(303);
    expect(await responses(survey.id)).toHaveLength(1);
  });

  it('when one address posts too many API responses, then 429 problem+json with Retry-After and nothing is stored', async () => {
    const { survey } = await createSurvey(ctx);
    const rule = SURVEY_RATE_LIMITS.apiResponseAddress;
    await spend(rule, '192.0.2.30', rule.limit - 1);
    const post = (address: string, key: string) =>
      request(ctx.app)
        .post(`/api/v1/surveys/${survey.id}/responses`)
        .set('X-Forwarded-For', address)
        .set('Idempotency-Key', key)
        .send(valid);
    expect((await post('192.0.2.30', 'limit-key-0001')).status).toBe(201);
    const refused = await post('192.0.2.30', 'limit-key-0002');
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body).toMatchObject({ status: 429 });
    expect(await responses(survey.id)).toHaveLength(1);
    expect((await post('192.0.2.31', 'limit-key-0003')).status).toBe(201);
    expect(await responses(survey.id)).toHaveLength(2);
  });
});
