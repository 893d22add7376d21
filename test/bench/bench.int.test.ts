/**
 * `npm run bench` is not a test; this runs its parts at a trivial size so they cannot rot: the loader's documents
 * are what the app reads (counters, pages, export), and every measure completes with no failed request. No timing
 * is asserted.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseOptions } from '../../scripts/bench';
import { createFixture, type Fixture } from '../../scripts/bench/fixture';
import { CookieJar, HttpClient } from '../../scripts/bench/http';
import { browserKeyOf, Loader } from '../../scripts/bench/loader';
import {
  addressFor,
  apiRun,
  measureExport,
  measurePages,
  PAGES,
  signIn,
  type Context,
} from '../../scripts/bench/measures';
import { growthOf, markdown } from '../../scripts/bench/report';
import { measureThroughput, median, percentile, sampleLatencies } from '../../scripts/bench/stats';
import { buildTestApp, testConfig, type TestApp } from '../support/app';

describe('bench arithmetic', () => {
  it('percentiles are nearest-rank and medians ignore missing values', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(95);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(median([3, NaN, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('sampling stops at its count, or after one call once the deadline has passed, and counts failures', async () => {
    let calls = 0;
    const counted = await sampleLatencies(
      async (i) => {
        calls++;
        if (i === 1) throw new Error('boom');
      },
      { count: 5, deadlineMs: 600_000 },
    );
    expect(calls).toBe(5);
    expect(counted).toMatchObject({ n: 4, errors: 1, firstError: 'boom' });
    calls = 0;
    await sampleLatencies(async () => void calls++, { count: 5, deadlineMs: 0 });
    expect(calls).toBe(1);
    const throughput = await measureThroughput(async () => undefined, {
      concurrency: 3,
      count: 10,
      deadlineMs: 600_000,
    });
    expect(throughput.completed).toBe(10);
  });

  it('options are bounded and checked', () => {
    expect(parseOptions([]).sizes).toEqual([1000, 10_000, 100_000]);
    expect(parseOptions(['--sizes', '10,20', '--repeats', '5'])).toMatchObject({
      sizes: [10, 20],
      repeats: 5,
    });
    expect(() => parseOptions(['--sizes', '20,10'])).toThrow(/ascending/);
    expect(() => parseOptions(['--repeats', '0'])).toThrow(/repeats/);
    expect(() => parseOptions(['--fast'])).toThrow(/Unknown/);
  });
});

describe('bench measures at a trivial size', () => {
  let ctx: TestApp;
  let server: Server;
  let fixture: Fixture;
  let context: Context;
  const SIZE = 12;

  beforeAll(async () => {
    ctx = await buildTestApp({ config: testConfig({ TRUST_PROXY: 'loopback' }) });
    fixture = await createFixture(ctx.composition);
    const loader = new Loader(ctx.db.connection, ctx.composition, fixture, SIZE);
    await loader.loadDrafts(2);
    await loader.growTo(SIZE);
    await loader.rebuildCounters();
    server = ctx.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const http = new HttpClient((server.address() as AddressInfo).port, 8);
    let addresses = 0;
    context = {
      options: { repeats: 1, samples: 2, apiRequests: 4, concurrency: [2], loopDeadlineMs: 60_000 },
      fixture,
      appPid: process.pid,
      appHttp: http,
      staffCookie: await signIn(http, fixture.analyst.email, fixture.analyst.password),
      respondents: [0, 1].map((i) => {
        const jar = new CookieJar();
        jar.set('agora.respondent', browserKeyOf('draft', i));
        return { jar, token: ctx.composition.surveys.formToken(browserKeyOf('draft', i)) };
      }),
      nextAddress: () => addressFor(addresses++),
      log: () => undefined,
    };
  }, 120_000);

  afterAll(async () => {
    context?.appHttp.close();
    await new Promise((resolve) => server?.close(resolve));
    await ctx?.close();
  });

  it('bulk-loaded responses are counted by the rebuilt counters', async () => {
    const counts = await ctx.composition.participation.participation.counts('survey', fixture.surveyId);
    expect(counts.responses).toBe(SIZE);
    expect(counts.participants).toBe(SIZE);
  });

  it('every page answers as expected (a draft is found, a page is saved) with no failed request', async () => {
    const results = await measurePages(context, SIZE);
    expect(results.map((r) => r.page)).toEqual(PAGES.map((p) => p.id));
    for (const result of results) {
      expect({ page: result.page, errors: result.repetitions[0]?.firstError }).toEqual({
        page: result.page,
        errors: undefined,
      });
      expect(result.repetitions[0]?.n).toBe(2);
    }
    const table = markdown({
      startedAt: '',
      machine: { cpu: 'x', cores: 1, memoryGb: 1, node: 'v', platform: 'p', loadAverageAtStart: [0] },
      options: { repeats: 1, sizes: [SIZE] },
      load: [],
      pages: [
        { size: SIZE, results },
        { size: SIZE * 2, results },
      ],
      growth: growthOf([
        { size: SIZE, results },
        { size: SIZE * 2, results },
      ]),
      exports: [],
    });
    expect(table).toContain('| respondent: `GET /surveys/:id` (returning, with a draft) |');
    expect(table).toContain('| 1.00 |');
  });

  it('the export has one row per response, and API submissions are stored', async () => {
    const exported = await measureExport(context, SIZE);
    expect(exported.rows).toBe(SIZE);
    expect(exported.sampledPeakRssMb).toBeGreaterThan(0);
    const api = await apiRun(context, 'app', 2, 'smoke');
    expect(api).toMatchObject({ completed: 4, errors: 0 });
    const counts = await ctx.composition.participation.participation.counts('survey', fixture.apiSurveyId);
    expect(counts.responses).toBe(4);
  });
});
