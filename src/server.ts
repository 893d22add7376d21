import type { Server } from 'node:http';
import { ConfigError, loadConfig } from './config';
import { compose } from './composition-root';
import { openDatabase } from './platform/db/database';
import { MissingGoError } from './platform/db/ferretdb-binary';
import { exitOnUnhandledErrors } from './platform/crash-handlers';
import { createLogger } from './platform/logger';
import { seedDemo } from './demo/demo-seed';
import { demoBanner } from './demo/print-accounts';

/** Entry point: config -> database -> composition root -> listen; and a clean shutdown on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n\nSee .env.example for every variable and its meaning.\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  exitOnUnhandledErrors(logger);

  let database;
  try {
    database = await openDatabase(config, logger);
  } catch (error) {
    if (error instanceof MissingGoError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const composition = compose(config, logger, database);
  await composition.init();
  if (config.demoOnFirstStart) {
    // First start of an empty embedded database: load the demo so there is something to see.
    logger.info('checking for an empty database to load the demo into (DEMO_DATA=off to skip)');
    const result = await seedDemo(composition);
    if (result.seeded) process.stdout.write(demoBanner(result, config.baseUrl));
  }
  composition.start();

  const server: Server = composition.app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info(
    { port, url: config.baseUrl, database: database.engine ? 'embedded FerretDB' : 'MONGODB_URI' },
    'listening',
  );
  if (config.env !== 'production' && process.stdout.isTTY) {
    process.stdout.write(`\nAgora is running at ${config.baseUrl}\n\n`);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Stop accepting connections; in-flight requests finish, idle keep-alive connections close now.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => {
      logger.warn('in-flight requests did not finish in time; closing their connections');
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    await closed;
    clearTimeout(timer);
    await composition.stop();
    await database.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Agora could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
