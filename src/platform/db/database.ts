import path from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import type { Config } from '../../config';
import type { Logger } from '../logger';
import { EmbeddedFerretDB } from './embedded-ferretdb';
import { ensureFerretDB } from './ferretdb-binary';
import { createWriteSerializer, type WriteSerializer } from './write-serializer';

// Queries built from user input can never carry operators: `{ email: { $ne: null } }` is cast to a plain value.
// Code that needs an operator on such a path wraps it in mongoose.trusted().
mongoose.set('strictQuery', true);
mongoose.set('sanitizeFilter', true);

export interface Database {
  connection: Connection;
  /** Serialises read-modify-write operations where the database does not make them atomic (FerretDB v1). */
  serializer: WriteSerializer;
  /** Set when the embedded engine was started by us. */
  engine: EmbeddedFerretDB | undefined;
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export const EMBEDDED_DB_NAME = 'agora';

export async function connect(uri: string, dbName?: string): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    ...(dbName ? { dbName } : {}),
    serverSelectionTimeoutMS: 5_000,
    // Indexes are created by each model's init(), so the same code runs against MongoDB and FerretDB.
    autoIndex: true,
  });
  await connection.asPromise();
  return connection;
}

/** True on MongoDB; false on FerretDB, whose single-document updates are not atomic (see write-serializer.ts). */
export async function hasAtomicUpdates(connection: Connection): Promise<boolean> {
  const info = await connection.db?.admin().command({ buildInfo: 1 });
  return !(info && 'ferretdbVersion' in info);
}

export async function ping(connection: Connection, timeoutMs = 1_000): Promise<boolean> {
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
  const serializer = createWriteSerializer(await hasAtomicUpdates(connection));
  return {
    connection,
    serializer,
    engine,
    ping: (timeoutMs) => ping(connection, timeoutMs),
    async close() {
      await connection.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the database'));
      await engine?.stop();
    },
  };
}
