import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import { createRoundAndConsultation } from '../support/factories/consultations';
import { agentAs, textOf } from './helpers';

describe('officer moderation queue, reports and footer pages', () => {
  let ctx: TestApp;

  beforeAll(async () => {
    ctx = await buildTestApp();
    await ctx.consultations.init();
  });
  afterAll(() => ctx.close());

  const person = (id: string, roles: string[] = ['participant']) => ({
    id,
    email: `${id}@example.test`,
    name: `Name ${id}`,
    roles: roles as never,
    locale: 'en' as const,
    profile: {},
  });

  it('when comments are waiting, reported, replied to or hidden, then the queue filters them and links to moderation', async () => {
    const { consultation } = await createRoundAndConsultation(ctx);
    const { consultation: other } = await createRoundAndConsultation(ctx);
    const { comments } = ctx.consultations;
    const post = (body: string, c = consultation, who = 'author1') =>
      comments.postComment({ consultation: c, user: person(who), body, submissionId: `${body}-id` });
    const waiting = await post('Waiting for an answer');
    const answered = await post('Please answer me');
    const rude = await post('Rude words here');
    const elsewhere = await post('On the other consultation', other, 'author2');
    await comments.replyOfficially({
      commentId: answered.id,
      officer: person('officer1', ['officer']),
      body: 'Here is our answer.',
      submissionId: 'reply-1',
    });
    await comments.hideComment({
      commentId: rude.id,
      officer: person('officer1', ['officer']),
      reason: 'offensive',
    });

    // a participant reports a comment from the public page (a plain form: no JavaScript needed)
    const participant = await agentAs(ctx, 'participant:reporter');
    const page = await participant.get(`/consultations/${consultation.slug}`);
    expect(page.text).toContain(`action="/consultations/${consultation.slug}/comments/${waiting.id}/report"`);
    const reported = await participant.post(
      `/consultations/${consultation.slug}/comments/${waiting.id}/report`,
    );
    expect(reported.status).toBe(303);
    const after = await participant.get(reported.headers.location as string);
    expect(textOf(after.text)).toContain('Thank you: the moderators will look at this comment.');
    // reporting twice counts once
    await participant.post(`/consultations/${consultation.slug}/comments/${waiting.id}/report`);
    // a comment cannot be reported through another consultation's address
    expect(
      (await participant.post(`/consultations/${other.slug}/comments/${waiting.id}/report`)).status,
    ).toBe(404);

    const officer = await agentAs(ctx, 'officer');
    expect(textOf((await officer.get('/officer')).text)).toContain('Moderation queue');
    const pending = textOf((await officer.get('/officer/moderation')).text);
    expect(pending).toContain('Waiting for a reply, page 1');
    expect(pending).toContain('Waiting for an answer');
    expect(pending).toContain('On the other consultation');
    expect(pending).not.toContain('Please answer me');
    expect(pending).not.toContain('Rude words here');

    const onlyOne = await officer.get(`/officer/moderation?status=pending&consultation=${consultation.id}`);
    expect(textOf(onlyOne.text)).not.toContain('On the other consultation');
    expect(onlyOne.text).toContain(`href="/officer/comments/${waiting.id}"`);

    const reportedList = textOf((await officer.get('/officer/moderation?status=reported')).text);
    expect(reportedList).toContain('Waiting for an answer');
    expect(reportedList).toContain('Reported 1 time');
    expect(reportedList).not.toContain('On the other consultation');

    const replied = textOf((await officer.get('/officer/moderation?status=replied')).text);
    expect(replied).toContain('Please answer me');
    expect(replied).not.toContain('Waiting for an answer');
    const hidden = textOf((await officer.get('/officer/moderation?status=hidden')).text);
    expect(hidden).toContain('Rude words here');
    expect(hidden).toContain('Hidden');

    // unknown filters fall back to the defaults instead of failing
    expect((await officer.get('/officer/moderation?status=nope&consultation=zzz&page=-3')).status).toBe(200);
    // the queue is for staff only
    expect((await participant.get('/officer/moderation')).status).toBe(403);
    await officer.agent.get('/?lang=fr');
    expect(textOf((await officer.get('/officer/moderation')).text)).toContain(
      'En attente de réponse, page 1',
    );
    void elsewhere;
  });

  it('when there are more comments than a page holds, then the queue pages through them', async () => {
    const { consultation } = await createRoundAndConsultation(ctx);
    for (let i = 0; i < 27; i += 1) {
      await ctx.consultations.comments.postComment({
        consultation,
        user: person(`many${i % 3}`),
        body: `Numbered comment ${i}`,
        submissionId: `many-${i}`,
      });
    }
    const officer = await agentAs(ctx, 'officer');
    const first = await officer.get(`/officer/moderation?consultation=${consultation.id}`);
    expect(first.text.match(/class="moderation-queue__item"/g)).toHaveLength(25);
    expect(first.text).toContain('rel="next"');
    const next = /href="([^"]+)" rel="next"/.exec(first.text)?.[1]?.replace(/&amp;/g, '&') as string;
    const second = await officer.get(next);
    expect(second.text.match(/class="moderation-queue__item"/g)).toHaveLength(2);
    expect(second.text).toContain('rel="prev"');
    expect(second.text).not.toContain('rel="next"');
  });

  it('when any page is shown, then the footer links to privacy, accessibility, contact and open data, in both languages', async () => {
    const home = await request(ctx.app).get('/');
    for (const href of ['/privacy', '/accessibility', '/contact', '/open-data']) {
      expect(home.text).toContain(`href="${href}"`);
    }
    const en = await request(ctx.app).get('/accessibility');
    expect(en.status).toBe(200);
    expect(en.text).toContain('<h1>Accessibility statement</h1>');
    expect(en.text).toContain('WCAG) 2.1 at level AA');
    const fr = await request(ctx.app).get('/accessibility').set('Accept-Language', 'fr');
    expect(fr.text).toContain('<h1>Énoncé d’accessibilité</h1>');
    expect(fr.text).toContain('Énoncé d’accessibilité</a>');
    const contact = await request(ctx.app).get('/contact').set('Accept-Language', 'fr');
    expect(contact.text).toContain('<h1>Nous joindre</h1>');
  });
});
