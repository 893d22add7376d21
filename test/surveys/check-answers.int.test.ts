import { Types } from 'mongoose';
import { FormAgent } from '../support/agent';
import { type TestApp, startAppWithSmtp, closeAppWithSmtp } from '../support/app';
import { createSurvey } from '../support/factories/surveys';
import { signInAs } from '../support/sign-in';
import { type TestSmtpServer } from '../support/smtp';
import { receiptReference } from '../../src/modules/surveys/review';

describe('check your answers, then a receipt', () => {
  let smtp: TestSmtpServer;
  let ctx: TestApp;

  beforeAll(async () => ({ ctx, smtp } = await startAppWithSmtp()));
  afterAll(() => closeAppWithSmtp(ctx, smtp));

  const responses = (surveyId: string) =>
    ctx.db.connection
      .collection('responses')
      .find({ surveyId: new Types.ObjectId(surveyId) })
      .toArray();

  async function throughLastPage(agent: FormAgent, surveyId: string) {
    await agent.get(`/surveys/${surveyId}/pages/s1`);
    await agent.post(`/surveys/${surveyId}/pages/s1`, { q_likes: 'yes', q_why: 'Trees', action: 'next' });
    await agent.post(`/surveys/${surveyId}/pages/s3`, { q_score: '4', action: 'next' });
    const last = await agent.get(`/surveys/${surveyId}/pages/about-you`);
    expect(last.text).toContain('value="review">Continue</button>');
    expect(last.text).not.toContain('Submit my answers');
    return agent.post(`/surveys/${surveyId}/pages/about-you`, {
      si_sector: 'civil_society',
      si_region: 'QC',
      action: 'review',
    });
  }

  it('when the last page is done, then the answers are shown page by page with Change links, and only the check page submits', async () => {
    const { survey } = await createSurvey(ctx);
    const agent = new FormAgent(ctx.app);
    const toCheck = await throughLastPage(agent, survey.id);
    expect(toCheck.status).toBe(303);
    expect(toCheck.headers.location).toBe(`/surveys/${survey.id}/check`);
    // saved, not submitted
    expect((await responses(survey.id)).map((r) => r.status)).toEqual(['draft']);

    const check = await agent.get(`/surveys/${survey.id}/check`);
    expect(check.status).toBe(200);
    expect(check.text).toContain('<h1>Check your answers</h1>');
    for (const text of [
      'About the plan',
      'Do you like the plan?',
      '>Yes<',
      '>Trees<',
      'How important is this?',
      '4 out of 5',
      'Civil society organization',
      'Quebec',
    ]) {
      expect(check.text).toContain(text);
    }
    // the page that was skipped ("What to change", only for "No") is not listed
    expect(check.text).not.toContain('What would you change?');
    expect(check.text).toContain(`href="/surveys/${survey.id}/pages/s1?review=1#question-likes"`);
    expect(check.text).toContain('<button class="button" type="submit">Submit my answers</button>');

    const submitted = await agent.post(`/surveys/${survey.id}/check`);
    expect(submitted.headers.location).toBe(`/surveys/${survey.id}/thanks`);
    const stored = await responses(survey.id);
    expect(stored.map((r) => r.status)).toEqual(['submitted']);

    // the receipt: a reference number made from the response id (not the id itself)
    const thanks = await agent.get(`/surveys/${survey.id}/thanks`);
    const reference = receiptReference(String(stored[0]?._id));
    expect(reference).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    expect(thanks.text).toContain(`<strong>${reference}</strong>`);
    expect(thanks.text).not.toContain(String(stored[0]?._id));
    // an anonymous respondent has no known address: no copy is offered
    expect(thanks.text).not.toContain('Email me a copy');
  });

  it('when an answer is changed from the check page so that a new page applies, then that page is asked for before submitting', async () => {
    const { survey } = await createSurvey(ctx);
    const agent = new FormAgent(ctx.app);
    await throughLastPage(agent, survey.id);
    const change = await agent.get(`/surveys/${survey.id}/pages/s1?review=1`);
    expect(change.text).toContain('<input type="hidden" name="review" value="1">');
    const changed = await agent.post(`/surveys/${survey.id}/pages/s1`, {
      q_likes: 'no',
      review: '1',
      action: 'review',
    });
    expect(changed.headers.location).toBe(`/surveys/${survey.id}/check`);
    const check = await agent.get(`/surveys/${survey.id}/check`);
    // the page "What to change" now applies and is not answered: said at the top, with a link to the row
    expect(check.text).toContain('href="#row-change"');
    expect(check.text).toContain('What would you change?: Answer this question.');
    expect(check.text).not.toContain('>Trees<');
    // submitting anyway is refused by the service's final check, on that page
    const refused = await agent.post(`/surveys/${survey.id}/check`);
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('What would you change?');
    expect((await responses(survey.id)).map((r) => r.status)).toEqual(['draft']);

    const answered = await agent.post(`/surveys/${survey.id}/pages/s2`, {
      q_change: 'Less paperwork',
      review: '1',
      action: 'review',
    });
    expect(answered.headers.location).toBe(`/surveys/${survey.id}/check`);
    expect((await agent.get(`/surveys/${survey.id}/check`)).text).toContain('Less paperwork');
    expect((await agent.post(`/surveys/${survey.id}/check`)).headers.location).toBe(
      `/surveys/${survey.id}/thanks`,
    );
    expect((await responses(survey.id))[0]?.answers).toEqual({
      likes: 'no',
      change: 'Less paperwork',
      score: 4,
    });
  });

  it('when the last page has a mistake, then it is shown there and nothing goes to the check page', async () => {
    const { survey } = await createSurvey(ctx);
    const agent = new FormAgent(ctx.app);
    await agent.get(`/surveys/${survey.id}/pages/s1`);
    await agent.post(`/surveys/${survey.id}/pages/s1`, { q_likes: 'yes', q_why: 'Trees', action: 'next' });
    await agent.post(`/surveys/${survey.id}/pages/s3`, { action: 'next' });
    const wrong = await agent.post(`/surveys/${survey.id}/pages/about-you`, {
      si_region: 'QC',
      action: 'review',
    });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('href="#si_sector"');
    // the check page without answers to check goes back to the survey's start
    const stranger = new FormAgent(ctx.app);
    expect((await stranger.get(`/surveys/${survey.id}/check`)).headers.location).toBe(
      `/surveys/${survey.id}`,
    );
  });

  it('when the check page is shown in French, then labels and answers are French', async () => {
    const { survey } = await createSurvey(ctx);
    const agent = new FormAgent(ctx.app);
    await agent.agent.get('/?lang=fr');
    await throughLastPage(agent, survey.id).catch(() => undefined);
    const check = await agent.get(`/surveys/${survey.id}/check`);
    expect(check.text).toContain('<h1>Vérifiez vos réponses</h1>');
    expect(check.text).toContain('Aimez-vous le plan?');
    expect(check.text).toContain('>Oui<');
    expect(check.text).toContain('4 sur 5');
    expect(check.text).toContain('Envoyer mes réponses');
  });

  it('when a signed-in respondent asks for a copy, then one email with the reference and the answers is sent', async () => {
    const { survey } = await createSurvey(ctx);
    const { agent, user } = await signInAs(ctx, { roles: ['participant'] });
    await throughLastPage(agent, survey.id);
    await agent.get(`/surveys/${survey.id}/check`);
    await agent.post(`/surveys/${survey.id}/check`);
    const thanks = await agent.get(`/surveys/${survey.id}/thanks`);
    expect(thanks.text).toContain('Email me a copy');
    expect(thanks.text).toContain(user.email);
    const sent = await agent.post(`/surveys/${survey.id}/receipt`);
    expect(sent.headers.location).toBe(`/surveys/${survey.id}/thanks?copy=sent`);
    expect((await agent.get(sent.headers.location as string)).text).toContain(
      `A copy of your answers is on its way to ${user.email}.`,
    );
    await agent.post(`/surveys/${survey.id}/receipt`); // asked twice: one email
    await ctx.notifications.drain();
    const mails = smtp.to(user.email).filter((m) => m.subject?.startsWith('Your answers to'));
    expect(mails).toHaveLength(1);
    const reference = receiptReference(String((await responses(survey.id))[0]?._id));
    expect(mails[0]?.subject).toBe(`Your answers to Budget survey (reference ${reference})`);
    expect(mails[0]?.text).toContain('Do you like the plan?');
    expect(mails[0]?.text).toContain('Trees');
  });
});
