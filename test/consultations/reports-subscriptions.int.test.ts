import request from 'supertest';
import { buildTestApp, testConfig, type TestApp } from '../support/app';
import {
  createConsultationIn,
  createRound,
  createRoundAndConsultation,
} from '../support/factories/consultations';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { agentAs, textOf } from './helpers';
import { personFor, userAs } from '../support/sign-in';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

function reportForm(overrides: Record<string, string> = {}) {
  return {
    rows: '2',
    introductionEn: 'We heard from **1,200** people.',
    introductionFr: 'Nous avons entendu **1 200** personnes.',
    themeTitleEn_0: 'Open data',
    themeTitleFr_0: 'Données ouvertes',
    themeHeardEn_0: 'People want more datasets.',
    themeHeardFr_0: 'Les gens veulent plus de jeux de données.',
    themeResponseEn_0: 'We will release 50 datasets.',
    themeResponseFr_0: 'Nous publierons 50 jeux de données.',
    themeTitleEn_1: '',
    themeTitleFr_1: '',
    themeHeardEn_1: '',
    themeHeardFr_1: '',
    themeResponseEn_1: '',
    themeResponseFr_1: '',
    ...overrides,
  };
}

describe('"what we heard" reports and subscriptions', () => {
  let smtp: TestSmtpServer;
  let ctx: TestApp;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    ctx = await buildTestApp({
      config: testConfig({ SMTP_URL: smtp.url, MAIL_FROM: 'Agora <no-reply@agora.test>' }),
    });
    await ctx.consultations.init();
  });
  afterAll(async () => {
    await ctx.close();
    await smtp.close();
  });

  async function follow(who: string, path: string, lang: 'en' | 'fr' = 'en') {
    const agent = await agentAs(ctx, who, lang);
    await agent.get(path);
    const res = await agent.post(`${path}/follow`);
    expect(res.status).toBe(303);
    return agent;
  }

  it('when the consultation is still open, then the report can be drafted but not published', async () => {
    const { consultation } = await createRoundAndConsultation(ctx);
    const officer = await agentAs(ctx, 'officer');
    await officer.get(`/officer/consultations/${consultation.id}/report`);
    const res = await officer.post(`/officer/consultations/${consultation.id}/report`, {
      ...reportForm(),
      action: 'publish',
    });
    expect(res.status).toBe(422);
    expect(textOf(res.text)).toContain('The report can be published only after the consultation closes.');
    const saved = await officer.post(`/officer/consultations/${consultation.id}/report`, {
      ...reportForm(),
      action: 'save',
    });
    expect(saved.status).toBe(303);
    expect((await request(ctx.app).get(`/consultations/${consultation.slug}/report`)).status).toBe(404);
  });

  it('when a report lacks French texts, then publishing lists each missing field and keeps the values', async () => {
    const { consultation } = await createRoundAndConsultation(ctx, {
      consultation: { opensAt: new Date(Date.now() - 10 * DAY), closesAt: new Date(Date.now() - DAY) },
    });
    const officer = await agentAs(ctx, 'officer');
    await officer.get(`/officer/consultations/${consultation.id}/report`);
    const res = await officer.post(`/officer/consultations/${consultation.id}/report`, {
      ...reportForm({ introductionFr: '', themeResponseFr_0: '' }),
      action: 'publish',
    });
    expect(res.status).toBe(422);
    const text = textOf(res.text);
    expect(text).toContain('Introduction in French is missing');
    expect(text).toContain('Theme 1: our response in French is missing');
    expect(res.text).toContain('href="#themeResponseFr_0"');
    expect(res.text).toContain('We will release 50 datasets.</textarea>');
    const more = await officer.post(`/officer/consultations/${consultation.id}/report`, {
      ...reportForm(),
      action: 'addTheme',
    });
    expect(more.status).toBe(200);
    expect(more.text).toContain('id="themeTitleEn_2"');
  });

  it('when the report is published, then followers, round followers and opted-in participants get one email each', async () => {
    const round = await createRound(ctx);
    const consultation = await createConsultationIn(ctx, round.id);
    // A follower of the consultation, a follower of the round (in French), someone who follows both,
    // and a participant who ticked "email me when the report is published" with their comment.
    await follow('participant:follower', `/consultations/${consultation.slug}`);
    await follow('participant:roundfan', `/rounds/${round.slug}`, 'fr');
    await follow('participant:both', `/consultations/${consultation.slug}`);
    await follow('participant:both', `/rounds/${round.slug}`);
    const commenter = await agentAs(ctx, 'participant:optin');
    const page = await commenter.get(`/consultations/${consultation.slug}`);
    const submissionId = /name="submissionId" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    await commenter.post(`/consultations/${consultation.slug}/comments`, {
      comment: 'My view',
      submissionId,
      notifyReport: 'yes',
    });

    await ctx.consultations.consultations.closeConsultationNow(consultation.id, await userAs(ctx, 'officer'));
    const officer = await agentAs(ctx, 'officer');
    await officer.get(`/officer/consultations/${consultation.id}/report`);
    const published = await officer.post(`/officer/consultations/${consultation.id}/report`, {
      ...reportForm({ themeHeardEn_0: 'People want <script>alert(1)</script> datasets.' }),
      action: 'publish',
    });
    expect(published.status).toBe(303);
    expect(published.headers.location).toBe(`/consultations/${consultation.slug}/report`);
    // Publishing again (an update) sends nothing more.
    await officer.get(`/officer/consultations/${consultation.id}/report`);
    await officer.post(`/officer/consultations/${consultation.id}/report`, {
      ...reportForm(),
      action: 'publish',
    });

    const reportPage = await request(ctx.app).get(`/consultations/${consultation.slug}/report`);
    expect(reportPage.status).toBe(200);
    const text = textOf(reportPage.text);
    expect(text).toContain('What we heard');
    expect(text).toContain('Our response We will release 50 datasets.');
    expect(reportPage.text).toContain('<strong>1,200</strong>');
    expect(reportPage.text).not.toContain('<script>alert(1)');
    expect(text).toContain(
      `What we heard: ${consultation.title.en} [Report]. Agora. http://agora.test/consultations/${consultation.slug}/report`,
    );
    const frPage = textOf(
      (await request(ctx.app).get(`/consultations/${consultation.slug}/report`).set('Accept-Language', 'fr'))
        .text,
    );
    expect(frPage).toContain('Notre réponse Nous publierons 50 jeux de données.');
    expect(textOf((await request(ctx.app).get(`/consultations/${consultation.slug}`)).text)).toContain(
      'Read what we heard',
    );

    await ctx.notifications.drain();
    for (const who of ['participant:follower', 'participant:both', 'participant:optin']) {
      const mails = smtp.to(personFor(who).email).filter((m) => m.subject?.startsWith('What we heard'));
      expect({ who, count: mails.length }).toEqual({ who, count: 1 });
      expect(mails[0]?.text).toContain(`http://agora.test/consultations/${consultation.slug}/report`);
      const list = mails[0]?.headers.get('list') as { unsubscribe?: { url?: string } } | undefined;
      expect(list?.unsubscribe?.url).toMatch(/^http:\/\/agora\.test\/unsubscribe\/[0-9a-f]{24}\.[\w-]+$/);
    }
    const [french] = smtp.to(personFor('participant:roundfan').email);
    expect(french?.subject).toBe(`Ce que nous avons entendu\u00a0: ${consultation.title.fr}`);
  });

  it('when the unsubscribe link is followed, then no more emails come, and the page offers to undo it', async () => {
    const { consultation } = await createRoundAndConsultation(ctx, {
      consultation: { opensAt: new Date(Date.now() - 10 * DAY), closesAt: new Date(Date.now() + HOUR) },
    });
    await follow('participant:leaver', `/consultations/${consultation.slug}`);
    await ctx.consultations.notices.runScheduledNotifications(new Date());
    await ctx.notifications.drain();
    const [closing] = smtp.to(personFor('participant:leaver').email);
    expect(closing?.subject).toBe(`Closing soon: ${consultation.title.en}`);
    const link = /(http:\/\/agora\.test\/unsubscribe\/\S+)/.exec(closing?.text ?? '')?.[1] as string;
    const path = link.replace('http://agora.test', '');

    const forged = await request(ctx.app).get(path.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')));
    expect(forged.status).toBe(404);
    // Opening the link (a mail scanner does) changes nothing: the page asks, and its button unsubscribes.
    const page = await request(ctx.app).get(path);
    expect(page.status).toBe(200);
    expect(textOf(page.text)).toContain('Stop these emails?');
    expect(page.text).toContain(`<form method="post" action="${path}">`);
    expect(
      await ctx.consultations.subscriptions.isFollowing({
        targetType: 'consultation',
        targetId: consultation.id,
        email: personFor('participant:leaver').email,
      }),
    ).toBe(true);
    const confirmed = await request(ctx.app).post(path);
    expect(confirmed.status).toBe(200);
    expect(textOf(confirmed.text)).toContain(
      `We will no longer email ${personFor('participant:leaver').email}`,
    );
    expect(textOf((await request(ctx.app).get(path)).text)).toContain('You are unsubscribed');

    await ctx.consultations.notices.runScheduledNotifications(new Date(Date.now() + 2 * HOUR));
    await ctx.notifications.drain();
    expect(smtp.to(personFor('participant:leaver').email)).toHaveLength(1);

    // Mail clients unsubscribe with a POST and no session (RFC 8058): the signed link is enough.
    const oneClick = await request(ctx.app).post(path).type('form').send('List-Unsubscribe=One-Click');
    expect(oneClick.status).toBe(200);

    const agent = await agentAs(ctx, '');
    await agent.get(path);
    const undone = await agent.post(`${path}/undo`);
    expect(undone.status).toBe(200);
    expect(textOf(undone.text)).toContain('You are subscribed again');
    expect(
      await ctx.consultations.subscriptions.isFollowing({
        targetType: 'consultation',
        targetId: consultation.id,
        email: personFor('participant:leaver').email,
      }),
    ).toBe(true);
  });

  it('when the scheduled job runs through a consultation’s life, then followers hear of opening, closing soon and closing once each', async () => {
    const now = Date.now();
    const round = await createRound(ctx);
    const consultation = await createConsultationIn(ctx, round.id, {
      consultation: { opensAt: new Date(now + DAY), closesAt: new Date(now + 5 * DAY) },
    });
    await follow('participant:watcher', `/rounds/${round.slug}`);
    const email = personFor('participant:watcher').email;
    const run = async (at: number) => {
      await ctx.consultations.notices.runScheduledNotifications(new Date(at));
      await ctx.consultations.notices.runScheduledNotifications(new Date(at)); // twice: idempotent
      await ctx.notifications.drain();
      return smtp.to(email).map((m) => m.subject);
    };
    expect(await run(now)).toEqual([]);
    expect(await run(now + DAY + HOUR)).toEqual([`Now open: ${consultation.title.en}`]);
    expect(await run(now + 2 * DAY)).toHaveLength(1);
    expect(await run(now + 4 * DAY)).toEqual([
      `Now open: ${consultation.title.en}`,
      `Closing soon: ${consultation.title.en}`,
    ]);
    expect(await run(now + 5 * DAY + HOUR)).toEqual([
      `Now open: ${consultation.title.en}`,
      `Closing soon: ${consultation.title.en}`,
      `Closed: ${consultation.title.en}`,
    ]);
    expect(await run(now + 6 * DAY)).toHaveLength(3);
  });

  it('when a signed-in user follows and stops following, then the page says so; anonymous users are asked to sign in', async () => {
    const { consultation } = await createRoundAndConsultation(ctx);
    const agent = await follow('participant:toggle', `/consultations/${consultation.slug}`);
    const following = await agent.get(`/consultations/${consultation.slug}`);
    expect(textOf(following.text)).toContain('You follow this consultation');
    expect((await agent.post(`/consultations/${consultation.slug}/unfollow`)).status).toBe(303);
    expect(textOf((await agent.get(`/consultations/${consultation.slug}`)).text)).toContain('Follow');
    const anonymous = await request(ctx.app).get(`/consultations/${consultation.slug}`);
    expect(textOf(anonymous.text)).toContain('Sign in to follow and get emails');
  });

  it('when the unsubscribe token is malformed, then the answer is 404', async () => {
    expect((await request(ctx.app).get('/unsubscribe/nonsense')).status).toBe(404);
    expect((await request(ctx.app).get('/unsubscribe/64b7f0000000000000000000.abc')).status).toBe(404);
  });
});
