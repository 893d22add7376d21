/**
 * Recomputes the analysis answer counters and answer logs from the stored responses: of one survey
 * (`node dist/scripts/answers-rebuild.js <surveyId>`) or of every survey (no argument). For bulk loads and repairs,
 * while the surveys take no submissions (see AnswerCounters.rebuild). Same configuration as the app.
 */
import pino from 'pino';
import { loadConfig } from '../src/config';
import { compose } from '../src/composition-root';
import { openDatabase } from '../src/platform/db/database';
import { createLogger } from '../src/platform/logger';
import { rebuildAnswerCounters } from '../src/modules/analysis';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const database = await openDatabase(config, logger);
  try {
    const composition = compose(config, pino({ level: 'silent' }), database);
    await composition.init();
    const started = Date.now();
    const ids = await rebuildAnswerCounters(
      { counters: composition.answerCounters, surveys: composition.surveys },
      process.argv[2],
    );
    process.stdout.write(
      `Rebuilt the answer counters of ${ids.length} survey(s) (${Date.now() - started} ms).\n`,
    );
    await composition.stop();
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
