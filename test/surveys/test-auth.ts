import { Router } from 'express';
import type { AuthenticatedUser } from '../../src/platform/http/auth';
import type { FormAgent } from '../support/agent';

declare module 'express-session' {
  interface SessionData {
    testUser?: AuthenticatedUser;
  }
}

/**
 * Test-only sign-in (the accounts module is built elsewhere): GET /test/sign-in?id=..&roles=..&email=..&sector=..
 * keeps a user in the session, and every later request of that browser has it as req.user.
 */
export function testAuthRouter(): Router {
  const router = Router();
  router.get('/test/sign-in', (req, res) => {
    const query = req.query as Record<string, string | undefined>;
    req.session.testUser = {
      id: query.id ?? 'u1',
      email: query.email ?? `${query.id ?? 'u1'}@example.ca`,
      name: query.name ?? 'Test User',
      roles: (query.roles ?? 'participant').split(',') as AuthenticatedUser['roles'],
      locale: 'en',
      profile: {
        ...(query.sector ? { sector: query.sector as never } : {}),
        ...(query.region ? { region: query.region as never } : {}),
        ...(query.organisation ? { organisation: query.organisation } : {}),
      },
    };
    res.send(`<form><input type="hidden" name="_csrf" value="${res.locals.csrfToken()}"></form>`);
  });
  router.get('/test/sign-out', (req, res) => {
    delete req.session.testUser;
    res.send('ok');
  });
  router.use((req, res, next) => {
    if (req.session?.testUser) {
      req.user = req.session.testUser;
      res.locals.user = req.user;
    }
    next();
  });
  return router;
}

export async function signIn(agent: FormAgent, user: Record<string, string> = {}): Promise<void> {
  const query = new URLSearchParams(user).toString();
  const res = await agent.get(`/test/sign-in?${query}`);
  if (res.status !== 200) throw new Error(`test sign-in failed: ${res.status}`);
}

export const OFFICER = { id: 'officer-1', roles: 'officer', email: 'officer@example.gc.ca' };
