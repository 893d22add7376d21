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
import { createFixture } from './bench/fixture';
import { CookieJar, HttpClient } from './bench/http';
import { browserKeyOf, Loader } from './bench/loader';
import {
  addressFor,
  log,
  measureApi,
  measureExport,
  measurePages,
  signIn,
  type Context,
  type MeasureOptions,
} from './bench/measures';
import { distScript, freePort, startChild, type ChildServer } from './bench/processes';
import { growthOf, markdown, type BenchResults, type Machine } from './bench/report';
import { nowMs } from './bench/stats';

// ---------------------------------------------------------------- options

export interface BenchOptions extends MeasureOptions {
  sizes: number[];
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

function machine(): Machine {
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
      appPid: app.pid,
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
