import request from 'supertest';
import type { SubmissionRecord } from '../../src/modules/participation';
import { agentAs } from '../support/sign-in';
import { buildTestApp, type TestApp } from '../support/app';
import {
  FACTORY_OFFICER,
  completeRoundAt,
  consultationsServiceFor,
  roundInput,
} from '../support/factories/consultations';

const YEAR = (y: number, m = 0) => new Date(Date.UTC(y, m, 1));

describe('participation pages and API', () => {
  let ctx: TestApp;
  let seq = 0;
  const record = async (
    roundId: string,
    sector: SubmissionRecord['sector'],
    overrides: Partial<SubmissionRecord> = {},
  ) => {
    seq++;
    await ctx.composition.participation.participation.recordSubmission({
      responseId: `resp-${seq}`,
      roundId,
      consultationId: `c-${roundId}`,
      surveyId: `s-${roundId}`,
      respondentKey: `anon:p${seq}`,
      sector,
      region: 'ON',
      locale: seq % 2 ? 'en' : 'fr',
      channel: 'open',
      submittedAt: new Date(),
      ...overrides,
    });
  };

  beforeAll(async () => {
    ctx = await buildTestApp();
    const consultations = await consultationsServiceFor(ctx);
    const r2016 = await consultations.createRound(
      roundInput({
        slug: 'nap-2016',
        title: { en: '=2016 round', fr: '=Cycle 2016' },
        startsOn: YEAR(2016),
        endsOn: YEAR(2016, 11),
        status: 'active',
      }),
      FACTORY_OFFICER,
    );
    const r2018 = await consultations.createRound(
      roundInput({
        slug: 'nap-2018',
        title: { en: '2018 round', fr: 'Cycle 2018' },
        startsOn: YEAR(2018),
        endsOn: YEAR(2018, 11),
        status: 'active',
      }),
      FACTORY_OFFICER,
    );
    // 2016: 8 of 100 civil society. 2018: 10 of 50 civil society, one academic (a small cell), 2 prefer not to say.
    for (let i = 0; i < 100; i++) await record(r2016.id, i < 8 ? 'civil_society' : 'individual');
    for (let i = 0; i < 50; i++) {
      await record(
        r2018.id,
        i < 10 ? 'civil_society' : i === 10 ? 'academia' : i < 13 ? 'prefer_not_to_say' : 'private_sector',
      );
    }
    // Completed on their last day: their figures are frozen, dated that day.
    await completeRoundAt(ctx, r2016.id, new Date(Date.UTC(2016, 11, 1)));
    await completeRoundAt(ctx, r2018.id, new Date(Date.UTC(2018, 10, 20)));
    await ctx.composition.participation.indicators.create(
      {
        slug: 'civil-society-share',
        nameEn: 'Share of engagement participants self-identifying as civil society',
        nameFr: 'Part des participants à la mobilisation se disant de la société civile',
        kind: 'sector_share',
        sector: 'civil_society',
        baselineValue: '8',
        baselineDate: '2016-12-01',
        targetValue: '25',
        targetDate: '2020-06-30',
        published: 'on',
      },
      { id: 'a', email: 'a@example.ca', name: 'Analyst', roles: ['analyst'], locale: 'en', profile: {} },
    );
  });
  afterAll(() => ctx.close());

  it('when the rounds are listed, then each has its participation link', async () => {
    const res = await request(ctx.app).get('/api/v1/rounds');
    expect(res.status).toBe(200);
    expect(res.body.rounds.map((r: { slug: string }) => r.slug).sort()).toEqual(['nap-2016', 'nap-2018']);
    expect(res.body.rounds[0].participation).toMatch(/^\/api\/v1\/rounds\/nap-201\d\/participation$/);
  });

  it('when the public asks for a round, then shares are exact and small cells are null', async () => {
    const res = await request(ctx.app).get('/api/v1/rounds/nap-2018/participation');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ round: 'nap-2018', participants: 50, suppressed: true });
    const sector = (key: string) => res.body.bySector.find((c: { sector: string }) => c.sector === key);
    expect(sector('civil_society')).toMatchObject({ count: 10, share: 0.2 });
    expect(sector('academia')).toMatchObject({ count: null, share: null });
    // Two small cells are hidden (1 and 2), so neither can be recovered from the total.
    expect(sector('prefer_not_to_say')).toMatchObject({ count: null });
    expect(sector('not_asked')).toMatchObject({ count: 0, share: 0 });
    expect(res.body.byLanguage.map((c: { language: string }) => c.language)).toEqual(['en', 'fr']);
  });

  it('when staff ask for a round, then they get exact counts', async () => {
    const res = await (await agentAs(ctx, 'analyst')).agent.get('/api/v1/rounds/nap-2018/participation');
    const academia = res.body.bySector.find((c: { sector: string }) => c.sector === 'academia');
    expect(academia).toMatchObject({ count: 1, share: 0.02 });
    expect(res.body.suppressed).toBe(false);
  });

  it('when the civil society trend is asked, then it answers 0.08 and 0.20 round by round', async () => {
    const res = await request(ctx.app).get('/api/v1/participation/trend?sector=civil_society');
    expect(res.status).toBe(200);
    expect(
      res.body.rounds.map((r: { round: string; share: number; participants: number; count: number }) => [
        r.round,
        r.participants,
        r.count,
        r.share,
      ]),
    ).toEqual([
      ['nap-2016', 100, 8, 0.08],
      ['nap-2018', 50, 10, 0.2],
    ]);
  });

  it('when a sector or round does not exist, then the API says so as problem+json', async () => {
    const sector = await request(ctx.app).get('/api/v1/participation/trend?sector=pirates');
    expect(sector.status).toBe(400);
    expect(sector.headers['content-type']).toMatch(/problem\+json/);
    expect((await request(ctx.app).get('/api/v1/rounds/nope/participation')).status).toBe(404);
  });

  it('when the indicators are asked, then the computed one shows its target and latest value', async () => {
    const res = await request(ctx.app).get('/api/v1/indicators');
    const [indicator] = res.body.indicators;
    expect(indicator).toMatchObject({
      slug: 'civil-society-share',
      unit: 'percent',
      baseline: { value: 0.08, date: '2016-12-01' },
      target: { value: 0.25, date: '2020-06-30' },
      latest: { value: 0.2, date: '2018-11-20' },
    });
    expect(indicator.series.map((p: { value: number }) => p.value)).toEqual([0.08, 0.2]);
    const page = await request(ctx.app).get('/indicators').set('Accept-Language', 'fr');
    expect(page.text).toContain('Part des participants à la mobilisation se disant de la société civile');
    // French puts a (narrow) no-break space before the percent sign.
    expect(page.text).toMatch(/25[\u00a0\u202f]%/);
    expect(page.text).toMatch(/20[\u00a0\u202f]%/);
  });

  it.each([
    ['en', '/participation', 'Share of participants from: Civil society organization'],
    ['fr', '/participation', 'Part des participants du secteur\u00a0: Organisation de la société civile'],
    ['en', '/participation/rounds/nap-2018', 'Gender-based analysis plus'],
    ['fr', '/participation/how-we-count', 'Qui est un participant'],
    ['en', '/open-data', 'Data dictionary'],
  ])('when the %s page %s is opened, then it shows %p', async (lang, path, text) => {
    const res = await request(ctx.app).get(path).set('Accept-Language', lang);
    expect(res.status).toBe(200);
    expect(res.text).toContain(text);
  });

  it('when the trend of a sector with an indicator is shown, then the chart draws its target', async () => {
    const res = await request(ctx.app).get('/participation?sector=civil_society');
    expect(res.text).toContain('>Target: 25%</li>');
    expect(res.text).toContain('class="chart__target"');
    const other = await request(ctx.app).get('/participation?sector=academia');
    expect(other.text).not.toContain('Target:');
  });

  it('when the round page is public, then hidden cells say so and the chart is an accessible SVG', async () => {
    const res = await request(ctx.app).get('/participation/rounds/nap-2018');
    expect(res.text).toMatch(/<svg[^>]+role="img"[^>]+aria-labelledby="chart-title-\d+ chart-desc-\d+"/);
    expect(res.text).toContain('Not shown');
    expect(res.text).toContain('20%');
  });

  it('when the open data CSV is downloaded, then it has a BOM, hidden cells are empty and formula-like text is neutralised', async () => {
    const res = await request(ctx.app)
      .get('/open-data/participation.csv')
      .buffer(true)
      .parse((r, cb) => {
        let data = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (data += c));
        r.on('end', () => cb(null, data));
      });
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const text = res.body as string;
    expect(
      text.startsWith('\uFEFFround,round_title_en,round_title_fr,dimension,category,participants,share\r\n'),
    ).toBe(true);
    expect(text).toContain("nap-2016,'=2016 round,'=Cycle 2016,sector,civil_society,8,0.08\r\n");
    expect(text).toContain('nap-2018,2018 round,Cycle 2018,sector,academia,,\r\n');
    const json = await request(ctx.app).get('/open-data/participation.json');
    expect(json.body.rows).toContainEqual(
      expect.objectContaining({ round: 'nap-2018', category: 'civil_society', participants: 10, share: 0.2 }),
    );
  });

  describe('managing indicators', () => {
    it('when an anonymous visitor opens the page, then they are sent to sign in', async () => {
      const res = await request(ctx.app).get('/analysis/indicators');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/sign-in?returnTo=%2Fanalysis%2Findicators');
    });

    it('when a participant opens it, then access is denied', async () => {
      expect((await (await agentAs(ctx, 'participant')).agent.get('/analysis/indicators')).status).toBe(403);
    });

    it('when an analyst submits a bad form, then it comes back with 422, the values kept and the errors listed', async () => {
      const agent = await agentAs(ctx, 'analyst');
      await agent.get('/analysis/indicators/new');
      const res = await agent.post('/analysis/indicators', {
        slug: 'Bad Slug!',
        nameEn: '<script>alert(1)</script>',
        nameFr: '',
        kind: 'manual',
        unit: 'percent',
        targetValue: '140',
        targetDate: '2020-02-31x',
      });
      expect(res.status).toBe(422);
      expect(res.text).toContain('href="#nameFr"');
      expect(res.text).toContain('Enter a percentage from 0 to 100');
      expect(res.text).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
      expect(res.text).not.toContain('<script>alert(1)</script>');
    });

    it('when an analyst adds a manual indicator and a data point, then the public table shows it', async () => {
      const agent = await agentAs(ctx, 'analyst');
      await agent.get('/analysis/indicators/new');
      const created = await agent.post('/analysis/indicators', {
        slug: 'events-held',
        nameEn: 'In-person events held',
        nameFr: 'Événements en personne tenus',
        kind: 'manual',
        unit: 'number',
        targetValue: '12',
        targetDate: '2019-06-30',
        published: 'on',
      });
      expect(created.status).toBe(303);
      const admin = await agent.get('/analysis/indicators');
      const id = /\/analysis\/indicators\/([0-9a-f]{24})\/data-points/.exec(admin.text)?.[1] as string;
      const bad = await agent.post(`/analysis/indicators/${id}/data-points`, {
        value: 'many',
        collectedAt: '2019-01-15',
      });
      expect(bad.status).toBe(422);
      expect(bad.text).toContain('Enter a number of 0 or more');
      expect(
        (
          await agent.post(`/analysis/indicators/${id}/data-points`, {
            value: '7',
            collectedAt: '2019-01-15',
          })
        ).status,
      ).toBe(303);
      const api = await request(ctx.app).get('/api/v1/indicators');
      const events = api.body.indicators.find((i: { slug: string }) => i.slug === 'events-held');
      expect(events.latest).toMatchObject({ value: 7, date: '2019-01-15' });
    });
  });
});

describe('participation in the OpenAPI document', () => {
  it('when the document is fetched, then the participation paths are described', async () => {
    const ctx = await buildTestApp();
    try {
      const res = await request(ctx.app).get('/api/v1/openapi.json');
      expect(Object.keys(res.body.paths)).toEqual(
        expect.arrayContaining([
          '/api/v1/rounds',
          '/api/v1/rounds/{slug}/participation',
          '/api/v1/participation/trend',
          '/api/v1/indicators',
        ]),
      );
      expect(res.body.components.schemas.RoundParticipation.required).toContain('bySector');
    } finally {
      await ctx.close();
    }
  });
});

describe('indicators and rounds still collecting responses', () => {
  it('when a round is still active, then a computed indicator leaves it out of its actual data', async () => {
    const ctx = await buildTestApp();
    try {
      const consultations = await consultationsServiceFor(ctx);
      const round = await consultations.createRound(
        roundInput({ slug: 'ongoing', status: 'active' }),
        FACTORY_OFFICER,
      );
      await ctx.composition.participation.participation.recordSubmission({
        responseId: 'ongoing-1',
        roundId: round.id,
        consultationId: 'c',
        surveyId: 's',
        respondentKey: 'anon:ongoing1',
        sector: 'civil_society',
        region: 'ON',
        locale: 'en',
        channel: 'open',
        submittedAt: new Date(),
      });
      const created = await ctx.composition.participation.indicators.create(
        {
          slug: 'cs',
          nameEn: 'CS',
          nameFr: 'SC',
          kind: 'sector_share',
          sector: 'civil_society',
          targetValue: '20',
          targetDate: '2030-01-01',
          published: 'on',
        },
        { id: 'a', email: 'a@example.ca', name: 'A', roles: ['analyst'], locale: 'en', profile: {} },
      );
      expect(created.series).toEqual([]);
      const trend = await request(ctx.app).get('/api/v1/participation/trend?sector=civil_society');
      expect(trend.body.rounds).toHaveLength(1);
    } finally {
      await ctx.close();
    }
  });
});
