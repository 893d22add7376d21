import request from 'supertest';
import { seedDemo } from '../../src/demo/demo-seed';
import type { SubmissionRecord } from '../../src/modules/participation';
import {
  AGE_RANGES,
  GENDERS,
  REGION_CATEGORIES,
  SECTOR_CATEGORIES,
} from '../../src/platform/classifications';
import { buildTestApp, type TestApp } from '../support/app';
import {
  FACTORY_OFFICER,
  completeRoundAt,
  consultationsServiceFor,
  roundInput,
} from '../support/factories/consultations';

/**
 * An outside auditor's attack on suppression, on every public output at once: the round API, the trend API for
 * every sector, the open-data CSV and JSON, the public round page (with its gender and age tables), the key
 * indicators (API and page) and the commitments' computed indicators. Everything they publish about a round is
 * merged per table (a count from one output, a rounded share from another, a share of those who answered from a
 * third), totals are pinned from every (count, share) pair, and then every hidden cell is worked out where it can
 * be. The test fails if any hidden cell comes out exact, or if any output publishes a number for a cell another
 * hides. Run on the demo and on a randomised dataset (seeded: the seed is in the test name).
 */

const NON_ANSWERS = ['prefer_not_to_say', 'not_asked', 'not_answered'];
type Table = 'sector' | 'region' | 'language' | 'channel' | 'gender' | 'ageRange';

interface Interval {
  low: number;
  high: number;
}
interface CellKnowledge {
  counts: Set<number>;
  hiddenIn: Set<string>;
  shares: Interval[];
  sharesOfAnswered: Interval[];
}
interface RoundKnowledge {
  participants: Set<number>;
  tables: Map<Table, Map<string, CellKnowledge>>;
}

class Auditor {
  readonly rounds = new Map<string, RoundKnowledge>();

  private round(slug: string): RoundKnowledge {
    let r = this.rounds.get(slug);
    if (!r) this.rounds.set(slug, (r = { participants: new Set(), tables: new Map() }));
    return r;
  }

  private cell(slug: string, table: Table, key: string): CellKnowledge {
    const r = this.round(slug);
    let t = r.tables.get(table);
    if (!t) r.tables.set(table, (t = new Map()));
    let c = t.get(key);
    if (!c) t.set(key, (c = { counts: new Set(), hiddenIn: new Set(), shares: [], sharesOfAnswered: [] }));
    return c;
  }

  participants(slug: string, value: unknown) {
    this.round(slug);
    if (typeof value === 'number') this.round(slug).participants.add(value);
  }

  /** What one output says about one cell: a count (null = hidden there), shares given to ± `half`. */
  publish(
    source: string,
    slug: string,
    table: Table,
    key: string,
    values: { count?: number | null; share?: number | null; shareOfAnswered?: number | null; half?: number },
  ) {
    const c = this.cell(slug, table, key);
    const half = values.half ?? 0.00005;
    if (values.count === null) c.hiddenIn.add(source);
    if (typeof values.count === 'number') c.counts.add(values.count);
    if (typeof values.share === 'number')
      c.shares.push({ low: values.share - half, high: values.share + half });
    if (typeof values.shareOfAnswered === 'number')
      c.sharesOfAnswered.push({ low: values.shareOfAnswered - half, high: values.shareOfAnswered + half });
  }

  /** Every hidden cell that an output publishes a number for, or that the merged numbers pin to one value. */
  leaks(): string[] {
    const found: string[] = [];
    for (const [slug, r] of this.rounds) {
      for (const [table, cells] of r.tables) {
        const entries = [...cells.entries()];
        const hiddenKeys = entries.filter(([, c]) => c.hiddenIn.size > 0).map(([k]) => k);
        for (const [key, c] of entries) {
          if (c.hiddenIn.size > 0 && (c.counts.size > 0 || c.shares.length || c.sharesOfAnswered.length))
            found.push(
              `${slug}/${table}/${key}: hidden in ${[...c.hiddenIn].join(', ')} but published elsewhere`,
            );
        }
        if (hiddenKeys.length === 0) continue;
        const shown = entries.filter(([k]) => !hiddenKeys.includes(k));
        const countOf = (c: CellKnowledge) => [...c.counts][0] ?? 0;
        // Totals that any published number pins: the participants, and count / share for every shown cell.
        const pin = (count: number, interval: Interval, into: Set<number>) => {
          if (count === 0 || interval.high <= 0) return;
          const low = Math.ceil(count / interval.high - 1e-9);
          const high = Math.floor(count / Math.max(interval.low, 1e-9) + 1e-9);
          if (low === high) into.add(low);
        };
        const all = new Set(r.participants);
        const answered = new Set<number>();
        for (const [, c] of shown) {
          for (const s of c.shares) pin(countOf(c), s, all);
          for (const s of c.sharesOfAnswered) pin(countOf(c), s, answered);
        }
        const groups: [string[], Set<number>][] = [
          [entries.map(([k]) => k), all],
          [entries.map(([k]) => k).filter((k) => !NON_ANSWERS.includes(k)), answered],
        ];
        for (const [keys, totals] of groups) {
          const hidden = keys.filter((k) => hiddenKeys.includes(k));
          const sum = keys
            .filter((k) => !hiddenKeys.includes(k))
            .reduce((s, k) => s + countOf(cells.get(k) as CellKnowledge), 0);
          for (const total of totals) {
            const rest = total - sum;
            if (hidden.length === 1) found.push(`${slug}/${table}/${hidden[0]} = ${rest}`);
            else if (hidden.length > 1 && (rest === hidden.length || rest === 0))
              found.push(`${slug}/${table}/${hidden.join('+')} = ${rest} (each ${rest / hidden.length})`);
          }
        }
      }
    }
    return found;
  }
}

const csvRows = (text: string): string[][] =>
  text
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n')
    .map((line) => line.split(','));

/** Parses the page's breakdown tables: count cells ("1,234" or "Not shown") and shares ("8.1%"). */
function pageTables(html: string): Map<string, { label: string; cells: string[] }[]> {
  const out = new Map<string, { label: string; cells: string[] }[]>();
  for (const section of html.split('<section class="breakdown"').slice(1)) {
    const id = /aria-labelledby="breakdown-([A-Za-z]+)"/.exec(section)?.[1] as string;
    const rows = [
      ...section.matchAll(/<tr[^>]*>\s*<th scope="row">([^<]*)<\/th>((?:\s*<td[^>]*>[^<]*<\/td>)+)/g),
    ];
    out.set(
      id,
      rows.map((m) => ({
        label: m[1] as string,
        cells: [...(m[2] as string).matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((c) => (c[1] as string).trim()),
      })),
    );
  }
  return out;
}

function percent(text: string): { value: number; half: number } | null {
  const m = /^([\d.]+)%$/.exec(text.replace(/[\s\u00a0\u202f]/g, ''));
  if (!m) return null;
  const decimals = (m[1]?.split('.')[1] ?? '').length;
  return { value: Number(m[1]) / 100, half: (0.5 * 10 ** -decimals) / 100 + 1e-12 };
}

/** Reads every public output of the app into an Auditor. */
async function readEverything(ctx: TestApp): Promise<Auditor> {
  const auditor = new Auditor();
  const app = ctx.app;
  const rounds = (await request(app).get('/api/v1/rounds')).body.rounds as {
    slug: string;
    title: { en: string };
  }[];
  const slugByTitle = new Map(rounds.map((r) => [r.title.en, r.slug]));
  const keyNames: Record<string, Table> = {
    bySector: 'sector',
    byRegion: 'region',
    byLanguage: 'language',
    byChannel: 'channel',
  };
  for (const round of rounds) {
    const api = (await request(app).get(`/api/v1/rounds/${round.slug}/participation`)).body;
    auditor.participants(round.slug, api.participants);
    for (const [field, table] of Object.entries(keyNames)) {
      for (const c of api[field] as Record<string, unknown>[])
        auditor.publish('api', round.slug, table, String(c[table]), {
          count: c.count as number | null,
          share: c.share as number | null,
          shareOfAnswered: c.shareOfAnswered as number | null,
        });
    }
    // The public page: the same tables and the gender and age ones, with page precision.
    const page = await request(app).get(`/participation/rounds/${round.slug}`).set('Accept-Language', 'en');
    const keysOf: Record<string, readonly string[]> = {
      sector: SECTOR_CATEGORIES,
      region: REGION_CATEGORIES,
      language: ['en', 'fr'],
      channel: ['open', 'invited'],
      gender: [...GENDERS, 'not_answered'],
      ageRange: [...AGE_RANGES, 'not_answered'],
    };
    for (const [id, rows] of pageTables(page.text)) {
      const table = id as Table;
      rows.forEach((row, i) => {
        const key = keysOf[table]?.[i] ?? row.label;
        const [count = '', share = '', ofAnswered = ''] = row.cells;
        const hidden = count === 'Not shown';
        const s = percent(share);
        const a = percent(ofAnswered);
        auditor.publish('page', round.slug, table, key, {
          count: hidden ? null : Number(count.replace(/[^\d]/g, '')),
          ...(s ? { share: s.value, half: s.half } : {}),
        });
        if (a) auditor.publish('page', round.slug, table, key, { shareOfAnswered: a.value, half: a.half });
      });
    }
  }
  for (const sector of SECTOR_CATEGORIES) {
    const trend = (await request(app).get(`/api/v1/participation/trend?sector=${sector}`)).body;
    for (const e of trend.rounds as Record<string, number | null | string>[]) {
      auditor.participants(e.round as string, e.participants);
      auditor.publish('trend', e.round as string, 'sector', sector, {
        count: e.count as number | null,
        share: e.share as number | null,
        shareOfAnswered: e.shareOfAnswered as number | null,
      });
    }
  }
  const dims: Record<string, Table> = {
    sector: 'sector',
    region: 'region',
    language: 'language',
    channel: 'channel',
  };
  const [header, ...rows] = csvRows((await request(app).get('/open-data/participation.csv')).text);
  const col = (name: string) => (header as string[]).indexOf(name);
  for (const row of rows) {
    const slug = row[col('round')] as string;
    const dimension = row[col('dimension')] as string;
    const count = row[col('participants')] === '' ? null : Number(row[col('participants')]);
    const share = row[col('share')] === '' ? null : Number(row[col('share')]);
    if (dimension === 'all') auditor.participants(slug, count);
    else
      auditor.publish('csv', slug, dims[dimension] as Table, row[col('category')] as string, {
        count,
        share,
      });
  }
  for (const r of (await request(app).get('/open-data/participation.json')).body.rows as Record<
    string,
    unknown
  >[]) {
    if (r.dimension === 'all') auditor.participants(r.round as string, r.participants);
    else
      auditor.publish('json', r.round as string, dims[r.dimension as string] as Table, String(r.category), {
        count: r.participants as number | null,
        share: r.share as number | null,
      });
  }
  // Key indicators: a sector share or a participant count per completed round, labelled by the round's title.
  for (const i of (await request(app).get('/api/v1/indicators')).body.indicators as {
    kind: string;
    sector?: string;
    series: { value: number | null; label: { en: string } }[];
  }[]) {
    for (const p of i.series) {
      const slug = slugByTitle.get(p.label.en);
      if (!slug || i.kind === 'manual') continue;
      if (i.kind === 'participants') auditor.participants(slug, p.value);
      else if (p.value !== null)
        auditor.publish('indicators', slug, 'sector', i.sector as string, { share: p.value });
    }
  }
  // Commitments' computed indicators.
  for (const plan of (await request(app).get('/api/v1/plans')).body.data as { slug: string }[]) {
    const detail = (await request(app).get(`/api/v1/plans/${plan.slug}`)).body.data;
    for (const c of detail.commitments as { number: string }[]) {
      const commitment = (await request(app).get(`/api/v1/plans/${plan.slug}/commitments/${c.number}`)).body
        .data;
      for (const i of commitment.indicators as {
        source: string;
        sector: string | null;
        series: { value: number | null; label: { en: string } }[];
      }[]) {
        if (i.source !== 'rounds') continue;
        for (const p of i.series) {
          const slug = slugByTitle.get(p.label.en);
          if (slug && p.value !== null)
            auditor.publish('commitments', slug, 'sector', i.sector as string, { share: p.value });
        }
      }
    }
  }
  return auditor;
}

/** A small seeded generator (mulberry32), so a failing dataset can be replayed from its seed. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  /** Skewed: a few large categories and a long tail of small ones, where suppression matters. */
  const skewed = <T>(items: readonly T[]) => {
    const weights = items.map(() => (next() < 0.3 ? 20 + next() * 40 : next() * 3));
    const total = weights.reduce((s, w) => s + w, 0);
    return () => {
      let x = next() * total;
      for (const [i, w] of weights.entries()) if ((x -= w) < 0) return items[i] as T;
      return items[items.length - 1] as T;
    };
  };
  return { next, skewed };
}

describe('suppression audit of every public output', () => {
  describe('on a randomised dataset', () => {
    const seed = Number(process.env.AUDIT_SEED ?? 20261202);
    let ctx: TestApp;

    beforeAll(async () => {
      ctx = await buildTestApp();
      const random = generator(seed);
      const consultations = await consultationsServiceFor(ctx);
      await ctx.composition.participation.indicators.create(
        {
          slug: 'participants',
          nameEn: 'Participants',
          nameFr: 'Participants',
          kind: 'participants',
          targetValue: '100',
          targetDate: '2030-01-01',
          published: 'on',
        },
        { id: 'a', email: 'a@example.ca', name: 'Analyst', roles: ['analyst'], locale: 'en', profile: {} },
      );
      for (const sector of SECTOR_CATEGORIES)
        await ctx.composition.participation.indicators.create(
          {
            slug: `share-${sector.replace(/_/g, '-')}`,
            nameEn: `Share ${sector}`,
            nameFr: `Part ${sector}`,
            kind: 'sector_share',
            sector,
            targetValue: '10',
            targetDate: '2030-01-01',
            published: 'on',
          },
          { id: 'a', email: 'a@example.ca', name: 'Analyst', roles: ['analyst'], locale: 'en', profile: {} },
        );
      let n = 0;
      for (let r = 0; r < 4; r++) {
        const round = await consultations.createRound(
          roundInput({
            slug: `random-${seed}-${r}`,
            title: { en: `Random round ${r}`, fr: `Cycle aléatoire ${r}` },
            startsOn: new Date(Date.UTC(2020 + r, 0, 1)),
            endsOn: new Date(Date.UTC(2020 + r, 11, 1)),
            status: 'active',
          }),
          FACTORY_OFFICER,
        );
        const size = 6 + Math.floor(random.next() * 90);
        const pick = {
          sector: random.skewed(SECTOR_CATEGORIES),
          region: random.skewed(REGION_CATEGORIES),
          gender: random.skewed([...GENDERS, undefined]),
          ageRange: random.skewed([...AGE_RANGES, undefined]),
          locale: random.skewed(['en', 'fr'] as const),
          channel: random.skewed(['open', 'invited'] as const),
        };
        for (let i = 0; i < size; i++) {
          n++;
          const gender = pick.gender();
          const ageRange = pick.ageRange();
          await ctx.composition.participation.participation.recordSubmission({
            responseId: `random-${n}`,
            roundId: round.id,
            consultationId: `c-${r}`,
            surveyId: `s-${r}`,
            respondentKey: `anon:random${n}`,
            sector: pick.sector() as SubmissionRecord['sector'],
            region: pick.region() as SubmissionRecord['region'],
            ...(gender ? { gender } : {}),
            ...(ageRange ? { ageRange } : {}),
            locale: pick.locale(),
            channel: pick.channel(),
            submittedAt: new Date(Date.UTC(2020 + r, 5, 1, 0, i)),
          });
        }
        // Three completed rounds (frozen) and the last one still active.
        if (r < 3) await completeRoundAt(ctx, round.id, new Date(Date.UTC(2020 + r, 11, 1)));
      }
    }, 300_000);
    afterAll(() => ctx.close());

    it(`when every output is merged (seed ${seed}), then no hidden cell can be worked out`, async () => {
      const auditor = await readEverything(ctx);
      expect(auditor.rounds.size).toBe(4);
      // The audit saw hidden cells to attack, in the tables of the page as well as the API's.
      const hiddenTables = new Set<string>();
      for (const [, r] of auditor.rounds)
        for (const [table, cells] of r.tables)
          if ([...cells.values()].some((c) => c.hiddenIn.size > 0)) hiddenTables.add(table);
      expect([...hiddenTables]).toEqual(expect.arrayContaining(['sector', 'region', 'gender', 'ageRange']));
      expect(auditor.leaks()).toEqual([]);
    }, 120_000);
  });

  describe('on the demo', () => {
    let ctx: TestApp;

    beforeAll(async () => {
      ctx = await buildTestApp();
      await seedDemo(ctx.composition);
    }, 600_000);
    afterAll(() => ctx.close());

    it('when every output of the demo is merged, then no hidden cell can be worked out', async () => {
      const auditor = await readEverything(ctx);
      expect([...auditor.rounds.keys()]).toEqual(
        expect.arrayContaining(['engagement-2016', 'engagement-2018']),
      );
      expect(auditor.leaks()).toEqual([]);
    }, 120_000);
  });
});
