import request from 'supertest';
import { FormAgent } from '../support/agent';
import { buildTestApp, type TestApp } from '../support/app';
import { createPerson, type PersonSpec } from '../support/sign-in';
import { SESSION_COOKIE } from '../../src/platform/http/session';
import { MongoSessionStore, type SessionDoc } from '../../src/platform/http/session-store';

describe('sessions of signed-in users', () => {
  let ctx: TestApp;

  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(() => ctx.close());

  const sessions = () => ctx.db.connection.collection<SessionDoc>('sessions');

  /** Signs a new user in through the form; returns the browser and its session cookie (as a Cookie header). */
  async function signIn(spec: PersonSpec) {
    const user = await createPerson(ctx, spec);
    const agent = new FormAgent(ctx.app);
    await agent.get('/sign-in');
    const res = await agent.post('/sign-in', { email: user.email, password: user.password });
    expect(res.status).toBe(303);
    const cookie = ([] as string[])
      .concat(res.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith(`${SESSION_COOKIE}=`))
      ?.split(';')[0];
    if (!cookie) throw new Error('no session cookie');
    await agent.get('/profile'); // a page with a form: the agent holds the session's CSRF token
    return { agent, user, cookie };
  }

  it('when a user signs in, then one session is stored under its id with the user at the top level, and signing out deletes it', async () => {
    const { agent, user, cookie } = await signIn({ name: 'Ana Diaz' });
    const [doc] = await sessions().find({ userId: user.id }).toArray();
    expect(doc).toBeDefined();
    expect(doc?.expires.getTime()).toBeGreaterThan(Date.now());
    expect(doc?.session).toMatchObject({ passport: { user: user.id } });
    expect((await request(ctx.app).get('/profile').set('Cookie', cookie)).status).toBe(200);

    const out = await agent.post('/sign-out');
    expect(out.status).toBe(303);
    expect(await sessions().countDocuments({ userId: user.id })).toBe(0);
    // the old cookie no longer signs anyone in
    const after = await request(ctx.app).get('/profile').set('Cookie', cookie);
    expect(after.status).toBe(303);
    expect(after.headers.location).toMatch(/^\/sign-in/);
  });

  it('when a session has expired, then it reads as absent even before the clean-up deletes it', async () => {
    const { user, cookie } = await signIn({ name: 'Bea Roy' });
    expect((await request(ctx.app).get('/profile').set('Cookie', cookie)).status).toBe(200);
    await sessions().updateOne({ userId: user.id }, { $set: { expires: new Date(Date.now() - 1000) } });
    const expired = await request(ctx.app).get('/profile').set('Cookie', cookie);
    expect(expired.status).toBe(303);
    expect(expired.headers.location).toMatch(/^\/sign-in/);
    // the clean-up then removes it, and only it
    const { user: other } = await signIn({ name: 'Cy Lee' });
    const store = new MongoSessionStore(ctx.db.connection, {
      defaultMaxAgeMs: 3600_000,
      cleanupIntervalMs: 0,
    });
    try {
      expect(await store.removeExpired()).toBe(1);
    } finally {
      await store.close();
    }
    expect(await sessions().countDocuments({ userId: user.id })).toBe(0);
    expect(await sessions().countDocuments({ userId: other.id })).toBe(1);
  });
});
