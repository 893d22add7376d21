import request from 'supertest';
import { type TestApp, startAppWithSmtp, closeAppWithSmtp } from '../support/app';
import { createRoundAndConsultation } from '../support/factories/consultations';
import { agentAs, signInAs, userAs } from '../support/sign-in';
import { type TestSmtpServer } from '../support/smtp';
import { textOf } from '../consultations/helpers';

/** Deleting an account reaches the other modules: what they hold about the person goes too. */
describe('deleting an account, across modules', () => {
  let ctx: TestApp;
  let smtp: TestSmtpServer;

  beforeAll(async () => ({ ctx, smtp } = await startAppWithSmtp()));
  afterAll(() => closeAppWithSmtp(ctx, smtp));

  it('when a participant who commented and followed deletes their account, then their name leaves the page and no email reaches them', async () => {
    const { consultation } = await createRoundAndConsultation(ctx);
    const { agent, user } = await signInAs(ctx, { name: 'Zoé Lavoie', email: 'zoe.lavoie@example.ca' });
    const page = await agent.get(`/consultations/${consultation.slug}`);
    const submissionId = /name="submissionId" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const posted = await agent.post(`/consultations/${consultation.slug}/comments`, {
      comment: 'More bike lanes, please.',
      submissionId,
      notifyReport: 'yes',
    });
    expect(posted.status).toBe(303);
    const commentId = (posted.headers.location as string).split('#comment-')[1] as string;
    await agent.get(`/consultations/${consultation.slug}`);
    expect((await agent.post(`/consultations/${consultation.slug}/follow`)).status).toBe(303);
    expect(textOf((await request(ctx.app).get(`/consultations/${consultation.slug}`)).text)).toContain(
      'Zoé Lavoie',
    );

    await agent.get('/profile/delete');
    expect((await agent.post('/profile/delete', { password: user.password })).status).toBe(303);

    // The comment stays, without the name.
    const after = textOf((await request(ctx.app).get(`/consultations/${consultation.slug}`)).text);
    expect(after).toContain('More bike lanes, please.');
    expect(after).toContain('A participant who has since deleted their account');
    expect(after).not.toContain('Zoé Lavoie');
    const french = await request(ctx.app)
      .get(`/consultations/${consultation.slug}`)
      .set('Accept-Language', 'fr');
    expect(textOf(french.text)).toContain('Une personne qui a depuis supprimé son compte');
    // The moderation page does not show the name either.
    const officer = await agentAs(ctx, 'officer');
    expect(textOf((await officer.get(`/officer/comments/${commentId}`)).text)).not.toContain('Zoé Lavoie');

    // An official reply, the closing and the report emails: none goes to the deleted account.
    await ctx.consultations.comments.replyOfficially({
      commentId,
      officer: await userAs(ctx, 'officer'),
      body: 'Thank you.',
      submissionId: 'deleted-reply-1',
    });
    await ctx.consultations.consultations.closeConsultationNow(consultation.id, await userAs(ctx, 'officer'));
    await ctx.consultations.notices.runScheduledNotifications(new Date());
    await ctx.notifications.drain();
    expect(smtp.to('zoe.lavoie@example.ca').map((m) => m.subject)).toEqual([]);
    expect(
      await ctx.db.connection.collection('consultation_comments').countDocuments({ authorEmail: user.email }),
    ).toBe(0);
  });
});
