import request, { type Response } from 'supertest';
import { Types } from 'mongoose';
import { FormAgent } from '../support/agent';
import { type TestApp, startAppWithSmtp, closeAppWithSmtp } from '../support/app';
import { createSurvey, FACTORY_SURVEY_OFFICER } from '../support/factories/surveys';
import { type TestSmtpServer } from '../support/smtp';
import { signInAs } from '../support/sign-in';
import { SESSION_COOKIE } from '../../src/platform/http/session';
import { INVITATION_COOKIE_PREFIX, RESPONDENT_COOKIE } from '../../src/modules/surveys/respondent';

function linkIn(text: string | undefined, pattern: RegExp): string {
  const match = pattern.exec(text ?? '');
  if (!match) throw new Error(`no link matching ${pattern} in:\n${text}`);
  return new URL(match[0]).pathname;
}

function setCookies(res: Response): string[] {
  return ([] as string[]).concat(res.headers['set-cookie'] ?? []);
}

/**
 * A browser that is not signed in: every response it gets is checked for a session cookie (there must be none),
 * so a step that starts a session fails the test at that step.
 */
class AnonymousBrowser extends FormAgent {
  readonly cookiesSet: string[] = [];

  override async get(path: string) {
    return this.check(await super.get(path));
  }

  override async post(path: string, fields: Record<string, string | string[]> = {}) {
    return this.check(await super.post(path, fields));
  }

  private check(res: Response): Response {
    const cookies = setCookies(res);
    this.cookiesSet.push(...cookies);
    expect(cookies.filter((c) => c.startsWith(`${SESSION_COOKIE}=`))).toEqual([]);
    return res;
  }
}

describe('anonymous respondents get no session', () => {
  let smtp: TestSmtpServer;
  let ctx: TestApp;

  beforeAll(async () => ({ ctx, smtp } = await startAppWithSmtp()));
  afterAll(() => closeAppWithSmtp(ctx, smtp));

  const sessionCount = () => ctx.db.connection.collection('sessions').countDocuments({});
  const responses = (surveyId: string) =>
    ctx.db.connection
      .collection('responses')
      .find({ surveyId: new Types.ObjectId(surveyId) })
      .toArray();

  async function finishFromS1(browser: FormAgent, surveyId: string) {
    await browser.get(`/surveys/${surveyId}/pages/s1`);
    await browser.post(`/surveys/${surveyId}/pages/s1`, { q_likes: 'yes', q_why: 'Trees', action: 'next' });
    await browser.get(`/surveys/${surveyId}/pages/s3`);
    await browser.post(`/surveys/${surveyId}/pages/s3`, { q_score: '3', action: 'next' });
    await browser.get(`/surveys/${surveyId}/pages/about-you`);
    return browser.post(`/surveys/${surveyId}/pages/about-you`, {
      si_sector: 'civil_society',
      si_region: 'MB',
      action: 'next',
    });
  }

  it('when someone answers anonymously, saves, gets a resume link and finishes on another device, then no session is ever stored', async () => {
    const { survey } = await createSurvey(ctx);
    const laptop = new AnonymousBrowser(ctx.app);
    expect((await laptop.get(`/surveys/${survey.id}`)).status).toBe(200);
    const page1 = await laptop.get(`/surveys/${survey.id}/pages/s1`);
    // the form carries the browser-bound survey token instead of a session's CSRF token
    expect(page1.text).toMatch(/name="_survey" value="[\w-]+"/);
    expect(page1.text).not.toContain('name="_csrf"');

    // an invalid page is shown again with its errors, still without a session
    const invalid = await laptop.post(`/surveys/${survey.id}/pages/s1`, { q_likes: 'maybe', action: 'next' });
    expect(invalid.status).toBe(422);
    expect(invalid.text).not.toContain('name="_csrf"');
    const saved = await laptop.post(`/surveys/${survey.id}/pages/s1`, {
      q_likes: 'yes',
      q_why: 'Bike lanes',
      action: 'save',
    });
    expect(saved.headers.location).toBe(`/surveys/${survey.id}/saved`);
    const savedPage = await laptop.get(`/surveys/${survey.id}/saved`);
    expect(savedPage.text).toContain('Email me a link');
    expect(savedPage.text).not.toContain('name="_csrf"');
    const badEmail = await laptop.post(`/surveys/${survey.id}/resume-link`, { resumeEmail: 'nope' });
    expect(badEmail.status).toBe(422);
    expect(badEmail.text).not.toContain('name="_csrf"');
    expect(
      (await laptop.post(`/surveys/${survey.id}/resume-link`, { resumeEmail: 'ana@example.ca' })).status,
    ).toBe(200);
    await ctx.notifications.drain();
    const link = linkIn(
      smtp.to('ana@example.ca')[0]?.text,
      /http:\/\/agora\.test\/surveys\/\w+\/resume\/[\w.-]+/,
    );

    const phone = new AnonymousBrowser(ctx.app);
    expect((await phone.get(link)).status).toBe(303);
    await phone.get(`/surveys/${survey.id}/pages/s1`);
    const done = await finishFromS1(phone, survey.id);
    expect(done.headers.location).toBe(`/surveys/${survey.id}/thanks`);
    const thanks = await phone.get(`/surveys/${survey.id}/thanks`);
    expect(thanks.status).toBe(200);
    expect((await phone.get(`/surveys/${survey.id}`)).status).toBe(200);

    const [response] = await responses(survey.id);
    expect(response).toMatchObject({
      status: 'submitted',
      answers: { likes: 'yes', why: 'Trees', score: 3 },
    });
    expect(response?.respondentKey).toMatch(/^anon:/);
    expect(await sessionCount()).toBe(0);
  });

  it('when an invited person answers, then the invitation lives in a signed cookie of that survey, not in a session', async () => {
    const { survey, service } = await createSurvey(ctx, { settings: { audience: 'invited' } });
    const other = await createSurvey(ctx, { settings: { audience: 'invited' } });
    await service.invite(survey.id, { emails: ['bo@example.ca'], locale: 'en' }, FACTORY_SURVEY_OFFICER);
    await ctx.notifications.drain();
    const link = linkIn(
      smtp.to('bo@example.ca')[0]?.text,
      /http:\/\/agora\.test\/surveys\/\w+\/invitation\/[\w.-]+/,
    );

    const bo = new AnonymousBrowser(ctx.app);
    const opened = await bo.get(link);
    expect(opened.headers.location).toBe(`/surveys/${survey.id}`);
    // The cookie is set for the survey's addresses under each language prefix; this one is the unprefixed path.
    const inviteCookie = setCookies(opened).find(
      (c) =>
        c.startsWith(`${INVITATION_COOKIE_PREFIX}${survey.id}=`) && c.includes(`Path=/surveys/${survey.id};`),
    );
    expect(inviteCookie).toBeDefined();
    expect(inviteCookie).toMatch(/; HttpOnly/i);
    expect(inviteCookie).toContain(`Path=/surveys/${survey.id}`);
    expect((await bo.get(`/surveys/${survey.id}`)).status).toBe(200);
    const page1 = await bo.get(`/surveys/${survey.id}/pages/s1`);
    expect(page1.text).not.toContain('name="_csrf"');
    const done = await finishFromS1(bo, survey.id);
    expect(done.headers.location).toBe(`/surveys/${survey.id}/thanks`);
    expect((await bo.get(`/surveys/${survey.id}/thanks`)).status).toBe(200);

    const [response] = await responses(survey.id);
    expect(response).toMatchObject({ status: 'submitted', channel: 'invited' });
    expect(response?.respondentKey).toMatch(/^invite:/);
    expect(await sessionCount()).toBe(0);

    // the cookie cannot be forged, nor carried over to another survey
    const value = (inviteCookie as string).split(';')[0]?.split('=')[1] as string;
    const [invitationId, signature] = value.split('.') as [string, string];
    const tampered = `${invitationId}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    const forged = await request(ctx.app)
      .get(`/surveys/${survey.id}`)
      .set('Cookie', `${INVITATION_COOKIE_PREFIX}${survey.id}=${tampered}`);
    expect(forged.status).toBe(403);
    const moved = await request(ctx.app)
      .get(`/surveys/${other.survey.id}`)
      .set('Cookie', `${INVITATION_COOKIE_PREFIX}${other.survey.id}=${value}`);
    expect(moved.status).toBe(403);
    expect(await sessionCount()).toBe(0);
  });

  it('when an anonymous form is posted without its survey token, then it is refused and still no session is stored', async () => {
    const { survey } = await createSurvey(ctx);
    const browser = new AnonymousBrowser(ctx.app);
    await browser.get(`/surveys/${survey.id}/pages/s1`);
    const respondent = browser.cookiesSet.find((c) => c.startsWith(`${RESPONDENT_COOKIE}=`))?.split(';')[0];
    const refused = await request(ctx.app)
      .post(`/surveys/${survey.id}/pages/s1`)
      .set('Cookie', respondent as string)
      .type('form')
      .send({ q_likes: 'no', action: 'next' });
    expect(refused.status).toBe(403);
    expect(await responses(survey.id)).toHaveLength(0);
    expect(await sessionCount()).toBe(0);
  });

  it('when a signed-in person answers, then their forms use their session as before', async () => {
    const { survey } = await createSurvey(ctx);
    const { agent, user } = await signInAs(ctx, { name: 'Lin Wu' });
    const page1 = await agent.get(`/surveys/${survey.id}/pages/s1`);
    expect(page1.text).toContain('name="_csrf"');
    expect(page1.text).not.toContain('name="_survey"');
    const done = await finishFromS1(agent, survey.id);
    expect(done.headers.location).toBe(`/surveys/${survey.id}/thanks`);
    expect((await responses(survey.id))[0]?.respondentKey).toBe(`user:${user.id}`);
    expect(await ctx.db.connection.collection('sessions').countDocuments({ userId: user.id })).toBe(1);
  });
});
