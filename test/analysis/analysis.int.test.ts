import request from 'supertest';
import type { SurveysService, Survey } from '../../src/modules/surveys';
import { rebuildAnswerCounters } from '../../src/modules/analysis';
import { agentAs } from '../support/sign-in';
import { buildTestApp, type TestApp } from '../support/app';
import { FACTORY_SURVEY_OFFICER, both, createSurvey, everyTypeQuestions } from '../support/factories/surveys';

function text(res: request.Response): string {
  return typeof res.body === 'string' ? res.body : res.text;
}

describe('analysis of a survey', () => {
  let ctx: TestApp;
  let service: SurveysService;
  let survey: Survey;
  let n = 0;

  const submit = async (
    sector: string,
    answers: Record<string, unknown>,
    otherText: Record<string, unknown> = {},
  ) => {
    n++;
    await service.submitComplete({
      surveyId: survey.id,
      respondent: { key: `anon:analysis${n}`, browserKey: `analysis${n}`, locale: n % 2 ? 'en' : 'fr' },
      idempotencyKey: `analysis-${n}`,
      answers,
      otherText,
      sector,
      region: 'ON',
    });
  };
  const base = { grid: { r1: 'yes', r2: 'no' } };

  beforeAll(async () => {
    ctx = await buildTestApp();
    ({ survey, service } = await createSurvey(ctx, {
      definition: {
        title: both('Everything survey'),
        sections: [{ id: 'all', title: both('All'), questions: everyTypeQuestions() }],
      },
    }));
    await submit('civil_society', {
      ...base,
      single: 'a',
      multi: ['a', 'b'],
      stars: 5,
      num: 2,
      long: 'Open data please',
      rank: ['b', 'a', 'c'],
    });
    await submit(
      'civil_society',
      {
        ...base,
        single: 'other',
        multi: ['a'],
        stars: 4,
        num: 4,
        long: '=SUM(A1:A9)',
        rank: ['b', 'c', 'a'],
      },
      { single: 'Forums' },
    );
    await submit('academia', {
      ...base,
      single: 'b',
      multi: ['c'],
      stars: 1,
      num: 9,
      long: 'More open budgets',
      mail: 'someone@example.ca',
      rank: ['a', 'b', 'c'],
    });
    // Submissions reach the counters through the surveys module's recorder call; a rebuild from the stored
    // responses gives the same counters and answer log (answer-counters.int.test.ts proves live == rebuilt).
    await rebuildAnswerCounters({ counters: ctx.composition.answerCounters, surveys: service }, survey.id);
    // Written answers and medians of numbers are shown as of the last background pass.
    await ctx.composition.answerCounters.snapshots.refresh(survey.id);
  });
  afterAll(() => ctx.close());

  it('when a participant or anonymous visitor asks, then the analysis is refused', async () => {
    expect(
      (await (await agentAs(ctx, 'participant')).agent.get(`/analysis/surveys/${survey.id}`)).status,
    ).toBe(403);
    expect((await request(ctx.app).get(`/analysis/surveys/${survey.id}/responses.csv`)).status).toBe(303);
  });

  it('when an analyst opens the survey, then every question is summarised with exact numbers', async () => {
    const res = await (await agentAs(ctx, 'analyst')).agent.get(`/analysis/surveys/${survey.id}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('3 submitted responses match.');
    // Single choice: Alpha 1 of 3, and the "other" text listed.
    expect(res.text).toMatch(
      /<th scope="row">Alpha<\/th><td class="number">1<\/td><td class="number">33\.3%<\/td>/,
    );
    expect(res.text).toContain('Forums');
    // Rating: mean of 5, 4, 1.
    expect(res.text).toContain('Mean 3.33, median 4, lowest 1, highest 5.');
    // Ranking: Beta has the best average rank (1.33).
    expect(res.text).toMatch(/<th scope="row">Beta<\/th><td class="number">1\.33<\/td>/);
    // Email answers are counted, never listed.
    expect(res.text).not.toContain('someone@example.ca');
    expect(res.text).toContain('Email addresses are personal information');
  });

  it('when answers are filtered by sector and searched, then only matching responses count', async () => {
    const res = await (
      await agentAs(ctx, 'analyst')
    ).agent.get(`/analysis/surveys/${survey.id}?sector=civil_society&q=open&cross=single`);
    expect(res.text).toContain('2 submitted responses match.');
    expect(res.text).toContain('Open data please');
    expect(res.text).not.toContain('More open budgets');
    expect(res.text).toContain('Pick one, by sector');
  });

  it('when an analyst pages through written answers, then each page is filtered and links to the next and previous', async () => {
    const agent = await agentAs(ctx, 'analyst');
    const survey_ = await agent.get(`/analysis/surveys/${survey.id}?sector=civil_society&q=open`);
    expect(survey_.text).toContain(
      `/analysis/surveys/${survey.id}/texts/long?sector=civil_society&amp;q=open`,
    );
    const all = await agent.get(`/analysis/surveys/${survey.id}/texts/long`);
    expect(all.status).toBe(200);
    expect(all.text).toContain('3 written answers in all');
    for (const text of ['Open data please', '=SUM(A1:A9)', 'More open budgets'])
      expect(all.text).toContain(text);
    expect(all.text).not.toContain('rel="next"');
    const filtered = await agent.get(`/analysis/surveys/${survey.id}/texts/long?sector=civil_society&q=open`);
    expect(filtered.text).toContain('Open data please');
    expect(filtered.text).not.toContain('More open budgets');
    const later = await agent.get(`/analysis/surveys/${survey.id}/texts/long?from=1`);
    expect(later.text).not.toContain('Open data please');
    expect(later.text).toMatch(/href="\?before=1" rel="prev"/);
    expect((await agent.get(`/analysis/surveys/${survey.id}/texts/nope`)).status).toBe(404);
  });

  it('when an analyst asks for a refresh, then the figures are computed again in the background and dated', async () => {
    const agent = await agentAs(ctx, 'analyst');
    const before = await agent.get(`/analysis/surveys/${survey.id}?sector=academia`);
    const asOf = (html: string) => /<strong>as of ([^<]+)\.<\/strong>/.exec(html)?.[1];
    expect(asOf(before.text)).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the time shown is to the minute; the head's is exact
    const headBefore = await ctx.composition.answerCounters.snapshots.head(survey.id);
    const res = await agent.post(`/analysis/surveys/${survey.id}/refresh`, { back: '?sector=academia' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/analysis/surveys/${survey.id}?sector=academia`);
    let head = await ctx.composition.answerCounters.snapshots.head(survey.id);
    for (let i = 0; i < 200 && (head.running || head.gen === headBefore.gen); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      head = await ctx.composition.answerCounters.snapshots.head(survey.id);
    }
    expect(head.gen).not.toBe(headBefore.gen);
    expect((head.at as Date).getTime()).toBeGreaterThan((headBefore.at as Date).getTime());
    expect(
      (await agent.post(`/analysis/surveys/${survey.id}/refresh`, { back: '//evil.example' })).headers
        .location,
    ).toBe(`/analysis/surveys/${survey.id}`);
  });

  it('when the cross-tab is filtered by region, then each sector column counts that region only', async () => {
    const agent = await agentAs(ctx, 'analyst');
    const ontario = await agent.get(`/analysis/surveys/${survey.id}?region=ON&cross=single`);
    // Civil society: Alpha and Other, one each of two; academia: Beta, one of one.
    expect(ontario.text).toContain('3 submitted responses match.');
    expect(ontario.text).toMatch(
      /<th scope="row">Alpha<\/th><td class="number">1 \(50%\)<\/td><td class="number">0 \(0%\)<\/td>/,
    );
    const quebec = await agent.get(`/analysis/surveys/${survey.id}?region=QC&cross=single`);
    expect(quebec.text).toContain('0 submitted responses match.');
    expect(quebec.text).toMatch(/<th scope="row">Alpha<\/th><td class="number">0 \(–\)<\/td>/);
  });

  it('when a filter value is not a category, then the answer is a 400 page', async () => {
    const res = await (
      await agentAs(ctx, 'analyst')
    ).agent.get(`/analysis/surveys/${survey.id}?sector=%24ne`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('This filter value is not one of the categories we count.');
  });

  it('when the responses are exported as CSV, then there is a BOM, one column per answer and formulas are neutralised', async () => {
    const res = await (
      await agentAs(ctx, 'analyst')
    ).agent
      .get(`/analysis/surveys/${survey.id}/responses.csv`)
      .buffer(true)
      .parse((r, cb) => {
        let data = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (data += c));
        r.on('end', () => cb(null, data));
      });
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    // Streamed row by row (no Content-Length known in advance), so memory does not grow with the responses.
    expect(res.headers['transfer-encoding']).toBe('chunked');
    const lines = text(res).split('\r\n');
    expect(lines[0]).toMatch(
      /^\uFEFFresponse_id,survey_version,submitted_at,language,channel,sector,region,organisation,single,single\.other_text,multi\.a,multi\.b,multi\.c,multi\.other,multi\.other_text,/,
    );
    expect(lines[0]).toContain('grid.r1,grid.r2,rank.a,rank.b,rank.c');
    expect(lines).toHaveLength(5); // header, three rows, final empty line
    expect(text(res)).toContain("'=SUM(A1:A9)");
    // Ranking b, c, a: a is third, b first, c second.
    expect(text(res)).toMatch(/,yes,no,3,1,2\r\n/);
  });

  it('when the responses are exported as JSON, then each carries the codebook columns', async () => {
    const res = await (
      await agentAs(ctx, 'analyst')
    ).agent.get(`/analysis/surveys/${survey.id}/responses.json`);
    const body = JSON.parse(text(res)) as {
      codebook: { column: string }[];
      responses: Record<string, unknown>[];
    };
    expect(body.responses).toHaveLength(3);
    expect(body.responses[0]).toMatchObject({
      single: 'a',
      'multi.a': 1,
      'multi.b': 1,
      'multi.c': 0,
      'grid.r1': 'yes',
      sector: 'civil_society',
    });
    expect(body.codebook.map((c) => c.column)).toContain('grid.r2');
  });

  it('when the codebook is downloaded, then it labels columns and values in both languages', async () => {
    const res = await (
      await agentAs(ctx, 'analyst')
    ).agent.get(`/analysis/surveys/${survey.id}/codebook.json`);
    const single = res.body.columns.find((c: { column: string }) => c.column === 'single');
    expect(single).toMatchObject({
      question: 'single',
      question_type: 'single_choice',
      type: 'code',
      label_en: 'Pick one',
      label_fr: 'Pick one (fr)',
    });
    expect(single.values[0]).toEqual({ code: 'a', label_en: 'Alpha', label_fr: 'Alpha (fr)' });
  });

  it('when a question is removed in a new version, then its answers are still summarised and marked', async () => {
    await service.editDefinition(survey.id, FACTORY_SURVEY_OFFICER, (definition) => ({
      ...definition,
      sections: definition.sections.map((s) => ({
        ...s,
        questions: s.questions.filter((q) => q.id !== 'long'),
      })),
    }));
    const res = await (await agentAs(ctx, 'analyst')).agent.get(`/analysis/surveys/${survey.id}`);
    expect(res.text).toMatch(/Tell us more <span class="tag">Earlier version only<\/span>/);
  });

  it('when the round, consultation and index pages are opened, then they show completion and participants', async () => {
    const consultation = await (
      await agentAs(ctx, 'officer')
    ).agent.get(`/analysis/consultations/${survey.consultationId}`);
    expect(consultation.status).toBe(200);
    expect(consultation.text).toContain('Everything survey');
    expect(consultation.text).toContain('Completion rate');
    const index = await (await agentAs(ctx, 'analyst:francine', 'fr')).agent.get('/analysis');
    expect(index.status).toBe(200);
    expect(index.text).toContain('Cycles de mobilisation');
    const slug = /href="\/fr\/analysis\/rounds\/([^"]+)"/.exec(index.text)?.[1] as string;
    const round = await (await agentAs(ctx, 'analyst')).agent.get(`/analysis/rounds/${slug}`);
    expect(round.status).toBe(200);
    expect(round.text).toMatch(/<dt>Participants<\/dt><dd>3<\/dd>/);
  });
});
