import request from 'supertest';
import { apaDate } from '../../src/modules/consultations/citation';
import { buildTestApp, type TestApp } from '../support/app';
import {
  createConsultationIn,
  createRound,
  createRoundAndConsultation,
} from '../support/factories/consultations';
import { agentAs, textOf } from './helpers';

const DAY = 24 * 3600 * 1000;

describe('public consultation pages', () => {
  let ctx: TestApp;

  beforeAll(async () => {
    ctx = await buildTestApp();
    await ctx.consultations.init();
  });
  afterAll(() => ctx.close());

  it('when consultations are open, then the home page lists those closing soon apart from the others', async () => {
    await createRoundAndConsultation(ctx, {
      consultation: {
        title: { en: 'Closing tomorrow', fr: 'Se termine demain' },
        closesAt: new Date(Date.now() + DAY / 2),
      },
    });
    await createRoundAndConsultation(ctx, {
      consultation: {
        title: { en: 'Open for long', fr: 'Ouverte longtemps' },
        closesAt: new Date(Date.now() + 60 * DAY),
      },
    });
    await createRoundAndConsultation(ctx, {
      consultation: { title: { en: 'Still a draft', fr: 'Encore une ébauche' } },
      publication: 'draft',
    });
    const home = textOf((await request(ctx.app).get('/')).text);
    const soon = home.indexOf('Closing in the next 14 days');
    const openNow = home.indexOf('Open now');
    expect(soon).toBeGreaterThan(-1);
    expect(home.indexOf('Closing tomorrow')).toBeGreaterThan(soon);
    expect(home.indexOf('Closing tomorrow')).toBeLessThan(openNow);
    expect(home.indexOf('Open for long')).toBeGreaterThan(openNow);
    expect(home).toContain('1 day left');
    expect(home).not.toContain('Still a draft');

    const accueil = await request(ctx.app).get('/').set('Accept-Language', 'fr');
    expect(textOf(accueil.text)).toContain('Se termine demain');
    expect(textOf(accueil.text)).toContain('Ouvertes en ce moment');
    expect(textOf(accueil.text)).toContain('Il reste 1 jour');
  });

  describe('listing', () => {
    let roundSlug: string;
    beforeAll(async () => {
      const round = await createRound(ctx, { title: { en: 'Listing round', fr: 'Cycle de la liste' } });
      roundSlug = round.slug;
      for (let i = 1; i <= 12; i += 1) {
        await createConsultationIn(ctx, round.id, {
          consultation: {
            title: { en: `Listed health topic ${i}`, fr: `Sujet santé listé ${i}` },
            themes: ['health'],
            opensAt: new Date(Date.now() - i * DAY),
          },
        });
      }
      await createConsultationIn(ctx, round.id, {
        consultation: {
          title: { en: 'Listed environment (closed)', fr: 'Environnement listé (fermée)' },
          themes: ['environment'],
          opensAt: new Date(Date.now() - 40 * DAY),
          closesAt: new Date(Date.now() - 20 * DAY),
        },
      });
    });

    it('when filtered by round, then results are paginated ten to a page with working links', async () => {
      const first = await request(ctx.app).get(`/consultations?round=${roundSlug}`);
      const text = textOf(first.text);
      expect(text).toContain('13 consultations');
      expect((first.text.match(/class="consultation-card"/g) ?? []).length).toBe(10);
      expect(first.text).toContain(`href="/consultations?round=${roundSlug}&amp;page=2" rel="next"`);
      const second = await request(ctx.app).get(`/consultations?round=${roundSlug}&page=2`);
      expect((second.text.match(/class="consultation-card"/g) ?? []).length).toBe(3);
      expect(second.text).toContain('aria-current="page"');
    });

    it('when filtered by status and theme, then only matching consultations are listed', async () => {
      const closed = textOf(
        (await request(ctx.app).get(`/consultations?round=${roundSlug}&status=closed`)).text,
      );
      expect(closed).toContain('1 consultation');
      expect(closed).toContain('Listed environment (closed)');
      const health = textOf(
        (await request(ctx.app).get(`/consultations?round=${roundSlug}&theme=health&status=open`)).text,
      );
      expect(health).toContain('12 consultations');
      expect(health).not.toContain('Listed environment');
    });

    it('when searching, then the search is case-insensitive, in the page language, and literal', async () => {
      const en = textOf((await request(ctx.app).get('/consultations?q=HEALTH+TOPIC+1')).text);
      expect(en).toContain('Listed health topic 1');
      expect(en).toContain('Listed health topic 12');
      expect(en).toContain('4 consultations'); // 1, 10, 11, 12
      const fr = await request(ctx.app)
        .get('/consultations?q=sant%C3%A9+list%C3%A9+12')
        .set('Accept-Language', 'fr');
      expect(textOf(fr.text)).toContain('Sujet santé listé 12');
      expect(textOf(fr.text)).toContain('1 consultation');
      const regex = textOf((await request(ctx.app).get('/consultations?q=.*')).text);
      expect(regex).toContain('0 consultations');
    });

    it('when filters are unknown or malformed, then the listing still answers and ignores them', async () => {
      const res = await request(ctx.app).get('/consultations?status=bogus&theme=%24ne&page=-3&round[x]=1');
      expect(res.status).toBe(200);
      const escaped = await request(ctx.app).get('/consultations?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
      expect(escaped.text).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
      expect(escaped.text).not.toContain('<script>alert(1)');
    });

    it('when an anonymous visitor asks for drafts, then none are listed', async () => {
      const res = textOf((await request(ctx.app).get('/consultations?status=draft')).text);
      expect(res).not.toContain('Still a draft');
    });
  });

  describe('consultation page', () => {
    it('when a consultation body holds markup and scripts, then it is sanitised and the title is text', async () => {
      const { consultation, round } = await createRoundAndConsultation(ctx, {
        consultation: {
          title: { en: 'Plan <img src=x onerror=alert(1)>', fr: 'Plan <img src=x onerror=alert(1)>' },
          body: {
            en: '## Why\n\n<script>alert(1)</script>\n\n[bad](javascript:alert(1)) and [good](https://canada.ca)',
            fr: '## Pourquoi\n\nTexte.',
          },
        },
      });
      const res = await request(ctx.app).get(`/consultations/${consultation.slug}`);
      expect(res.status).toBe(200);
      expect(res.text).not.toMatch(/<script>alert|<img src=x|href="javascript:/i);
      expect(res.text).toContain('Plan &lt;img src=x onerror=alert(1)&gt;');
      expect(res.text).toContain('<h2>Why</h2>');
      expect(res.text).toContain('<a href="https://canada.ca" rel="nofollow noopener">good</a>');
      // The feeds are advertised, globally and for the round.
      expect(res.text).toContain('<link rel="alternate" type="application/rss+xml"');
      expect(res.text).toContain(`href="/feeds/rounds/${round.slug}/en.atom"`);
    });

    it('when the page is shown, then dates, lead organisation, how to take part and a citation are given', async () => {
      const { consultation } = await createRoundAndConsultation(ctx);
      const text = textOf((await request(ctx.app).get(`/consultations/${consultation.slug}`)).text);
      expect(text).toContain('Treasury Board Secretariat');
      expect(text).toContain('How to take part');
      expect(text).toContain('No questionnaire is attached to this consultation.');
      expect(text).toContain('Cite this page');
      // Dated by its publication, in full (see dates-citations.int.test.ts for the formats).
      const date = apaDate(consultation.publishedAt as Date, 'en');
      expect(text).toContain(
        `Treasury Board Secretariat. (${date}). ${consultation.title.en} [Consultation]. Agora. http://agora.test/consultations/${consultation.slug}`,
      );
      const fr = textOf(
        (await request(ctx.app).get(`/consultations/${consultation.slug}`).set('Accept-Language', 'fr')).text,
      );
      expect(fr).toContain('Secrétariat du Conseil du Trésor');
      expect(fr).toContain('Comment participer');
      expect(fr).toContain('Citer cette page');
    });

    it('when a consultation does not exist, then the answer is 404', async () => {
      expect((await request(ctx.app).get('/consultations/no-such-thing')).status).toBe(404);
      expect((await request(ctx.app).get('/rounds/no-such-round')).status).toBe(404);
    });
  });

  it('when anyone, signed in or not, opens the public pages, then each answers 200', async () => {
    const { round, consultation } = await createRoundAndConsultation(ctx, {
      consultation: { opensAt: new Date(Date.now() - 10 * DAY), closesAt: new Date(Date.now() - DAY) },
    });
    await ctx.consultations.reports.publishReport(
      consultation.id,
      {
        introduction: { en: 'Intro', fr: 'Intro' },
        themes: [
          { title: { en: 'T', fr: 'T' }, heard: { en: 'H', fr: 'H' }, response: { en: 'R', fr: 'R' } },
        ],
      },
      { id: 'o', roles: ['officer'] },
    );
    const paths = [
      '/',
      '/consultations',
      `/consultations/${consultation.slug}`,
      `/consultations/${consultation.slug}/report`,
      '/rounds',
      `/rounds/${round.slug}`,
      '/feeds/consultations/en.rss',
      `/feeds/rounds/${round.slug}/fr.ics`,
      '/api/v1/consultations',
      `/api/v1/consultations/${consultation.slug}`,
      '/api/v1/openapi.json',
    ];
    for (const who of ['', 'participant', 'analyst', 'officer', 'admin']) {
      for (const path of paths) {
        const res = await (await agentAs(ctx, who)).get(path);
        expect({ who, path, status: res.status }).toEqual({ who, path, status: 200 });
      }
    }
  });

  it('when an anonymous visitor posts to follow, unfollow or comment, then nothing is recorded', async () => {
    const { round, consultation } = await createRoundAndConsultation(ctx);
    // Anonymous visitors have no form token either: refused with 401 (sign in) or 403 (no token), never a write.
    for (const path of [
      `/consultations/${consultation.slug}/follow`,
      `/consultations/${consultation.slug}/unfollow`,
      `/consultations/${consultation.slug}/comments`,
      `/rounds/${round.slug}/follow`,
    ]) {
      const res = await request(ctx.app).post(path).type('form').send('comment=x');
      expect([401, 403]).toContain(res.status);
    }
    expect(await ctx.consultations.comments.listThreads(consultation.id)).toHaveLength(0);
  });

  describe('rounds', () => {
    it('when a round is public, then its page lists its published consultations only', async () => {
      const { round, consultation } = await createRoundAndConsultation(ctx);
      const draft = await createConsultationIn(ctx, round.id, {
        consultation: { title: { en: 'Round draft', fr: 'Ébauche du cycle' } },
        publication: 'draft',
      });
      const text = textOf((await request(ctx.app).get(`/rounds/${round.slug}`)).text);
      expect(text).toContain(round.title.en);
      expect(text).toContain(consultation.title.en);
      expect(text).not.toContain(draft.title.en);
      const staff = textOf((await (await agentAs(ctx, 'officer')).get(`/rounds/${round.slug}`)).text);
      expect(staff).toContain(draft.title.en);
      const all = textOf((await request(ctx.app).get('/rounds')).text);
      expect(all).toContain(round.title.en);
    });

    it('when a round is a draft, then it is 404 to the public and visible to staff', async () => {
      const round = await createRound(ctx, { status: 'draft' });
      expect((await request(ctx.app).get(`/rounds/${round.slug}`)).status).toBe(404);
      expect((await (await agentAs(ctx, 'participant')).get(`/rounds/${round.slug}`)).status).toBe(404);
      expect((await (await agentAs(ctx, 'analyst')).get(`/rounds/${round.slug}`)).status).toBe(200);
      expect(textOf((await request(ctx.app).get('/rounds')).text)).not.toContain(round.title.en);
    });
  });
});
