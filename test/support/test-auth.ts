/**
 * TEST-ONLY sign-in, used until the accounts module (branch `accounts`) is merged; the lead replaces it with real
 * sign-in then. Mount `testAuthRouter()` through buildTestApp({ routers: [testAuthRouter()] }) and send the header
 * `x-test-user: <role>` or `x-test-user: <role>:<name>` (e.g. `participant:alice`) to be that user for the
 * request. Never used by the application itself.
 */
import { Router } from 'express';
import { ROLES, type AuthenticatedUser, type Role } from '../../src/platform/http/auth';
import { isLocale } from '../../src/platform/i18n';

export const TEST_USER_HEADER = 'x-test-user';

/** The user a header value stands for: stable id and email per role and name. */
export function testUser(value: string, locale: 'en' | 'fr' = 'en'): AuthenticatedUser {
  const [role = 'participant', name = role] = value.split(':');
  if (!(ROLES as readonly string[]).includes(role)) throw new Error(`test-auth: unknown role ${role}`);
  return {
    id: `test-${role}-${name}`,
    email: `${name}.${role}@example.test`,
    name: `${name[0]?.toUpperCase()}${name.slice(1)} ${role === 'participant' ? 'Tremblay' : 'Officer'}`,
    roles: [role as Role],
    locale,
    profile: {},
  };
}

export function testAuthRouter(): Router {
  const router = Router();
  router.use((req, res, next) => {
    const value = req.get(TEST_USER_HEADER);
    if (value) {
      const locale = req.get('x-test-user-locale');
      req.user = testUser(value, isLocale(locale) ? locale : 'en');
      res.locals.user = req.user;
    }
    next();
  });
  return router;
}
