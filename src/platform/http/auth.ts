import type {} from 'passport'; // brings Passport's req.user / req.login typings
import type { RequestHandler } from 'express';
import type { AgeRange, Gender, Region, Sector } from '../classifications';
import { ForbiddenError, UnauthenticatedError } from '../errors';
import type { Locale } from '../i18n';

export const ROLES = ['participant', 'officer', 'analyst', 'reviewer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Staff roles: may see drafts and officer pages. Admin implies every role. */
export const STAFF_ROLES: readonly Role[] = ['officer', 'analyst', 'admin'];

/**
 * The signed-in user as every module sees it (`req.user`, `res.locals.user`). The accounts module loads it from the
 * session's user id on each request, so a role change or a deactivation takes effect on the next request.
 */
export interface AuthenticatedUser {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  locale: Locale;
  /** The organisation whose consultations this user may act on as staff (see platform/http/access.ts). */
  organisationId?: string;
  profile: {
    organisation?: string;
    sector?: Sector;
    region?: Region;
    /** Present only when the user consented to give demographics. */
    gender?: Gender;
    ageRange?: AgeRange;
  };
}

/**
 * Whom a service acts for, in every module: the signed-in user's identity, roles and organisation (a request's
 * `req.user` is one; scripts and the demo pass a smaller one). Authorisation reads it through can() in access.ts.
 */
export type Actor = Pick<AuthenticatedUser, 'id' | 'roles'> &
  Partial<Pick<AuthenticatedUser, 'organisationId' | 'name' | 'email' | 'locale'>>;

declare global {
  // Passport types req.user as Express.User; ours is the AuthenticatedUser above.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends AuthenticatedUser {}
  }
}

export function hasRole(user: AuthenticatedUser | undefined, ...roles: Role[]): boolean {
  if (!user) return false;
  return user.roles.includes('admin') || roles.some((role) => user.roles.includes(role));
}

export function isStaff(user: AuthenticatedUser | undefined): boolean {
  return hasRole(user, ...STAFF_ROLES);
}

/**
 * Refuses anonymous requests. Pages redirect to /sign-in with a same-origin returnTo; /api/ gets a 401 problem.
 */
export function requireSignedIn(): RequestHandler {
  return (req, res, next) => {
    if (req.user) return next();
    if (req.path.startsWith('/api/') || req.method !== 'GET') return next(new UnauthenticatedError());
    res.redirect(303, `/sign-in?returnTo=${encodeURIComponent(req.originalUrl)}`);
  };
}

/** Allows users holding any of `roles` (admins always); anonymous users are sent to sign in, others get 403. */
export function requireRole(...roles: Role[]): RequestHandler {
  const signedIn = requireSignedIn();
  return (req, res, next) =>
    signedIn(req, res, (error?: unknown) => {
      if (error) return next(error);
      if (!hasRole(req.user, ...roles)) return next(new ForbiddenError());
      next();
    });
}
