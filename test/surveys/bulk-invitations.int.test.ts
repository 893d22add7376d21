import { Types } from 'mongoose';
import { FormAgent } from '../support/agent';
import { type TestApp, startAppWithSmtp, closeAppWithSmtp } from '../support/app';
import { createSurvey } from '../support/factories/surveys';
import { type TestSmtpServer } from '../support/smtp';
import { signInAs } from '../support/sign-in';

describe('bulk invitations', () => {
  let smtp: TestSmtpServer;
  let ctx: TestApp;

  beforeAll(async () => ({ ctx, smtp } = await startAppWithSmtp()));
  afterAll(() => closeAppWithSmtp(ctx, smtp));

  async function post(agent: FormAgent, surveyId: string, fields: { emails?: string; csv?: string }) {
    const page = await agent.get(`/manage/surveys/${surveyId}/invitations`);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
    // The token is a form field, never in the URL.
    expect(page.text).toContain(
      `action="/manage/surveys/${surveyId}/invitations" enctype="multipart/form-data"`,
    );
    const req = agent.agent
      .post(`/manage/surveys/${surveyId}/invitations`)
      .field('_csrf', token)
      .field('emails', fields.emails ?? '')
      .field('locale', 'en');
    const res = await (fields.csv ? req.attach('file', Buffer.from(fields.csv), 'people.csv') : req);
    // Redirect after POST (no token left in the address bar): the outcome is shown once on the page.
    expect(res.status).toBe(303);
    return agent.get(res.headers.location as string);
  }

  it('when an officer pastes 10,000 addresses, then all are invited in one request and the worker sends the links', async () => {
    const { survey } = await createSurvey(ctx, { settings: { audience: 'invited' } });
    const { agent } = await signInAs(ctx, { roles: ['officer'] });
    const addresses = Array.from({ length: 10_000 }, (_, i) => `person${i}@example.ca`);
    const pasted = [
      ...addresses,
      'PERSON1@example.ca', // the same address again
      '"a@gc.ca x"@evil.com', // one quoted local part: refused whole, never split into a@gc.ca
    ].join('\n');
    const res = await post(agent, survey.id, { emails: pasted });
    expect(res.status).toBe(200);
    expect(res.text).toContain('10000 invited; 0 were already invited.');
    expect(res.text).toContain('Not valid, not invited:');
    expect(res.text).toContain('evil.com');
    const stored = ctx.db.connection.collection('survey_invitations');
    expect(await stored.countDocuments({ surveyId: new Types.ObjectId(survey.id) })).toBe(10_000);
    expect(await stored.countDocuments({ email: 'a@gc.ca' })).toBe(0);
    expect((await ctx.notifications.counts()).pending).toBe(10_000);

    // A CSV cell holding a header injection is one entry, refused; addresses already invited are counted.
    const again = await post(agent, survey.id, {
      csv: 'name,email\r\nP0,person0@example.ca\r\nP2,person2@example.ca\r\nEve,"a@gc.ca\r\nBcc: x@evil.com"\r\n',
    });
    expect(again.text).toContain('0 invited; 2 were already invited.');
    expect(await stored.countDocuments({ email: { $in: ['a@gc.ca', 'x@evil.com'] } })).toBe(0);
    expect((await ctx.notifications.counts()).pending).toBe(10_000);

    // The worker renders the queued invitations as it sends them; the link opens the survey.
    expect(await ctx.notifications.drain(new Date(), 3)).toEqual({ sent: 3, failed: 0, bounced: 0 });
    const sent = smtp.messages.find((m) => /You are invited/.test(m.subject ?? ''));
    expect(sent?.subject).toBe('You are invited to answer: Budget survey');
    const link = /http:\/\/agora\.test(\/surveys\/\w+\/invitation\/[\w.-]+)/.exec(sent?.text ?? '')?.[1];
    expect(link).toBeDefined();
    const opened = await new FormAgent(ctx.app).get(link as string);
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe(`/surveys/${survey.id}`);
    expect(await ctx.composition.effects.pending()).toEqual([]);
  }, 400_000);

  it('when the invitations form arrives without its token, or with a token only in the URL, then it is refused', async () => {
    const { survey } = await createSurvey(ctx, { settings: { audience: 'invited' } });
    const { agent } = await signInAs(ctx, { roles: ['officer'] });
    const page = await agent.get(`/manage/surveys/${survey.id}/invitations`);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
    const missing = await agent.agent
      .post(`/manage/surveys/${survey.id}/invitations`)
      .field('emails', 'nobody@example.ca')
      .field('locale', 'en');
    expect(missing.status).toBe(403);
    const inUrl = await agent.agent
      .post(`/manage/surveys/${survey.id}/invitations?_csrf=${encodeURIComponent(token)}`)
      .field('emails', 'nobody@example.ca')
      .field('locale', 'en');
    expect(inUrl.status).toBe(403);
    const stored = ctx.db.connection.collection('survey_invitations');
    expect(await stored.countDocuments({ email: 'nobody@example.ca' })).toBe(0);
  });
});
