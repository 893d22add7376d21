import { XMLParser } from 'fast-xml-parser';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import { OFFICER, agentAs, createCommitment, createPlan, service, textOf } from './helpers';

describe('action plans: public pages, drafts, API, feeds, citation and open data', () => {
  let ctx: TestApp;

  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(() => ctx.close());

  it('when a plan is published, then its page lists the commitments by theme with the milestones by status', async () => {
    const plan = await createPlan(ctx);
    await createCommitment(ctx, plan.slug, '19');
    await createCommitment(ctx, plan.slug, '3', {
      overrides: {
        theme: { en: 'Open data', fr: 'Données ouvertes' },
        leadDepartment: { en: 'Statistics Canada', fr: 'Statistique Canada' },
        status: 'complete',
      },
    });
    const list = await request(ctx.app).get('/plans');
    expect(textOf(list.text)).toContain(plan.title.en);

    const res = await request(ctx.app).get(`/plans/${plan.slug}`);
    expect(res.status).toBe(200);
    const text = textOf(res.text);
    // Themes in commitment-number order: commitment 3 (Open data) before 19 (Open dialogue).
    expect(text.indexOf('Open data Commitment 3')).toBeGreaterThan(-1);
    expect(text.indexOf('Open dialogue Commitment 19')).toBeGreaterThan(
      text.indexOf('Open data Commitment 3'),
    );
    // Two commitments, each with 19.1/3.1 complete and 19.2/3.2 limited ("other" milestones are not counted).
    expect(text).toContain('Complete 2 50%');
    expect(text).toContain('Limited 2 50%');
    expect(text).toContain('Total 4');
    expect(res.text).toMatch(/<svg[^>]+role="img"/);
    expect(res.text).toContain(`href="/feeds/plans/${plan.slug}/en.rss"`);
  });

  it('when the plan page is filtered by status, department or theme, then only matching commitments are shown', async () => {
    const plan = await createPlan(ctx);
    await createCommitment(ctx, plan.slug, '1');
    await createCommitment(ctx, plan.slug, '2', {
      overrides: {
        theme: { en: 'Open data', fr: 'Données ouvertes' },
        leadDepartment: { en: 'Statistics Canada', fr: 'Statistique Canada' },
        status: 'complete',
      },
    });
    const byStatus = textOf((await request(ctx.app).get(`/plans/${plan.slug}?status=complete`)).text);
    expect(byStatus).toContain('1 of 2 commitments matches');
    expect(byStatus).toContain('Engage civil society 2');
    expect(byStatus).not.toContain('Engage civil society 1');
    const byDepartment = textOf(
      (await request(ctx.app).get(`/plans/${plan.slug}?department=treasury-board-secretariat`)).text,
    );
    expect(byDepartment).toContain('Engage civil society 1');
    expect(byDepartment).not.toContain('Engage civil society 2');
    const byTheme = textOf((await request(ctx.app).get(`/plans/${plan.slug}?theme=open-data`)).text);
    expect(byTheme).toContain('Engage civil society 2');
    expect(byTheme).not.toContain('Engage civil society 1');
    // An unknown value shows everything rather than failing.
    const unknown = await request(ctx.app).get(`/plans/${plan.slug}?status=%24ne&theme=nope`);
    expect(unknown.status).toBe(200);
    expect(textOf(unknown.text)).toContain('Engage civil society 1');
  });

  it('when a commitment page is read, then it shows everything the model case shows, in English and in French', async () => {
    const plan = await createPlan(ctx);
    await createCommitment(ctx, plan.slug, '19');
    await service(ctx).saveIndicator(
      plan.slug,
      '19',
      undefined,
      {
        name: { en: 'Collaborative initiatives of the forum', fr: 'Initiatives collaboratives du forum' },
        target: { en: '4', fr: '4' },
        targetDate: '2018-06-30',
        source: 'manual',
        actual: { en: 'Three products so far.', fr: 'Trois produits jusqu’ici.' },
        actualDate: '2018-06-30',
        sector: '',
        roundIds: [],
      },
      OFFICER,
    );
    const res = await request(ctx.app).get(`/plans/${plan.slug}/commitments/19`);
    expect(res.status).toBe(200);
    const text = textOf(res.text);
    for (const expected of [
      'Commitment 19',
      'Engage civil society 19',
      'Lead department Treasury Board Secretariat',
      'Email address for enquiries open@example.gc.ca',
      'Other involved actors Multi-stakeholder forum',
      'Overall status Substantial',
      'Planned result A formal mechanism for dialogue.',
      'Collaborative initiatives of the forum 4 by June 30, 2018 Three products so far. Collected: June 30, 2018',
      '19.1 Renew the forum. Complete January 1, 2018 – June 30, 2018',
      '19.2 Targeted engagement. Limited',
      'Other completed milestones First in-person meeting held.',
      'Independent reviewer Not reviewed yet',
    ])
      expect(text).toContain(expected);
    expect(res.text).toContain('<strong>talk</strong>');
    expect(res.text).toContain('<meta name="citation_title" content="Engage civil society 19">');
    expect(res.text).toMatch(
      /<i>Engage civil society 19<\/i> \[Commitment 19, National Action Plan \d+\]\. Agora\./,
    );

    const french = await request(ctx.app)
      .get(`/plans/${plan.slug}/commitments/19`)
      .set('Accept-Language', 'fr-CA');
    const fr = textOf(french.text);
    expect(fr).toContain('Engagement 19');
    expect(fr).toContain('État global Substantiel');
    expect(fr).toContain('19.1 Renouveler le forum. Terminé 1 janvier 2018 – 30 juin 2018');
    expect(fr).toContain('Autres jalons réalisés Première rencontre en personne tenue.');
  });

  it('when a citation is downloaded, then CSL-JSON, BibTeX and RIS carry the same reference', async () => {
    const plan = await createPlan(ctx);
    await createCommitment(ctx, plan.slug, '7');
    const base = `/plans/${plan.slug}/commitments/7`;
    const csl = await request(ctx.app).get(`${base}/cite.json`);
    expect(csl.headers['content-type']).toContain('application/vnd.citationstyles.csl+json');
    expect(JSON.parse(csl.text)[0]).toMatchObject({
      type: 'webpage',
      title: 'Engage civil society 7',
      author: [{ literal: 'Treasury Board Secretariat' }],
      URL: `http://agora.test${base}`,
    });
    const bib = await request(ctx.app).get(`${base}/cite.bib`);
    expect(bib.text).toContain('author = {{Treasury Board Secretariat}}');
    expect(bib.text).toContain(`url = {http://agora.test${base}}`);
    const ris = await request(ctx.app).get(`${base}/cite.ris`);
    expect(ris.text.split('\r\n')).toEqual(
      expect.arrayContaining(['TY  - ELEC', 'TI  - Engage civil society 7', 'ER  - ']),
    );
    expect((await request(ctx.app).get(`${base}/cite.exe`)).status).toBe(404);
  });

  it('when a plan or a commitment is a draft, then the public gets 404 everywhere and staff can preview it', async () => {
    const draftPlan = await createPlan(ctx, { publish: false });
    await createCommitment(ctx, draftPlan.slug, '1');
    const published = await createPlan(ctx);
    await createCommitment(ctx, published.slug, '1');
    await createCommitment(ctx, published.slug, '2', { publish: false });
    for (const path of [
      `/plans/${draftPlan.slug}`,
      `/plans/${draftPlan.slug}/commitments/1`,
      `/plans/${published.slug}/commitments/2`,
      `/plans/${published.slug}/commitments/2/cite.json`,
      `/api/v1/plans/${draftPlan.slug}`,
      `/api/v1/plans/${published.slug}/commitments/2`,
      `/feeds/plans/${draftPlan.slug}/en.rss`,
      `/feeds/plans/${published.slug}/commitments/2/en.atom`,
      `/plans/${published.slug}/commitments/999`,
      `/plans/NOT_A_SLUG/commitments/1`,
    ]) {
      const res = await request(ctx.app).get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    const planPage = textOf((await request(ctx.app).get(`/plans/${published.slug}`)).text);
    expect(planPage).toContain('Engage civil society 1');
    expect(planPage).not.toContain('Engage civil society 2');
    expect(textOf((await request(ctx.app).get('/plans')).text)).not.toContain(draftPlan.title.en);
    const api = await request(ctx.app).get(`/api/v1/plans/${published.slug}`);
    expect(api.body.data.commitments.map((c: { number: string }) => c.number)).toEqual(['1']);
    const csv = await request(ctx.app).get('/open-data/commitments/commitments.csv');
    expect(csv.text).not.toContain(draftPlan.slug);
    expect(csv.text).not.toContain(`${published.slug},2,`);

    const officer = await agentAs(ctx, 'officer');
    expect((await officer.get(`/plans/${draftPlan.slug}/commitments/1`)).status).toBe(200);
    const preview = await officer.get(`/plans/${published.slug}/commitments/2`);
    expect(textOf(preview.text)).toContain('This commitment is not published: only staff can see it.');
  });

  it('when the API is read, then it serves plans, commitments with milestones and indicators, and updates, all in the OpenAPI document', async () => {
    const plan = await createPlan(ctx);
    await createCommitment(ctx, plan.slug, '19');
    await service(ctx).recordStatusChange(
      plan.slug,
      '19',
      {
        milestoneId: '',
        status: 'complete',
        date: '2018-12-31',
        note: { en: 'Done.', fr: 'Fait.' },
        submissionId: 'api-test-0001',
      },
      OFFICER,
    );
    const list = await request(ctx.app).get('/api/v1/plans');
    expect(list.body.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ slug: plan.slug, period: { start: 2018, end: 2020 } }),
      ]),
    );
    const one = await request(ctx.app).get(`/api/v1/plans/${plan.slug}`);
    expect(one.body.data.commitments[0]).toMatchObject({
      number: '19',
      status: 'complete',
      milestones: { total: 2, complete: 1, limited: 1, substantial: 0, not_started: 0 },
    });
    const commitment = await request(ctx.app).get(`/api/v1/plans/${plan.slug}/commitments/19`);
    expect(commitment.body.data).toMatchObject({
      number: '19',
      enquiryEmail: 'open@example.gc.ca',
      reviewRating: null,
      milestones: expect.arrayContaining([
        {
          number: '19.1',
          text: { en: 'Renew the forum.', fr: 'Renouveler le forum.' },
          status: 'complete',
          startDate: '2018-01-01',
          endDate: '2018-06-30',
        },
        expect.objectContaining({ number: null, status: 'complete' }),
      ]),
    });
    const updates = await request(ctx.app).get(`/api/v1/plans/${plan.slug}/commitments/19/updates`);
    expect(updates.body.data).toEqual([
      expect.objectContaining({
        sequence: 1,
        milestone: null,
        from: 'substantial',
        to: 'complete',
        date: '2018-12-31',
        note: { en: 'Done.', fr: 'Fait.' },
      }),
    ]);
    const missing = await request(ctx.app).get(`/api/v1/plans/${plan.slug}/commitments/404`);
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');

    const doc = (await request(ctx.app).get('/api/v1/openapi.json')).body;
    for (const path of [
      '/api/v1/plans',
      '/api/v1/plans/{slug}',
      '/api/v1/plans/{slug}/commitments/{number}',
      '/api/v1/plans/{slug}/commitments/{number}/updates',
    ])
      expect(doc.paths[path]?.get).toBeDefined();
    // Every schema these operations reference (directly or through their schemas) exists.
    const mine = JSON.stringify([
      ...Object.entries(doc.paths).filter(([path]) => path.startsWith('/api/v1/plans')),
      ...['ActionPlan', 'CommitmentSummary', 'Commitment', 'StatusUpdate'].map(
        (n) => doc.components.schemas[n],
      ),
    ]);
    for (const ref of new Set(mine.match(/#\/components\/schemas\/[A-Za-z]+/g) ?? []))
      expect({ ref, defined: Boolean(doc.components.schemas[ref.split('/').pop() as string]) }).toEqual({
        ref,
        defined: true,
      });
  });

  it('when status updates are recorded, then the plan and commitment feeds carry them, newest first, in the feed’s language', async () => {
    const plan = await createPlan(ctx);
    const commitment = await createCommitment(ctx, plan.slug, '19');
    const milestone = commitment.milestones.find((m) => m.number === '19.2')!;
    await service(ctx).recordStatusChange(
      plan.slug,
      '19',
      {
        milestoneId: milestone.id,
        status: 'complete',
        date: '2018-09-01',
        note: { en: 'Sessions held in five cities.', fr: 'Séances tenues dans cinq villes.' },
        submissionId: 'feed-test-0001',
      },
      OFFICER,
    );
    await service(ctx).recordStatusChange(
      plan.slug,
      '19',
      {
        milestoneId: '',
        status: 'complete',
        date: '2018-12-31',
        note: { en: 'All deliverables complete.', fr: 'Tous les livrables sont terminés.' },
        submissionId: 'feed-test-0002',
      },
      OFFICER,
    );
    const parser = new XMLParser({ ignoreAttributes: false });
    const rss = await request(ctx.app).get(`/feeds/plans/${plan.slug}/commitments/19/en.rss`);
    expect(rss.headers['content-type']).toContain('application/rss+xml');
    const items = parser.parse(rss.text).rss.channel.item;
    expect(items.map((i: { title: string }) => i.title)).toEqual([
      'Commitment 19 (Engage civil society 19): Overall status is now Complete',
      'Commitment 19 (Engage civil society 19): Milestone 19.2 is now Complete',
    ]);
    expect(items[1].description).toBe('September 1, 2018: Sessions held in five cities.');
    const atom = await request(ctx.app).get(`/feeds/plans/${plan.slug}/fr.atom`);
    const entries = parser.parse(atom.text).feed.entry;
    expect(entries).toHaveLength(2);
    expect(entries[0].title['#text']).toBe(
      'Engagement 19 (Mobiliser la société civile 19)\u00a0: État global est maintenant «\u00a0Terminé\u00a0»',
    );
    expect((await request(ctx.app).get(`/feeds/plans/${plan.slug}/de.rss`)).status).toBe(404);
  });

  it('when open data is downloaded, then plans, commitments and milestone statuses come with a data dictionary', async () => {
    const plan = await createPlan(ctx);
    await createCommitment(ctx, plan.slug, '19');
    const page = await request(ctx.app).get('/open-data/commitments');
    expect(textOf(page.text)).toContain('review_rating');
    const milestones = await request(ctx.app).get('/open-data/commitments/milestones.csv');
    expect(milestones.headers['content-type']).toContain('text/csv');
    const lines = milestones.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('plan,commitment,milestone,text_en,text_fr,status,start_date,end_date');
    expect(lines).toContain(
      `${plan.slug},19,19.1,Renew the forum.,Renouveler le forum.,complete,2018-01-01,2018-06-30`,
    );
    expect(lines).toContain(
      `${plan.slug},19,,First in-person meeting held.,Première rencontre en personne tenue.,complete,,2018-01-31`,
    );
    const commitments = await request(ctx.app).get('/open-data/commitments/commitments.json');
    expect(commitments.body.rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          plan: plan.slug,
          commitment: '19',
          status: 'substantial',
          milestones_total: 2,
          milestones_complete: 1,
        }),
      ]),
    );
    const dictionary = await request(ctx.app).get('/open-data/commitments/dictionary.json');
    const described = dictionary.body.columns.map(
      (c: { dataset: string; column: string }) => `${c.dataset}.${c.column}`,
    );
    expect(described).toEqual(
      expect.arrayContaining(['plans.period_start', 'commitments.review_rating', 'milestones.status']),
    );
    for (const c of dictionary.body.columns) {
      expect(c.description_en).not.toMatch(/^commitments:/);
      expect(c.description_fr).not.toMatch(/^commitments:/);
    }
    expect((await request(ctx.app).get('/open-data/commitments/secrets.csv')).status).toBe(404);
  });
});
