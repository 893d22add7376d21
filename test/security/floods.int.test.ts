import crypto from 'node:crypto';
import request from 'supertest';
import { Types } from 'mongoose';
import { ANON_SUBMIT_FLAG_AFTER, SURVEY_RATE_LIMITS } from '../../src/modules/surveys/rate-limits';
import { leadingZeroBits } from '../../src/modules/surveys/flood-guard';
import type { SurveyDefinition } from '../../src/modules/surveys';
import { RateLimiter } from '../../src/platform/http/rate-limit';
import { FormAgent } from '../support/agent';
import { buildTestApp, testConfig, type TestApp } from '../support/app';
import { both, createSurvey, likesQuestion } from '../support/factories/surveys';
import { signInAs } from '../support/sign-in';

/**
 * Floods of anonymous submissions (docs/security.md, "Floods"): limits by trusted client address, the challenge
 * step of a survey under a flood (without JavaScript), flagged responses, and officers' exclude / restore, after
 * which every count agrees with its rebuild.
 */

const THRESHOLD = 30;
const PER_SURVEY_LIMIT = SURVEY_RATE_LIMITS.anonSubmitSurveyAddress.limit;

function onePage(): SurveyDefinition {
  return {
    title: both('Flood survey', 'Sondage inondé'),
    description: both('One page.', 'Une page.'),
    sections: [
      {
        id: 's1',
        title: both('Your view', 'Votre avis'),
        questions: [
          likesQuestion(),
          {
            id: 'score',
            type: 'rating',
            label: both('How important is this?', 'Quelle importance?'),
            required: false,
            points: 5,
          },
        ],
      },
    ],
  };
}

describe('floods of anonymous submissions', () => {
  let ctx: TestApp;

  beforeAll(async () => {
    // Loopback is the default: supertest connects from 127.0.0.1, so X-Forwarded-For names the client, as a
    // proxy on this machine would. A long flood window, so the flood state cannot lapse during the test.
    ctx = await buildTestApp({
      config: testConfig({
        TRUST_PROXY: 'loopback',
        FLOOD_THRESHOLD: String(THRESHOLD),
        FLOOD_WINDOW_SECONDS: '86400',
      }),
    });
  }, 60_000);
  afterAll(() => ctx.close());

  const responsesOf = (surveyId: string) =>
    ctx.db.connection
      .collection('responses')
      .find({ surveyId: new Types.ObjectId(surveyId), status: 'submitted' })
      .toArray();

  /** A fresh browser (new cookie) at `address`: loads the page and submits it. */
  async function submitFresh(surveyId: string, address: string, lang = 'en') {
    const agent = new FormAgent(ctx.app);
    agent.agent.set('X-Forwarded-For', address).set('Accept-Language', lang);
    await agent.get(`/surveys/${surveyId}/pages/s1`);
    const response = await agent.post(`/surveys/${surveyId}/pages/s1`, {
      q_likes: 'yes',
      q_score: '4',
      action: 'next',
    });
    return { agent, response };
  }

  /** The 10-minute window of the per-address limits (a boundary inside a run restarts their counts). */
  const limitWindow = () =>
    Math.floor(Date.now() / (SURVEY_RATE_LIMITS.anonSubmitSurveyAddress.windowSeconds * 1000));

  /** 60 fresh-cookie submissions from one address; run again (once) if a limit window ended during the run. */
  async function flood(address: string) {
    for (let run = 0; run < 2; run += 1) {
      const { survey } = await createSurvey(ctx, {
        definition: onePage(),
        settings: { selfIdentification: false },
      });
      const started = limitWindow();
      const outcomes: { status: number; location?: string; text: string; retryAfter?: string }[] = [];
      for (let i = 0; i < 60; i += 1) {
        const { response } = await submitFresh(survey.id, `${address}${run}`);
        outcomes.push({
          status: response.status,
          location: response.headers.location,
          text: response.text,
          retryAfter: response.headers['retry-after'],
        });
      }
      if (limitWindow() === started) return { survey, outcomes, address: `${address}${run}`, started };
    }
    throw new Error('two limit windows ended during two short runs');
  }

  let flooded: Awaited<ReturnType<typeof flood>>;

  it('when 60 anonymous submissions with fresh cookies come from one address, then the first count, the next are flagged, and a flood brings the challenge', async () => {
    flooded = await flood('198.51.100.');
    const { survey, outcomes } = flooded;
    const thanks = outcomes.filter((o) => o.status === 303 && o.location?.endsWith('/thanks'));
    const challenged = outcomes.filter((o) => o.status === 303 && o.location?.endsWith('/challenge'));
    // Stored until the flood threshold (the 30th attempt starts the flood), challenged after.
    expect(thanks).toHaveLength(THRESHOLD - 1);
    expect(challenged).toHaveLength(60 - (THRESHOLD - 1));
    expect(outcomes.slice(0, THRESHOLD - 1).every((o) => o.location?.endsWith('/thanks'))).toBe(true);

    const stored = await responsesOf(survey.id);
    expect(stored).toHaveLength(THRESHOLD - 1);
    const flagged = stored.filter((r) => r.moderation);
    expect(flagged).toHaveLength(THRESHOLD - 1 - ANON_SUBMIT_FLAG_AFTER);
    expect(flagged.every((r) => r.moderation.flag.reason === 'address')).toBe(true);
    // The address is never stored: only keyed hashes of it and of its network.
    expect(JSON.stringify(stored)).not.toContain('198.51.100');
    expect(flagged[0]!.moderation.flag.addressHash).toMatch(/^[0-9a-f]{16}$/);
  }, 180_000);

  it('when one address goes over its limit of anonymous submissions to a survey, then a 429 page in the user language says the answers are saved, with Retry-After', async () => {
    const { survey, address, started } = flooded;
    // As if the address had sent the rest of its allowance already (the 60 above count too).
    const limiter = new RateLimiter(ctx.db.connection);
    try {
      for (let i = 60; i < PER_SURVEY_LIMIT; i += 1)
        await limiter.consume(SURVEY_RATE_LIMITS.anonSubmitSurveyAddress, `${survey.id}|${address}`);
    } finally {
      limiter.stop();
    }
    const stored = (await responsesOf(survey.id)).length;
    const fr = await submitFresh(survey.id, address, 'fr');
    const en = await submitFresh(survey.id, address, 'en');
    if (limitWindow() !== started) return; // the window ended meanwhile: counts restarted (checked again next run)
    for (const { response } of [fr, en]) {
      expect(response.status).toBe(429);
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(fr.response.text).toContain('Vos réponses sont enregistrées');
    expect(en.response.text).toContain('Your answers are saved');
    expect(await responsesOf(survey.id)).toHaveLength(stored);
    // Another address is not affected by this one's limit (it meets the flood's challenge, as everyone does).
    const other = await submitFresh(survey.id, '192.0.2.77');
    expect(other.response.headers.location).toBe(`/surveys/${survey.id}/challenge`);
  }, 60_000);

  it('when the survey is under a flood, then the challenge works without JavaScript: a wrong sum is refused in the user language, the right one counts the response, and a token is used once', async () => {
    const { survey } = flooded;
    const address = '203.0.113.40';
    const { agent, response } = await submitFresh(survey.id, address, 'fr');
    expect(response.status).toBe(303);
    // French pages stay under /fr.
    expect(response.headers.location).toBe(`/fr/surveys/${survey.id}/challenge`);
    const before = (await responsesOf(survey.id)).length;

    const page = await agent.get(`/surveys/${survey.id}/challenge`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Combien font');
    expect(page.text).toMatch(/<label for="challengeAnswer">/);
    const token = /name="challengeToken" value="([^"]+)"/.exec(page.text)![1]!;
    const [a, b] = /Combien font (\d+) plus (\d+)/.exec(page.text)!.slice(1).map(Number) as [number, number];

    const wrong = await agent.post(`/surveys/${survey.id}/challenge`, {
      challengeToken: token,
      challengeAnswer: String(a + b + 1),
    });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('error-summary');
    expect(wrong.text).toContain('bon résultat');
    expect(await responsesOf(survey.id)).toHaveLength(before);

    const fresh = /name="challengeToken" value="([^"]+)"/.exec(wrong.text)![1]!;
    const [c, d] = /Combien font (\d+) plus (\d+)/.exec(wrong.text)!.slice(1).map(Number) as [number, number];
    const passed = await agent.post(`/surveys/${survey.id}/challenge`, {
      challengeToken: fresh,
      challengeAnswer: String(c + d),
    });
    expect(passed.status).toBe(303);
    expect(passed.headers.location).toBe(`/fr/surveys/${survey.id}/thanks`);
    const after = await responsesOf(survey.id);
    expect(after).toHaveLength(before + 1);
    expect(after.filter((r) => !r.moderation)).toHaveLength(ANON_SUBMIT_FLAG_AFTER + 1);

    // A token changed by hand (its claims or its signature) is refused.
    const forger = await submitFresh(survey.id, '203.0.113.43', 'fr');
    const tamperedPage = await forger.agent.get(`/surveys/${survey.id}/challenge`);
    const good = /name="challengeToken" value="([^"]+)"/.exec(tamperedPage.text)![1]!;
    const [e, f] = /Combien font (\d+) plus (\d+)/.exec(tamperedPage.text)!.slice(1).map(Number) as [
      number,
      number,
    ];
    const [body, mac] = good.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as { e: number };
    const forged = `${Buffer.from(JSON.stringify({ ...claims, e: claims.e + 86_400_000 })).toString('base64url')}.${mac}`;
    for (const challengeToken of [forged, `${body}.${'0'.repeat(mac.length)}`, 'x'.repeat(500)]) {
      const refused = await forger.agent.post(`/surveys/${survey.id}/challenge`, {
        challengeToken,
        challengeAnswer: String(e + f),
      });
      expect(refused.status).toBe(422);
    }
    expect(await responsesOf(survey.id)).toHaveLength(before + 1);

    // The first token was never passed, but another browser cannot use it; nor can this one use the spent one.
    const other = await submitFresh(survey.id, '203.0.113.41');
    const stolen = await other.agent.post(`/surveys/${survey.id}/challenge`, {
      challengeToken: token,
      challengeAnswer: String(a + b),
    });
    expect(stolen.status).toBe(422);

    // A proof of work (what challenge.js computes) passes too, once.
    const third = await submitFresh(survey.id, '203.0.113.42');
    const powPage = await third.agent.get(`/surveys/${survey.id}/challenge`);
    const powToken = /name="challengeToken" value="([^"]+)"/.exec(powPage.text)![1]!;
    const bits = Number(/data-pow-bits="(\d+)"/.exec(powPage.text)![1]);
    let counter = 0;
    while (leadingZeroBits(crypto.createHash('sha256').update(`${powToken}:${counter}`).digest()) < bits)
      counter += 1;
    const byWork = await third.agent.post(`/surveys/${survey.id}/challenge`, {
      challengeToken: powToken,
      pow: String(counter),
    });
    expect(byWork.status).toBe(303);
    expect(byWork.headers.location).toBe(`/surveys/${survey.id}/thanks`);
    expect(await responsesOf(survey.id)).toHaveLength(before + 2);
  }, 120_000);

  it('when an API client submits anonymously during a flood, then the response is stored flagged "flood"', async () => {
    const { survey } = flooded;
    const posted = await request(ctx.app)
      .post(`/api/v1/surveys/${survey.id}/responses`)
      .set('X-Forwarded-For', '203.0.113.50')
      .set('Idempotency-Key', 'flood-api-key-0001')
      .send({ answers: { likes: 'no', score: 2 } });
    expect(posted.status).toBe(201);
    const stored = await ctx.db.connection.collection('responses').findOne({ _id: posted.body.id });
    expect(stored?.moderation?.flag).toMatchObject({ reason: 'flood', channel: 'api' });
  });

  /** Every figure the app shows about the survey. */
  async function figures(surveyId: string) {
    const { surveys, answerCounters, participation } = ctx.composition;
    const counts = await surveys.responseStatusCounts({ surveyId });
    const scope = await participation.participation.counts('survey', surveyId);
    const answers = await answerCounters.read(surveyId, 'all');
    const exported = (await officer.agent.get(`/analysis/surveys/${surveyId}/responses.json`)).body as {
      responses: unknown[];
    };
    return {
      submitted: counts.submitted,
      participants: scope.participants,
      responses: scope.responses,
      answered: answers.n ?? 0,
      exported: exported.responses.length,
    };
  }

  /** Live counters equal their rebuilds: participation, answer counters and response counts. */
  async function expectLiveEqualsRebuilt(surveyId: string) {
    const { surveys, answerCounters, participation } = ctx.composition;
    const live = (await participation.participation.liveRollups()).map((r) => `${r._id}=${r.count}`).sort();
    const rebuilt = (await participation.participation.computeFromLedger()).cells
      .map((r) => `${r._id}=${r.count}`)
      .sort();
    expect(live).toEqual(rebuilt);
    expect(await answerCounters.stored(surveyId)).toEqual(await answerCounters.compute(surveyId));
    const counters = ctx.db.connection.collection('survey_response_counts');
    const before = await counters
      .find({}, { projection: { counts: 1 } })
      .sort({ _id: 1 })
      .toArray();
    await surveys.rebuildResponseCounters();
    const after = await counters
      .find({}, { projection: { counts: 1 } })
      .sort({ _id: 1 })
      .toArray();
    const tidy = (docs: typeof before) =>
      docs.map((d) => ({
        _id: d._id,
        started: d.counts?.started ?? 0,
        draftsEnded: d.counts?.draftsEnded ?? 0,
        submitted: d.counts?.submitted ?? 0,
      }));
    expect(tidy(after)).toEqual(tidy(before));
  }

  let officer: Awaited<ReturnType<typeof signInAs>>;

  it('when an officer excludes the flagged responses, then they leave every count, excluding twice changes nothing, restoring brings them back, and live equals rebuilt', async () => {
    const { survey } = flooded;
    officer = await signInAs(ctx, { roles: ['officer'] });
    const initial = await figures(survey.id);
    const flaggedIds = (await responsesOf(survey.id)).filter((r) => r.moderation).map((r) => String(r._id));
    const flaggedCount = flaggedIds.length;
    expect(flaggedCount).toBe(THRESHOLD - 1 - ANON_SUBMIT_FLAG_AFTER + 1); // + the API one
    expect(initial.submitted).toBe((await responsesOf(survey.id)).length);
    await expectLiveEqualsRebuilt(survey.id);

    // The list: counts, reasons, coarse origin; never an address.
    const list = await officer.agent.get(`/manage/surveys/${survey.id}/flagged`);
    expect(list.status).toBe(200);
    expect(list.text).toContain(`${flaggedCount} flagged, 0 excluded`);
    expect(list.text).toContain('Too many from one network');
    expect(list.text).toContain('During a flood, without the challenge');
    expect(list.text).not.toMatch(/198\.51\.100|203\.0\.113/);

    // Exclude every flagged response, behind a confirmation page.
    const confirm = await officer.agent.get(`/manage/surveys/${survey.id}/flagged/exclude-all`);
    expect(confirm.text).toContain(`${flaggedCount} flagged responses`);
    const excluded = await officer.agent.post(`/manage/surveys/${survey.id}/flagged/exclude-all`);
    expect(excluded.status).toBe(303);
    const dropped = await figures(survey.id);
    expect(dropped).toEqual({
      submitted: initial.submitted - flaggedCount,
      participants: initial.participants - flaggedCount,
      responses: initial.responses - flaggedCount,
      answered: initial.answered - flaggedCount,
      exported: initial.exported - flaggedCount,
    });
    expect(
      (await ctx.composition.participation.participation.counts('round', survey.roundId)).responses,
    ).toBe(initial.submitted - flaggedCount);
    await expectLiveEqualsRebuilt(survey.id);

    // Twice: nothing changes.
    const one = flaggedIds[0]!;
    const twice = await officer.agent.post(`/manage/surveys/${survey.id}/flagged/${one}/exclude`);
    expect(twice.headers.location).toContain('done=unchanged');
    expect(await ctx.composition.surveys.moderation.setExcluded(survey.id, one, true, officer.user)).toBe(
      'unchanged',
    );
    await ctx.composition.effects.reconcile({ graceMs: 0 });
    expect(await figures(survey.id)).toEqual(dropped);

    // Restore one (confirmation, then the action): it counts again everywhere; the action is recorded.
    expect((await officer.agent.get(`/manage/surveys/${survey.id}/flagged/${one}/restore`)).text).toContain(
      'Restore this response?',
    );
    await officer.agent.get(`/manage/surveys/${survey.id}/flagged`);
    const restored = await officer.agent.post(`/manage/surveys/${survey.id}/flagged/${one}/restore`);
    expect(restored.headers.location).toContain('done=restored');
    const back = await figures(survey.id);
    expect(back).toEqual({
      submitted: dropped.submitted + 1,
      participants: dropped.participants + 1,
      responses: dropped.responses + 1,
      answered: dropped.answered + 1,
      exported: dropped.exported + 1,
    });
    await expectLiveEqualsRebuilt(survey.id);
    const flag = await ctx.db.connection.collection('response_flags').findOne({ _id: one as never });
    expect(flag?.actions.map((a: { action: string; by: string }) => [a.action, a.by])).toEqual([
      ['exclude', officer.user.id],
      ['restore', officer.user.id],
    ]);

    // A rebuild of participation, from the ledger, agrees with what the officer sees.
    await ctx.composition.participation.participation.rebuild();
    expect(await figures(survey.id)).toEqual(back);
  }, 180_000);

  it('when an exclusion fails midway, then the reconciler finishes it from its intent, exactly once', async () => {
    const { survey } = flooded;
    const { answerCounters, effects, surveys } = ctx.composition;
    const before = await figures(survey.id);
    const target = (await responsesOf(survey.id)).find((r) => r.moderation && !r.moderation.excluded)!;
    const moderate = answerCounters.moderate.bind(answerCounters);
    answerCounters.moderate = () => Promise.reject(new Error('process died here'));
    try {
      await expect(
        surveys.moderation.setExcluded(survey.id, String(target._id), true, officer.user),
      ).rejects.toThrow('process died here');
    } finally {
      answerCounters.moderate = moderate;
    }
    // Half done: response counts and participation moved, the answer counters did not.
    expect((await effects.pending('moderation')).length).toBe(1);
    expect((await figures(survey.id)).answered).toBe(before.answered);
    // An officer cannot start another action on it meanwhile.
    await expect(
      surveys.moderation.setExcluded(survey.id, String(target._id), false, officer.user),
    ).rejects.toThrow();

    await effects.reconcile({ graceMs: 0 });
    await effects.reconcile({ graceMs: 0 });
    expect(await effects.pending('moderation')).toHaveLength(0);
    expect(await figures(survey.id)).toEqual({
      submitted: before.submitted - 1,
      participants: before.participants - 1,
      responses: before.responses - 1,
      answered: before.answered - 1,
      exported: before.exported - 1,
    });
    await expectLiveEqualsRebuilt(survey.id);
  }, 120_000);
});
