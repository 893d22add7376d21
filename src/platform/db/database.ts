import path from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import type { Config } from '../../config';
import type { Logger } from '../logger';
import { EmbeddedFerretDB } from './embedded-ferretdb';
import { ensureFerretDB } from './ferretdb-binary';

// Queries built from user input can never carry operators: `{ email: { $ne: null } }` is cast to a plain value.
// Code that needs an operator on such a path wraps it in mongoose.trusted().
mongoose.set('strictQuery', true);
mongoose.set('sanitizeFilter', true);

export interface Database {
  connection: Connection;
  /** Set when the embedded engine was started by us. */
  engine: EmbeddedFerretDB | undefined;
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export const EMBEDDED_DB_NAME = 'agora';

async function open(uri: string, dbName: string | undefined, maxPoolSize?: number): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    ...(dbName ? { dbName } : {}),
    ...(maxPoolSize ? { maxPoolSize, minPoolSize: 0, maxConnecting: 1 } : {}),
    serverSelectionTimeoutMS: 5_000,
    // Indexes are created by each model's init(), so the same code runs against MongoDB and FerretDB.
    autoIndex: true,
  });
  await connection.asPromise();
  return connection;
}

/**
 * Opens a connection with MongoDB's concurrency model: every single-document operation atomic.
 *
 * MongoDB gives that on any number of pooled connections, so the driver's pool is used as is. FerretDB v1 (SQLite)
 * gives it only within one connection, whose commands it runs one after another (measured: through one connection
 * 100 of 100 parallel `$inc` count and 1 of 20 conditional updates wins; through a pool, 7 and 10). So on FerretDB,
 * whatever the URI says, the app uses exactly one connection, and the same code is exact on both engines.
 */
export async function connect(uri: string, dbName?: string): Promise<Connection> {
  const connection = await open(uri, dbName);
  if (!(await isFerretDB(connection))) return connection;
  await connection.close();
  return open(uri, dbName, 1);
}

/** FerretDB says so in buildInfo. */
export async function isFerretDB(connection: Connection): Promise<boolean> {
  const info = await connection.db?.admin().command({ buildInfo: 1 });
  return Boolean(info && 'ferretdbVersion' in info);
}

/** Pings through the app's own connection; on FerretDB that one connection also carries every query, so the ping may
 * wait behind them: the timeout is what a load balancer's probe allows. */
export async function ping(connection: Connection, timeoutMs = 5_000): Promise<boolean> {
  const db = connection.db;
  if (!db || connection.readyState !== 1) return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      db.admin().command({ ping: 1 }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('ping timed out')), timeoutMs);
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Opens MONGODB_URI, or starts the embedded FerretDB under DATA_DIR when it is unset. */
export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  let engine: EmbeddedFerretDB | undefined;
  let uri = config.mongodbUri;
  let dbName: string | undefined;
  if (!uri) {
    const binary = await ensureFerretDB(config.ferretdbBin, (line) => logger.info(line));
    engine = await EmbeddedFerretDB.start({ binary, dataDir: path.join(config.dataDir, 'db'), logger });
    uri = engine.uri;
    dbName = EMBEDDED_DB_NAME;
  }
  let connection: Connection;
  try {
    connection = await connect(uri, dbName);
  } catch (error) {
    await engine?.stop();
    throw error;
  }
  return {
    connection,
    engine,
    ping: (timeoutMs) => ping(connection, timeoutMs),
    async close() {
      await connection.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the database'));
      await engine?.stop();
    },
  };
}
