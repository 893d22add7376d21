import crypto from 'node:crypto';
import type { Connection } from 'mongoose';
import { connect } from '../../src/platform/db/database';

export function testDatabaseUri(): string {
  const uri = process.env.AGORA_TEST_MONGODB_URI;
  if (!uri)
    throw new Error('AGORA_TEST_MONGODB_URI is not set: run the tests with `npm test` (jest global setup)');
  return uri;
}

export interface TestDatabase {
  connection: Connection;
  /** Drops the database and closes the connection. */
  drop(): Promise<void>;
}

/** A fresh, empty database on the run's FerretDB, private to the calling test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `test_${process.env.JEST_WORKER_ID ?? '0'}_${crypto.randomBytes(6).toString('hex')}`;
  const connection = await connect(testDatabaseUri(), name);
  return {
    connection,
    async drop() {
      // Not silenced: a drop that fails (e.g. the connection was closed first) leaves the database behind.
      await connection.dropDatabase();
      await connection.close();
    },
  };
}
