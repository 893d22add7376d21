import { FormAgent } from '../support/agent';
import { buildTestApp, type TestApp } from '../support/app';
import { createSurvey } from '../support/factories/surveys';
import { createRoundAndConsultation } from '../support/factories/consultations';
import { createPerson, signInAs, signInWithForm } from '../support/sign-in';
import { receiptReference } from '../../src/modules/surveys/review';

const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

describe('the participant dashboard (/account)', () => {
  let ctx: TestApp;

  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(async () => {
    await ctx.close();
  });

  async function submit(agent: FormAgent, surveyId: string) {
    await agent.get(`/surveys/${surveyId}/pages/s1`);
    await agent.post(`/surveys/${surveyId}/pages/s1`, { q_likes: 'yes', q_why: 'Trees', action: 'next' });
    await agent.post(`/surveys/${surveyId}/pages/s3`, { q_score: '4', action: 'next' });
    await agent.get(`/surveys/${surveyId}/pages/about-you`);
    await agent.post(`/surveys/${surveyId}/pages/about-you`, {
      si_sector: 'civil_society',
      si_region: 'QC',
      action: 'review',
    });
    await agent.get(`/surveys/${surveyId}/check`);
    const done = await agent.post(`/surveys/${surveyId}/check`);
    expect(done.headers.location).toBe(`/surveys/${surveyId}/thanks`);
  }

  it('when a participant has a draft, a response and a follow, then the dashboard lists each with its link, and only theirs', async () => {
    const { agent, user } = await signInAs(ctx, { name: 'Dana Dashboard' });
    const closesAt = new Date(Date.now() + 10 * 24 * 3600_000);
    const inProgress = await createSurvey(ctx, { consultation: { consultation: { closesAt } } });
    const answered = await createSurvey(ctx, { settings: { editableUntilClose: true } });

    expect(textOf((await agent.get('/account')).text)).toContain('You have no survey in progress.');

    await agent.get(`/surveys/${inProgress.survey.id}/pages/s1`);
    await agent.post(`/surveys/${inProgress.survey.id}/pages/s1`, {
      q_likes: 'no',
      q_why: '',
      action: 'next',
    });
    // "Save and come back later" says where the answers are: in the account, not in this browser
    const saved = textOf((await agent.get(`/surveys/${inProgress.survey.id}/saved`)).text);
    expect(saved).toContain('saved to your account');
    expect(saved).not.toContain('saved in this browser');
    const anonymous = new FormAgent(ctx.app);
    await anonymous.get(`/surveys/${inProgress.survey.id}/pages/s1`);
    await anonymous.post(`/surveys/${inProgress.survey.id}/pages/s1`, { q_likes: 'no', action: 'next' });
    expect(textOf((await anonymous.get(`/surveys/${inProgress.survey.id}/saved`)).text)).toContain(
      'saved in this browser',
    );
    await submit(agent, answered.survey.id);
    const { consultation } = await createRoundAndConsultation(ctx);
    await agent.get(`/consultations/${consultation.slug}`);
    expect((await agent.post(`/consultations/${consultation.slug}/follow`)).status).toBe(303);

    const page = await agent.get('/account');
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    const text = textOf(page.text);
    expect(text).toContain('Surveys in progress');
    // the draft resumes where it stopped, and shows the closing date
    expect(page.text).toMatch(new RegExp(`href="/surveys/${inProgress.survey.id}/pages/s2"`));
    expect(text).toContain(
      new Intl.DateTimeFormat('en-CA', { dateStyle: 'long', timeZone: 'America/Toronto' }).format(closesAt),
    );
    // the response, with its receipt's reference number and a link to change it (the survey allows it)
    const stored = await ctx.db.connection
      .collection('responses')
      .findOne({ status: 'submitted', respondentKey: `user:${user.id}` });
    expect(text).toContain(receiptReference(String(stored?._id)));
    expect(text).toContain('Change my answers');
    expect(page.text).toContain(`href="/surveys/${answered.survey.id}"`);
    // the follow, with a link to a confirmation page (never a GET that acts)
    expect(text).toContain(consultation.title.en);
    const stop = /href="(\/unsubscribe\/[^"]+)"/.exec(page.text)?.[1] as string;
    expect(stop).toBeDefined();
    const confirm = await agent.get(stop);
    expect(textOf(confirm.text)).toContain('Stop these emails?');
    expect(textOf((await agent.get('/account')).text)).toContain(consultation.title.en);
    expect((await agent.post(stop)).status).toBe(200);
    expect(textOf((await agent.get('/account')).text)).not.toContain(consultation.title.en);

    // someone else sees none of it
    const { agent: other } = await signInAs(ctx, { name: 'Other Person' });
    const theirs = textOf((await other.get('/account')).text);
    expect(theirs).toContain('You have no survey in progress.');
    expect(theirs).toContain('You have not sent any response yet.');
    expect(theirs).toContain('You do not follow anything.');

    // in French too
    let french = await agent.get('/account?lang=fr');
    if (french.status === 303) french = await agent.get(french.headers.location as string);
    expect(textOf(french.text)).toContain('Sondages en cours');
  });

  it('when a survey is submitted, then its draft leaves the list; a response to a closed survey can no longer be changed', async () => {
    const { agent } = await signInAs(ctx);
    const { survey, service } = await createSurvey(ctx, { settings: { editableUntilClose: true } });
    await submit(agent, survey.id);
    let page = await agent.get('/account');
    expect(textOf(page.text)).toContain('You have no survey in progress.');
    expect(textOf(page.text)).toContain('Change my answers');
    await service.close(survey.id, { id: 'officer', roles: ['officer'] } as never);
    page = await agent.get('/account');
    expect(textOf(page.text)).not.toContain('Change my answers');
  });

  it('when nobody is signed in, then /account asks to sign in and comes back', async () => {
    const anonymous = new FormAgent(ctx.app);
    const res = await anonymous.get('/account');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/sign-in?returnTo=%2Faccount');
  });

  it('when the account is deleted, then its dashboard lists go too', async () => {
    const { agent, user } = await signInAs(ctx);
    const { consultation } = await createRoundAndConsultation(ctx);
    await agent.get(`/consultations/${consultation.slug}`);
    await agent.post(`/consultations/${consultation.slug}/follow`);
    const lists = ctx.db.connection.collection<{ _id: string }>('user_lists');
    expect(await lists.findOne({ _id: `subscriptions:${user.id}` })).not.toBeNull();
    await agent.get('/profile/delete');
    const deleted = await agent.post('/profile/delete', { password: user.password });
    expect(deleted.status).toBe(303);
    expect(await lists.findOne({ _id: `subscriptions:${user.id}` })).toBeNull();
  });
});

describe('where people land after signing in', () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(async () => {
    await ctx.close();
  });

  it.each([
    [[], '/account'],
    [['officer'], '/officer'],
    [['analyst'], '/analysis'],
    [['officer', 'analyst'], '/officer'],
    [['admin'], '/admin/users'],
    [['reviewer'], '/review'],
  ] as const)('when someone with roles %p signs in, then they land on %p', async (roles, expected) => {
    const user = await createPerson(ctx, { roles: [...roles] });
    const agent = new FormAgent(ctx.app);
    await agent.get('/sign-in');
    const res = await agent.post('/sign-in', { email: user.email, password: user.password });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(expected);
    expect((await agent.get(expected)).status).toBe(200);
  });

  it('when a safe returnTo is given, then staff go there instead; an unsafe one is ignored', async () => {
    const user = await createPerson(ctx, { roles: ['officer'] });
    const agent = new FormAgent(ctx.app);
    await agent.get('/sign-in');
    const back = await agent.post('/sign-in', {
      email: user.email,
      password: user.password,
      returnTo: '/rounds',
    });
    expect(back.headers.location).toBe('/rounds');
    const other = new FormAgent(ctx.app);
    await other.get('/sign-in');
    const evil = await other.post('/sign-in', {
      email: user.email,
      password: user.password,
      returnTo: '//evil.example/x',
    });
    expect(evil.headers.location).toBe('/officer');
    // signed in already: /sign-in goes to the workspace
    expect((await signInWithForm(ctx, user).then((a) => a.get('/sign-in'))).headers.location).toBe(
      '/officer',
    );
  });
});
