/**
 * Shows that exporting one survey costs time linear in that survey's responses, not in every survey's.
 *
 *   node -r ./test/support/register-ts.js scripts/measure-export.ts [total=20000] [small=1000]
 *
 * Starts a private embedded FerretDB (FERRETDB_BIN, or the built one), loads `small` responses into survey A and
 * the rest into survey B, twice over: into each survey's answer log (what exports read) and into one shared
 * collection with a `surveyId` field (what exports read before). Then times reading survey A and survey B both
 * ways. Prints a table; nothing is timed in a test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from '../src/platform/db/database';
import { EmbeddedFerretDB } from '../src/platform/db/embedded-ferretdb';
import { ensureFerretDB } from '../src/platform/db/ferretdb-binary';
import { createLogger } from '../src/platform/logger';
import { AnswerLog, type LoggedResponse } from '../src/modules/analysis/answer-log';

function response(i: number): LoggedResponse {
  return {
    id: `r${i.toString(36).padStart(8, '0')}`,
    revision: 1,
    surveyVersion: 1,
    submittedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
    locale: i % 2 ? 'en' : 'fr',
    channel: 'open',
    sector: 'academia',
    region: 'ON',
    answers: {
      single: 'a',
      multi: ['a', 'b'],
      stars: 1 + (i % 5),
      num: i % 100,
      grid: { r1: 'yes', r2: 'no' },
      rank: ['b', 'a', 'c'],
      long: `A written answer number ${i}, long enough to look like one.`,
    },
    otherText: {},
  };
}

async function* responses(from: number, to: number): AsyncGenerator<LoggedResponse> {
  for (let i = from; i < to; i++) yield response(i);
}

async function time(label: string, run: () => Promise<number>): Promise<string> {
  const started = process.hrtime.bigint();
  const count = await run();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return `| ${label.padEnd(44)} | ${String(count).padStart(6)} | ${ms.toFixed(0).padStart(7)} ms | ${(ms / Math.max(1, count)).toFixed(3).padStart(6)} ms |`;
}

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 20_000);
  const small = Number(process.argv[3] ?? 1_000);
  const binary = await ensureFerretDB(process.env.FERRETDB_BIN || undefined);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agora-measure-export-'));
  const engine = await EmbeddedFerretDB.start({ binary, dataDir, logger: createLogger('warn') });
  const connection = await connect(engine.uri, 'measure');
  try {
    const log = new AnswerLog(connection);
    await log.refill('survey-a', responses(0, small));
    await log.refill('survey-b', responses(small, total));
    const shared = connection.collection('responses_shared');
    for (let i = 0; i < total; i += 1000) {
      const batch = [];
      for (let j = i; j < Math.min(total, i + 1000); j++)
        batch.push({ ...response(j), _id: response(j).id, surveyId: j < small ? 'survey-a' : 'survey-b' });
      await shared.insertMany(batch as never[]);
    }
    const viaLog = (surveyId: string) => async () => {
      let n = 0;
      for await (const _ of log.responses(surveyId)) n++;
      return n;
    };
    const viaShared = (surveyId: string) => async () => {
      let n = 0;
      for await (const _ of shared.find({ surveyId }).batchSize(500)) n++;
      return n;
    };
    const rows = [
      await time('survey A, answer log', viaLog('survey-a')),
      await time('survey B, answer log', viaLog('survey-b')),
      await time('survey A, shared collection filtered', viaShared('survey-a')),
      await time('survey B, shared collection filtered', viaShared('survey-b')),
    ];
    process.stdout.write(
      `${total} responses: ${small} in survey A, ${total - small} in survey B\n` +
        `| read | rows | time | per row |\n|---|---|---|---|\n${rows.join('\n')}\n`,
    );
  } finally {
    await connection.close();
    await engine.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
