/**
 * `npm run bench [-- --sizes 1000,10000,100000 --repeats 3 --quick --json out.json]`
 *
 * A bounded benchmark on 127.0.0.1 against a private FerretDB started in a temporary folder (never MONGODB_URI,
 * never the app's data). The app runs as a child process (the real server entry, scripts/bench/app-server.ts), so
 * the load generator never shares its event loop and its memory can be read from /proc. It measures, in one run:
 *
 *  1. API submissions per second (POST /api/v1/surveys/:id/responses with Idempotency-Key) at concurrency 1, 10
 *     and 50, interleaved run by run with a bare Express + driver handler doing one insertOne into the same engine
 *     (its own database, its own single connection), and the ratio of the two;
 *  2. p50/p95 of the respondent's start page (a returning browser with a draft) and page POST, the public
 *     participation page and API, and the staff survey analysis page and cross-tab, at each size (responses
 *     bulk-loaded into one survey in the app's own shapes, counters rebuilt by the app's rebuild functions), and
 *     each page's growth ratio largest / smallest size;
 *  3. the CSV export of the survey at each size: time, size and the app's peak resident memory (VmHWM from
 *     /proc/<pid>/status, reset before each export, cross-checked by sampling VmRSS every 50 ms).
 *
 * Every figure is the median over `--repeats` repetitions. Every loop has a count and a deadline, so a run ends by
 * itself however slow the app is. Prints markdown tables and writes JSON (default bench-results.json).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config';
import { compose } from '../src/composition-root';
import { connect } from '../src/platform/db/database';
import { EmbeddedFerretDB } from '../src/platform/db/embedded-ferretdb';
import { ensureFerretDB } from '../src/platform/db/ferretdb-binary';
import { answersFor, createFixture, type Fixture } from './bench/fixture';
import { CookieJar, csrfTokenFrom, expectStatus, HttpClient } from './bench/http';
import { browserKeyOf, Loader } from './bench/loader';
import {
  distScript,
  freePort,
  memoryOf,
  resetPeak,
  rssSampler,
  startChild,
  type ChildServer,
} from './bench/processes';
import {
  median,
  measureThroughput,
  nowMs,
  sampleLatencies,
  type Latencies,
  type Throughput,
} from './bench/stats';

// ---------------------------------------------------------------- options

export interface BenchOptions {
  sizes: number[];
  repeats: number;
  /** Samples per page per repetition (fewer if the deadline comes first). */
  samples: number;
  /** Requests per API run (fewer if the deadline comes first). */
  apiRequests: number;
  concurrency: number[];
  /** Deadline of one sampling loop or one API run. */
  loopDeadlineMs: number;
  /** Respondents with a draft, shared by the respondent measures. */
  drafts: number;
  json: string;
}

const USAGE = `Usage: npm run bench -- [--sizes 1000,10000,100000] [--repeats 3] [--quick] [--json bench-results.json]
  --sizes      responses in the measured survey, ascending (each at most 1,000,000)
  --repeats    repetitions of every measure (at least 3 is what the figures are meant for)
  --samples    requests per page per repetition (default 40)
  --quick      small sizes and few samples: a smoke run of a minute or two
  --json       where to write the results (default bench-results.json)
`;

export function parseOptions(argv: string[]): BenchOptions {
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const known = new Set(['--sizes', '--repeats', '--samples', '--quick', '--json']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!known.has(arg)) throw new Error(`Unknown argument: ${arg}`);
    if (arg !== '--quick') i++;
  }
  const int = (name: string, fallback: number, max: number) => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new Error(`--${name} must be a whole number from 1 to ${max}`);
    return n;
  };
  const sizesRaw = value('sizes');
  const sizes = sizesRaw
    ? sizesRaw.split(',').map((s) => Number(s.replace(/_/g, '')))
    : quick
      ? [200, 1000]
      : [1000, 10_000, 100_000];
  if (
    sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 1_000_000) ||
    sizes.some((n, i) => i > 0 && n <= (sizes[i - 1] as number))
  ) {
    throw new Error('--sizes must be ascending whole numbers from 1 to 1,000,000, comma-separated');
  }
  return {
    sizes,
    repeats: int('repeats', 3, 20),
    samples: int('samples', quick ? 10 : 40, 1000),
    apiRequests: quick ? 40 : 300,
    concurrency: [1, 10, 50],
    loopDeadlineMs: quick ? 5_000 : 30_000,
    drafts: 100,
    json: value('json') ?? 'bench-results.json',
  };
}

// ---------------------------------------------------------------- the measures

interface Context {
  options: BenchOptions;
  fixture: Fixture;
  app: ChildServer;
  bare: ChildServer;
  appHttp: HttpClient;
  bareHttp: HttpClient;
  /** The analyst's signed-in cookies. */
  staffCookie: string;
  /** A respondent with a draft: their cookie jar and their survey form token. */
  respondents: { jar: CookieJar; token: string }[];
  /** A fresh client address per few requests, so the per-address limits (set for people) never refuse the bench. */
  nextAddress(): string;
}

const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

/** The address of client number k, from 10.0.0.0/8 (the app trusts X-Forwarded-For from loopback in the bench). */
function addressFor(k: number): string {
  return `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`;
}

let requestCounter = 0;

async function apiRun(
  ctx: Context,
  target: 'app' | 'bare',
  concurrency: number,
  label: string,
): Promise<Throughput> {
  const { options } = ctx;
  return measureThroughput(
    async (i, signal) => {
      const n = ++requestCounter;
      const { answers, sector, region } = answersFor(n);
      const key = `bench-${label}-${i}-${n}`;
      const result =
        target === 'app'
          ? await ctx.appHttp.request(`/api/v1/surveys/${ctx.fixture.apiSurveyId}/responses`, {
              json: { answers, sector, region },
              headers: { 'idempotency-key': key, 'x-forwarded-for': ctx.nextAddress() },
              signal,
            })
          : await ctx.bareHttp.request('/responses', {
              json: { answers, sector, region },
              headers: { 'idempotency-key': key },
              signal,
            });
      expectStatus(result, 201, `${target} submission`);
    },
    {
      concurrency,
      count: concurrency === 1 ? Math.ceil(options.apiRequests / 3) : options.apiRequests,
      deadlineMs: options.loopDeadlineMs,
      graceMs: options.loopDeadlineMs,
    },
  );
}

export interface ApiResult {
  concurrency: number;
  appPerSecond: number;
  barePerSecond: number;
  /** Median of the per-repetition ratios app / bare. */
  ratio: number;
  appP50Ms: number;
  runs: { app: Throughput; bare: Throughput }[];
}

async function measureApi(ctx: Context): Promise<ApiResult[]> {
  const results: ApiResult[] = [];
  for (const concurrency of ctx.options.concurrency) {
    const runs: ApiResult['runs'] = [];
    for (let r = 0; r < ctx.options.repeats; r++) {
      // Interleaved (A, B, A, B...) so a change in machine load hits both.
      const app = await apiRun(ctx, 'app', concurrency, `c${concurrency}r${r}`);
      const bare = await apiRun(ctx, 'bare', concurrency, `c${concurrency}r${r}`);
      runs.push({ app, bare });
      log(
        `API c=${concurrency} rep ${r + 1}: app ${app.perSecond.toFixed(1)}/s (${app.completed} ok, ${app.errors} failed), bare ${bare.perSecond.toFixed(1)}/s`,
      );
      if (app.firstError) log(`  app error: ${app.firstError}`);
    }
    results.push({
      concurrency,
      appPerSecond: median(runs.map((x) => x.app.perSecond)),
      barePerSecond: median(runs.map((x) => x.bare.perSecond)),
      ratio: median(runs.map((x) => x.app.perSecond / x.bare.perSecond)),
      appP50Ms: median(runs.map((x) => x.app.p50)),
      runs,
    });
  }
  return results;
}

/** The pages measured at each size: what a request is, and the status it must answer. */
export const PAGES = [
  { id: 'respondentStart', label: 'respondent: `GET /surveys/:id` (returning, with a draft)' },
  { id: 'respondentPagePost', label: 'respondent: `POST /surveys/:id/pages/:page`' },
  { id: 'publicRoundPage', label: 'public: `/participation/rounds/:slug`' },
  { id: 'publicRoundApi', label: 'public: `/api/v1/rounds/:slug/participation`' },
  { id: 'staffSurveyAnalysis', label: 'staff: `/analysis/surveys/:id`' },
  { id: 'staffCrossTab', label: 'staff: cross-tab by sector' },
  { id: 'staffConsultation', label: 'staff: `/analysis/consultations/:id`' },
] as const;
export type PageId = (typeof PAGES)[number]['id'];

function pageRequest(ctx: Context, page: PageId): (i: number) => Promise<void> {
  const { fixture, appHttp } = ctx;
  const staff = { cookie: ctx.staffCookie };
  const get = async (url: string, headers: Record<string, string>, what: string) => {
    expectStatus(await appHttp.request(url, { headers }), 200, what);
  };
  let turn = 0;
  const respondent = () => ctx.respondents[turn++ % ctx.respondents.length] as Context['respondents'][number];
  switch (page) {
    case 'respondentStart':
      return async () => {
        const who = respondent();
        const res = await appHttp.request(`/surveys/${fixture.surveyId}`, {
          headers: { cookie: who.jar.header() },
        });
        who.jar.take(res.headers);
        expectStatus(res, 200, 'start page');
        if (!res.text.includes('/pages/s2'))
          throw new Error('start page: the draft was not found (no resume link)');
      };
    case 'respondentPagePost':
      return async (i) => {
        const who = respondent();
        const { answers } = answersFor(i);
        const res = await appHttp.request(`/surveys/${fixture.surveyId}/pages/s1`, {
          headers: { cookie: who.jar.header(), 'x-forwarded-for': ctx.nextAddress() },
          form: {
            _survey: who.token,
            q_likes: answers.likes as string,
            q_topics: (answers.topics as string[] | undefined) ?? [],
            action: 'next',
          },
        });
        who.jar.take(res.headers);
        expectStatus(res, 303, 'page POST');
      };
    case 'publicRoundPage':
      return () => get(`/participation/rounds/${fixture.roundSlug}`, {}, 'round page');
    case 'publicRoundApi':
      return () => get(`/api/v1/rounds/${fixture.roundSlug}/participation`, {}, 'round API');
    case 'staffSurveyAnalysis':
      return () => get(`/analysis/surveys/${fixture.surveyId}`, staff, 'survey analysis');
    case 'staffCrossTab':
      return () => get(`/analysis/surveys/${fixture.surveyId}?cross=likes`, staff, 'cross-tab');
    case 'staffConsultation':
      return () => get(`/analysis/consultations/${fixture.consultationId}`, staff, 'consultation analysis');
  }
}

export interface PageResult {
  page: PageId;
  p50: number;
  p95: number;
  repetitions: Latencies[];
}

async function measurePages(ctx: Context, size: number): Promise<PageResult[]> {
  const reps = new Map<PageId, Latencies[]>(PAGES.map((p) => [p.id, []]));
  for (let r = 0; r < ctx.options.repeats; r++) {
    for (const { id } of PAGES) {
      const result = await sampleLatencies(pageRequest(ctx, id), {
        count: ctx.options.samples,
        deadlineMs: ctx.options.loopDeadlineMs,
      });
      reps.get(id)?.push(result);
      log(
        `${size} responses, rep ${r + 1}, ${id}: p50 ${result.p50.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms (n=${result.n}${result.errors ? `, ${result.errors} failed: ${result.firstError}` : ''})`,
      );
    }
  }
  return PAGES.map(({ id }) => {
    const repetitions = reps.get(id) ?? [];
    return {
      page: id,
      p50: median(repetitions.map((x) => x.p50)),
      p95: median(repetitions.map((x) => x.p95)),
      repetitions,
    };
  });
}

export interface ExportResult {
  responses: number;
  seconds: number;
  megabytes: number;
  rows: number;
  /** Resident memory of the app before the export (MB). */
  rssBeforeMb: number;
  /** Highest VmHWM over the repetitions, reset before each (MB); null when the kernel refused the reset. */
  peakRssMb: number | null;
  /** Highest VmRSS sampled every 50 ms over the repetitions (MB). */
  sampledPeakRssMb: number;
}

async function measureExport(ctx: Context, size: number): Promise<ExportResult> {
  const seconds: number[] = [];
  let megabytes = 0;
  let rows = 0;
  let peak: number | null = 0;
  let sampledPeak = 0;
  const rssBeforeMb = memoryOf(ctx.app.pid).rssMb;
  for (let r = 0; r < ctx.options.repeats; r++) {
    const reset = resetPeak(ctx.app.pid);
    const sampler = rssSampler(ctx.app.pid, 50);
    const t0 = nowMs();
    const res = await ctx.appHttp.request(`/analysis/surveys/${ctx.fixture.surveyId}/responses.csv`, {
      headers: { cookie: ctx.staffCookie },
      timeoutMs: 600_000,
    });
    const elapsed = (nowMs() - t0) / 1000;
    sampledPeak = Math.max(sampledPeak, sampler.stop());
    peak = reset && peak !== null ? Math.max(peak, memoryOf(ctx.app.pid).peakMb) : null;
    expectStatus(res, 200, 'CSV export');
    seconds.push(elapsed);
    megabytes = res.bytes / 1e6;
    rows = res.text.split('\n').filter((line) => line.length > 0).length - 1;
    log(
      `${size} responses, export rep ${r + 1}: ${elapsed.toFixed(2)} s, ${megabytes.toFixed(1)} MB, ${rows} rows`,
    );
    if (elapsed > ctx.options.loopDeadlineMs / 1000 && r + 1 < ctx.options.repeats) {
      log('  export slower than the loop deadline: no more repetitions at this size');
      break;
    }
  }
  return {
    responses: size,
    seconds: median(seconds),
    megabytes,
    rows,
    rssBeforeMb,
    peakRssMb: peak,
    sampledPeakRssMb: sampledPeak,
  };
}

// ---------------------------------------------------------------- set-up

async function signIn(http: HttpClient, email: string, password: string): Promise<string> {
  const jar = new CookieJar();
  const form = await http.request('/sign-in');
  jar.take(form.headers);
  const token = csrfTokenFrom(form.text);
  if (!token) throw new Error('sign-in page: no CSRF token');
  const res = await http.request('/sign-in', {
    headers: { cookie: jar.header() },
    form: { _csrf: token, email, password },
  });
  expectStatus(res, 303, 'sign-in');
  jar.take(res.headers);
  return jar.header();
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 1e9),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

// ---------------------------------------------------------------- report

const fmt = (n: number | null | undefined, digits = 1) =>
  n === null || n === undefined || !Number.isFinite(n)
    ? '—'
    : n.toLocaleString('en-CA', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export interface BenchResults {
  startedAt: string;
  durationSeconds?: number;
  machine: ReturnType<typeof machine> & { loadAverageAtEnd?: number[] };
  options: BenchOptions;
  load: { size: number; loadSeconds: number; rebuildSeconds: number }[];
  api?: { responsesInDatabase: number; results: ApiResult[] };
  pages: { size: number; results: PageResult[] }[];
  growth: { page: PageId; p50Ratio: number; p95Ratio: number }[];
  exports: ExportResult[];
  consistency?: { liveEqualsRebuilt: boolean; cells: number };
  /** Set when the run stopped early; what was measured before is kept. */
  error?: string;
}

export function markdown(results: BenchResults): string {
  const out: string[] = [];
  const m = results.machine;
  out.push(
    `Machine: ${m.cores} × ${m.cpu}, ${m.memoryGb} GB, ${m.platform}, Node ${m.node}; load average ${m.loadAverageAtStart.join(' / ')} at start${m.loadAverageAtEnd ? `, ${m.loadAverageAtEnd.join(' / ')} at end` : ''}. Medians of ${results.options.repeats} repetitions.`,
    '',
  );
  if (results.api) {
    out.push(
      `**API submissions** (${results.api.responsesInDatabase.toLocaleString('en-CA')} responses in the database)`,
      '',
    );
    out.push(
      '| concurrency | app (submissions/s) | bare `insertOne` (/s) | ratio app / bare | app p50 (ms) |',
      '|---|---|---|---|---|',
    );
    for (const r of results.api.results) {
      out.push(
        `| ${r.concurrency} | ${fmt(r.appPerSecond)} | ${fmt(r.barePerSecond)} | ${fmt(r.ratio, 3)} | ${fmt(r.appP50Ms)} |`,
      );
    }
    out.push('');
  }
  const sizes = results.pages.map((p) => p.size);
  if (sizes.length) {
    const first = sizes[0] as number;
    const last = sizes[sizes.length - 1] as number;
    out.push('**Pages**, p50 / p95 in ms, by responses in the survey', '');
    out.push(
      `| request | ${sizes.map((s) => s.toLocaleString('en-CA')).join(' | ')} | growth p50 ${last.toLocaleString('en-CA')} / ${first.toLocaleString('en-CA')} |`,
      `|---|${sizes.map(() => '---').join('|')}|---|`,
    );
    for (const page of PAGES) {
      const cells = results.pages.map((p) => {
        const r = p.results.find((x) => x.page === page.id);
        return r ? `${fmt(r.p50)} / ${fmt(r.p95)}` : '—';
      });
      const growth = results.growth.find((g) => g.page === page.id);
      out.push(`| ${page.label} | ${cells.join(' | ')} | ${fmt(growth?.p50Ratio, 2)} |`);
    }
    out.push('');
  }
  if (results.exports.length) {
    out.push(
      '**CSV export** of the survey (app process: peak VmHWM reset before each export; sampled VmRSS every 50 ms)',
      '',
    );
    out.push(
      '| responses | time (s) | size (MB) | RSS before (MB) | peak RSS (MB) | sampled peak (MB) |',
      '|---|---|---|---|---|---|',
    );
    for (const e of results.exports) {
      out.push(
        `| ${e.responses.toLocaleString('en-CA')} | ${fmt(e.seconds, 2)} | ${fmt(e.megabytes, 2)} | ${fmt(e.rssBeforeMb, 0)} | ${fmt(e.peakRssMb, 0)} | ${fmt(e.sampledPeakRssMb, 0)} |`,
      );
    }
    out.push('');
  }
  if (results.consistency) {
    out.push(
      `Participation counters after the bench: live ${results.consistency.liveEqualsRebuilt ? '==' : '!='} rebuilt from the ledger (${results.consistency.cells} cells).`,
    );
  }
  return out.join('\n');
}

export function growthOf(pages: BenchResults['pages']): BenchResults['growth'] {
  const first = pages[0];
  const last = pages[pages.length - 1];
  if (!first || !last || first === last) return [];
  return PAGES.map(({ id }) => {
    const a = first.results.find((r) => r.page === id);
    const b = last.results.find((r) => r.page === id);
    return {
      page: id,
      p50Ratio: (b?.p50 ?? NaN) / (a?.p50 ?? NaN),
      p95Ratio: (b?.p95 ?? NaN) / (a?.p95 ?? NaN),
    };
  });
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  const started = nowMs();
  const results: BenchResults = {
    startedAt: new Date().toISOString(),
    machine: machine(),
    options,
    load: [],
    pages: [],
    growth: [],
    exports: [],
  };
  const logger = pino({ level: 'warn' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agora-bench-'));
  const binary = await ensureFerretDB(process.env.FERRETDB_BIN);
  const engine = await EmbeddedFerretDB.start({ binary, dataDir: path.join(dir, 'db'), logger });
  const secret = `bench-${'s'.repeat(40)}`;
  const children: ChildServer[] = [];
  const clients: HttpClient[] = [];
  const stopAll = async () => {
    for (const c of clients) c.close();
    await Promise.allSettled(children.map((c) => c.stop()));
    await engine.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    // The bench's own connection and services: set-up, bulk loading and counter rebuilds.
    const connection = await connect(engine.uri, 'agora-bench');
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: path.join(dir, 'bench'),
      SESSION_SECRET: secret,
      LOG_LEVEL: 'warn',
    });
    const composition = compose(config, logger, { connection });
    await composition.init();
    const fixture = await createFixture(composition);
    log('fixture created; starting the app and the bare handler');

    const appPort = await freePort();
    const app = await startChild('app', distScript('app-server.js'), appPort, {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(appPort),
      BASE_URL: `http://127.0.0.1:${appPort}`,
      MONGODB_URI: `${engine.uri}/agora-bench`,
      DATA_DIR: path.join(dir, 'app'),
      SESSION_SECRET: secret,
      LOG_LEVEL: 'warn',
      // The bench sends X-Forwarded-For from loopback: many client addresses, as in real traffic.
      TRUST_PROXY: 'loopback',
      DEMO_DATA: 'off',
    });
    children.push(app);
    const barePort = await freePort();
    const bare = await startChild('bare', distScript('bare-server.js'), barePort, {
      PORT: String(barePort),
      BENCH_MONGODB_URI: `${engine.uri}/bench-bare`,
    });
    children.push(bare);
    const appHttp = new HttpClient(app.port);
    const bareHttp = new HttpClient(bare.port);
    clients.push(appHttp, bareHttp);

    const maxSize = options.sizes[options.sizes.length - 1] as number;
    const loader = new Loader(connection, composition, fixture, maxSize);
    await loader.loadDrafts(options.drafts);
    const respondents = Array.from({ length: options.drafts }, (_, i) => {
      const key = browserKeyOf('draft', i);
      const jar = new CookieJar();
      jar.set('agora.respondent', key);
      return { jar, token: composition.surveys.formToken(key) };
    });
    let addresses = 0;
    const ctx: Context = {
      options,
      fixture,
      app,
      bare,
      appHttp,
      bareHttp,
      staffCookie: await signIn(appHttp, fixture.analyst.email, fixture.analyst.password),
      respondents,
      nextAddress: () => addressFor(Math.floor(addresses++ / 50)),
    };

    for (const size of options.sizes) {
      log(`loading to ${size} responses`);
      const loadMs = await loader.growTo(size, (n) => {
        if (n % 10_000 === 0) log(`  ${n} loaded`);
      });
      const rebuildMs = await loader.rebuildCounters();
      results.load.push({ size, loadSeconds: loadMs / 1000, rebuildSeconds: rebuildMs / 1000 });
      log(
        `loaded ${size} in ${(loadMs / 1000).toFixed(1)} s, counters rebuilt in ${(rebuildMs / 1000).toFixed(1)} s`,
      );
      results.pages.push({ size, results: await measurePages(ctx, size) });
      results.exports.push(await measureExport(ctx, size));
    }
    results.growth = growthOf(results.pages);

    // Submissions last, with the database at its fullest: what a busy national consultation would see.
    const responsesInDatabase = await connection
      .collection('responses')
      .countDocuments({ status: 'submitted' });
    log(`API submissions, ${responsesInDatabase} responses in the database`);
    results.api = { responsesInDatabase, results: await measureApi(ctx) };

    const live = await composition.participation.participation.liveRollups();
    const rebuilt = (await composition.participation.participation.computeFromLedger()).cells;
    const key = (c: { _id: string; count: number }) => `${c._id}=${c.count}`;
    const same =
      live.length === rebuilt.length &&
      JSON.stringify(live.map(key).sort()) === JSON.stringify(rebuilt.map(key).sort());
    results.consistency = { liveEqualsRebuilt: same, cells: rebuilt.length };

    await composition.stop();
    await connection.close();
  } catch (error) {
    results.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.exitCode = 1;
  } finally {
    results.machine.loadAverageAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
    results.durationSeconds = Math.round((nowMs() - started) / 1000);
    await stopAll();
  }
  fs.writeFileSync(options.json, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(
    `${markdown(results)}\n\nWritten to ${options.json} (${results.durationSeconds} s).\n`,
  );
  if (results.error) process.stderr.write(`\nThe run stopped early: ${results.error}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
