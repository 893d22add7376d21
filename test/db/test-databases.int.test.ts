import mongoose from 'mongoose';
import { buildTestApp } from '../support/app';
import { testDatabaseUri } from '../support/database';

/** What the run's FerretDB holds, read through a connection of our own (the app's is closed by then). */
async function databaseNames(): Promise<string[]> {
  const admin = await mongoose.createConnection(testDatabaseUri()).asPromise();
  try {
    const { databases } = await admin.db!.admin().listDatabases();
    return databases.map((d) => d.name);
  } finally {
    await admin.close();
  }
}

describe('test databases', () => {
  it('when a test app is closed (after its background jobs ran), then its database is dropped', async () => {
    const ctx = await buildTestApp();
    ctx.composition.start();
    await ctx.db.connection.collection('probe').insertOne({ _id: 'x' } as never);
    const name = ctx.db.connection.name;
    expect(await databaseNames()).toContain(name);
    await ctx.close();
    expect(await databaseNames()).not.toContain(name);
  });
});
