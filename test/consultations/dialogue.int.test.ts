import request from 'supertest';
import { buildTestApp, testConfig, type TestApp } from '../support/app';
import { createRoundAndConsultation } from '../support/factories/consultations';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { agentAs, textOf } from './helpers';
import { personFor, userAs } from '../support/sign-in';

const DAY = 24 * 3600 * 1000;

describe('two-way dialogue', () => {
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

  /** Posts a comment as `who` from the consultation page's form; returns the response. */
  async function comment(slug: string, who: string, body: string, extra: Record<string, string> = {}) {
    const agent = await agentAs(ctx, who);
    const page = await agent.get(`/consultations/${slug}`);
    const submissionId = /name="submissionId" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    return {
      agent,
      res: await agent.post(`/consultations/${slug}/comments`, { comment: body, submissionId, ...extra }),
    };
  }

  it('when a signed-in participant comments on an open consultation, then the comment shows as text under their name', async () => {
    const { consultation } = await createRoundAndConsultation(ctx);
    const { res } = await comment(
      consultation.slug,
      'participant:alice',
      'I <b>agree</b> <script>alert(1)</script>\nSecond line',
    );
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(
      new RegExp(`^/consultations/${consultation.slug}#comment-[0-9a-f]{24}$`),
    );
    const page = await request(ctx.app).get(`/consultations/${consultation.slug}`);
    expect(page.text).toContain(
      'I &lt;b&gt;agree&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;\nSecond line',
    );
    expect(page.text).not.toContain('<script>alert(1)');
    expect(textOf(page.text)).toContain('Alice Tremblay');
    expect(page.text).not.toContain('alice.participant@example.test');
  });

  it('when the same comment form is submitted twice, then one comment is stored', async () => {
    const { consultation } = await createRoundAndConsultation(ctx);
    const agent = await agentAs(ctx, 'participant:dup');
    const page = await agent.get(`/consultations/${consultation.slug}`);
    const submissionId = /name="submissionId" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const first = await agent.post(`/consultations/${consultation.slug}/comments`, {
      comment: 'Once',
      submissionId,
    });
    const second = await agent.post(`/consultations/${consultation.slug}/comments`, {
      comment: 'Once',
      submissionId,
    });
    expect(second.headers.location).toBe(first.headers.location);
    expect(await ctx.consultations.comments.listThreads(consultation.id)).toHaveLength(1);
  });

  it('when the comment is empty, then the page comes back with 422 and the error linked to the field', async () => {
    const { consultation } = await createRoundAndConsultation(ctx);
    const { res } = await comment(consultation.slug, 'participant:bob', '   ', { notifyReport: 'yes' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('href="#comment"');
    expect(res.text).toContain('Enter your comment');
    expect(res.text).toMatch(/id="notifyReport" name="notifyReport" value="yes" checked/);
  });

  it('when the consultation is closed or not yet open, then commenting is refused and the text is kept', async () => {
    const { consultation } = await createRoundAndConsultation(ctx, {
      consultation: { opensAt: new Date(Date.now() - 10 * DAY), closesAt: new Date(Date.now() - DAY) },
    });
    const page = await (await agentAs(ctx, 'participant:carol')).get(`/consultations/${consultation.slug}`);
    expect(page.text).not.toContain('id="comment-form"');
    expect(textOf(page.text)).toContain('Comments are closed.');
    const agent = await agentAs(ctx, 'participant:carol');
    await agent.get(`/consultations/${consultation.slug}`);
    const res = await agent.post(`/consultations/${consultation.slug}/comments`, {
      comment: 'Too late',
      submissionId: 'x1',
    });
    expect(res.status).toBe(410);
    expect(textOf(res.text)).toContain('This consultation is not open: comments are closed.');
    expect(res.text).toContain('href="#discussion"');
    expect(await ctx.consultations.comments.listThreads(consultation.id)).toHaveLength(0);
  });

  it('when an anonymous visitor views an open consultation, then they are invited to sign in to comment', async () => {
    const { consultation } = await createRoundAndConsultation(ctx);
    const res = await request(ctx.app).get(`/consultations/${consultation.slug}`);
    expect(res.text).not.toContain('id="comment-form"');
    expect(res.text).toContain(
      `href="/sign-in?returnTo=${encodeURIComponent(`/consultations/${consultation.slug}#comment-form`)}"`,
    );
    const post = await request(ctx.app)
      .post(`/consultations/${consultation.slug}/comments`)
      .type('form')
      .send('comment=x');
    expect([401, 403]).toContain(post.status);
  });

  it('when an officer replies officially, then the reply is marked as the organisation’s and the author is emailed once', async () => {
    const { consultation } = await createRoundAndConsultation(ctx);
    const { res } = await comment(consultation.slug, 'participant:dana', 'What about rural broadband?');
    const commentId = (res.headers.location as string).split('#comment-')[1] as string;
    const officer = await agentAs(ctx, 'officer');
    await officer.get(`/officer/comments/${commentId}`);
    const empty = await officer.post(`/officer/comments/${commentId}/reply`, {
      reply: '',
      submissionId: 'r0',
    });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('href="#reply"');
    const page = await officer.get(`/officer/comments/${commentId}`);
    const submissionId = /name="submissionId" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const reply = await officer.post(`/officer/comments/${commentId}/reply`, {
      reply: 'We will publish a plan & a timeline.',
      submissionId,
    });
    expect(reply.status).toBe(303);
    await officer.post(`/officer/comments/${commentId}/reply`, {
      reply: 'We will publish a plan & a timeline.',
      submissionId,
    });

    const publicPage = await request(ctx.app).get(`/consultations/${consultation.slug}`);
    const text = textOf(publicPage.text);
    expect(text).toContain(
      'Official reply from Treasury Board Secretariat We will publish a plan & a timeline.',
    );
    expect(publicPage.text).toMatch(/class="comment comment--official"/);

    await ctx.notifications.drain();
    const mails = smtp.to(personFor('participant:dana').email);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe(`Official reply to your comment on ${consultation.title.en}`);
    expect(mails[0]?.text).toContain('We will publish a plan & a timeline.');
    expect(mails[0]?.text).toContain('What about rural broadband?');
    expect(mails[0]?.text).toContain(
      `http://agora.test/consultations/${consultation.slug}#comment-${commentId}`,
    );
    expect(mails[0]?.html).toContain('We will publish a plan &amp; a timeline.');
  });

  it('when the comment author reads French, then the reply email is in French', async () => {
    const { consultation } = await createRoundAndConsultation(ctx);
    const agent = await agentAs(ctx, 'participant:elise', 'fr');
    const page = await agent.get(`/consultations/${consultation.slug}`);
    const submissionId = /name="submissionId" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const res = await agent.post(`/consultations/${consultation.slug}/comments`, {
      comment: 'Bonjour',
      submissionId,
    });
    const commentId = (res.headers.location as string).split('#comment-')[1] as string;
    await ctx.consultations.comments.replyOfficially({
      commentId,
      officer: await userAs(ctx, 'officer'),
      body: 'Merci de votre commentaire.',
      submissionId: 'fr-1',
    });
    await ctx.notifications.drain();
    const [mail] = smtp.to(personFor('participant:elise').email);
    expect(mail?.subject).toBe(`Réponse officielle à votre commentaire sur ${consultation.title.fr}`);
    expect(mail?.html).toContain('<html lang="fr">');
  });

  it('when an officer hides a comment, then the reason is shown in its place and its text is gone', async () => {
    const { consultation } = await createRoundAndConsultation(ctx);
    const { res } = await comment(consultation.slug, 'participant:fred', 'Call me at 613-555-0199');
    const commentId = (res.headers.location as string).split('#comment-')[1] as string;
    const officer = await agentAs(ctx, 'officer');
    await officer.get(`/officer/comments/${commentId}`);
    const noReason = await officer.post(`/officer/comments/${commentId}/hide`, { reason: '' });
    expect(noReason.status).toBe(422);
    expect(noReason.text).toContain('Choose a reason');
    const bogus = await officer.post(`/officer/comments/${commentId}/hide`, { reason: 'because' });
    expect(bogus.status).toBe(422);
    const hidden = await officer.post(`/officer/comments/${commentId}/hide`, {
      reason: 'personal_information',
    });
    expect(hidden.status).toBe(303);

    for (const [lang, reason] of [
      ['en', 'This comment was hidden by a moderator. Reason: Contains personal information'],
      [
        'fr',
        'Ce commentaire a été masqué par une personne modératrice. Motif : Contient des renseignements personnels',
      ],
    ]) {
      const page = await request(ctx.app)
        .get(`/consultations/${consultation.slug}`)
        .set('Accept-Language', lang as string);
      expect(textOf(page.text)).toContain(reason);
      expect(page.text).not.toContain('613-555-0199');
      expect(page.text).not.toContain('Fred Tremblay');
    }
    await officer.get(`/officer/comments/${commentId}`);
    expect((await officer.post(`/officer/comments/${commentId}/show`)).status).toBe(303);
    expect((await request(ctx.app).get(`/consultations/${consultation.slug}`)).text).toContain(
      '613-555-0199',
    );
  });

  it('when an officer views the discussion, then each comment links to its moderation page', async () => {
    const { consultation } = await createRoundAndConsultation(ctx);
    const { res } = await comment(consultation.slug, 'participant:gina', 'Hello');
    const commentId = (res.headers.location as string).split('#comment-')[1] as string;
    const officerPage = await (await agentAs(ctx, 'officer')).get(`/consultations/${consultation.slug}`);
    expect(officerPage.text).toContain(`href="/officer/comments/${commentId}"`);
    const participantPage = await (
      await agentAs(ctx, 'participant:gina')
    ).get(`/consultations/${consultation.slug}`);
    expect(participantPage.text).not.toContain('/officer/comments/');
  });

  it('when someone posts many comments in a few minutes, then the next is refused with 429 and the text kept', async () => {
    const { consultation } = await createRoundAndConsultation(ctx);
    for (let i = 0; i < 10; i += 1) {
      const { res } = await comment(consultation.slug, 'participant:chatty', `Comment ${i}`);
      expect(res.status).toBe(303);
    }
    const { res } = await comment(consultation.slug, 'participant:chatty', 'One more');
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('600');
    expect(textOf(res.text)).toContain('Wait a few minutes before posting again.');
    expect(res.text).toContain('One more</textarea>');
  });

  it('when a moderation route names an unknown comment, then it is 404', async () => {
    const officer = await agentAs(ctx, 'officer');
    expect((await officer.get('/officer/comments/64b7f0000000000000000000')).status).toBe(404);
    expect((await officer.get('/officer/comments/not-an-id')).status).toBe(404);
  });
});
