import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * What our FerretDB build changes (src/platform/db/ferretdb-binary.ts, FERRETDB_PATCHES), proved without timing:
 * the engine's own explain shows the SQLite plan, and a reply is read by the command it belongs to.
 */
describe('the embedded engine as we build it', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await db.connection.collection('things').insertMany([
      { _id: 'a' as never, kind: 'x', n: 1 },
      { _id: 'b' as never, kind: 'y', n: 2 },
    ]);
    await db.connection.collection('others').insertOne({ _id: 'o' as never, kind: 'other' });
  });
  afterAll(() => db.drop());

  async function explain(filter: Record<string, unknown>) {
    const result = await db.connection.db!.command({ explain: { find: 'things', filter } });
    return {
      plan: ((result.queryPlanner as { Plan?: string[] }).Plan ?? []).join('\n'),
      pushdown: result.filterPushdown as boolean,
    };
  }

  it('when a query filters by _id alone, then SQLite searches the _id index', async () => {
    const { plan, pushdown } = await explain({ _id: 'a' });
    expect(pushdown).toBe(true);
    expect(plan).toMatch(/SEARCH .* USING INDEX \S+__id_/);
    expect(plan).not.toMatch(/\bSCAN\b/);
  });

  it('when a filter has an _id equality beside other conditions (a compare-and-swap), then it is one index lookup too', async () => {
    const { plan, pushdown } = await explain({ _id: 'a', n: 1 });
    expect(pushdown).toBe(true);
    expect(plan).toMatch(/SEARCH .* USING INDEX \S+__id_/);
    // The other conditions still apply: FerretDB filters what the index returns.
    expect(await db.connection.collection('things').findOne({ _id: 'a' as never, n: 2 })).toBeNull();
    expect(await db.connection.collection('things').findOne({ _id: 'a' as never, n: 1 })).toMatchObject({
      kind: 'x',
    });
  });

  it('when a filter has no _id, then it scans (which is why hot paths address documents by _id)', async () => {
    const { plan, pushdown } = await explain({ kind: 'x' });
    expect(pushdown).toBe(false);
    expect(plan).toMatch(/\bSCAN\b/);
  });

  it('when a write is sent unacknowledged (w: 0), then the next command still gets its own reply', async () => {
    const things = db.connection.collection('things');
    for (let i = 0; i < 5; i++) {
      await db.connection.collection('others').deleteMany({ kind: 'none' }, { writeConcern: { w: 0 } });
      const docs = await things.find({}).sort({ _id: 1 }).toArray();
      expect(docs.map((d) => d._id)).toEqual(['a', 'b']);
      expect(await db.connection.collection('others').countDocuments({})).toBe(1);
    }
  });
});
