/**
 * `npm run seed`: loads the demo (see src/demo/demo-seed.ts) into the configured database if it is empty, and prints
 * the demo accounts. Refuses to run in production. With the embedded database, stop the app first.
 */
import { loadConfig } from '../src/config';
import { compose } from '../src/composition-root';
import { openDatabase } from '../src/platform/db/database';
import { createLogger } from '../src/platform/logger';
import { seedDemo } from '../src/demo/demo-seed';
import { demoBanner } from '../src/demo/print-accounts';

async function main(): Promise<number> {
  const config = loadConfig();
  if (config.isProduction) {
    process.stderr.write('The demo is never loaded in production (NODE_ENV=production).\n');
    return 1;
  }
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const database = await openDatabase(config, logger);
  const composition = compose(config, logger, database);
  try {
    await composition.init();
    process.stdout.write('Loading the demo (a few hundred responses through the real services)…\n');
    const result = await seedDemo(composition);
    if (result.seeded) {
      process.stdout.write(demoBanner(result, config.baseUrl));
      return 0;
    }
    if (result.reason === 'already-loaded') {
      process.stdout.write('The demo is already loaded; nothing was changed.\n');
      return 0;
    }
    process.stderr.write(
      'The database already holds rounds or accounts, so the demo was not loaded (it only fills an empty database).\n' +
        'For a fresh demo with the embedded database, stop the app and use an empty DATA_DIR.\n',
    );
    return 1;
  } finally {
    await composition.stop();
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
