import request from 'supertest';
import type { SubmissionRecord } from '../../src/modules/participation';
import { buildTestApp, type TestApp } from '../support/app';
import {
  FACTORY_OFFICER,
  completeRoundAt,
  consultationsServiceFor,
  roundInput,
} from '../support/factories/consultations';

/**
 * The audit of issue 11, replayed on every public output: work out totals from every published number (counts,
 * shares, shares of those who answered, in the API, the trend, the open data and the pages) and try to recover a
 * hidden cell from them. 150 participants; region AB = 12 with 0.0811 of those who answered gave 148 answered and
 * 150 - 148 = 2 hidden before.
 */

const NON_ANSWERS = ['prefer_not_to_say', 'not_asked', 'not_answered'];
const REGIONS: [SubmissionRecord['region'], number][] = [
  ['ON', 60],
  ['QC', 33],
  ['BC', 20],
  ['AB', 12],
  ['MB', 6],
  ['SK', 5],
  ['NS', 5],
  ['NB', 3],
  ['NU', 2],
  ['YT', 2],
  ['not_asked', 2],
];
const SECTORS: [SubmissionRecord['sector'], number][] = [
  ['civil_society', 30],
  ['academia', 3],
  ['government', 4],
  ['individual', 105],
  ['prefer_not_to_say', 8],
];
const expand = <T>(pairs: [T, number][]) => pairs.flatMap(([key, n]) => Array<T>(n).fill(key));

interface ApiCell {
  count: number | null;
  share: number | null;
  shareOfAnswered?: number | null;
  [name: string]: unknown;
}

/**
 * Everything an outsider can work out from one table: each total (all participants; those who answered) that any
 * published number pins to one integer, then each hidden cell that is alone in its group, or forced because the
 * hidden cells of a group add up to their number (all ones). Returns the recovered cells.
 */
function audit(cells: ApiCell[], name: string, participants: number | null): string[] {
  const key = (c: ApiCell) => String(c[name]);
  const totals: { group: ApiCell[]; candidates: Set<number> }[] = [];
  const all = { group: cells, candidates: new Set<number>() };
  const answered = {
    group: cells.filter((c) => !NON_ANSWERS.includes(key(c))),
    candidates: new Set<number>(),
  };
  if (participants !== null) all.candidates.add(participants);
  // A rounded share s = count / total pins total to the integers in count / (s ± 0.00005).
  const pin = (count: number, share: number, into: Set<number>) => {
    if (count === 0 || share === 0) return;
    const low = Math.ceil(count / (share + 0.00005));
    const high = Math.floor(count / Math.max(share - 0.00005, 1e-9));
    if (low === high) into.add(low);
  };
  for (const c of cells) {
    if (c.count !== null && c.share !== null) pin(c.count, c.share, all.candidates);
    if (c.count !== null && c.shareOfAnswered !== null && c.shareOfAnswered !== undefined)
      pin(c.count, c.shareOfAnswered, answered.candidates);
  }
  totals.push(all, answered);
  const recovered: string[] = [];
  for (const { group, candidates } of totals) {
    for (const total of candidates) {
      const hidden = group.filter((c) => c.count === null);
      const shown = group.reduce((sum, c) => sum + (c.count ?? 0), 0);
      const rest = total - shown;
      if (hidden.length === 1) recovered.push(`${key(hidden[0] as ApiCell)}=${rest}`);
      else if (hidden.length > 1 && rest === hidden.length)
        recovered.push(...hidden.map((c) => `${key(c)}=1`));
    }
  }
  return recovered;
}

describe('suppression against every public output', () => {
  let ctx: TestApp;

  beforeAll(async () => {
    ctx = await buildTestApp();
    const consultations = await consultationsServiceFor(ctx);
    const round = await consultations.createRound(
      roundInput({
        slug: 'audit-2018',
        title: { en: 'Audit 2018', fr: 'Audit 2018' },
        startsOn: new Date(Date.UTC(2018, 2, 1)),
        endsOn: new Date(Date.UTC(2018, 11, 15)),
        status: 'active',
      }),
      FACTORY_OFFICER,
    );
    const regions = expand(REGIONS);
    const sectors = expand(SECTORS);
    for (let i = 0; i < 150; i++) {
      await ctx.composition.participation.participation.recordSubmission({
        responseId: `audit-${i}`,
        roundId: round.id,
        consultationId: 'c-audit',
        surveyId: 's-audit',
        respondentKey: `anon:audit${i}`,
        sector: sectors[i] as SubmissionRecord['sector'],
        region: regions[i] as SubmissionRecord['region'],
        locale: i % 3 ? 'en' : 'fr',
        channel: i < 148 ? 'open' : 'invited',
        submittedAt: new Date(Date.UTC(2018, 4, 1, 0, i)),
      });
    }
    await completeRoundAt(ctx, round.id, new Date(Date.UTC(2018, 11, 15)));
  }, 120_000);
  afterAll(() => ctx.close());

  it('when an auditor works totals out of the round API, then no hidden cell comes out exact', async () => {
    const res = await request(ctx.app).get('/api/v1/rounds/audit-2018/participation');
    expect(res.status).toBe(200);
    const body = res.body as Record<string, unknown> & { participants: number };
    expect(body.participants).toBe(150);
    const region = body.byRegion as ApiCell[];
    expect(region.find((c) => c.region === 'AB')).toMatchObject({ count: 12, share: 0.08 });
    // Before: 0.0811 of those who answered, which gave the 2 hidden non-answers away.
    expect(region.find((c) => c.region === 'AB')?.shareOfAnswered).toBeNull();
    expect(region.filter((c) => c.count === null).length).toBeGreaterThanOrEqual(2);
    for (const [field, name] of [
      ['bySector', 'sector'],
      ['byRegion', 'region'],
      ['byLanguage', 'language'],
      ['byChannel', 'channel'],
    ] as const)
      expect({ field, recovered: audit(body[field] as ApiCell[], name, body.participants) }).toEqual({
        field,
        recovered: [],
      });
    // 148 open and 2 invited: the 2 cannot be shown, and the total would give it, so the 148 is hidden too.
    expect((body.byChannel as ApiCell[]).map((c) => c.count)).toEqual([null, null]);
  });

  it('when the sector trend, the open data and the pages are read, then they publish nothing the API hides', async () => {
    const api = (await request(ctx.app).get('/api/v1/rounds/audit-2018/participation')).body as {
      bySector: ApiCell[];
      byRegion: ApiCell[];
    };
    for (const [sector] of SECTORS) {
      const trend = await request(ctx.app).get(`/api/v1/participation/trend?sector=${sector}`);
      const entry = (trend.body.rounds as ApiCell[]).find((r) => r.round === 'audit-2018');
      const cell = api.bySector.find((c) => c.sector === sector) as ApiCell;
      expect(entry).toMatchObject({
        participants: 150,
        count: cell.count,
        share: cell.share,
        shareOfAnswered: cell.shareOfAnswered,
      });
    }
    const open = await request(ctx.app).get('/open-data/participation.json');
    const rows = (open.body.rows as Record<string, unknown>[]).filter((r) => r.round === 'audit-2018');
    for (const c of api.byRegion) {
      expect(rows).toContainEqual(
        expect.objectContaining({
          dimension: 'region',
          category: c.region,
          participants: c.count,
          share: c.share,
        }),
      );
    }
    const page = await request(ctx.app).get('/participation/rounds/audit-2018').set('Accept-Language', 'en');
    expect(page.status).toBe(200);
    // The share of those who answered was 8.1% for AB: the page no longer shows it.
    expect(page.text).not.toContain('8.1%');
    expect(page.text).toContain('12');
  });
});
