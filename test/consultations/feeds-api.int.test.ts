import { XMLParser, XMLValidator } from 'fast-xml-parser';
import ical, { type VEvent } from 'node-ical';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import { createConsultationIn, createRound, FACTORY_OFFICER } from '../support/factories/consultations';

const DAY = 24 * 3600 * 1000;
const parser = new XMLParser({
  ignoreAttributes: false,
  isArray: (name) => name === 'item' || name === 'entry',
});

describe('feeds, calendar and JSON API', () => {
  let ctx: TestApp;
  let roundSlug: string;
  let openSlug: string;
  let closedSlug: string;

  beforeAll(async () => {
    ctx = await buildTestApp();
    await ctx.consultations.init();
    const round = await createRound(ctx, { title: { en: 'Feeds & "round"', fr: 'Cycle des fils' } });
    roundSlug = round.slug;
    const open = await createConsultationIn(ctx, round.id, {
      consultation: {
        title: { en: 'Open <data> & you', fr: 'Données <ouvertes> et vous' },
        themes: ['open_data'],
        closesAt: new Date(Date.now() + DAY),
      },
    });
    openSlug = open.slug;
    const closed = await createConsultationIn(ctx, round.id, {
      consultation: {
        title: { en: 'Closed health talk', fr: 'Discussion santé fermée' },
        themes: ['health'],
        opensAt: new Date(Date.now() - 30 * DAY),
        closesAt: new Date(Date.now() - 2 * DAY),
      },
    });
    closedSlug = closed.slug;
    await ctx.consultations.reports.publishReport(
      closed.id,
      {
        introduction: { en: 'Intro', fr: 'Intro' },
        themes: [
          { title: { en: 'T', fr: 'T' }, heard: { en: 'H', fr: 'H' }, response: { en: 'R', fr: 'R' } },
        ],
      },
      FACTORY_OFFICER,
    );
    await createConsultationIn(ctx, round.id, {
      consultation: { title: { en: 'Secret draft', fr: 'Ébauche secrète' } },
      publication: 'draft',
    });
  });
  afterAll(() => ctx.close());

  it('when the global RSS feed is read, then it is valid RSS 2.0 with new, closing, closed and report items', async () => {
    const res = await request(ctx.app).get('/feeds/consultations/en.rss');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    expect(XMLValidator.validate(res.text)).toBe(true);
    const rss = parser.parse(res.text).rss;
    expect(rss['@_version']).toBe('2.0');
    const titles = (rss.channel.item as { title: string }[]).map((i) => i.title);
    expect(titles).toContain('New consultation: Open <data> & you');
    expect(titles).toContain('Closing soon: Open <data> & you');
    expect(titles).toContain('Closed: Closed health talk');
    expect(titles).toContain('What we heard: Closed health talk');
    expect(titles.join()).not.toContain('Secret draft');
    const report = (rss.channel.item as { title: string; link: string }[]).find((i) =>
      i.title.startsWith('What we heard'),
    );
    expect(report?.link).toBe(`http://agora.test/consultations/${closedSlug}/report`);
  });

  it('when the French Atom feed of a round is read, then it is valid Atom in French', async () => {
    const res = await request(ctx.app).get(`/feeds/rounds/${roundSlug}/fr.atom`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(XMLValidator.validate(res.text)).toBe(true);
    const feed = parser.parse(res.text).feed;
    expect(feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed.title['#text']).toBe('Cycle des fils\u00a0: consultations');
    const entries = feed.entry as { title: { '#text': string }; id: string; updated: string }[];
    expect(entries.map((e) => e.title['#text'])).toContain(
      'Nouvelle consultation\u00a0: Données <ouvertes> et vous',
    );
    for (const entry of entries) {
      expect(entry.id).toMatch(/^http:\/\/agora\.test\/consultations\//);
      expect(Number.isNaN(Date.parse(entry.updated))).toBe(false);
    }
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
  });

  it('when the calendar is read, then node-ical finds an opening and a closing event per published consultation', async () => {
    const res = await request(ctx.app).get(`/feeds/rounds/${roundSlug}/en.ics`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(res.text).toMatch(/^BEGIN:VCALENDAR\r\n/);
    for (const line of res.text.split('\r\n'))
      expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    const events = Object.values(ical.sync.parseICS(res.text)).filter(
      (c) => c?.type === 'VEVENT',
    ) as VEvent[];
    expect(events).toHaveLength(4);
    const summaries = events.map((e) => String(e.summary));
    expect(summaries).toContain('Opens: Open <data> & you');
    expect(summaries).toContain('Closes: Closed health talk');
    expect(summaries.join()).not.toContain('Secret draft');
  });

  it('when a feed address is wrong, then it is 404', async () => {
    expect((await request(ctx.app).get('/feeds/consultations/de.rss')).status).toBe(404);
    expect((await request(ctx.app).get('/feeds/consultations/en.json')).status).toBe(404);
    expect((await request(ctx.app).get('/feeds/rounds/nope/en.rss')).status).toBe(404);
  });

  it('when pages are shown, then they advertise their feeds with link rel="alternate"', async () => {
    const listing = await request(ctx.app).get('/consultations').set('Accept-Language', 'fr');
    expect(listing.text).toContain(
      '<link rel="alternate" type="application/atom+xml" title="Consultations (Atom)" href="/feeds/consultations/fr.atom">',
    );
    const round = await request(ctx.app).get(`/rounds/${roundSlug}`);
    expect(round.text).toContain(`href="/feeds/rounds/${roundSlug}/en.rss"`);
  });

  describe('JSON API', () => {
    it('when consultations are listed, then only published ones come, with filters and pagination', async () => {
      const res = await request(ctx.app).get(`/api/v1/consultations?round=${roundSlug}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body.meta).toEqual({ page: 1, pageSize: 20, total: 2, pageCount: 1 });
      const slugs = (res.body.data as { slug: string }[]).map((c) => c.slug);
      expect(slugs.sort()).toEqual([openSlug, closedSlug].sort());
      const open = await request(ctx.app).get(
        `/api/v1/consultations?round=${roundSlug}&status=open&theme=open_data`,
      );
      expect(open.body.data).toHaveLength(1);
      expect(open.body.data[0]).toMatchObject({
        slug: openSlug,
        status: 'open',
        title: { en: 'Open <data> & you', fr: 'Données <ouvertes> et vous' },
        themes: ['open_data'],
        report: null,
        round: { slug: roundSlug },
      });
      const paged = await request(ctx.app).get(`/api/v1/consultations?round=${roundSlug}&pageSize=1&page=2`);
      expect(paged.body.data).toHaveLength(1);
      expect(paged.body.links.prev).toContain('page=1');
      expect(paged.body.links.next).toBeNull();
      const search = await request(ctx.app).get('/api/v1/consultations?q=sant%C3%A9+ferm%C3%A9e&lang=fr');
      expect((search.body.data as { slug: string }[]).map((c) => c.slug)).toEqual([closedSlug]);
    });

    it('when one consultation is asked for, then it comes with its report link; drafts and unknown slugs are 404', async () => {
      const res = await request(ctx.app).get(`/api/v1/consultations/${closedSlug}`);
      expect(res.status).toBe(200);
      expect(res.body.data.report.url).toBe(`http://agora.test/consultations/${closedSlug}/report`);
      expect(res.body.data.status).toBe('closed');
      const missing = await request(ctx.app).get('/api/v1/consultations/secret-draft-nope');
      expect(missing.status).toBe(404);
      expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    });

    it('when a parameter is invalid, then the answer is a 400 problem naming it', async () => {
      for (const query of ['status=draft', 'pageSize=1000', 'page=0', 'theme=astrology', 'lang=de']) {
        const res = await request(ctx.app).get(`/api/v1/consultations?${query}`);
        expect({ query, status: res.status }).toEqual({ query, status: 400 });
        expect(JSON.parse(res.text).detail).toContain(query.split('=')[0]);
      }
    });

    it('when the OpenAPI document is read, then it describes both endpoints and their schema', async () => {
      const res = await request(ctx.app).get('/api/v1/openapi.json');
      expect(res.status).toBe(200);
      expect(res.body.openapi).toBe('3.1.0');
      expect(Object.keys(res.body.paths)).toEqual(
        expect.arrayContaining(['/api/v1/consultations', '/api/v1/consultations/{slug}']),
      );
      expect(
        res.body.paths['/api/v1/consultations'].get.parameters.map((p: { name: string }) => p.name),
      ).toEqual(['status', 'theme', 'round', 'q', 'lang', 'page', 'pageSize']);
      expect(res.body.components.schemas.Consultation.properties.status.enum).toEqual([
        'upcoming',
        'open',
        'closed',
        'archived',
      ]);
      expect(res.body.servers).toEqual([{ url: 'http://agora.test' }]);
    });
  });
});
