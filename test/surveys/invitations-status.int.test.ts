import { Types } from 'mongoose';
import { FormAgent } from '../support/agent';
import { type TestApp, startAppWithSmtp, closeAppWithSmtp } from '../support/app';
import { createSurvey } from '../support/factories/surveys';
import { type TestSmtpServer } from '../support/smtp';
import { signInAs } from '../support/sign-in';

describe('invitation emails and opting out', () => {
  let smtp: TestSmtpServer;
  let ctx: TestApp;

  beforeAll(async () => ({ ctx, smtp } = await startAppWithSmtp()));
  afterAll(() => closeAppWithSmtp(ctx, smtp));

  async function invite(surveyId: string, emails: string[], locale: 'en' | 'fr') {
    const { user } = await signInAs(ctx, { roles: ['officer'] });
    await ctx.composition.surveys.invite(surveyId, { emails, locale }, { id: user.id, roles: ['officer'] });
    await ctx.notifications.drain();
  }

  it('when people are invited in English and in French, then each email says who asks, why, until when, with an opt-out, in its language', async () => {
    const { survey } = await createSurvey(ctx, {
      settings: { audience: 'invited' },
      consultation: { consultation: { summary: { en: 'Rates & fees', fr: 'Taux et frais d’« accès »' } } },
    });
    await invite(survey.id, ['anglo@example.ca'], 'en');
    await invite(survey.id, ['franco@example.ca'], 'fr');
    const en = smtp.to('anglo@example.ca').at(-1)!;
    const fr = smtp.to('franco@example.ca').at(-1)!;

    expect(en.text).toContain('From: Treasury Board Secretariat');
    expect(en.text).toContain('Rates & fees');
    expect(en.text).toMatch(/The survey closes on [A-Z][a-z]+ \d{1,2}, \d{4}\./);
    expect(en.text).toMatch(/\/surveys\/\w+\/invitation\/[\w.-]+\/opt-out/);
    expect(en.html).toContain('Rates &amp; fees');
    expect(en.html).toContain('/opt-out"');

    expect(fr.subject).toContain('Sondage sur le budget');
    expect(fr.text).toContain('De la part de\u00a0: Secrétariat du Conseil du Trésor');
    expect(fr.text).toContain('Taux et frais d’« accès »');
    expect(fr.text).toMatch(/\d{1,2} [a-zéû]+ \d{4}/);
    // Plain text without HTML entities.
    for (const mail of [en, fr]) expect(mail.text).not.toMatch(/&(amp|lt|gt|quot|#\d+);/);
  });

  it('when the opt-out link is opened, then nothing changes until it is confirmed, and no reminder goes after', async () => {
    const { survey } = await createSurvey(ctx, { settings: { audience: 'invited' } });
    await invite(survey.id, ['leave@example.ca', 'stay@example.ca'], 'en');
    const mail = smtp.to('leave@example.ca').at(-1)!;
    const link = /http:\/\/agora\.test(\/surveys\/\w+\/invitation\/[\w.-]+\/opt-out)/.exec(
      mail.text ?? '',
    )![1]!;
    const stored = ctx.db.connection.collection('survey_invitations');

    // A mail scanner (or the person) opening the link changes nothing.
    const scanner = new FormAgent(ctx.app);
    const page = await scanner.get(link);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Stop emails about this survey?');
    expect(await stored.findOne({ email: 'leave@example.ca' })).not.toHaveProperty('optedOutAt');

    // The confirmation needs no session: the signed link is the capability.
    const confirmed = await scanner.agent.post(link).type('form').send('');
    expect(confirmed.status).toBe(200);
    expect(confirmed.text).toContain('You will receive no more emails about this survey');
    expect((await stored.findOne({ email: 'leave@example.ca' }))?.optedOutAt).toBeInstanceOf(Date);

    // A forged link is refused.
    expect((await scanner.agent.post(link.replace(/\.[\w-]+\/opt-out$/, '.forged/opt-out'))).status).toBe(
      404,
    );

    const reminded = await ctx.composition.surveys.remind(survey.id, { force: true });
    expect(reminded).toBe(1);
    await ctx.notifications.drain();
    expect(smtp.to('leave@example.ca')).toHaveLength(1);
    expect(smtp.to('stay@example.ca')).toHaveLength(2);
    expect(await stored.countDocuments({ surveyId: new Types.ObjectId(survey.id) })).toBe(2);
  });

  it('when an officer opens the invitee list, then each invitee shows their status, filterable and paged', async () => {
    const { survey } = await createSurvey(ctx, { settings: { audience: 'invited' } });
    const many = Array.from({ length: 55 }, (_, i) => `p${String(i).padStart(2, '0')}@example.ca`);
    await invite(survey.id, many, 'en');
    const invitationLink = /http:\/\/agora\.test(\/surveys\/\w+\/invitation\/[\w.-]+)\/opt-out/.exec(
      smtp.to('p01@example.ca').at(-1)!.text ?? '',
    )![1]!;
    await new FormAgent(ctx.app).get(invitationLink); // opens the invitation link
    await new FormAgent(ctx.app).agent.post(`${invitationLink}/opt-out`).send('');
    const opener = /http:\/\/agora\.test(\/surveys\/\w+\/invitation\/[\w.-]+)\n/.exec(
      smtp.to('p02@example.ca').at(-1)!.text ?? '',
    )![1]!;
    await new FormAgent(ctx.app).get(opener);

    const { agent } = await signInAs(ctx, { roles: ['officer'] });
    const first = await agent.get(`/manage/surveys/${survey.id}/invitations`);
    expect(first.status).toBe(200);
    expect(first.text).toContain('<td>p00@example.ca</td><td>English</td><td>Sent</td>');
    expect(first.text).toContain('<td>p01@example.ca</td><td>English</td><td>Opted out</td>');
    expect(first.text).toContain('<td>p02@example.ca</td><td>English</td><td>Opened the link</td>');
    expect(first.text).not.toContain('p50@example.ca');
    const next = /href="([^"]+)" rel="next"/.exec(first.text)![1]!.replace(/&amp;/g, '&');
    const second = await agent.get(`/manage/surveys/${survey.id}/invitations${next}`);
    expect(second.text).toContain('p54@example.ca');
    expect(second.text).not.toContain('p49@example.ca');
    const opted = await agent.get(`/manage/surveys/${survey.id}/invitations?status=opted_out`);
    expect(opted.text).toContain('p01@example.ca');
    expect(opted.text).not.toContain('p00@example.ca');
  });
});
