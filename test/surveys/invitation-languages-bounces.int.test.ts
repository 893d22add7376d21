import { Types } from 'mongoose';
import type { FormAgent } from '../support/agent';
import { type TestApp, startAppWithSmtp, closeAppWithSmtp } from '../support/app';
import { createSurvey } from '../support/factories/surveys';
import { type TestSmtpServer } from '../support/smtp';
import { signInAs } from '../support/sign-in';

describe('invitations in each invitee’s language, and bounces', () => {
  let smtp: TestSmtpServer;
  let ctx: TestApp;

  beforeAll(async () => ({ ctx, smtp } = await startAppWithSmtp()));
  afterAll(() => closeAppWithSmtp(ctx, smtp));

  const stored = () => ctx.db.connection.collection('survey_invitations');
  const invitationsOf = (surveyId: string) =>
    stored()
      .find({ surveyId: new Types.ObjectId(surveyId) })
      .toArray();

  /** Posts the invitations form as a browser does (multipart, the token as a field) and follows the redirect. */
  async function post(
    agent: FormAgent,
    surveyId: string,
    fields: { emails?: string; csv?: string; locale: 'en' | 'fr'; prefix?: '' | '/fr' },
  ) {
    const base = `${fields.prefix ?? ''}/manage/surveys/${surveyId}/invitations`;
    const page = await agent.get(base);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
    const req = agent.agent
      .post(base)
      .field('_csrf', token)
      .field('emails', fields.emails ?? '')
      .field('locale', fields.locale);
    const res = await (fields.csv ? req.attach('file', Buffer.from(fields.csv), 'people.csv') : req);
    expect(res.status).toBe(303);
    const location = res.headers.location as string;
    return agent.get(location.startsWith('/fr/') ? location : `${fields.prefix ?? ''}${location}`);
  }

  const linkOf = (text: string | undefined) =>
    /http:\/\/agora\.test(\/fr)?\/surveys\/\w+\/invitation\/[\w.-]+\n/.exec(text ?? '');

  it('when a pasted list gives a language after some addresses, then each invitee gets the invitation and reminders in theirs', async () => {
    const { survey } = await createSurvey(ctx, { settings: { audience: 'invited' } });
    const { agent } = await signInAs(ctx, { roles: ['officer'] });
    const res = await post(agent, survey.id, {
      locale: 'en',
      emails: [
        'anglo@example.ca',
        'franco@example.ca, fr',
        'Jeanne Roy <jeanne@example.ca>; Français',
        'eng@example.ca,\tAnglais',
      ].join('\n'),
    });
    expect(res.status).toBe(200);
    expect(res.text).toContain('4 invited; 0 were already invited.');
    // The form says how to give a language.
    expect(res.text).toContain('write the language after their address: a@example.ca, fr.');
    const locales = Object.fromEntries((await invitationsOf(survey.id)).map((d) => [d.email, d.locale]));
    expect(locales).toEqual({
      'anglo@example.ca': 'en',
      'franco@example.ca': 'fr',
      'jeanne@example.ca': 'fr',
      'eng@example.ca': 'en',
    });

    await ctx.notifications.drain();
    for (const address of ['franco@example.ca', 'jeanne@example.ca']) {
      const mail = smtp.to(address).at(-1)!;
      expect(mail.subject).toBe('Vous êtes invité à répondre\u00a0: Sondage sur le budget');
      expect(linkOf(mail.text)?.[1]).toBe('/fr');
    }
    for (const address of ['anglo@example.ca', 'eng@example.ca']) {
      const mail = smtp.to(address).at(-1)!;
      expect(mail.subject).toBe('You are invited to answer: Budget survey');
      expect(linkOf(mail.text)?.[1]).toBeUndefined();
    }

    // The invitee list shows each one's language.
    const list = await agent.get(`/manage/surveys/${survey.id}/invitations`);
    expect(list.text).toContain('<td>franco@example.ca</td><td>Français</td><td>Sent</td>');
    expect(list.text).toContain('<td>anglo@example.ca</td><td>English</td><td>Sent</td>');

    // Reminders go in the invitee's language too.
    expect(await ctx.composition.surveys.remind(survey.id, { force: true })).toBe(4);
    await ctx.notifications.drain();
    expect(smtp.to('franco@example.ca').at(-1)?.subject).toBe('Rappel\u00a0: Sondage sur le budget');
    expect(smtp.to('anglo@example.ca').at(-1)?.subject).toBe('Reminder: Budget survey');
  });

  it('when a CSV file has a language column, then its values are read in either language and an empty one takes the batch’s', async () => {
    const { survey } = await createSurvey(ctx, { settings: { audience: 'invited' } });
    const { agent } = await signInAs(ctx, { roles: ['officer'] });
    const res = await post(agent, survey.id, {
      locale: 'fr',
      csv: [
        'Nom;Courriel;Langue préférée',
        'Ann;ann@example.ca;anglais',
        'Bob;bob@example.ca;',
        'Cy;"cy@example.ca";EN-CA',
        'Di;di@example.ca;French',
      ].join('\r\n'),
    });
    expect(res.text).toContain('4 invited; 0 were already invited.');
    const locales = Object.fromEntries((await invitationsOf(survey.id)).map((d) => [d.email, d.locale]));
    expect(locales).toEqual({
      'ann@example.ca': 'en',
      'bob@example.ca': 'fr',
      'cy@example.ca': 'en',
      'di@example.ca': 'fr',
    });
    await ctx.notifications.drain();
    expect(smtp.to('ann@example.ca').at(-1)?.subject).toBe('You are invited to answer: Budget survey');
    expect(smtp.to('bob@example.ca').at(-1)?.subject).toBe(
      'Vous êtes invité à répondre\u00a0: Sondage sur le budget',
    );
    expect(linkOf(smtp.to('di@example.ca').at(-1)?.text)?.[1]).toBe('/fr');

    // A file with a header but no language column never reads another column as a language.
    const named = await post(agent, survey.id, {
      locale: 'en',
      csv: 'email,name\r\nel@example.ca,Elle\r\n',
    });
    expect(named.text).toContain('1 invited');
    // A file without a header is read like the pasted list: a last cell after the address is its language.
    const bare = await post(agent, survey.id, { locale: 'en', csv: 'fa@example.ca,fr\r\nga@example.ca\r\n' });
    expect(bare.text).toContain('2 invited');
    const after = Object.fromEntries((await invitationsOf(survey.id)).map((d) => [d.email, d.locale]));
    expect(after).toMatchObject({ 'el@example.ca': 'en', 'fa@example.ca': 'fr', 'ga@example.ca': 'en' });
  });

  it('when a language value is not a language, then the form names the line in the officer’s language and nothing of the batch is stored or sent', async () => {
    const { survey } = await createSurvey(ctx, { settings: { audience: 'invited' } });
    const { agent } = await signInAs(ctx, { roles: ['officer'] });
    const before = await ctx.notifications.counts();

    const pasted = 'ok@example.ca, fr\nodd@example.ca, klingon\nfine@example.ca';
    const res = await post(agent, survey.id, { locale: 'en', emails: pasted });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Line 2 of the list: “klingon” is not a language.');
    expect(res.text).toContain('Nothing was sent.');
    // The list is kept to be fixed.
    expect(res.text).toContain('odd@example.ca, klingon');

    const file = await post(agent, survey.id, {
      locale: 'en',
      csv: 'email,language\r\na@example.ca,en\r\nb@example.ca,fr\r\nc@example.ca,deutsch\r\n',
    });
    expect(file.status).toBe(422);
    expect(file.text).toContain('Line 4 of the file: “deutsch” is not a language.');

    const french = await post(agent, survey.id, {
      locale: 'fr',
      emails: 'ok@example.ca\nodd@example.ca; xx',
      prefix: '/fr',
    });
    expect(french.status).toBe(422);
    expect(french.text).toContain('Ligne 2 de la liste\u00a0: «\u00a0xx\u00a0» n’est pas une langue.');
    expect(french.text).toContain('Rien n’a été envoyé.');

    expect(await invitationsOf(survey.id)).toEqual([]);
    expect(await ctx.notifications.counts()).toEqual(before);
    expect(await ctx.composition.effects.pending()).toEqual([]);
  });

  it('when the mail server refuses an address for good, then the invitee shows as bounced, counted and filtered, and is not reminded; a temporary refusal is retried', async () => {
    const { survey } = await createSurvey(ctx, { settings: { audience: 'invited' } });
    const { agent } = await signInAs(ctx, { roles: ['officer'] });
    await ctx.notifications.drain(); // what earlier tests left queued
    smtp.refuse('gone.example', 550);
    smtp.refuse('busy.example', 450);
    await post(agent, survey.id, {
      locale: 'en',
      emails: 'ok@fine.example\nnobody@gone.example\nlater@busy.example\nfrail@flaky.example',
    });
    const now = new Date();
    expect(await ctx.notifications.drain(now)).toEqual({ sent: 2, failed: 1, bounced: 1 });

    const gone = await stored().findOne({ email: 'nobody@gone.example' });
    expect(gone?.bouncedAt).toBeInstanceOf(Date);
    // The reason is the reply's codes, without its text (which repeats the address).
    expect(gone?.bounceReason).toBe('550 5.1.1');
    expect(await stored().findOne({ email: 'later@busy.example' })).not.toHaveProperty('bouncedAt');
    const outboxEntry = await ctx.db.connection
      .collection('outbox_sent')
      .findOne({ _id: `survey-invitation:${String(gone?._id)}` as never });
    expect(outboxEntry).toMatchObject({ status: 'bounced', lastError: '550 5.1.1' });
    // The bounced email leaves the queue for good; the temporarily refused one waits.
    expect(await ctx.notifications.counts()).toMatchObject({ pending: 1, bounced: 1 });

    // The temporary refusal is retried as before, once its backoff has passed.
    smtp.accept('busy.example');
    expect(await ctx.notifications.drain(new Date(now.getTime() + 31_000))).toEqual({
      sent: 1,
      failed: 0,
      bounced: 0,
    });
    expect(smtp.to('later@busy.example')).toHaveLength(1);

    // A reminder refused for good marks its invitation bounced too.
    smtp.refuse('flaky.example');
    expect(await ctx.composition.surveys.remind(survey.id, { force: true })).toBe(3);
    expect(await ctx.notifications.drain(new Date(now.getTime() + 60_000))).toEqual({
      sent: 2,
      failed: 0,
      bounced: 1,
    });
    expect(await stored().findOne({ email: 'frail@flaky.example' })).toMatchObject({
      bounceReason: '550 5.1.1',
    });

    const list = await agent.get(`/manage/surveys/${survey.id}/invitations`);
    expect(list.text).toContain(
      '<td>nobody@gone.example</td><td>English</td><td>Bounced (address refused)</td>',
    );
    expect(list.text).toContain(
      '<td>frail@flaky.example</td><td>English</td><td>Bounced (address refused)</td>',
    );
    expect(list.text).toContain('<td>ok@fine.example</td><td>English</td><td>Sent</td>');
    expect(list.text).toContain('<option value="bounced">Bounced (address refused)</option>');
    // Counts: 4 invited, 2 bounced (the last column).
    expect(list.text).toMatch(
      /<tfoot><tr><th scope="row">Total<\/th><td class="number">4<\/td>(<td class="number">0<\/td>){3}<td class="number">2<\/td><\/tr><\/tfoot>/,
    );
    expect((await ctx.composition.surveys.invitationCounts(survey.id)).total).toEqual({
      invited: 4,
      opened: 0,
      started: 0,
      submitted: 0,
      bounced: 2,
    });
    const bounced = await agent.get(`/manage/surveys/${survey.id}/invitations?status=bounced`);
    expect(bounced.text).toContain('nobody@gone.example');
    expect(bounced.text).toContain('frail@flaky.example');
    expect(bounced.text).not.toContain('ok@fine.example');
    const sent = await agent.get(`/manage/surveys/${survey.id}/invitations?status=sent`);
    expect(sent.text).toContain('ok@fine.example');
    expect(sent.text).not.toContain('nobody@gone.example');

    // No reminders to bounced invitees, from the officer's button or the schedule.
    const later = new Date(now.getTime() + 8 * 24 * 3600_000);
    expect(await ctx.composition.surveys.remind(survey.id, { force: true, now: later })).toBe(2);
    await ctx.notifications.drain(later);
    expect(smtp.to('ok@fine.example')).toHaveLength(3);
    expect(smtp.to('nobody@gone.example')).toHaveLength(0);
    expect(smtp.to('frail@flaky.example')).toHaveLength(1);
    smtp.accept('gone.example');
    smtp.accept('flaky.example');
  });
});
