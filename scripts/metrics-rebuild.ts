/**
 * `npm run metrics:rebuild` recomputes participations and every rollup counter from the submissions ledger.
 * `npm run metrics:rebuild -- --check` only compares the live counters with a recomputation and exits 1 on a difference.
 * Uses the same configuration as the app (MONGODB_URI, or the embedded database under DATA_DIR).
 */
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/platform/db/database';
import { createLogger } from '../src/platform/logger';
import { createParticipationModule } from '../src/modules/participation';

async function main(): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const database = await openDatabase(config, logger);
  try {
    const { participation } = createParticipationModule({ connection: database.connection });
    await participation.init();
    if (process.argv.includes('--check')) {
      const live = new Map((await participation.liveRollups()).map((r) => [r._id, r.count]));
      const computed = new Map((await participation.computeFromLedger()).cells.map((r) => [r._id, r.count]));
      const differences = [...new Set([...live.keys(), ...computed.keys()])]
        .filter((id) => live.get(id) !== computed.get(id))
        .map((id) => `${id}: live ${live.get(id) ?? 0}, ledger ${computed.get(id) ?? 0}`);
      process.stdout.write(
        differences.length
          ? `${differences.length} counters differ:\n${differences.join('\n')}\n`
          : 'All counters match the ledger.\n',
      );
      return differences.length ? 1 : 0;
    }
    const started = Date.now();
    const result = await participation.rebuild();
    process.stdout.write(
      `Rebuilt from ${result.submissions} submissions: ${result.participations} participations, ` +
        `${result.rollups} counters (${Date.now() - started} ms).\n`,
    );
    return 0;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
