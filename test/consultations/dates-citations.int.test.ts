import request from 'supertest';
import {
  createConsultationsService,
  createReportsService,
  type Consultation,
  type ConsultationsService,
} from '../../src/modules/consultations';
import { buildTestApp, type TestApp } from '../support/app';
import {
  FACTORY_OFFICER,
  consultationInput,
  consultationsServiceFor,
  roundInput,
} from '../support/factories/consultations';
import { agentAs, textOf } from './helpers';

/** Round dates shown as the dates they are, and consultations and reports citable by people and machines. */
describe('dates and citations', () => {
  let ctx: TestApp;
  let service: ConsultationsService;
  let consultation: Consultation;
  let now = new Date('2018-03-01T00:00:00.000Z');

  beforeAll(async () => {
    ctx = await buildTestApp();
    // Services on a clock of our own, so publication dates are those of 2018.
    service = await consultationsServiceFor(
      createConsultationsService({ connection: ctx.db.connection, clock: () => now }),
    );
    const round = await service.createRound(
      roundInput({
        slug: 'dated-2018',
        title: { en: 'Dated round 2018', fr: 'Cycle daté 2018' },
        startsOn: new Date(Date.UTC(2018, 2, 1)),
        endsOn: new Date(Date.UTC(2018, 11, 15)),
        status: 'active',
      }),
      FACTORY_OFFICER,
    );
    now = new Date('2018-04-01T14:00:00.000Z');
    consultation = await service.createConsultation(
      consultationInput(round.id, {
        slug: 'data-for-all',
        title: { en: 'Data & access for all', fr: 'Des données pour tous' },
        opensAt: new Date('2018-04-02T13:00:00.000Z'),
        closesAt: new Date('2018-06-30T03:59:00.000Z'),
      }),
      FACTORY_OFFICER,
    );
    consultation = await service.publishConsultation(consultation.id, FACTORY_OFFICER);
    now = new Date('2018-12-20T15:00:00.000Z');
    const reports = createReportsService({
      connection: ctx.db.connection,
      consultations: service,
      notices: ctx.composition.consultations.notices,
      clock: () => now,
    });
    const text = { en: 'Text', fr: 'Texte' };
    await reports.publishReport(
      consultation.id,
      { introduction: text, themes: [{ title: text, heard: text, response: text }] },
      FACTORY_OFFICER,
    );
  });
  afterAll(() => ctx.close());

  describe('round dates', () => {
    it.each([
      ['en', 'From March 1, 2018 to December 15, 2018'],
      ['fr', '1er mars 2018'],
    ])(
      'when /rounds and the round page are read in %s, then 2018-03-01 is shown as such',
      async (lang, text) => {
        for (const path of ['/rounds', '/rounds/dated-2018']) {
          const page = textOf((await request(ctx.app).get(path).set('Accept-Language', lang)).text);
          expect(page).toContain(text);
          expect(page).not.toMatch(/February 28|28 février/);
        }
      },
    );

    it('when a round was entered in the officer form, then it reads back and shows as the same dates', async () => {
      const fromForm = await consultationsServiceFor(ctx);
      const round = await fromForm.createRound(
        roundInput({ slug: 'from-form', startsOn: new Date('2019-03-01T05:00:00.000Z') }), // Toronto midnight
        FACTORY_OFFICER,
      );
      const page = textOf((await request(ctx.app).get(`/rounds/${round.slug}`)).text);
      expect(page).toContain('March 1, 2019');
      const officer = await agentAs(ctx, 'officer');
      const demo = await officer.get(
        `/officer/rounds/${(await service.getRoundBySlug('dated-2018')).id}/edit`,
      );
      expect(demo.text).toContain('value="2018-03-01"');
      const api = await request(ctx.app).get('/api/v1/rounds');
      const dated = api.body.rounds.find((r: { slug: string }) => r.slug === 'dated-2018');
      expect(dated).toMatchObject({ startsOn: '2018-03-01', endsOn: '2018-12-15' });
    });
  });

  describe('citations', () => {
    it('when the consultation page is read, then the APA text has the title in italics and the full date of its publication', async () => {
      const en = await request(ctx.app).get('/consultations/data-for-all');
      expect(en.text).toContain(
        'Treasury Board Secretariat. (2018, April 1). <cite>Data &amp; access for all</cite> [Consultation]. Agora. http://agora.test/consultations/data-for-all',
      );
      const fr = await request(ctx.app).get('/consultations/data-for-all').set('Accept-Language', 'fr');
      expect(fr.text).toContain(
        'Secrétariat du Conseil du Trésor. (2018, 1er avril). <cite>Des données pour tous</cite> [Consultation].',
      );
    });

    it('when the page is read by a machine, then it has Highwire citation_* meta tags', async () => {
      const page = await request(ctx.app).get('/consultations/data-for-all');
      for (const [name, content] of [
        ['citation_title', 'Data &amp; access for all'],
        ['citation_author', 'Treasury Board Secretariat'],
        ['citation_publication_date', '2018/04/01'],
        ['citation_public_url', 'http://agora.test/consultations/data-for-all'],
        ['citation_language', 'en'],
      ])
        expect(page.text).toContain(`<meta name="${name}" content="${content}">`);
      const report = await request(ctx.app)
        .get('/consultations/data-for-all/report')
        .set('Accept-Language', 'fr');
      expect(report.text).toContain(
        '<meta name="citation_title" content="Ce que nous avons entendu\u00a0: Des données pour tous">',
      );
      expect(report.text).toContain('<meta name="citation_publication_date" content="2018/12/20">');
      expect(report.text).toContain('<meta name="citation_language" content="fr">');
      expect(report.text).toContain(
        '(2018, 20 décembre). <cite>Ce que nous avons entendu\u00a0: Des données pour tous</cite>',
      );
    });

    it('when the reference is downloaded as CSL-JSON, then it is one dated item with the organisation as author', async () => {
      const res = await request(ctx.app).get('/consultations/data-for-all/citation.json');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/vnd\.citationstyles\.csl\+json/);
      expect(res.headers['content-disposition']).toContain('data-for-all.json');
      const items = JSON.parse(res.text);
      expect(items).toEqual([
        expect.objectContaining({
          type: 'webpage',
          title: 'Data & access for all',
          author: [{ literal: 'Treasury Board Secretariat' }],
          issued: { 'date-parts': [[2018, 4, 1]] },
          URL: 'http://agora.test/consultations/data-for-all',
          language: 'en-CA',
        }),
      ]);
      const report = await request(ctx.app)
        .get('/consultations/data-for-all/report/citation.json')
        .set('Accept-Language', 'fr');
      expect(JSON.parse(report.text)[0]).toMatchObject({
        type: 'report',
        title: 'Ce que nous avons entendu\u00a0: Des données pour tous',
        issued: { 'date-parts': [[2018, 12, 20]] },
        language: 'fr-CA',
      });
    });

    it('when the reference is downloaded as BibTeX and RIS, then special characters are escaped and the tags are complete', async () => {
      const bib = await request(ctx.app).get('/consultations/data-for-all/citation.bib');
      expect(bib.headers['content-type']).toMatch(/^application\/x-bibtex/);
      expect(bib.text).toMatch(/^@misc\{data-for-all-consultation-2018,\n/);
      expect(bib.text).toContain('author = {{Treasury Board Secretariat}}');
      expect(bib.text).toContain('title = {Data \\& access for all}');
      expect(bib.text).toContain('date = {2018-04-01}');
      expect(bib.text).toContain('url = {http://agora.test/consultations/data-for-all}');
      const reportBib = await request(ctx.app).get('/consultations/data-for-all/report/citation.bib');
      expect(reportBib.text).toMatch(/^@techreport\{/);
      expect(reportBib.text).toContain('institution = {{Treasury Board Secretariat}}');
      const ris = await request(ctx.app).get('/consultations/data-for-all/report/citation.ris');
      expect(ris.headers['content-type']).toMatch(/^application\/x-research-info-systems/);
      const lines = ris.text.split('\r\n');
      expect(lines[0]).toBe('TY  - RPRT');
      expect(lines).toEqual(
        expect.arrayContaining([
          'TI  - What we heard: Data & access for all',
          'AU  - Treasury Board Secretariat',
          'PY  - 2018',
          'DA  - 2018/12/20',
          'UR  - http://agora.test/consultations/data-for-all/report',
          'LA  - en',
          'ER  - ',
        ]),
      );
    });

    it('when a format is unknown or there is no published report, then the answer is 404', async () => {
      expect((await request(ctx.app).get('/consultations/data-for-all/citation.docx')).status).toBe(404);
      const other = await service.createConsultation(
        consultationInput((await service.getRoundBySlug('dated-2018')).id),
        FACTORY_OFFICER,
      );
      await service.publishConsultation(other.id, FACTORY_OFFICER);
      expect((await request(ctx.app).get(`/consultations/${other.slug}/report/citation.ris`)).status).toBe(
        404,
      );
      expect((await request(ctx.app).get('/consultations/no-such/citation.ris')).status).toBe(404);
    });

    it('when the page offers the downloads, then each link works', async () => {
      const page = await request(ctx.app).get('/consultations/data-for-all');
      const links = [...page.text.matchAll(/href="(\/consultations\/data-for-all\/citation\.[a-z]+)"/g)].map(
        (m) => m[1] as string,
      );
      expect(links).toHaveLength(3);
      for (const link of links) expect((await request(ctx.app).get(link)).status).toBe(200);
    });
  });
});
