import { ACCOUNT_RATE_LIMITS } from '../../src/modules/accounts';
import { TooManyRequestsError } from '../../src/platform/errors';
import { Router } from 'express';
import request from 'supertest';
import { rateLimit, RateLimiter } from '../../src/platform/http/rate-limit';
import { buildTestApp, testConfig } from '../support/app';
import { agentFor, createUser, signIn } from '../support/factories/users';
import { startAccountsApp, stopAccountsApp, type AccountsTestContext } from './helpers';

describe('rate limits', () => {
  let t: AccountsTestContext;

  beforeAll(async () => {
    t = await startAccountsApp();
  });
  afterAll(() => stopAccountsApp(t));

  it('when an account gets too many wrong passwords, then even the right one is refused with 429 for a while', async () => {
    const user = await createUser(t.ctx);
    const other = await createUser(t.ctx);
    const { limit } = ACCOUNT_RATE_LIMITS.signInAccount;
    for (let i = 0; i < limit; i++) {
      // From different addresses: the per-account limit holds whatever the address.
      const agent = agentFor(t.ctx, `198.51.100.${i + 1}`);
      await agent.get('/sign-in');
      expect(
        (await agent.post('/sign-in', { email: user.email, password: `wrong password ${i}` })).status,
      ).toBe(401);
    }
    const agent = agentFor(t.ctx, '198.51.100.200');
    await agent.get('/sign-in');
    const res = await agent.post('/sign-in', { email: user.email, password: user.password });
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.text).toContain('Too many attempts');
    // Another account is not affected.
    await signIn(t.ctx, other, agentFor(t.ctx, '198.51.100.201'));
  });

  it('when a signed-in session guesses the current password too often, then it is refused with 429', async () => {
    const user = await createUser(t.ctx);
    const agent = await signIn(t.ctx, user, agentFor(t.ctx, '198.51.100.220'));
    await agent.get('/profile/password');
    for (let i = 0; i < ACCOUNT_RATE_LIMITS.signInAccount.limit; i++) {
      const res = await agent.post('/profile/password', {
        currentPassword: `guess number ${i}`,
        newPassword: 'silver birch by the lake',
      });
      expect(res.status).toBe(422);
    }
    const res = await agent.post('/profile/password', {
      currentPassword: user.password,
      newPassword: 'silver birch by the lake',
    });
    expect(res.status).toBe(429);
  });

  it('when an unknown email gets too many attempts, then it is limited the same way (no enumeration)', async () => {
    const agent = agentFor(t.ctx, '198.51.100.210');
    await agent.get('/sign-in');
    const statuses: number[] = [];
    for (let i = 0; i <= ACCOUNT_RATE_LIMITS.signInAccount.limit; i++) {
      statuses.push(
        (await agent.post('/sign-in', { email: 'nobody@example.ca', password: 'wrong password' })).status,
      );
    }
    expect(statuses.slice(0, -1).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('when one address sends too many sign-in attempts, then it gets 429 in its language', async () => {
    const agent = agentFor(t.ctx, '192.0.2.77');
    await agent.get('/sign-in');
    // Malformed attempts still count, and cost no hashing.
    for (let i = 0; i < ACCOUNT_RATE_LIMITS.signInAddress.limit; i++) {
      expect((await agent.post('/sign-in', {})).status).toBe(422);
    }
    const res = await agent.agent
      .post('/sign-in')
      .set('Accept-Language', 'fr')
      .type('form')
      .send({ email: 'a@example.ca', password: 'x', _csrf: tokenOf((await agent.get('/sign-in')).text) });
    expect(res.status).toBe(429);
    expect(res.text).toContain('Trop de tentatives');
    // Another address is not affected.
    const elsewhere = agentFor(t.ctx, '192.0.2.78');
    await elsewhere.get('/sign-in');
    expect((await elsewhere.post('/sign-in', {})).status).toBe(422);
  });

  it('when one address signs up too often, then it gets 429', async () => {
    const agent = agentFor(t.ctx, '192.0.2.90');
    await agent.get('/sign-up');
    for (let i = 0; i < ACCOUNT_RATE_LIMITS.signUpAddress.limit; i++) {
      expect((await agent.post('/sign-up', { name: '', email: '', password: '' })).status).toBe(422);
    }
    expect((await agent.post('/sign-up', { name: '', email: '', password: '' })).status).toBe(429);
  });

  it('when resets are asked too often for one email, then the next is refused with 429 and no email goes out', async () => {
    const user = await createUser(t.ctx);
    const { limit } = ACCOUNT_RATE_LIMITS.resetAccount;
    for (let i = 0; i < limit; i++) {
      const agent = agentFor(t.ctx, `198.18.0.${i + 1}`);
      await agent.get('/password-reset');
      expect((await agent.post('/password-reset', { email: user.email })).status).toBe(200);
    }
    const agent = agentFor(t.ctx, '198.18.0.100');
    await agent.get('/password-reset');
    expect((await agent.post('/password-reset', { email: user.email })).status).toBe(429);
    await t.ctx.notifications.drain();
    expect(t.smtp.to(user.email)).toHaveLength(limit);
  });

  it('when verification links are asked too often for one email, then the next is refused with 429', async () => {
    const agent = agentFor(t.ctx, '198.18.1.1');
    await agent.get('/verify-email');
    for (let i = 0; i < ACCOUNT_RATE_LIMITS.resendAccount.limit; i++) {
      expect((await agent.post('/verify-email', { email: 'resend.limit@example.ca' })).status).toBe(200);
    }
    expect((await agent.post('/verify-email', { email: 'resend.limit@example.ca' })).status).toBe(429);
  });

  describe('the limiter itself', () => {
    const rule = { name: 'test:parallel', limit: 30, windowSeconds: 60 };

    it('when many attempts arrive at once, then each is counted exactly once', async () => {
      const limiter = new RateLimiter(t.ctx.db.connection);
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, () => limiter.consume(rule, 'parallel-subject')),
      );
      limiter.stop();
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(30);
      const refused = results.filter((r) => r.status === 'rejected');
      expect(refused).toHaveLength(10);
      expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(TooManyRequestsError);
    });

    it('when a module uses the middleware, then the route answers 429 with Retry-After over the limit', async () => {
      let limiter: RateLimiter | undefined;
      const router = Router();
      const app = await buildTestApp({
        config: testConfig({ TRUST_PROXY: 'true' }),
        routers: [router],
      });
      try {
        limiter = new RateLimiter(app.db.connection);
        router.get(
          '/test/limited',
          rateLimit(limiter, { name: 'test:mw', limit: 2, windowSeconds: 600 }),
          (_req, res) => {
            res.send('ok');
          },
        );
        const hit = () => request(app.app).get('/test/limited').set('X-Forwarded-For', '192.0.2.200');
        expect((await hit()).status).toBe(200);
        expect((await hit()).status).toBe(200);
        const refused = await hit();
        expect(refused.status).toBe(429);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
        const other = await request(app.app).get('/test/limited').set('X-Forwarded-For', '192.0.2.201');
        expect(other.status).toBe(200);
      } finally {
        limiter?.stop();
        await app.close();
      }
    });

    it('when a window ends, then the count starts again and the old window is deleted', async () => {
      let now = new Date('2026-01-01T10:00:10Z');
      const limiter = new RateLimiter(t.ctx.db.connection, {
        now: () => now,
      });
      const windowRule = { name: 'test:window', limit: 2, windowSeconds: 60 };
      await limiter.consume(windowRule, 'w');
      await limiter.consume(windowRule, 'w');
      const refused = await limiter.consume(windowRule, 'w').catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(TooManyRequestsError);
      expect((refused as TooManyRequestsError).retryAfterSeconds).toBe(50);
      now = new Date('2026-01-01T10:01:05Z');
      await expect(limiter.consume(windowRule, 'w')).resolves.toEqual({ remaining: 1 });
      expect(await limiter.deleteEnded()).toBeGreaterThanOrEqual(1);
      limiter.stop();
      const stored = await t.ctx.db.connection.collection('rate_limits').find({}).toArray();
      expect(JSON.stringify(stored)).not.toContain('"w"');
    });
  });
});

function tokenOf(html: string): string {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] as string;
}
