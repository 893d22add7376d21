import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedFerretDB } from '../src/platform/db/embedded-ferretdb';
import { ensureFerretDB } from '../src/platform/db/ferretdb-binary';
import { createLogger } from '../src/platform/logger';

/** Starts one FerretDB for the run (building it first on a fresh machine); test files share it, not databases. */
export default async function globalSetup(): Promise<void> {
  const binary = await ensureFerretDB(process.env.FERRETDB_BIN || undefined);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agora-test-db-'));
  const engine = await EmbeddedFerretDB.start({ binary, dataDir, logger: createLogger('warn') });
  process.env.AGORA_TEST_MONGODB_URI = engine.uri;
  process.env.AGORA_TEST_FERRETDB_BIN = binary;
  (globalThis as Record<string, unknown>).__agoraTestDb = { engine, dataDir };
}
