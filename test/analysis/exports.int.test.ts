import type request from 'supertest';
import { REGION_CATEGORIES, SECTOR_CATEGORIES } from '../../src/platform/classifications';
import type { Survey, SurveysService } from '../../src/modules/surveys';
import { agentAs } from '../support/sign-in';
import { buildTestApp, type TestApp } from '../support/app';
import { both, createSurvey, everyTypeQuestions } from '../support/factories/surveys';
import { parseCsv } from '../support/csv';

/** Raw body of a download (CSV or JSON), whatever its content type. */
function raw(req: request.Test): request.Test {
  return req.buffer(true).parse((r, cb) => {
    let data = '';
    r.setEncoding('utf8');
    r.on('data', (c: string) => (data += c));
    r.on('end', () => cb(null, data));
  });
}

function records(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries((header ?? []).map((h, i) => [h, r[i] ?? ''])));
}

describe('analysis exports, codebook and filters', () => {
  let ctx: TestApp;
  let service: SurveysService;
  let survey: Survey;
  let anonymous: Survey;
  let n = 0;

  const submit = async (
    target: Survey,
    sector: string,
    region: string,
    answers: Record<string, unknown>,
    options: { locale?: 'en' | 'fr'; otherText?: Record<string, unknown> } = {},
  ) => {
    n++;
    await service.submitComplete({
      surveyId: target.id,
      respondent: { key: `anon:exports${n}`, browserKey: `exports${n}`, locale: options.locale ?? 'en' },
      idempotencyKey: `exports-${n}`,
      answers,
      otherText: options.otherText ?? {},
      sector,
      region,
    });
  };
  const grid = { grid: { r1: 'yes', r2: 'no' } };

  beforeAll(async () => {
    ctx = await buildTestApp();
    ({ survey, service } = await createSurvey(ctx, {
      definition: {
        title: both('Export survey'),
        sections: [{ id: 'all', title: both('All'), questions: everyTypeQuestions() }],
      },
    }));
    await submit(
      survey,
      'civil_society',
      'ON',
      { ...grid, single: 'a', multi: ['a', 'b'], stars: 5, num: 2, day: '2026-03-01', rank: ['b', 'a', 'c'] },
      { locale: 'en' },
    );
    await submit(
      survey,
      'civil_society',
      'QC',
      { ...grid, single: 'other', multi: ['other'], stars: 4, long: 'Plus de données' },
      { locale: 'fr', otherText: { single: 'Forums', multi: 'Ateliers' } },
    );
    await submit(
      survey,
      'academia',
      'ON',
      { ...grid, single: 'b', multi: ['c'], stars: 1 },
      { locale: 'en' },
    );
    // One invited response from an earlier day, recorded through the answer recorder (the surveys module's
    // entry point into analysis), so the channel and date filters have something to tell apart.
    await ctx.composition.answerCounters.recordAnswers({
      surveyId: survey.id,
      responseId: 'r-invited-early',
      revision: 1,
      answers: { ...grid, single: 'c', multi: ['a'], stars: 2 },
      sector: 'government',
      region: 'AB',
      submittedAt: new Date('2026-01-15T10:00:00Z'),
      surveyVersion: survey.version,
      otherText: {},
      locale: 'fr',
      channel: 'invited',
    });

    ({ survey: anonymous } = await createSurvey(ctx, {
      definition: {
        title: both('Anonymous survey'),
        sections: [{ id: 'all', title: both('All'), questions: everyTypeQuestions() }],
      },
      settings: { anonymous: true },
    }));
    // 6 civil society in Ontario, 5 government in Alberta, 2 academia in Quebec (a small group).
    for (let i = 0; i < 6; i++)
      await submit(anonymous, 'civil_society', 'ON', { ...grid, single: 'a', long: `cs ${i}` });
    for (let i = 0; i < 5; i++) await submit(anonymous, 'government', 'AB', { ...grid, single: 'b' });
    for (let i = 0; i < 2; i++)
      await submit(anonymous, 'academia', 'QC', { ...grid, single: 'c', long: `small ${i}` });
    await ctx.composition.answerCounters.snapshots.refresh(anonymous.id);
  });
  afterAll(() => ctx.close());

  describe('labelled and coded downloads', () => {
    it('when the labelled CSV is asked for in French, then headers are question texts and values are labels', async () => {
      const agent = await agentAs(ctx, 'analyst');
      const res = await raw(
        agent.agent.get(`/analysis/surveys/${survey.id}/responses.csv?form=labelled&labels=fr`),
      );
      expect(res.status).toBe(200);
      expect(res.headers['content-disposition']).toContain('responses-labelled-fr.csv');
      const [header] = parseCsv(res.body as string);
      expect(header).toEqual(
        expect.arrayContaining([
          'Identifiant de la réponse',
          'Secteur (déclaré)',
          'Pick one (fr)',
          'Pick one (fr) — autre (précisé)',
          'Pick some (fr)',
          'Rate it (fr) (1 = Bad (fr), 5 = Good (fr))',
          'Agree? (fr) — Row one (fr)',
          'Rank these (fr)',
        ]),
      );
      const rows = records(res.body as string);
      expect(rows).toHaveLength(4);
      const first = rows[0] as Record<string, string>;
      expect(first['Pick one (fr)']).toBe('Alpha (fr)');
      expect(first['Pick some (fr)']).toBe('Alpha (fr); Beta (fr)');
      expect(first['Rank these (fr)']).toBe('1. Beta (fr); 2. Alpha (fr); 3. Gamma (fr)');
      expect(first['Agree? (fr) — Row one (fr)']).toBe('Yes (fr)');
      expect(first['Secteur (déclaré)']).toBe('Organisation de la société civile');
      expect(first['Langue']).toBe('Anglais');
      expect(first['Canal']).toBe('Ouvert à tous');
      expect(first['When (fr)']).toBe('2026-03-01');
      expect(first['Rate it (fr) (1 = Bad (fr), 5 = Good (fr))']).toBe('5');
      const second = rows[1] as Record<string, string>;
      expect(second['Pick one (fr)']).toBe('Autre (précisé)');
      expect(second['Pick one (fr) — autre (précisé)']).toBe('Forums');
      expect(second['Pick some (fr) — autre (précisé)']).toBe('Ateliers');
      expect(second['Province ou territoire']).toBe('Québec');
      expect(second['Langue']).toBe('Français');
      // Not answered: empty.
      expect(second['How many (fr)']).toBe('');
      expect(second['Rank these (fr)']).toBe('');
    });

    it('when the labelled JSON is asked for, then it lists each column with its header and labelled values', async () => {
      const agent = await agentAs(ctx, 'analyst');
      const res = await raw(
        agent.agent.get(`/analysis/surveys/${survey.id}/responses.json?form=labelled&labels=en`),
      );
      const body = JSON.parse(res.body as string) as {
        form: string;
        language: string;
        columns: { column: string; header: string }[];
        responses: Record<string, unknown>[];
      };
      expect(body).toMatchObject({ form: 'labelled', language: 'en' });
      expect(body.columns).toContainEqual({ column: 'sector', header: 'Sector (self-identified)' });
      expect(body.responses[0]).toMatchObject({
        single: 'Alpha',
        multi: 'Alpha; Beta',
        sector: 'Civil society organization',
      });
      expect(body.responses[1]?.num).toBeNull();
    });

    it('when the coded CSV is downloaded, then multiple choices are 0/1 columns and rankings are ranks', async () => {
      const agent = await agentAs(ctx, 'analyst');
      const res = await raw(agent.agent.get(`/analysis/surveys/${survey.id}/responses.csv`));
      const rows = records(res.body as string);
      expect(rows[0]).toMatchObject({
        single: 'a',
        'multi.a': '1',
        'multi.b': '1',
        'multi.c': '0',
        'multi.other': '0',
        'rank.a': '2',
        'rank.b': '1',
        'rank.c': '3',
        'grid.r1': 'yes',
        stars: '5',
        sector: 'civil_society',
        language: 'en',
        channel: 'open',
      });
      expect(rows[1]).toMatchObject({
        single: 'other',
        'single.other_text': 'Forums',
        'multi.other': '1',
        num: '',
      });
      // A question not answered leaves its 0/1 columns empty (not 0).
      expect(rows[1]?.['rank.a']).toBe('');
    });

    it('when the form or language of labels is unknown, then the answer is a 400', async () => {
      const agent = await agentAs(ctx, 'analyst');
      expect((await agent.agent.get(`/analysis/surveys/${survey.id}/responses.csv?form=pretty`)).status).toBe(
        400,
      );
      expect(
        (await agent.agent.get(`/analysis/surveys/${survey.id}/responses.csv?form=labelled&labels=de`))
          .status,
      ).toBe(400);
    });
  });

  describe('the codebook', () => {
    it('when the codebook is downloaded, then every coded column is in it, complete against the survey definition', async () => {
      const agent = await agentAs(ctx, 'analyst');
      const book = (await agent.agent.get(`/analysis/surveys/${survey.id}/codebook.json`)).body as {
        conventions: { en: string[]; fr: string[] };
        columns: {
          column: string;
          question: string | null;
          question_type: string | null;
          label_en: string;
          label_fr: string;
          values: { code: string; label_en: string; label_fr: string }[] | null;
          scale: Record<string, unknown> | null;
          missing_en: string;
          missing_fr: string;
        }[];
      };
      const csv = await raw(agent.agent.get(`/analysis/surveys/${survey.id}/responses.csv`));
      const [header] = parseCsv(csv.body as string);
      // Exactly the download's columns, in its order.
      expect(book.columns.map((c) => c.column)).toEqual(header);
      const col = (id: string) => {
        const found = book.columns.find((c) => c.column === id);
        if (!found) throw new Error(`no codebook entry for ${id}`);
        return found;
      };
      for (const c of book.columns) {
        expect(c.label_en).not.toBe('');
        expect(c.label_fr).not.toBe('');
        expect(c.missing_en).not.toBe('');
        expect(c.missing_fr).not.toBe('');
      }
      // Checked against the definition itself: every question, option, row, scale point and label.
      for (const q of survey.definition.sections.flatMap((s) => s.questions)) {
        switch (q.type) {
          case 'single_choice':
          case 'dropdown': {
            const entry = col(q.id);
            expect(entry).toMatchObject({
              question: q.id,
              question_type: q.type,
              label_en: q.label.en,
              label_fr: q.label.fr,
            });
            expect(entry.values).toEqual([
              ...q.options.map((o) => ({ code: o.id, label_en: o.label.en, label_fr: o.label.fr })),
              ...(q.allowOther
                ? [{ code: 'other', label_en: 'Other (specified)', label_fr: expect.any(String) }]
                : []),
            ]);
            if (q.allowOther) expect(col(`${q.id}.other_text`).question).toBe(q.id);
            break;
          }
          case 'multiple_choice':
            for (const o of q.options) {
              const entry = col(`${q.id}.${o.id}`);
              expect(entry.label_en).toBe(`${q.label.en} — ${o.label.en}`);
              expect(entry.label_fr).toBe(`${q.label.fr} — ${o.label.fr}`);
              expect(entry.values?.map((v) => v.code)).toEqual(['1', '0']);
            }
            if (q.allowOther) {
              col(`${q.id}.other`);
              col(`${q.id}.other_text`);
            }
            break;
          case 'ranking':
            for (const o of q.options)
              expect(col(`${q.id}.${o.id}`).label_fr).toBe(`${q.label.fr} — ${o.label.fr}`);
            break;
          case 'matrix':
            for (const row of q.rows)
              expect(col(`${q.id}.${row.id}`).values).toEqual(
                q.scale.map((s) => ({ code: s.id, label_en: s.label.en, label_fr: s.label.fr })),
              );
            break;
          case 'rating':
            expect(col(q.id).scale).toEqual({
              min: 1,
              max: q.points,
              low_label_en: q.lowLabel?.en,
              low_label_fr: q.lowLabel?.fr,
              high_label_en: q.highLabel?.en,
              high_label_fr: q.highLabel?.fr,
            });
            break;
          default:
            expect(col(q.id)).toMatchObject({
              question_type: q.type,
              label_en: q.label.en,
              label_fr: q.label.fr,
            });
        }
      }
      // Sector and region: every code with its label in both languages.
      expect(col('sector').values?.map((v) => v.code)).toEqual([...SECTOR_CATEGORIES]);
      expect(col('region').values?.map((v) => v.code)).toEqual([...REGION_CATEGORIES]);
      expect(col('sector').values).toContainEqual({
        code: 'civil_society',
        label_en: 'Civil society organization',
        label_fr: 'Organisation de la société civile',
      });
      expect(col('region').values).toContainEqual({ code: 'QC', label_en: 'Quebec', label_fr: 'Québec' });
      expect(col('language').values?.map((v) => v.code)).toEqual(['en', 'fr']);
      expect(col('channel').values?.map((v) => v.code)).toEqual(['open', 'invited']);
      expect(col('sector').missing_en).toContain('not_asked');
      expect(book.conventions.en.join(' ')).toContain('Empty cell');
      expect(book.conventions.fr.join(' ')).toContain('Case vide');
    });

    it('when the codebook is downloaded as CSV, then each code is a row with its labels', async () => {
      const agent = await agentAs(ctx, 'analyst');
      const res = await raw(agent.agent.get(`/analysis/surveys/${survey.id}/codebook.csv`));
      const rows = records(res.body as string);
      expect(rows).toContainEqual(
        expect.objectContaining({
          column: 'region',
          code: 'QC',
          code_label_en: 'Quebec',
          code_label_fr: 'Québec',
        }),
      );
      expect(rows).toContainEqual(
        expect.objectContaining({
          column: 'stars',
          code: '5',
          code_label_en: 'Good',
          code_label_fr: 'Good (fr)',
        }),
      );
      expect(rows).toContainEqual(
        expect.objectContaining({ column: 'grid.r2', code: 'yes', code_label_en: 'Yes' }),
      );
    });
  });

  describe('filters apply to every figure and to the downloads', () => {
    it('when the page is filtered by sector, then the headline, who took part, summaries and links follow it', async () => {
      const agent = await agentAs(ctx, 'analyst');
      const res = await agent.agent.get(`/analysis/surveys/${survey.id}?sector=civil_society`);
      expect(res.status).toBe(200);
      expect(res.text).toContain('Filters in force');
      expect(res.text).toContain('<li>Sector: <strong>Civil society organization</strong></li>');
      expect(res.text).toMatch(/<dt>Matching responses<\/dt><dd>2<\/dd>/);
      // Who the matching responses are: one in Ontario, one in Quebec; one in English, one in French.
      expect(res.text).toMatch(/<th scope="row">Ontario<\/th>\s*<td class="number">1<\/td>/);
      expect(res.text).toMatch(/<th scope="row">Quebec<\/th>\s*<td class="number">1<\/td>/);
      expect(res.text).toMatch(/<th scope="row">Academia or research<\/th>\s*<td class="number">0<\/td>/);
      // Single choice: Alpha one of the two.
      expect(res.text).toMatch(
        /<th scope="row">Alpha<\/th><td class="number">1<\/td><td class="number">50%<\/td>/,
      );
      for (const file of ['responses.csv', 'responses.json', 'codebook.csv', 'codebook.json'])
        expect(res.text).toContain(`/analysis/surveys/${survey.id}/${file}?sector=civil_society`);
      expect(res.text).toContain(`responses.csv?sector=civil_society&amp;form=labelled&amp;labels=fr`);
      const csv = records(
        (await raw(agent.agent.get(`/analysis/surveys/${survey.id}/responses.csv?sector=civil_society`)))
          .body as string,
      );
      expect(csv.map((r) => r.sector)).toEqual(['civil_society', 'civil_society']);
      const book = (
        await agent.agent.get(`/analysis/surveys/${survey.id}/codebook.json?sector=civil_society`)
      ).body as {
        filters: Record<string, string>;
      };
      expect(book.filters).toEqual({ sector: 'civil_society' });
    });

    it('when the page is filtered by language, channel or dates, then figures come from the matching responses', async () => {
      const agent = await agentAs(ctx, 'analyst');
      const french = await agent.agent.get(`/analysis/surveys/${survey.id}?language=fr`);
      expect(french.status).toBe(200);
      expect(french.text).toMatch(/<dt>Matching responses<\/dt><dd>2<\/dd>/);
      // Single choice among the French responses: Other and Gamma.
      expect(french.text).toMatch(
        /<th scope="row">Gamma<\/th><td class="number">1<\/td><td class="number">50%<\/td>/,
      );
      expect(french.text).toMatch(/<th scope="row">Alpha<\/th><td class="number">0<\/td>/);
      expect(french.text).toContain('Plus de données');
      expect(french.text).toMatch(/<th scope="row">Government<\/th>\s*<td class="number">1<\/td>/);

      const invited = await agent.agent.get(`/analysis/surveys/${survey.id}?channel=invited&cross=single`);
      expect(invited.text).toMatch(/<dt>Matching responses<\/dt><dd>1<\/dd>/);
      expect(invited.text).toContain('Pick one, by sector');

      const early = await agent.agent.get(`/analysis/surveys/${survey.id}?since=2026-01-01&until=2026-01-31`);
      expect(early.text).toMatch(/<dt>Matching responses<\/dt><dd>1<\/dd>/);
      expect(early.text).toContain('Submitted until');
      const csv = records(
        (
          await raw(
            agent.agent.get(`/analysis/surveys/${survey.id}/responses.csv?since=2026-01-01&until=2026-01-31`),
          )
        ).body as string,
      );
      expect(csv.map((r) => r.response_id)).toEqual(['r-invited-early']);
      const json = JSON.parse(
        (await raw(agent.agent.get(`/analysis/surveys/${survey.id}/responses.json?language=fr&channel=open`)))
          .body as string,
      ) as { filters: Record<string, string>; responses: { language: string; channel: string }[] };
      expect(json.filters).toEqual({ language: 'fr', channel: 'open' });
      expect(json.responses).toHaveLength(1);
      expect(json.responses[0]).toMatchObject({ language: 'fr', channel: 'open' });
    });

    it('when a filter is malformed, then the page and the downloads answer 400', async () => {
      const agent = await agentAs(ctx, 'analyst');
      expect((await agent.agent.get(`/analysis/surveys/${survey.id}?since=2026-02-30`)).status).toBe(400);
      const reversed = await agent.agent.get(
        `/analysis/surveys/${survey.id}?since=2026-03-01&until=2026-01-01`,
      );
      expect(reversed.status).toBe(400);
      expect(reversed.text).toContain('The start date is after the end date.');
      expect((await agent.agent.get(`/analysis/surveys/${survey.id}/responses.csv?channel=fax`)).status).toBe(
        400,
      );
      expect((await agent.agent.get(`/analysis/surveys/${survey.id}/codebook.json?language=de`)).status).toBe(
        400,
      );
    });
  });

  describe('anonymous surveys do not re-identify', () => {
    it('when an anonymous survey is exported, then rows are coarsened and small sector-region groups suppressed', async () => {
      const agent = await agentAs(ctx, 'analyst');
      const res = await raw(agent.agent.get(`/analysis/surveys/${anonymous.id}/responses.csv`));
      expect(res.status).toBe(200);
      const [header] = parseCsv(res.body as string);
      expect(header?.slice(0, 5)).toEqual(['row', 'survey_version', 'submitted_week', 'sector', 'region']);
      for (const gone of ['response_id', 'submitted_at', 'language', 'channel', 'organisation'])
        expect(header).not.toContain(gone);
      const rows = records(res.body as string);
      expect(rows).toHaveLength(13);
      expect(rows.map((r) => r.row)).toEqual(rows.map((_, i) => String(i + 1)));
      for (const r of rows) {
        expect(r.submitted_week).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(new Date(`${r.submitted_week}T00:00:00Z`).getUTCDay()).toBe(1); // a Monday
      }
      const combos = (sector: string) => rows.filter((r) => r.sector === sector).length;
      // 2 academia/QC rows are under 5, so hidden; alone they would be worked out, so the next smallest group
      // (government/AB, 5) is hidden with them; civil society/ON (6) stays.
      expect(combos('academia')).toBe(0);
      expect(combos('government')).toBe(0);
      expect(combos('suppressed')).toBe(7);
      expect(rows.filter((r) => r.region === 'suppressed')).toHaveLength(7);
      expect(combos('civil_society')).toBe(6);
      // The same in the labelled and JSON forms.
      const labelled = records(
        (
          await raw(
            agent.agent.get(`/analysis/surveys/${anonymous.id}/responses.csv?form=labelled&labels=en`),
          )
        ).body as string,
      );
      expect(
        labelled.filter((r) => r['Sector (self-identified)'] === 'Suppressed (too few responses)'),
      ).toHaveLength(7);
      const json = JSON.parse(
        (await raw(agent.agent.get(`/analysis/surveys/${anonymous.id}/responses.json`))).body as string,
      ) as {
        responses: Record<string, unknown>[];
      };
      expect(json.responses[0]).not.toHaveProperty('submitted_at');
      expect(json.responses.filter((r) => r.sector === 'academia')).toHaveLength(0);
    });

    it('when an anonymous survey is filtered to a small group, then the page, the texts and the downloads refuse', async () => {
      const agent = await agentAs(ctx, 'analyst');
      const page = await agent.agent.get(`/analysis/surveys/${anonymous.id}?sector=academia`);
      expect(page.status).toBe(400);
      expect(page.text).toContain('fewer than 5 responses');
      expect(page.text).not.toContain('small 0');
      expect((await agent.agent.get(`/analysis/surveys/${anonymous.id}?region=QC&language=en`)).status).toBe(
        400,
      );
      expect(
        (await agent.agent.get(`/analysis/surveys/${anonymous.id}/texts/long?sector=academia`)).status,
      ).toBe(400);
      expect(
        (await agent.agent.get(`/analysis/surveys/${anonymous.id}/responses.csv?sector=academia`)).status,
      ).toBe(400);
      // A group at the threshold or above is fine.
      expect((await agent.agent.get(`/analysis/surveys/${anonymous.id}?sector=government`)).status).toBe(200);
      // A filtered set with nothing in it reveals nobody.
      expect((await agent.agent.get(`/analysis/surveys/${anonymous.id}?sector=individual`)).status).toBe(200);
    });

    it('when an anonymous survey is crossed by sector, then small sector columns are hidden', async () => {
      const agent = await agentAs(ctx, 'analyst');
      const res = await agent.agent.get(`/analysis/surveys/${anonymous.id}?cross=single`);
      expect(res.status).toBe(200);
      // Civil society (6) shown; academia (2) hidden, and government (5) hidden with it so academia cannot be
      // worked out from the question's totals.
      expect(res.text).toMatch(
        /<th scope="row">Alpha<\/th><td class="number">6 \(100%\)<\/td><td class="number">Not shown<\/td>/,
      );
      expect(res.text).toContain('because this survey is anonymous');
      expect(res.text).toContain('This survey is anonymous');
    });

    it('when the codebook of an anonymous survey is read, then it explains the coarsening', async () => {
      const agent = await agentAs(ctx, 'analyst');
      const book = (await agent.agent.get(`/analysis/surveys/${anonymous.id}/codebook.json`)).body as {
        anonymous: boolean;
        suppression_threshold: number;
        conventions: { en: string[] };
        columns: { column: string; values: { code: string }[] | null; missing_en: string }[];
      };
      expect(book).toMatchObject({ anonymous: true, suppression_threshold: 5 });
      expect(book.conventions.en.join(' ')).toContain('fewer than 5 rows');
      const sector = book.columns.find((c) => c.column === 'sector');
      expect(sector?.values?.map((v) => v.code)).toContain('suppressed');
      expect(sector?.missing_en).toContain('suppressed');
      expect(book.columns.map((c) => c.column)).not.toContain('channel');
    });
  });
});
