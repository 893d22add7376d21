/**
 * The bench's measures, each a function of a Context (who to call, with what): API submissions against the bare
 * handler, page latencies, and the CSV export's time and memory. Every loop has a count and a deadline.
 */
import { answersFor, type Fixture } from './fixture';
import { CookieJar, csrfTokenFrom, expectStatus, HttpClient } from './http';
import { memoryOf, resetPeak, rssSampler } from './processes';
import { median, measureThroughput, nowMs, sampleLatencies, type Latencies, type Throughput } from './stats';

/** How much each measure does; every loop also has a deadline. */
export interface MeasureOptions {
  repeats: number;
  /** Samples per page per repetition (fewer if the deadline comes first). */
  samples: number;
  /** Requests per API run (fewer if the deadline comes first). */
  apiRequests: number;
  concurrency: number[];
  /** Deadline of one sampling loop or one API run. */
  loopDeadlineMs: number;
}

export interface Context {
  options: MeasureOptions;
  fixture: Fixture;
  /** The app's process (its memory is read from /proc). */
  appPid: number;
  appHttp: HttpClient;
  /** The bare insertOne handler (the API measure only). */
  bareHttp?: HttpClient;
  /** The analyst's signed-in cookies. */
  staffCookie: string;
  /** A respondent with a draft: their cookie jar and their survey form token. */
  respondents: { jar: CookieJar; token: string }[];
  /** Where progress lines go (stderr by default). */
  log?: (line: string) => void;
  /** A fresh client address per few requests, so the per-address limits (set for people) never refuse the bench. */
  nextAddress(): string;
}

export const log = (line: string) =>
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

/** The address of client number k, from 10.0.0.0/8 (the app trusts X-Forwarded-For from loopback in the bench). */
export function addressFor(k: number): string {
  return `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`;
}

let requestCounter = 0;

function bareOf(ctx: Context): HttpClient {
  if (!ctx.bareHttp) throw new Error('no bare handler in this context');
  return ctx.bareHttp;
}

export async function apiRun(
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
          : await bareOf(ctx).request('/responses', {
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

export async function measureApi(ctx: Context): Promise<ApiResult[]> {
  const results: ApiResult[] = [];
  for (const concurrency of ctx.options.concurrency) {
    const runs: ApiResult['runs'] = [];
    for (let r = 0; r < ctx.options.repeats; r++) {
      // Interleaved (A, B, A, B...) so a change in machine load hits both.
      const app = await apiRun(ctx, 'app', concurrency, `c${concurrency}r${r}`);
      const bare = await apiRun(ctx, 'bare', concurrency, `c${concurrency}r${r}`);
      runs.push({ app, bare });
      (ctx.log ?? log)(
        `API c=${concurrency} rep ${r + 1}: app ${app.perSecond.toFixed(1)}/s (${app.completed} ok, ${app.errors} failed), bare ${bare.perSecond.toFixed(1)}/s`,
      );
      if (app.firstError) (ctx.log ?? log)(`  app error: ${app.firstError}`);
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

export function pageRequest(ctx: Context, page: PageId): (i: number) => Promise<void> {
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

export async function measurePages(ctx: Context, size: number): Promise<PageResult[]> {
  const reps = new Map<PageId, Latencies[]>(PAGES.map((p) => [p.id, []]));
  for (let r = 0; r < ctx.options.repeats; r++) {
    for (const { id } of PAGES) {
      const result = await sampleLatencies(pageRequest(ctx, id), {
        count: ctx.options.samples,
        deadlineMs: ctx.options.loopDeadlineMs,
      });
      reps.get(id)?.push(result);
      (ctx.log ?? log)(
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

export async function measureExport(ctx: Context, size: number): Promise<ExportResult> {
  const seconds: number[] = [];
  let megabytes = 0;
  let rows = 0;
  let peak: number | null = 0;
  let sampledPeak = 0;
  const rssBeforeMb = memoryOf(ctx.appPid).rssMb;
  for (let r = 0; r < ctx.options.repeats; r++) {
    const reset = resetPeak(ctx.appPid);
    const sampler = rssSampler(ctx.appPid, 50);
    const t0 = nowMs();
    const res = await ctx.appHttp.request(`/analysis/surveys/${ctx.fixture.surveyId}/responses.csv`, {
      headers: { cookie: ctx.staffCookie },
      timeoutMs: 600_000,
    });
    const elapsed = (nowMs() - t0) / 1000;
    sampledPeak = Math.max(sampledPeak, sampler.stop());
    peak = reset && peak !== null ? Math.max(peak, memoryOf(ctx.appPid).peakMb) : null;
    expectStatus(res, 200, 'CSV export');
    seconds.push(elapsed);
    megabytes = res.bytes / 1e6;
    rows = res.text.split('\n').filter((line) => line.length > 0).length - 1;
    (ctx.log ?? log)(
      `${size} responses, export rep ${r + 1}: ${elapsed.toFixed(2)} s, ${megabytes.toFixed(1)} MB, ${rows} rows`,
    );
    if (elapsed > ctx.options.loopDeadlineMs / 1000 && r + 1 < ctx.options.repeats) {
      (ctx.log ?? log)('  export slower than the loop deadline: no more repetitions at this size');
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

export async function signIn(http: HttpClient, email: string, password: string): Promise<string> {
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
