/**
 * `npm run bench`: a bounded benchmark on loopback against a private embedded FerretDB (never MONGODB_URI, never
 * the app's data). It measures:
 *  - recording submissions (participation ledger + participations + rollups), sequential and 10 in parallel;
 *  - reading a round's breakdown from the rollups at two ledger sizes, to show its cost does not grow with responses;
 *  - the public participation API over HTTP on 127.0.0.1.
 * Options: --submissions N (default 2000). Prints one line per measure, then a JSON summary.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config';
import { compose } from '../src/composition-root';
import { connect } from '../src/platform/db/database';
import { EmbeddedFerretDB } from '../src/platform/db/embedded-ferretdb';
import { ensureFerretDB } from '../src/platform/db/ferretdb-binary';
import { SECTORS } from '../src/platform/classifications';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? Math.min(value, 50_000) : fallback;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return [result, Number(process.hrtime.bigint() - start) / 1e6];
}

async function latencies(
  n: number,
  fn: () => Promise<unknown>,
): Promise<{ p50: number; p95: number; mean: number }> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push((await timed(fn))[1]);
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), mean };
}

async function main(): Promise<void> {
  const total = arg('submissions', 2000);
  const logger = pino({ level: 'warn' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agora-bench-'));
  const binary = await ensureFerretDB(undefined);
  const engine = await EmbeddedFerretDB.start({ binary, dataDir: path.join(dir, 'db'), logger });
  const summary: Record<string, unknown> = {
    submissions: total,
    node: process.version,
    cpus: os.cpus().length,
  };
  try {
    const connection = await connect(engine.uri, 'bench');
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dir,
      SESSION_SECRET: 'b'.repeat(32),
      LOG_LEVEL: 'warn',
    });
    const composition = compose(config, logger, { connection });
    await composition.init();
    const { participation } = composition.participation;

    // A real, completed round, so the trend API and page read the counters being written here.
    const round = await composition.consultations.consultations.createRound(
      {
        slug: 'bench-round',
        title: { en: 'Benchmark round', fr: 'Cycle de mesure' },
        description: { en: 'Benchmark.', fr: 'Mesure.' },
        startsOn: new Date(Date.UTC(2020, 0, 1)),
        endsOn: new Date(Date.UTC(2020, 11, 31)),
        status: 'completed',
      },
      { id: 'bench', roles: ['officer'] },
    );
    let n = 0;
    const submission = () => {
      n++;
      return {
        responseId: `bench-${n}`,
        roundId: round.id,
        consultationId: `c${n % 5}`,
        surveyId: `s${n % 10}`,
        respondentKey: `anon:r${n % Math.ceil(total * 0.8)}`,
        sector: SECTORS[n % SECTORS.length] as (typeof SECTORS)[number],
        region: 'ON' as const,
        locale: (n % 3 ? 'en' : 'fr') as 'en' | 'fr',
        channel: 'open' as const,
        submittedAt: new Date(),
      };
    };

    const half = Math.floor(total / 2);
    const [, seqMs] = await timed(async () => {
      for (let i = 0; i < half; i++) await participation.recordSubmission(submission());
    });
    const sequentialRate = half / (seqMs / 1000);
    console.log(
      `record submissions, sequential: ${half} in ${seqMs.toFixed(0)} ms = ${sequentialRate.toFixed(0)}/s`,
    );
    const readSmall = await latencies(100, () => participation.counts('round', round.id));
    console.log(
      `round breakdown from rollups at ${half} submissions: p50 ${readSmall.p50.toFixed(2)} ms, p95 ${readSmall.p95.toFixed(2)} ms`,
    );

    const rest = total - half;
    const [, parMs] = await timed(async () => {
      for (let i = 0; i < rest; i += 10) {
        await Promise.all(
          Array.from({ length: Math.min(10, rest - i) }, () => participation.recordSubmission(submission())),
        );
      }
    });
    const parallelRate = rest / (parMs / 1000);
    console.log(
      `record submissions, 10 in parallel: ${rest} in ${parMs.toFixed(0)} ms = ${parallelRate.toFixed(0)}/s`,
    );
    const readLarge = await latencies(100, () => participation.counts('round', round.id));
    console.log(
      `round breakdown from rollups at ${total} submissions: p50 ${readLarge.p50.toFixed(2)} ms, p95 ${readLarge.p95.toFixed(2)} ms`,
    );

    const [rebuilt, rebuildMs] = await timed(() => participation.computeFromLedger());
    console.log(
      `recompute every counter from the ledger (${rebuilt.submissions} submissions): ${rebuildMs.toFixed(0)} ms`,
    );

    const server = composition.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as AddressInfo;
    const http = await latencies(200, async () => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/participation/trend?sector=civil_society`);
      await res.arrayBuffer();
    });
    const page = await latencies(100, async () => {
      const res = await fetch(`http://127.0.0.1:${port}/participation`);
      await res.arrayBuffer();
    });
    console.log(
      `GET /api/v1/participation/trend: p50 ${http.p50.toFixed(2)} ms, p95 ${http.p95.toFixed(2)} ms`,
    );
    console.log(
      `GET /participation (page with chart): p50 ${page.p50.toFixed(2)} ms, p95 ${page.p95.toFixed(2)} ms`,
    );
    await new Promise((r) => server.close(r));
    await composition.stop();
    await connection.close();
    Object.assign(summary, {
      recordSequentialPerSecond: Math.round(sequentialRate),
      recordParallel10PerSecond: Math.round(parallelRate),
      breakdownReadMs: { [half]: readSmall, [total]: readLarge },
      recomputeMs: Math.round(rebuildMs),
      trendApiMs: http,
      participationPageMs: page,
    });
    console.log(JSON.stringify(summary));
  } finally {
    await engine.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
