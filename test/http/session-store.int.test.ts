import crypto from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import type { SessionData } from 'express-session';
import type { CommandStartedEvent } from 'mongodb';
import { MongoSessionStore, type SessionDoc } from '../../src/platform/http/session-store';
import { testDatabaseUri } from '../support/database';

const HOUR = 3600_000;

/** What express-session hands a store: plain data with a cookie (its expiry a Date). */
function sessionData(expires: Date, extra: Record<string, unknown> = {}): SessionData {
  return {
    cookie: { originalMaxAge: 8 * HOUR, expires, httpOnly: true, path: '/', sameSite: 'lax', secure: false },
    ...extra,
  } as unknown as SessionData;
}

function call<T>(run: (callback: (err?: unknown, value?: T) => void) => void): Promise<T | undefined> {
  return new Promise((resolve, reject) => run((err, value) => (err ? reject(err) : resolve(value))));
}

describe('the session store (point reads by _id, expiry in code, acknowledged clean-up)', () => {
  let connection: Connection;
  const commands: CommandStartedEvent[] = [];
  let clock = new Date('2030-01-01T12:00:00Z');
  const stores: MongoSessionStore[] = [];
  const sessions = () => connection.collection<SessionDoc>('sessions');

  function newStore(options: Partial<ConstructorParameters<typeof MongoSessionStore>[1]> = {}) {
    const store = new MongoSessionStore(connection, {
      defaultMaxAgeMs: 8 * HOUR,
      cleanupIntervalMs: 0,
      now: () => clock,
      ...options,
    });
    stores.push(store);
    return store;
  }

  beforeAll(async () => {
    // A connection of its own that reports every command it sends, to check what reaches the database.
    connection = mongoose.createConnection(testDatabaseUri(), {
      dbName: `test_sessions_${crypto.randomBytes(6).toString('hex')}`,
      monitorCommands: true,
    });
    await connection.asPromise();
    connection.getClient().on('commandStarted', (event) => commands.push(event));
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
  });
  beforeEach(async () => {
    clock = new Date('2030-01-01T12:00:00Z');
    await sessions().deleteMany({});
    commands.length = 0;
  });

  it('stores a session under its id with its expiry and the signed-in user at the top level, and reads it back by _id only', async () => {
    const store = newStore();
    const expires = new Date(clock.getTime() + 8 * HOUR);
    await call((cb) =>
      store.set('sid-1', sessionData(expires, { passport: { user: 'u1' }, csrfToken: 't' }), cb),
    );
    const doc = await sessions().findOne({ _id: 'sid-1' });
    expect(doc).toMatchObject({ _id: 'sid-1', expires, storedAt: clock, userId: 'u1' });
    expect(doc?.session).toMatchObject({ passport: { user: 'u1' }, csrfToken: 't' });

    commands.length = 0;
    const read = await call<SessionData | null>((cb) => store.get('sid-1', cb));
    expect(read).toMatchObject({ passport: { user: 'u1' }, csrfToken: 't' });
    expect(new Date(read?.cookie.expires as unknown as string)).toEqual(expires);
    const finds = commands.filter((c) => c.commandName === 'find');
    expect(finds).toHaveLength(1);
    expect(finds[0]?.command.filter).toEqual({ _id: 'sid-1' });

    // an anonymous session (no user) has no userId
    await call((cb) => store.set('sid-2', sessionData(expires, { csrfToken: 'x' }), cb));
    expect((await sessions().findOne({ _id: 'sid-2' }))?.userId).toBeUndefined();
  });

  it('reads an expired session as absent, whether or not the clean-up has run', async () => {
    const store = newStore();
    await sessions().insertOne({
      _id: 'old',
      expires: new Date(clock.getTime() - 1),
      session: { cookie: { originalMaxAge: HOUR }, passport: { user: 'u1' } },
    });
    await sessions().insertOne({
      _id: 'live',
      expires: new Date(clock.getTime() + HOUR),
      session: { cookie: { originalMaxAge: HOUR }, passport: { user: 'u1' } },
    });
    expect(await call((cb) => store.get('old', cb))).toBeNull();
    expect(await call((cb) => store.get('live', cb))).toMatchObject({ passport: { user: 'u1' } });
    expect(await call((cb) => store.get('missing', cb))).toBeNull();
    // the same session read an hour later has expired
    clock = new Date(clock.getTime() + HOUR);
    expect(await call((cb) => store.get('live', cb))).toBeNull();
  });

  it('rewrites an unchanged session’s expiry at most once a minute, and never brings back a deleted one', async () => {
    const store = newStore();
    const first = new Date(clock.getTime() + 8 * HOUR);
    await call((cb) => store.set('sid', sessionData(first), cb));

    // express-session touches what it loaded, with the cookie renewed
    clock = new Date(clock.getTime() + 30_000);
    let loaded = (await call<SessionData | null>((cb) => store.get('sid', cb))) as SessionData;
    commands.length = 0;
    await call((cb) =>
      store.touch('sid', { ...loaded, ...sessionData(new Date(clock.getTime() + 8 * HOUR)) }, cb),
    );
    expect(commands.filter((c) => c.commandName === 'update')).toHaveLength(0);
    expect((await sessions().findOne({ _id: 'sid' }))?.expires).toEqual(first);

    clock = new Date(clock.getTime() + 31_000); // 61 s after the last write
    loaded = (await call<SessionData | null>((cb) => store.get('sid', cb))) as SessionData;
    const renewed = new Date(clock.getTime() + 8 * HOUR);
    await call((cb) => store.touch('sid', { ...loaded, ...sessionData(renewed) }, cb));
    expect(await sessions().findOne({ _id: 'sid' })).toMatchObject({ expires: renewed, storedAt: clock });

    // the touch throttle's marker never lands inside the stored session
    await call((cb) => store.set('sid', { ...loaded, ...sessionData(renewed) }, cb));
    expect(Object.keys((await sessions().findOne({ _id: 'sid' }))?.session ?? {})).toEqual(['cookie']);

    // signed out elsewhere meanwhile: a late touch does not recreate the session
    await call((cb) => store.destroy('sid', cb));
    expect(await sessions().countDocuments({})).toBe(0);
    clock = new Date(clock.getTime() + 120_000);
    await call((cb) => store.touch('sid', sessionData(new Date(clock.getTime() + 8 * HOUR)), cb));
    expect(await sessions().countDocuments({})).toBe(0);
  });

  it('reads sessions written by connect-mongo (no storedAt, no userId) and touches them on first use', async () => {
    const store = newStore();
    const expires = new Date(clock.getTime() + HOUR);
    await sessions().insertOne({
      _id: 'legacy',
      expires,
      session: { cookie: { originalMaxAge: HOUR, expires, path: '/' }, passport: { user: 'u9' } },
    });
    const loaded = (await call<SessionData | null>((cb) => store.get('legacy', cb))) as SessionData;
    expect(loaded).toMatchObject({ passport: { user: 'u9' } });
    const renewed = new Date(clock.getTime() + 8 * HOUR);
    await call((cb) => store.touch('legacy', { ...loaded, ...sessionData(renewed) }, cb));
    expect((await sessions().findOne({ _id: 'legacy' }))?.expires).toEqual(renewed);
  });

  it('deletes only expired sessions, a bounded number per run, with acknowledged writes only', async () => {
    const store = newStore({ cleanupBatchSize: 2, maxBatches: 2 });
    const docs = [
      ...Array.from({ length: 5 }, (_, i) => ({
        _id: `expired-${i}`,
        expires: new Date(clock.getTime() - i),
      })),
      { _id: 'live-1', expires: new Date(clock.getTime() + 1) },
      { _id: 'live-2', expires: new Date(clock.getTime() + HOUR) },
    ];
    await sessions().insertMany(docs.map((doc) => ({ ...doc, session: { cookie: {} } })));
    commands.length = 0;
    expect(await store.removeExpired()).toBe(4); // two batches of two
    expect(await store.removeExpired()).toBe(1);
    expect(await store.removeExpired()).toBe(0);
    expect((await sessions().find({}).toArray()).map((doc) => doc._id).sort()).toEqual(['live-1', 'live-2']);

    const deletes = commands.filter((c) => c.commandName === 'delete');
    expect(deletes.length).toBeGreaterThan(0);
    // every write of the store is acknowledged: an unacknowledged (w: 0) write is what FerretDB v1 answered
    // anyway, and its stray reply was taken for the answer to the next query on the connection
    const writes = commands.filter((c) => ['delete', 'update', 'insert'].includes(c.commandName));
    for (const write of writes) expect(write.command.writeConcern?.w).not.toBe(0);
  });

  it('runs the clean-up in the background until closed, and close() waits for a run in flight', async () => {
    await sessions().insertOne({
      _id: 'gone',
      expires: new Date(clock.getTime() - 1),
      session: { cookie: {} },
    });
    const store = newStore({ cleanupIntervalMs: 10 });
    const spy = jest.spyOn(store, 'removeExpired');
    const deadline = Date.now() + 20_000;
    while ((await sessions().countDocuments({ _id: 'gone' })) > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await sessions().countDocuments({ _id: 'gone' })).toBe(0);
    await store.close();
    const runs = spy.mock.calls.length;
    await sessions().insertOne({
      _id: 'stays',
      expires: new Date(clock.getTime() - 1),
      session: { cookie: {} },
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(spy.mock.calls.length).toBe(runs);
    expect(await sessions().countDocuments({ _id: 'stays' })).toBe(1);
  });
});
