import request from 'supertest';
import { Types } from 'mongoose';
import { FormAgent } from '../support/agent';
import { type TestApp, startAppWithSmtp, closeAppWithSmtp } from '../support/app';
import { createSurvey, FACTORY_SURVEY_OFFICER } from '../support/factories/surveys';
import { type TestSmtpServer } from '../support/smtp';
import { RESPONDENT_COOKIE } from '../../src/modules/surveys/respondent';
import { signInAs } from '../support/sign-in';

const DAY = 24 * 3600 * 1000;

function linkIn(text: string | undefined, pattern: RegExp): string {
  const match = pattern.exec(text ?? '');
  if (!match) throw new Error(`no link matching ${pattern} in:\n${text}`);
  return new URL(match[0]).pathname;
}

describe('drafts, resume links and invitations', () => {
  let smtp: TestSmtpServer;
  let ctx: TestApp;

  beforeAll(async () => ({ ctx, smtp } = await startAppWithSmtp()));
  afterAll(() => closeAppWithSmtp(ctx, smtp));

  const responses = (surveyId: string) =>
    ctx.db.connection
      .collection('responses')
      .find({ surveyId: new Types.ObjectId(surveyId) })
      .toArray();

  async function finish(agent: FormAgent, surveyId: string, from: 's1' | 's3') {
    if (from === 's1')
      await agent.post(`/surveys/${surveyId}/pages/s1`, { q_likes: 'yes', q_why: 'Trees', action: 'next' });
    await agent.post(`/surveys/${surveyId}/pages/s3`, { q_score: '3', action: 'next' });
    return agent.post(`/surveys/${surveyId}/pages/about-you`, {
      si_sector: 'civil_society',
      si_region: 'MB',
      action: 'next',
    });
  }

  it('when an anonymous respondent asks for a resume link, then the emailed link brings their draft to another device', async () => {
    const { survey } = await createSurvey(ctx);
    const laptop = new FormAgent(ctx.app);
    await laptop.get(`/surveys/${survey.id}/pages/s1`);
    const saved = await laptop.post(`/surveys/${survey.id}/pages/s1`, {
      q_likes: 'yes',
      q_why: 'Bike lanes',
      action: 'save',
    });
    expect(saved.headers.location).toBe(`/surveys/${survey.id}/saved`);
    const savedPage = await laptop.get(`/surveys/${survey.id}/saved`);
    expect(savedPage.text).toContain('Your answers are saved');
    expect(savedPage.text).toContain('Email me a link');

    const bad = await laptop.post(`/surveys/${survey.id}/resume-link`, { resumeEmail: 'not-an-email' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('href="#resumeEmail"');
    expect(bad.text).toContain('value="not-an-email"');

    const sent = await laptop.post(`/surveys/${survey.id}/resume-link`, { resumeEmail: 'ana@example.ca' });
    expect(sent.status).toBe(200);
    expect(sent.text).toContain('Check your email');
    await ctx.notifications.drain();
    const [mail] = smtp.to('ana@example.ca');
    expect(mail?.subject).toBe('Continue your answers: Budget survey');
    const link = linkIn(mail?.text, /http:\/\/agora\.test(?:\/fr)?\/surveys\/\w+\/resume\/[\w.-]+/);

    const phone = new FormAgent(ctx.app);
    const opened = await phone.get(link);
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe(`/surveys/${survey.id}/pages/s3`);
    const page1 = await phone.get(`/surveys/${survey.id}/pages/s1`);
    expect(page1.text).toContain('Bike lanes');
    await phone.get(`/surveys/${survey.id}/pages/s3`);
    const done = await finish(phone, survey.id, 's3');
    expect(done.headers.location).toBe(`/surveys/${survey.id}/thanks`);
    const stored = await responses(survey.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      status: 'submitted',
      answers: { likes: 'yes', why: 'Bike lanes', score: 3 },
    });
    expect(stored[0]?.resumeTokenHash).toBeUndefined();
    // the link is single-purpose: once submitted it no longer opens anything
    expect((await new FormAgent(ctx.app).get(link)).status).toBe(404);
  });

  it('when the session expires mid-survey, then the saved pages are still there for the same browser', async () => {
    const { survey } = await createSurvey(ctx);
    const agent = new FormAgent(ctx.app);
    const first = await agent.get(`/surveys/${survey.id}/pages/s1`);
    const respondentCookie = ([] as string[])
      .concat(first.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith(`${RESPONDENT_COOKIE}=`))
      ?.split(';')[0];
    expect(respondentCookie).toBeDefined();
    await agent.post(`/surveys/${survey.id}/pages/s1`, { q_likes: 'no', action: 'next' });
    // only the long-lived respondent cookie, no session cookie: as after the session expired
    const page = await request(ctx.app)
      .get(`/surveys/${survey.id}/pages/s1`)
      .set('Cookie', respondentCookie as string);
    expect(page.text).toMatch(/value="no" checked/);

    // the page typed while the session was gone is still accepted: the form carries a token bound to the browser
    const surveyToken = /name="_survey" value="([^"]+)"/.exec(page.text)?.[1] as string;
    expect(surveyToken).toBeDefined();
    const sent = await request(ctx.app)
      .post(`/surveys/${survey.id}/pages/s2`)
      .set('Cookie', respondentCookie as string)
      .type('form')
      .send({
        _survey: surveyToken,
        _csrf: 'expired-session-token',
        q_change: 'Wider sidewalks',
        action: 'next',
      });
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe(`/surveys/${survey.id}/pages/s3`);
    const [draft] = await responses(survey.id);
    expect(draft?.answers).toEqual({ likes: 'no', change: 'Wider sidewalks' });

    // a forged token, or the token with another browser's cookie, is refused like any form without its token
    const forged = await request(ctx.app)
      .post(`/surveys/${survey.id}/pages/s2`)
      .set('Cookie', `${RESPONDENT_COOKIE}=${'x'.repeat(32)}`)
      .type('form')
      .send({ _survey: surveyToken, q_change: 'Hacked', action: 'next' });
    expect(forged.status).toBe(403);
  });

  it('when people are invited, then each gets a personal link that answers once, and counts follow them by sector', async () => {
    const { survey, service } = await createSurvey(ctx, { settings: { audience: 'invited' } });
    const result = await service.invite(
      survey.id,
      { emails: ['Bo@Example.ca', 'cy@example.ca', 'bo@example.ca', 'nonsense'], locale: 'fr' },
      FACTORY_SURVEY_OFFICER,
    );
    expect(result).toEqual({ invited: 2, alreadyInvited: 0, invalid: ['nonsense'] });
    expect(
      (await service.invite(survey.id, { emails: ['bo@example.ca'], locale: 'en' }, FACTORY_SURVEY_OFFICER))
        .alreadyInvited,
    ).toBe(1);
    await ctx.notifications.drain();
    const [mail] = smtp.to('bo@example.ca');
    expect(mail?.subject).toBe('Vous êtes invité à répondre\u00a0: Sondage sur le budget');
    const link = linkIn(mail?.text, /http:\/\/agora\.test(?:\/fr)?\/surveys\/\w+\/invitation\/[\w.-]+/);
    const stored = await ctx.db.connection
      .collection('survey_invitations')
      .find({ surveyId: new Types.ObjectId(survey.id) })
      .toArray();
    // The token is `<invitation id>.<HMAC>`: the id is the document's, the HMAC part is stored nowhere.
    const [invitationId, mac] = (link.split('/').pop() as string).split('.');
    expect(stored.map((doc) => doc._id)).toContain(invitationId);
    expect(JSON.stringify(stored)).not.toContain(mac);

    const stranger = new FormAgent(ctx.app);
    const refused = await stranger.get(`/surveys/${survey.id}`);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('by invitation only');

    const bo = new FormAgent(ctx.app);
    // The French invitation opens the survey in French.
    expect((await bo.get(link)).headers.location).toBe(`/fr/surveys/${survey.id}`);
    expect((await bo.get(`/surveys/${survey.id}`)).status).toBe(200);
    await bo.get(`/surveys/${survey.id}/pages/s1`);
    expect((await finish(bo, survey.id, 's1')).headers.location).toBe(`/surveys/${survey.id}/thanks`);

    const [response] = await responses(survey.id);
    expect(response).toMatchObject({ channel: 'invited', status: 'submitted' });
    expect(response?.respondentKey).toMatch(/^invite:/);
    expect(response?.invitationId).toBeDefined();

    const reuse = await new FormAgent(ctx.app).get(link);
    expect(reuse.status).toBe(409);
    // The invitation was sent in French, so its link (and this page) is French.
    expect(reuse.text).toContain('Cette invitation a déjà servi');

    const counts = await service.invitationCounts(survey.id);
    expect(counts.total).toEqual({ invited: 2, opened: 1, started: 1, submitted: 1, bounced: 0 });
    expect(counts.bySector).toEqual([
      { sector: 'civil_society', counts: { invited: 1, opened: 1, started: 1, submitted: 1, bounced: 0 } },
      { sector: 'not_answered', counts: { invited: 1, opened: 0, started: 0, submitted: 0, bounced: 0 } },
    ]);
  });

  it('when the survey is anonymous, then the invitation is counted as answered but never stored with the response', async () => {
    const { survey, service } = await createSurvey(ctx, {
      settings: { audience: 'invited', anonymous: true },
    });
    await service.invite(survey.id, { emails: ['dee@example.ca'], locale: 'en' }, FACTORY_SURVEY_OFFICER);
    await ctx.notifications.drain();
    const link = linkIn(
      smtp.to('dee@example.ca')[0]?.text,
      /http:\/\/agora\.test(?:\/fr)?\/surveys\/\w+\/invitation\/[\w.-]+/,
    );
    const dee = new FormAgent(ctx.app);
    await dee.get(link);
    await dee.get(`/surveys/${survey.id}/pages/s1`);
    const about = await dee.post(`/surveys/${survey.id}/pages/s1`, {
      q_likes: 'yes',
      q_why: 'x',
      action: 'next',
    });
    expect(about.status).toBe(303);
    await dee.post(`/surveys/${survey.id}/pages/s3`, { action: 'next' });
    const page = await dee.get(`/surveys/${survey.id}/pages/about-you`);
    expect(page.text).not.toContain('si_organisation');
    await dee.post(`/surveys/${survey.id}/pages/about-you`, {
      si_sector: 'academia',
      si_region: 'BC',
      action: 'next',
    });
    const [response] = await responses(survey.id);
    expect(response?.status).toBe('submitted');
    expect(response?.invitationId).toBeUndefined();
    expect(response?.respondentKey).toMatch(/^anon:/);
    expect((await service.invitationCounts(survey.id)).total.submitted).toBe(1);
  });

  it('when reminders run on a schedule, then only those who have not answered get them, each reminder once, at most twice', async () => {
    const now = Date.now();
    const { survey, service } = await createSurvey(ctx, {
      settings: { audience: 'invited' },
      consultation: { consultation: { closesAt: new Date(now + 90 * DAY) } },
    });
    await service.invite(
      survey.id,
      { emails: ['eve@example.ca', 'fay@example.ca'], locale: 'en' },
      FACTORY_SURVEY_OFFICER,
    );
    await ctx.notifications.drain();
    const fay = new FormAgent(ctx.app);
    await fay.get(
      linkIn(
        smtp.to('fay@example.ca')[0]?.text,
        /http:\/\/agora\.test(?:\/fr)?\/surveys\/\w+\/invitation\/[\w.-]+/,
      ),
    );
    await fay.get(`/surveys/${survey.id}/pages/s1`);
    await finish(fay, survey.id, 's1');

    const remindersTo = async (email: string) => {
      await ctx.notifications.drain(new Date(now + 60 * DAY));
      return smtp.to(email).filter((m) => m.subject?.startsWith('Reminder')).length;
    };
    expect(await service.remind(survey.id, { now: new Date(now + 2 * DAY) })).toBe(0);
    await service.sendDueReminders(new Date(now + 8 * DAY));
    expect(await remindersTo('eve@example.ca')).toBe(1);
    await service.sendDueReminders(new Date(now + 8 * DAY)); // the same run again: nothing more
    expect(await remindersTo('eve@example.ca')).toBe(1);
    await service.sendDueReminders(new Date(now + 16 * DAY));
    expect(await remindersTo('eve@example.ca')).toBe(2);
    await service.sendDueReminders(new Date(now + 30 * DAY)); // at most two scheduled reminders
    expect(await remindersTo('eve@example.ca')).toBe(2);
    // the officer's button reminds again, but not twice in a day
    expect(await service.remind(survey.id, { now: new Date(now + 31 * DAY), force: true })).toBe(1);
    expect(await service.remind(survey.id, { now: new Date(now + 31 * DAY), force: true })).toBe(0);
    expect(await remindersTo('eve@example.ca')).toBe(3);
    expect(smtp.to('eve@example.ca').find((m) => m.subject?.startsWith('Reminder'))?.text).toContain(
      `/surveys/${survey.id}/invitation/`,
    );
    expect(await remindersTo('fay@example.ca')).toBe(0);
  });

  it('when a signed-in respondent submits a survey with a confirmation, then they get the email with the thank-you text', async () => {
    const { survey } = await createSurvey(ctx, {
      settings: {
        confirmationEmail: true,
        thankYou: { en: 'We will publish a summary in May.', fr: 'Nous publierons un résumé en mai.' },
      },
    });
    const { agent } = await signInAs(ctx, { name: 'Kim Lee', email: 'kim@example.ca' });
    await agent.get(`/surveys/${survey.id}/pages/s1`);
    await finish(agent, survey.id, 's1');
    expect((await agent.get(`/surveys/${survey.id}/thanks`)).text).toContain(
      'We will publish a summary in May.',
    );
    await ctx.notifications.drain();
    const [mail] = smtp.to('kim@example.ca');
    expect(mail?.subject).toBe('We received your answers: Budget survey');
    expect(mail?.text).toContain('We will publish a summary in May.');
  });

  it('when responses may be edited until closing, then a submitted response is changed in place, not duplicated', async () => {
    const { survey } = await createSurvey(ctx, { settings: { editableUntilClose: true } });
    const agent = new FormAgent(ctx.app);
    await agent.get(`/surveys/${survey.id}/pages/s1`);
    await finish(agent, survey.id, 's1');
    const thanks = await agent.get(`/surveys/${survey.id}/thanks`);
    expect(thanks.text).toContain('Change my answers');
    const start = await agent.get(`/surveys/${survey.id}`);
    expect(start.text).toContain('Change my answers');
    const page1 = await agent.get(`/surveys/${survey.id}/pages/s1`);
    expect(page1.text).toContain('Trees');
    await agent.post(`/surveys/${survey.id}/pages/s1`, {
      q_likes: 'yes',
      q_why: 'More trees',
      action: 'next',
    });
    await agent.post(`/surveys/${survey.id}/pages/s3`, { q_score: '5', action: 'next' });
    // the last page leads to "Check your answers", whose button saves the changes
    const last = await agent.get(`/surveys/${survey.id}/pages/about-you`);
    expect(last.text).toContain('value="review">Continue</button>');
    const toCheck = await agent.post(`/surveys/${survey.id}/pages/about-you`, {
      si_sector: 'civil_society',
      si_region: 'MB',
      action: 'review',
    });
    expect(toCheck.headers.location).toBe(`/surveys/${survey.id}/check`);
    const check = await agent.get(`/surveys/${survey.id}/check`);
    expect(check.text).toContain('Save my changes');
    expect(check.text).toContain('More trees');
    const saved = await agent.post(`/surveys/${survey.id}/check`);
    expect(saved.headers.location).toBe(`/surveys/${survey.id}/thanks`);
    const stored = await responses(survey.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.answers).toEqual({ likes: 'yes', why: 'More trees', score: 5 });
  });

  it('when a survey takes several responses per respondent, then the same browser can answer again', async () => {
    const { survey } = await createSurvey(ctx, { settings: { onePerRespondent: false } });
    const agent = new FormAgent(ctx.app);
    for (const round of [1, 2]) {
      const start = await agent.get(`/surveys/${survey.id}`);
      expect(start.text).toContain('Start the survey');
      await agent.get(`/surveys/${survey.id}/pages/s1`);
      expect((await finish(agent, survey.id, 's1')).headers.location).toBe(`/surveys/${survey.id}/thanks`);
      expect(await responses(survey.id)).toHaveLength(round);
    }
  });
});
