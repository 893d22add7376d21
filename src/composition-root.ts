import type { Express, Router } from 'express';
import type { Config } from './config';
import { createApp } from './app';
import { ping, type Database } from './platform/db/database';
import { createSessionMiddleware } from './platform/http/session';
import { createI18n } from './platform/i18n';
import type { Logger } from './platform/logger';
import { homeRouter } from './modules/home';

export interface Composition {
  app: Express;
  /** Stops background work (session clean-up, workers); the database is closed by its owner. */
  stop(): Promise<void>;
}

/** Builds models -> services -> routers in one place, and the app from them. */
export interface ComposeOptions {
  /** Routers mounted before the modules' own (tests use this for test-only endpoints). */
  extraRouters?: Router[];
}

export function compose(
  config: Config,
  logger: Logger,
  database: Pick<Database, 'connection'>,
  options: ComposeOptions = {},
): Composition {
  const { connection } = database;
  const i18n = createI18n();
  const session = createSessionMiddleware({
    connection,
    secret: config.sessionSecret,
    maxAgeMs: config.sessionMaxAgeMs,
    secureCookie: config.baseUrl.startsWith('https:'),
  });
  const app = createApp({
    config,
    logger,
    i18n,
    ping: () => ping(connection),
    session: session.middleware,
    routers: [...(options.extraRouters ?? []), homeRouter()],
  });
  return {
    app,
    async stop() {
      await session.store.close().catch(() => undefined);
    },
  };
}
