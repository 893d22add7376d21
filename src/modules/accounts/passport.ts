import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { RequestHandler } from 'express';
import type { AuthenticatedUser } from '../../platform/http/auth';
import type { AccountsService, CredentialsResult } from './accounts.service';

export type SignInFailure = Exclude<CredentialsResult, { outcome: 'signed-in' }>;

/**
 * A Passport instance of our own (not the global singleton), so every app built in one process (tests) has its own.
 * The session stores only the user id; the user is loaded from the database on every request, so a deactivation or a
 * role change applies at once.
 */
export function createAuthenticator(accounts: AccountsService): passport.Authenticator {
  const authenticator = new passport.Authenticator();
  authenticator.use(
    'local',
    new LocalStrategy(
      { usernameField: 'email', passwordField: 'password', session: true },
      (email, password, done) => {
        accounts.verifyCredentials(email, password).then(
          (result) =>
            result.outcome === 'signed-in'
              ? done(null, result.user)
              : done(null, false, { message: result.outcome, ...result }),
          (error: unknown) => done(error),
        );
      },
    ),
  );
  authenticator.serializeUser((user, done) => done(null, (user as AuthenticatedUser).id));
  authenticator.deserializeUser((id: unknown, done) => {
    accounts.findAuthenticatedUser(String(id)).then(
      (user) => done(null, user ?? false),
      (error: unknown) => done(error),
    );
  });
  return authenticator;
}

/** Passport's per-request middleware, run after the session: initialize, then load the user from the session. */
export function passportMiddleware(authenticator: passport.Authenticator): RequestHandler[] {
  return [authenticator.initialize(), authenticator.session()];
}
