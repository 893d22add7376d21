import pino from 'pino';
import type { Role } from '../../../src/platform/http/auth';
import type { Locale } from '../../../src/platform/i18n';
import { AccountsService } from '../../../src/modules/accounts';
import { FormAgent } from '../agent';
import type { TestApp } from '../app';

export const DEFAULT_PASSWORD = 'maple-syrup-river-canoe-42';

export interface TestUser {
  id: string;
  email: string;
  name: string;
  password: string;
}

let sequence = 0;

/** An accounts service on the test app's database, for building data and for hooks the HTTP layer cannot reach. */
export function accountsServiceFor(ctx: TestApp): AccountsService {
  return new AccountsService({
    connection: ctx.db.connection,
    baseUrl: ctx.config.baseUrl,
    notifications: ctx.notifications,
    logger: pino({ level: 'silent' }),
  });
}

/** A verified, active user (participant unless `roles` says more). */
export async function createUser(
  ctx: TestApp,
  overrides: { email?: string; name?: string; password?: string; roles?: Role[]; locale?: Locale } = {},
): Promise<TestUser> {
  sequence += 1;
  const email = overrides.email ?? `person${sequence}.${Date.now()}@example.ca`;
  const name = overrides.name ?? `Person ${sequence}`;
  const password = overrides.password ?? DEFAULT_PASSWORD;
  const summary = await accountsServiceFor(ctx).createUser({
    email,
    name,
    password,
    roles: overrides.roles ?? [],
    locale: overrides.locale ?? 'en',
  });
  return { id: summary.id, email, name, password };
}

let addressSequence = 0;

/**
 * A browser-like agent with a client address of its own (X-Forwarded-For; the accounts tests run with
 * TRUST_PROXY=true), so per-address rate limits of one test do not leak into another.
 */
export function agentFor(ctx: TestApp, address?: string): FormAgent {
  addressSequence += 1;
  const agent = new FormAgent(ctx.app);
  agent.agent.set('X-Forwarded-For', address ?? `203.0.113.${addressSequence % 250}`);
  return agent;
}

/** Signs in through the sign-in form; returns the agent, now holding a signed-in session. */
export async function signIn(
  ctx: TestApp,
  user: Pick<TestUser, 'email' | 'password'>,
  agent = agentFor(ctx),
) {
  await agent.get('/sign-in');
  const res = await agent.post('/sign-in', { email: user.email, password: user.password });
  if (res.status !== 303) throw new Error(`sign-in failed for ${user.email}: ${res.status}\n${res.text}`);
  return agent;
}

/** The session cookie (`agora.sid=...`) a response sets, if any. */
export function sessionCookieFrom(res: { headers: Record<string, unknown> }): string | undefined {
  const cookies = res.headers['set-cookie'];
  const list = Array.isArray(cookies) ? (cookies as string[]) : typeof cookies === 'string' ? [cookies] : [];
  return list.map((c) => c.split(';')[0] as string).find((c) => c.startsWith('agora.sid='));
}
