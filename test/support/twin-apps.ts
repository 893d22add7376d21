import type { Express } from 'express';
import mongoose, { type Connection } from 'mongoose';
import pino from 'pino';
import { compose, type Composition } from '../../src/composition-root';
import type { Config } from '../../src/config';
import { testConfig } from './app';
import { createTestDatabase, testDatabaseUri, type TestDatabase } from './database';

export interface TwinApp {
  app: Express;
  composition: Composition;
  connection: Connection;
}

export interface TwinApps {
  /** Two instances of the app: two compositions on one database. */
  apps: [TwinApp, TwinApp];
  /** With `monitored`: one more instance whose connection monitors commands. */
  monitored?: TwinApp;
  db: TestDatabase;
  config: Config;
  close(): Promise<void>;
}

/**
 * Two app instances sharing one database, as two servers behind a load balancer would: nothing in memory is shared
 * between them, and their requests interleave on the database only.
 *
 * Both use the same connection. On MongoDB each instance has its own pool and the server makes every
 * single-document operation atomic whatever the connection; the embedded FerretDB gives that atomicity only to the
 * commands of one connection (see src/platform/db/database.ts), which is why an app uses exactly one, and why two
 * instances on the embedded engine are two compositions on that one connection. (Two connections to FerretDB would
 * test FerretDB's lack of cross-connection atomicity, not the app.)
 *
 * `monitored: true` adds a third composition on its own connection opened with command monitoring (its client
 * emits `commandStarted`), for tests that look at the commands one request sends.
 */
export async function buildTwinApps(options: { monitored?: boolean } = {}): Promise<TwinApps> {
  const db = await createTestDatabase();
  const config = testConfig();
  const logger = pino({ level: 'silent' });
  const build = async (connection: Connection): Promise<TwinApp> => {
    const composition = compose(config, logger, { connection });
    await composition.init();
    return { app: composition.app, composition, connection };
  };
  const apps: [TwinApp, TwinApp] = [await build(db.connection), await build(db.connection)];
  let monitoredConnection: Connection | undefined;
  let monitored: TwinApp | undefined;
  if (options.monitored) {
    monitoredConnection = await mongoose
      .createConnection(testDatabaseUri(), {
        dbName: db.connection.name,
        maxPoolSize: 1,
        monitorCommands: true,
      })
      .asPromise();
    monitored = await build(monitoredConnection);
  }
  return {
    apps,
    monitored,
    db,
    config,
    async close() {
      for (const twin of [...apps, ...(monitored ? [monitored] : [])]) await twin.composition.stop();
      await monitoredConnection?.close();
      await db.drop();
    },
  };
}
