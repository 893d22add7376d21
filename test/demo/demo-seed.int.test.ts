import request from 'supertest';
import { seedDemo } from '../../src/demo/demo-seed';
import { FormAgent } from '../support/agent';
import { buildTestApp, type TestApp } from '../support/app';

describe('demo data', () => {
  let ctx: TestApp;
  let result: Awaited<ReturnType<typeof seedDemo>>;

  beforeAll(async () => {
    ctx = await buildTestApp();
    result = await seedDemo(ctx.composition);
  }, 240_000); // a few hundred real submissions through the services

  afterAll(() => ctx.close());

  it('when the demo is loaded, then the API answers 0.08 and 0.20 for civil society in 2016 and 2018', async () => {
    expect(result.seeded).toBe(true);
    const res = await request(ctx.app).get('/api/v1/participation/trend?sector=civil_society');
    const byRound = Object.fromEntries(
      res.body.rounds.map((r: { round: string; share: number; participants: number }) => [
        r.round,
        [r.participants, r.share],
      ]),
    );
    expect(byRound['engagement-2016']).toEqual([100, 0.08]);
    expect(byRound['engagement-2018']).toEqual([150, 0.2]);
  });

  it('when the 2018 round is broken down by gender, then consenting respondents are counted and the rest not answered', async () => {
    const counts = await ctx.composition.participation.participation.counts(
      'round',
      (await ctx.composition.consultations.consultations.getRoundBySlug('engagement-2018')).id,
    );
    const byGender = counts.by.gender;
    expect(Object.values(byGender).reduce((a, b) => a + b, 0)).toBe(150);
    expect(byGender.not_answered).toBe(60); // two in five answered anonymously
    expect(byGender.woman).toBeGreaterThan(0);
  });

  it('when a respondent answered both surveys of a round, then the round still counts them once', async () => {
    const round = await request(ctx.app).get('/api/v1/rounds/engagement-2018/participation');
    expect(round.body.participants).toBe(150);
    expect(round.body.responses).toBeGreaterThan(150);
  });

  it('when the indicators are read, then the civil-society indicator shows its baseline, target and 20% latest', async () => {
    const res = await request(ctx.app).get('/api/v1/indicators');
    const share = res.body.indicators.find((i: { slug: string }) => i.slug === 'civil-society-share');
    expect(share).toMatchObject({
      baseline: { value: 0.08 },
      target: { value: 0.2 },
      latest: { value: 0.2 },
    });
    // The ongoing 2026 round is not "actual data" until it is completed.
    expect(share.series.map((p: { value: number }) => p.value)).toEqual([0.08, 0.2]);
    const forum = res.body.indicators.find((i: { slug: string }) => i.slug === 'forum-initiatives');
    expect(forum.latest).toMatchObject({ value: 3, date: '2018-06-30' });
  });

  it('when the demo accounts sign in, then each lands signed in with its role', async () => {
    expect(result.accounts.map((a) => a.role)).toEqual([
      'admin',
      'officer',
      'analyst',
      'reviewer',
      'participant',
    ]);
    const analyst = result.accounts.find((a) => a.role === 'analyst');
    const agent = new FormAgent(ctx.app);
    await agent.get('/sign-in');
    const res = await agent.post('/sign-in', {
      email: analyst?.email as string,
      password: analyst?.password as string,
    });
    expect(res.status).toBe(303);
    expect((await agent.get('/analysis')).status).toBe(200);
  });

  it('when the home page and a closed consultation are opened, then the demo shows what is open and what we heard', async () => {
    const home = await request(ctx.app).get('/');
    expect(home.text).toContain('Ongoing dialogue with civil society');
    const report = await request(ctx.app).get('/consultations/reaching-civil-society/report');
    expect(report.status).toBe(200);
    expect(report.text).toContain('Reach beyond the usual voices');
    // Dated by the report's own publication in the round's year, not by the day the demo was loaded.
    expect(report.text).toContain('<meta name="citation_publication_date" content="2018/12/20">');
    expect(report.text).toMatch(/\(2018, December 20\)\. <cite>What we heard: /);
  });

  it('when commitment 19 of the 4th action plan is read, then its key indicator shows 8% → 20% computed live from the 2016 and 2018 rounds', async () => {
    const page = await request(ctx.app).get('/plans/nap4-2018-2020/commitments/19');
    expect(page.status).toBe(200);
    const text = page.text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('Engage civil society on open government');
    expect(text).toContain('Treasury Board of Canada Secretariat');
    expect(text).toContain('8% → 20%');
    expect(text).toMatch(/19\.1 Set up, and keep running,[^<]*? Complete/);
    expect(text).toMatch(/19\.2 Hold targeted engagement activities[^<]*? Complete/);
    expect(text).toContain('Other completed milestones');
    const french = await request(ctx.app)
      .get('/plans/nap4-2018-2020/commitments/19')
      .set('Accept-Language', 'fr-CA');
    expect(french.text).toContain('8\u00a0% → 20\u00a0%');
    const api = await request(ctx.app).get('/api/v1/plans/nap4-2018-2020/commitments/19');
    const share = api.body.data.indicators.find((i: { source: string }) => i.source === 'rounds');
    expect(share.series.map((p: { value: number }) => p.value)).toEqual([0.08, 0.2]);
    expect(share.latest).toMatchObject({ value: 0.2, date: '2018-12-15' });
    expect(api.body.data).toMatchObject({ status: 'complete', milestones: expect.any(Array) });
    const plan = await request(ctx.app).get('/plans/nap4-2018-2020');
    expect(plan.text).toContain('Canada’s 4th National Action Plan on Open Government 2018–2020');
  });

  it('when the demo is loaded again, then nothing changes', async () => {
    expect(await seedDemo(ctx.composition)).toMatchObject({ seeded: false, reason: 'already-loaded' });
    const res = await request(ctx.app).get('/api/v1/rounds/engagement-2016/participation');
    expect(res.body.participants).toBe(100);
  });
});

describe('demo data in a database that is not empty', () => {
  it('when the database already has rounds or accounts, then the demo is not loaded', async () => {
    const ctx = await buildTestApp();
    try {
      await ctx.composition.accounts.createUser({
        email: 'real@example.ca',
        name: 'Real',
        password: 'a real passphrase 2026',
        roles: ['admin'],
      });
      expect(await seedDemo(ctx.composition)).toMatchObject({ seeded: false, reason: 'not-empty' });
    } finally {
      await ctx.close();
    }
  });
});
