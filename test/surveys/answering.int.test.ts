import request from 'supertest';
import { FormAgent } from '../support/agent';
import { buildTestApp, type TestApp } from '../support/app';
import { createSurvey } from '../support/factories/surveys';
import { createPerson, signInAs, signInWithForm, type PersonSpec } from '../support/sign-in';

describe('answering a survey on the web', () => {
  let ctx: TestApp;

  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(() => ctx.close());

  async function responsesOf(surveyId: string) {
    return ctx.db.connection
      .collection('responses')
      .find({ surveyId: new (await import('mongoose')).Types.ObjectId(surveyId) })
      .toArray();
  }

  it('when an anonymous person answers every page, then one response is stored with the self-identification', async () => {
    const { survey } = await createSurvey(ctx);
    const agent = new FormAgent(ctx.app);
    const start = await agent.get(`/surveys/${survey.id}`);
    expect(start.status).toBe(200);
    expect(start.text).toContain('Budget survey');
    expect(start.text).toContain('Start the survey');

    const page1 = await agent.get(`/surveys/${survey.id}/pages/s1`);
    expect(page1.status).toBe(200);
    expect(page1.text).toContain('Page 1 of 3');
    expect(page1.text).toContain('Do you like the plan?');
    // the follow-up depends on a question of the same page: shown with a hint (JavaScript hides it)
    expect(page1.text).toContain('Answer only if you answered “Yes” to “Do you like the plan?”');

    const next = await agent.post(`/surveys/${survey.id}/pages/s1`, {
      q_likes: 'yes',
      q_why: 'Trees',
      action: 'next',
    });
    expect(next.status).toBe(303);
    expect(next.headers.location).toBe(`/surveys/${survey.id}/pages/s3`);

    const page2 = await agent.get(`/surveys/${survey.id}/pages/s3`);
    expect(page2.text).toContain('Page 2 of 3');
    expect(
      (await agent.post(`/surveys/${survey.id}/pages/s3`, { q_score: '4', action: 'next' })).headers.location,
    ).toBe(`/surveys/${survey.id}/pages/about-you`);
    const about = await agent.get(`/surveys/${survey.id}/pages/about-you`);
    expect(about.text).toContain('Page 3 of 3');
    expect(about.text).toContain('Civil society organization');
    const done = await agent.post(`/surveys/${survey.id}/pages/about-you`, {
      si_sector: 'civil_society',
      si_region: 'QC',
      si_organisation: 'Green Montreal',
      action: 'next',
    });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`/surveys/${survey.id}/thanks`);
    expect((await agent.get(`/surveys/${survey.id}/thanks`)).text).toContain(
      'Your answers have been received',
    );

    const stored = await responsesOf(survey.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      status: 'submitted',
      surveyVersion: 1,
      answers: { likes: 'yes', why: 'Trees', score: 4 },
      sector: 'civil_society',
      region: 'QC',
      organisation: 'Green Montreal',
      channel: 'open',
    });
    expect(stored[0]?.respondentKey).toMatch(/^anon:/);

    // refresh / back button: the survey says it is answered and stores nothing more
    expect((await agent.get(`/surveys/${survey.id}`)).text).toContain(
      'You have already answered this survey',
    );
    const again = await agent.post(`/surveys/${survey.id}/pages/about-you`, {
      si_sector: 'academia',
      si_region: 'ON',
      action: 'next',
    });
    expect(again.status).toBe(409);
    expect(await responsesOf(survey.id)).toHaveLength(1);
  });

  it('when a person opens a survey and finishes it, then the start and thanks pages lead back to its consultation', async () => {
    const { survey, consultation } = await createSurvey(ctx);
    const agent = new FormAgent(ctx.app);
    agent.agent.set('Accept-Language', 'fr');
    const start = await agent.get(`/surveys/${survey.id}`);
    expect(start.text).toContain('<nav class="breadcrumbs" aria-label="Vous êtes ici">');
    expect(start.text).toContain(
      // A French page keeps French in its links.
      `<a href="/fr/consultations/${consultation.slug}">${consultation.title.fr}</a>`,
    );
    await agent.get(`/surveys/${survey.id}/pages/s1`);
    await agent.post(`/surveys/${survey.id}/pages/s1`, { q_likes: 'yes', q_why: 'Trees', action: 'next' });
    await agent.post(`/surveys/${survey.id}/pages/s3`, { q_score: '4', action: 'next' });
    const done = await agent.post(`/surveys/${survey.id}/pages/about-you`, {
      si_sector: 'civil_society',
      si_region: 'QC',
      action: 'next',
    });
    expect(done.headers.location).toBe(`/fr/surveys/${survey.id}/thanks`);
    const thanks = await agent.get(`/surveys/${survey.id}/thanks`);
    expect(thanks.text).toContain(`href="/fr/consultations/${consultation.slug}"`);
    expect(thanks.text).toContain(`Retour à la consultation «\u00a0${consultation.title.fr}\u00a0»`);
  });

  it('when a page has errors, then it is shown again with a summary, inline messages and the values as typed', async () => {
    const { survey } = await createSurvey(ctx);
    const agent = new FormAgent(ctx.app);
    await agent.get(`/surveys/${survey.id}/pages/s1`);
    const res = await agent.post(`/surveys/${survey.id}/pages/s1`, {
      q_likes: 'yes',
      q_why: '',
      action: 'next',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('There is a problem');
    expect(res.text).toContain('href="#q_why"');
    expect(res.text).toContain('Answer this question.');
    expect(res.text).toMatch(/id="q_likes" name="q_likes" value="yes" checked/);
    expect(res.text).toContain('<title>Error: ');

    const typed = await agent.post(`/surveys/${survey.id}/pages/s1`, { q_likes: 'no', action: 'next' });
    expect(typed.headers.location).toBe(`/surveys/${survey.id}/pages/s2`);
    await agent.get(`/surveys/${survey.id}/pages/s2`);
    const long = await agent.post(`/surveys/${survey.id}/pages/s2`, {
      q_change: `  ${'x'.repeat(201)}<b>`,
      action: 'next',
    });
    expect(long.status).toBe(422);
    expect(long.text).toContain(`value="  ${'x'.repeat(201)}&lt;b&gt;"`);
    expect(long.text).toContain('Use 200 characters or fewer.');
  });

  it('when the respondent goes back, then the previous page shows their saved answers', async () => {
    const { survey } = await createSurvey(ctx);
    const agent = new FormAgent(ctx.app);
    await agent.get(`/surveys/${survey.id}/pages/s1`);
    await agent.post(`/surveys/${survey.id}/pages/s1`, { q_likes: 'no', action: 'next' });
    const back = await agent.post(`/surveys/${survey.id}/pages/s2`, {
      q_change: 'More bike lanes',
      action: 'back',
    });
    expect(back.headers.location).toBe(`/surveys/${survey.id}/pages/s1`);
    const page1 = await agent.get(`/surveys/${survey.id}/pages/s1`);
    expect(page1.text).toMatch(/value="no" checked/);
    const page2 = await agent.get(`/surveys/${survey.id}/pages/s2`);
    expect(page2.text).toContain('value="More bike lanes"');
  });

  it.each([
    ['draft', 404, 'This survey is not open to answers'],
    ['closed', 410, 'This survey is closed'],
  ] as const)(
    'when the survey is %s, then a clear page says so and nothing is stored',
    async (status, code, text) => {
      const { survey } = await createSurvey(ctx, { status });
      const agent = new FormAgent(ctx.app);
      const page = await agent.get(`/surveys/${survey.id}`);
      expect(page.status).toBe(code);
      expect(page.text).toContain(text);
      await signInAs(ctx, {}, agent);
      const post = await agent.post(`/surveys/${survey.id}/pages/s1`, { q_likes: 'yes', q_why: 'x' });
      expect(post.status).toBe(code);
      expect(await responsesOf(survey.id)).toHaveLength(0);
    },
  );

  it('when the consultation has closed, then the survey is closed too', async () => {
    const { survey } = await createSurvey(ctx, {
      consultation: {
        consultation: {
          opensAt: new Date(Date.now() - 10 * 86400000),
          closesAt: new Date(Date.now() - 1000),
        },
      },
    });
    const page = await request(ctx.app).get(`/surveys/${survey.id}`);
    expect(page.status).toBe(410);
    // a page of its own, not a bare error: when it closed and where to go next
    expect(page.text).toContain('<h1>This survey is closed</h1>');
    expect(page.text).toMatch(/It closed on [A-Z][a-z]+ \d{1,2}, \d{4} and no longer takes answers\./);
    expect(page.text).toContain('href="/consultations/');
    expect(page.text).not.toContain('Error 410');
  });

  it('when a signed-in participant answers, then the response is theirs and "About you" is prefilled from their profile', async () => {
    const { survey } = await createSurvey(ctx, { settings: { audience: 'signed_in' } });
    const anonymous = await request(ctx.app).get(`/surveys/${survey.id}`);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe(
      `/sign-in?returnTo=${encodeURIComponent(`/surveys/${survey.id}`)}`,
    );

    const agent = new FormAgent(ctx.app);
    const { user: ada } = await signInAs(
      ctx,
      { profile: { sector: 'academia', region: 'NS', organisation: 'Dalhousie' } },
      agent,
    );
    await agent.get(`/surveys/${survey.id}/pages/s1`);
    await agent.post(`/surveys/${survey.id}/pages/s1`, { q_likes: 'yes', q_why: 'Parks', action: 'next' });
    await agent.post(`/surveys/${survey.id}/pages/s3`, { action: 'next' });
    const about = await agent.get(`/surveys/${survey.id}/pages/about-you`);
    expect(about.text).toMatch(/value="academia" checked/);
    expect(about.text).toMatch(/value="NS" selected/);
    expect(about.text).toContain('value="Dalhousie"');
    await agent.post(`/surveys/${survey.id}/pages/about-you`, {
      si_sector: 'academia',
      si_region: 'NS',
      action: 'next',
    });
    const stored = await responsesOf(survey.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      respondentKey: `user:${ada.id}`,
      status: 'submitted',
      sector: 'academia',
    });
  });

  it('when a signed-in participant consented to give demographics, then their gender and age range are counted (GBA Plus)', async () => {
    const { survey } = await createSurvey(ctx);
    const answer = async (profile: PersonSpec['profile']) => {
      const agent = new FormAgent(ctx.app);
      await signInAs(ctx, { profile }, agent);
      await agent.get(`/surveys/${survey.id}/pages/s1`);
      await agent.post(`/surveys/${survey.id}/pages/s1`, { q_likes: 'yes', q_why: 'Parks', action: 'next' });
      await agent.post(`/surveys/${survey.id}/pages/s3`, { action: 'next' });
      await agent.get(`/surveys/${survey.id}/pages/about-you`);
      await agent.post(`/surveys/${survey.id}/pages/about-you`, {
        si_sector: 'individual',
        si_region: 'ON',
        action: 'next',
      });
    };
    await answer({ sector: 'individual', region: 'ON', gender: 'woman', ageRange: '35_44' });
    await answer({ sector: 'individual', region: 'ON' });
    const counts = await ctx.composition.participation.participation.counts('survey', survey.id);
    expect(counts.participants).toBe(2);
    expect(counts.by.gender).toEqual({ woman: 1, not_answered: 1 });
    expect(counts.by.ageRange).toEqual({ '35_44': 1, not_answered: 1 });
  });

  it('when a signed-in participant stops and their session ends, then signing in again resumes the draft', async () => {
    const { survey } = await createSurvey(ctx);
    const grace = await createPerson(ctx, { name: 'Grace Hopper' });
    const first = await signInWithForm(ctx, grace);
    await first.get(`/surveys/${survey.id}/pages/s1`);
    const saved = await first.post(`/surveys/${survey.id}/pages/s1`, { q_likes: 'no', action: 'save' });
    expect(saved.headers.location).toBe(`/surveys/${survey.id}/saved`);

    const later = await signInWithForm(ctx, grace); // a new browser, a new session
    const start = await later.get(`/surveys/${survey.id}`);
    expect(start.text).toContain('Continue where you left off');
    expect(start.text).toContain(`href="/surveys/${survey.id}/pages/s2"`);
    expect((await later.get(`/surveys/${survey.id}/pages/s1`)).text).toMatch(/value="no" checked/);
  });

  it('when someone starts anonymously and then signs in, then their draft carries over to their account', async () => {
    const { survey } = await createSurvey(ctx);
    const agent = new FormAgent(ctx.app);
    await agent.get(`/surveys/${survey.id}/pages/s1`);
    await agent.post(`/surveys/${survey.id}/pages/s1`, { q_likes: 'no', action: 'save' });
    const { user: mona } = await signInAs(ctx, { name: 'Mona Lisa' }, agent);
    const start = await agent.get(`/surveys/${survey.id}`);
    expect(start.text).toContain('Continue where you left off');
    const stored = await responsesOf(survey.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      respondentKey: `user:${mona.id}`,
      status: 'draft',
    });
  });

  it('when a consultation has a published survey, then its page links to it', async () => {
    const { survey, consultation } = await createSurvey(ctx);
    const page = await request(ctx.app).get(`/consultations/${consultation.slug}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="/surveys/${survey.id}"`);
    expect(page.text).toContain('Budget survey');
  });
});
