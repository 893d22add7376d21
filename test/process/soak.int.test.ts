import request from 'supertest';
import { buildTestApp, testConfig, type TestApp } from '../support/app';
import { FormAgent } from '../support/agent';
import { createSurvey } from '../support/factories/surveys';
import { agentAs, userAs } from '../support/sign-in';

/**
 * The app under parallel traffic while every background job runs every few hundred milliseconds, bounded in time and
 * count. It once failed here: a `w: 0` write (the old session store's clean-up) got a reply from the embedded engine
 * that the driver never read, so the connection's next query read it, and every later reply on that connection
 * belonged to the query before (consultations without dates, users without roles, 500s). The engine is patched and
 * the app sends no `w: 0` writes; this test sends some on purpose, as any client may.
 */
describe('soak: schedulers under parallel traffic', () => {
  let ctx: TestApp;

  beforeAll(async () => {
    ctx = await buildTestApp({
      config: testConfig({ MAIL_WORKER_INTERVAL_MS: '200' }),
      intervals: { reconciler: 300, consultationNotices: 250, reminders: 400 },
    });
  });
  afterAll(() => ctx.close());

  it('when jobs run every few hundred ms under parallel traffic, then no request fails and every reply belongs to its request', async () => {
    const { survey, consultation } = await createSurvey(ctx, {
      settings: { selfIdentification: true, onePerRespondent: true },
    });
    const officer = await userAs(ctx, 'officer');
    const participant = await userAs(ctx, 'participant');
    ctx.composition.start();

    const failures: string[] = [];
    const check = (what: string, ok: boolean, detail = '') => {
      if (!ok) failures.push(`${what} ${detail}`.slice(0, 300));
    };
    const deadline = Date.now() + 20_000;
    let requests = 0;
    const MAX_REQUESTS = 600;
    const more = () => Date.now() < deadline && requests < MAX_REQUESTS;

    // Unacknowledged writes, as an old session store sent them, on the app's own connection.
    const stray = (async () => {
      while (more()) {
        await ctx.db.connection
          .collection('sessions')
          .deleteMany({ expires: { $lt: new Date(0) } }, { writeConcern: { w: 0 } });
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();

    const publicReader = async () => {
      while (more()) {
        requests += 2;
        const list = await request(ctx.app).get('/api/v1/consultations');
        check('GET /api/v1/consultations', list.status === 200, String(list.status));
        const items =
          (list.body as { data?: { id: string; opensAt?: string; closesAt?: string }[] }).data ?? [];
        check(
          'consultations carry their dates',
          items.length > 0 && items.every((c) => Boolean(c.opensAt && c.closesAt)),
          JSON.stringify(list.body).slice(0, 200),
        );
        const home = await request(ctx.app).get('/');
        check('GET /', home.status === 200, String(home.status));
      }
    };
    const staff = async () => {
      const agent = await agentAs(ctx, 'officer');
      while (more()) {
        requests += 1;
        const res = await agent.get('/officer');
        check('officer workspace', res.status === 200 && res.text.includes(officer.name), String(res.status));
      }
    };
    const person = async () => {
      const agent = await agentAs(ctx, 'participant');
      while (more()) {
        requests += 1;
        const res = await agent.get('/profile');
        check(
          'profile shows its own user',
          res.status === 200 && res.text.includes(participant.email) && !res.text.includes(officer.email),
          String(res.status),
        );
      }
    };
    let submitted = 0;
    const respondent = async () => {
      while (more()) {
        const agent = new FormAgent(ctx.app);
        requests += 4;
        const start = await agent.get(`/surveys/${survey.id}`);
        check('survey start', start.status === 200, String(start.status));
        const pages: [string, Record<string, string>][] = [
          ['s1', { q_likes: 'yes', q_why: 'Parks', action: 'next' }],
          ['s3', { q_score: '3', action: 'next' }],
          ['about-you', { si_sector: 'academia', si_region: 'ON', action: 'next' }],
        ];
        for (const [page, fields] of pages) {
          const form = await agent.get(`/surveys/${survey.id}/pages/${page}`);
          check(`GET page ${page}`, form.status === 200, String(form.status));
          if (form.status !== 200) return;
          const res = await agent.post(`/surveys/${survey.id}/pages/${page}`, fields);
          check(`POST page ${page}`, res.status === 303, `${res.status} ${res.text.slice(0, 200)}`);
        }
        submitted += 1;
      }
    };

    await Promise.all([publicReader(), publicReader(), staff(), person(), respondent(), respondent(), stray]);
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(20);

    // What was submitted is counted exactly, live and rebuilt.
    await ctx.composition.reconcile();
    expect(await ctx.composition.effects.pending()).toEqual([]);
    const counts = await ctx.composition.participation.participation.counts('survey', survey.id);
    expect(counts.responses).toBe(submitted);
    expect(counts.by.sector).toEqual({ academia: submitted });
    const live = (await ctx.composition.participation.participation.liveRollups()).map(
      (c) => `${c._id}=${c.count}`,
    );
    const rebuilt = (await ctx.composition.participation.participation.computeFromLedger()).cells.map(
      (c) => `${c._id}=${c.count}`,
    );
    expect(live.sort()).toEqual(rebuilt.sort());
    expect(consultation.id).toBeTruthy();
  }, 120_000);
});
