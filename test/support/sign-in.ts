/**
 * Real sign-in for integration tests: a verified, active user created through the accounts service (as
 * `npm run user:create` does), signed in through the real POST /sign-in form, so req.user comes from the database
 * on every request exactly as in production.
 *
 *   const { agent, user } = await signInAs(ctx, { roles: ['officer'] });
 *   const alice = await agentAs(ctx, 'participant:alice');   // the same person for the same name in one app
 */
import type { Page } from 'playwright-core';
import type { AuthenticatedUser, Role } from '../../src/platform/http/auth';
import type { Locale } from '../../src/platform/i18n';
import type { AgeRange, Gender, Region, Sector } from '../../src/platform/classifications';
import { FormAgent } from './agent';
import type { TestApp } from './app';
import { accountsServiceFor, DEFAULT_PASSWORD } from './factories/users';

export interface PersonSpec {
  roles?: Role[];
  name?: string;
  email?: string;
  password?: string;
  /** The user's own language (emails); pages follow it once signed in. */
  locale?: Locale;
  /** Gender and age range are saved with the demographics consent box ticked, as a person would. */
  profile?: { sector?: Sector; region?: Region; organisation?: string; gender?: Gender; ageRange?: AgeRange };
}

export interface SignedInUser extends AuthenticatedUser {
  password: string;
}

let sequence = 0;

/** Creates a verified, active user with these roles and profile through the accounts service. */
export async function createPerson(ctx: TestApp, spec: PersonSpec = {}): Promise<SignedInUser> {
  sequence += 1;
  const accounts = accountsServiceFor(ctx);
  const name = spec.name ?? `Person ${sequence}`;
  const email = spec.email ?? `person${sequence}.${Date.now()}@example.ca`;
  const password = spec.password ?? DEFAULT_PASSWORD;
  const locale = spec.locale ?? 'en';
  const created = await accounts.createUser({ email, name, password, roles: spec.roles ?? [], locale });
  const profile = spec.profile ?? {};
  if (Object.keys(profile).length > 0) {
    await accounts.updateProfile(
      { id: created.id, email, roles: created.roles },
      {
        name,
        locale,
        organisation: profile.organisation,
        sector: profile.sector,
        region: profile.region,
        ...(profile.gender || profile.ageRange
          ? { demographicsConsent: 'yes', gender: profile.gender, ageRange: profile.ageRange }
          : { gender: undefined, ageRange: undefined }),
      },
    );
  }
  return { id: created.id, email, name, roles: created.roles, locale, profile, password };
}

/** Signs `agent` (a new browser by default) in through the sign-in form; throws unless it succeeds. */
export async function signInWithForm(
  ctx: TestApp,
  user: Pick<SignedInUser, 'email' | 'password'>,
  agent: FormAgent = new FormAgent(ctx.app),
): Promise<FormAgent> {
  await agent.get('/sign-in');
  const res = await agent.post('/sign-in', { email: user.email, password: user.password });
  if (res.status !== 303) throw new Error(`sign-in failed for ${user.email}: ${res.status}\n${res.text}`);
  // Land on a page with a form, as a browser would after the redirect: the agent holds a fresh CSRF token.
  await agent.get(res.headers.location as string);
  return agent;
}

/** A new user with `spec`, and a browser signed in as them. */
export async function signInAs(
  ctx: TestApp,
  spec: PersonSpec = {},
  agent?: FormAgent,
): Promise<{ agent: FormAgent; user: SignedInUser }> {
  const user = await createPerson(ctx, spec);
  return { agent: await signInWithForm(ctx, user, agent), user };
}

/**
 * The person a short name stands for: `officer`, `analyst`, `participant:alice`... (role, then an optional first
 * name). Name and email are stable (`Alice Tremblay`, `alice.participant@example.test`), so tests can expect them.
 */
export function personFor(who: string): { role: Role; name: string; email: string } {
  const [role = 'participant', first = role] = who.split(':');
  return {
    role: role as Role,
    name: `${first[0]?.toUpperCase()}${first.slice(1)} ${role === 'participant' ? 'Tremblay' : 'Officer'}`,
    email: `${first}.${role}@example.test`,
  };
}

interface Session {
  user: SignedInUser;
  cookies: string[];
}
const sessions = new WeakMap<TestApp, Map<string, Promise<Session>>>();

/**
 * The user `who` stands for in this app, created on first use (with `locale` as their language); later calls
 * return the same user.
 */
export async function userAs(ctx: TestApp, who: string, locale: Locale = 'en'): Promise<SignedInUser> {
  return (await sessionOf(ctx, who, locale)).user;
}

function sessionOf(ctx: TestApp, who: string, locale: Locale): Promise<Session> {
  let byWho = sessions.get(ctx);
  if (!byWho) sessions.set(ctx, (byWho = new Map()));
  let session = byWho.get(who);
  if (!session) {
    session = (async () => {
      const { role, name, email } = personFor(who);
      const user = await createPerson(ctx, { roles: [role], name, email, locale });
      const agent = new FormAgent(ctx.app);
      await agent.get('/sign-in');
      const res = await agent.post('/sign-in', { email, password: user.password });
      if (res.status !== 303) throw new Error(`sign-in failed for ${email}: ${res.status}\n${res.text}`);
      const setCookie = res.headers['set-cookie'] as unknown as string[] | string | undefined;
      return { user, cookies: Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [] };
    })();
    byWho.set(who, session);
  }
  return session;
}

/**
 * A browser-like agent signed in as `who` (see personFor), or anonymous when `who` is empty; `lang` is the page
 * language asked for. The person signs in through the form once per app; each agent is another tab of that
 * signed-in browser (it carries the session cookie), so a test can open many without hitting the sign-in limits.
 */
export async function agentAs(ctx: TestApp, who: string, lang: Locale = 'en'): Promise<FormAgent> {
  const agent = new FormAgent(ctx.app);
  agent.agent.set('Accept-Language', lang);
  if (!who) return agent;
  const session = await sessionOf(ctx, who, lang);
  const jar = (agent.agent as unknown as { jar: { setCookies(c: string[], d: string, p: string): void } })
    .jar;
  jar.setCookies(session.cookies, '127.0.0.1', '/');
  return agent;
}

/** Signs a browser page in through the sign-in form, as a person would; waits for the page after it. */
export async function signInPage(
  page: Page,
  baseUrl: string,
  user: Pick<SignedInUser, 'email' | 'password'>,
): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  await page.fill('#email', user.email);
  await page.fill('#password', user.password);
  await Promise.all([
    page.waitForURL((url) => url.pathname !== '/sign-in'),
    page.click('main button[type=submit]'),
  ]);
}
