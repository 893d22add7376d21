import { Router, type Request, type Response, type NextFunction } from 'express';
import type passport from 'passport';
import { AGE_RANGES, GENDERS, REGIONS, SECTORS } from '../../platform/classifications';
import { ValidationError } from '../../platform/errors';
import { requireSignedIn } from '../../platform/http/auth';
import { rerenderOnValidationError } from '../../platform/http/form-errors';
import { LOCALE_COOKIE } from '../../platform/http/locale';
import { SESSION_COOKIE } from '../../platform/http/session';
import type { RateLimitRule, RateLimiter } from '../../platform/http/rate-limit';
import { LOCALES, formatDate } from '../../platform/i18n';
import { pathInLocale } from '../../platform/i18n/urls';
import type { AccountsService } from './accounts.service';
import {
  changePasswordSchema,
  deleteAccountSchema,
  emailOnlySchema,
  parseForm,
  profileSchema,
  resetPasswordSchema,
  signInSchema,
  signUpSchema,
  tokenSchema,
} from './accounts.schemas';
import { keptValues, renderForm, safeReturnTo } from './forms';
import { landingPath } from './landing';
import type { SignInFailure } from './passport';
import { ACCOUNT_RATE_LIMITS as LIMITS } from './rate-limits';

export interface AccountsRouterDeps {
  accounts: AccountsService;
  authenticator: passport.Authenticator;
  limiter: RateLimiter;
  secureCookie: boolean;
}

/** Success messages shown after a redirect (post/redirect/get); only these keys are accepted from the URL. */
const NOTICES: Record<string, string> = {
  verified: 'accounts:notices.verified',
  'password-reset': 'accounts:notices.passwordReset',
  'password-changed': 'accounts:notices.passwordChanged',
  'profile-saved': 'accounts:notices.profileSaved',
  'signed-out': 'accounts:notices.signedOut',
  deleted: 'accounts:notices.deleted',
};

function notice(req: Request): string | undefined {
  const key = typeof req.query.notice === 'string' ? NOTICES[req.query.notice] : undefined;
  return key ? req.t(key) : undefined;
}

const ONE_YEAR_MS = 365 * 24 * 3600_000;

/**
 * Sign-up, reset and resend do different work for known and unknown emails (a user, a token and an email to queue,
 * or nothing), a few milliseconds apart. Their answers are held back to this floor so the clock cannot tell
 * which case it was (sign-in instead verifies a dummy hash, since it must stay fast).
 */
export const UNIFORM_ANSWER_MS = 250;

/** Runs `work`, and resolves no sooner than UNIFORM_ANSWER_MS after the start, whatever `work` did. */
async function uniformly<T>(work: () => Promise<T>): Promise<T> {
  const floor = new Promise((resolve) => setTimeout(resolve, UNIFORM_ANSWER_MS));
  try {
    return await work();
  } finally {
    await floor;
  }
}

function clientAddress(req: Request): string {
  return req.ip ?? 'unknown';
}

/** Runs Passport's local strategy and hands back the user or the reason it failed. */
function authenticate(
  authenticator: passport.Authenticator,
  req: Request,
  res: Response,
): Promise<{ user?: Express.User; failure?: SignInFailure }> {
  return new Promise((resolve, reject) => {
    const middleware = authenticator.authenticate(
      'local',
      (error: unknown, user: Express.User | false, info?: SignInFailure) => {
        if (error) return reject(error);
        resolve(user ? { user } : { failure: info ?? { outcome: 'invalid' } });
      },
    ) as (req: Request, res: Response, next: NextFunction) => void;
    middleware(req, res, reject);
  });
}

function logIn(req: Request, user: Express.User): Promise<void> {
  // Passport 0.7 regenerates the session here: the pre-sign-in session id stops working (no session fixation).
  return new Promise((resolve, reject) => req.logIn(user, (error) => (error ? reject(error) : resolve())));
}

/** Sign-up, sign-in, sign-out, email verification, password reset, profile, account deletion, privacy. */
export function accountsRouter(deps: AccountsRouterDeps): Router {
  const { accounts, limiter } = deps;
  const router = Router();

  /** A current password the service refused counts like a failed sign-in. */
  const countWrongPassword = async (req: Request, error: ValidationError) => {
    if (error.code === 'wrong_password') await limiter.consume(LIMITS.signInAccount, req.user!.email);
  };

  const rememberLocale = (res: Response, locale: string) =>
    res.cookie(LOCALE_COOKIE, locale, {
      maxAge: ONE_YEAR_MS,
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.secureCookie,
    });

  // ---- Sign-up ----

  const signUpPage = (req: Request) => ({ title: req.t('accounts:signUp.title') });

  /** GET /sign-up */
  router.get('/sign-up', (req, res) => {
    if (req.user) return res.redirect(303, landingPath(req.user));
    renderForm(req, res, 'accounts/sign-up', signUpPage(req));
  });

  /** POST /sign-up: the same "check your email" page whether or not the address is already registered. */
  router.post('/sign-up', async (req, res) => {
    await limiter.consume(LIMITS.signUpAddress, clientAddress(req));
    const values = keptValues(req.body, ['name', 'email']);
    await rerenderOnValidationError(
      async () => {
        const input = parseForm(signUpSchema, req.body);
        await uniformly(() => accounts.signUp({ ...input, locale: req.locale }));
        res.render('accounts/check-email', {
          title: req.t('accounts:checkEmail.title'),
          message: req.t('accounts:checkEmail.signUp'),
        });
      },
      (error) => renderForm(req, res, 'accounts/sign-up', { ...signUpPage(req), values }, error),
    );
  });

  // ---- Sign-in / sign-out ----

  const signInPage = (req: Request, returnTo: string | undefined) => ({
    title: req.t('accounts:signIn.title'),
    returnTo: returnTo ?? '',
    notice: notice(req),
  });

  /** GET /sign-in?returnTo=/path */
  router.get('/sign-in', (req, res) => {
    const returnTo = safeReturnTo(req.query.returnTo);
    if (req.user) return res.redirect(303, returnTo ?? landingPath(req.user));
    renderForm(req, res, 'accounts/sign-in', signInPage(req, returnTo));
  });

  /** POST /sign-in */
  router.post('/sign-in', async (req, res) => {
    await limiter.consume(LIMITS.signInAddress, clientAddress(req));
    const values = keptValues(req.body, ['email']);
    const returnTo = safeReturnTo((req.body as Record<string, unknown> | undefined)?.returnTo);
    const page = { ...signInPage(req, returnTo), values, notice: undefined };
    await rerenderOnValidationError(
      () => signIn(req, res, parseForm(signInSchema, req.body), { returnTo, page }),
      (error) => renderForm(req, res, 'accounts/sign-in', page, error),
    );
  });

  /** Signs in with well-formed credentials; refused ones show the form again (401, or 403 when deactivated). */
  async function signIn(
    req: Request,
    res: Response,
    input: { email: string; password: string },
    { returnTo, page }: { returnTo: string | undefined; page: Parameters<typeof renderForm>[3] },
  ): Promise<void> {
    await limiter.check(LIMITS.signInAccount, input.email);
    // Passport's local strategy reads these from the body: hand it the validated, normalised values only.
    req.body = { email: input.email, password: input.password };
    const { user, failure } = await authenticate(deps.authenticator, req, res);
    if (user) {
      await limiter.reset(LIMITS.signInAccount, input.email);
      await logIn(req, user);
      rememberLocale(res, user.locale);
      return res.redirect(303, returnTo ?? landingPath(user));
    }
    if (failure?.outcome === 'unverified') {
      return res.status(403).render('accounts/unverified', {
        title: req.t('accounts:unverified.title'),
        email: failure.email,
      });
    }
    if (failure?.outcome === 'deactivated') {
      return renderForm(
        req,
        res,
        'accounts/sign-in',
        page,
        new ValidationError([{ field: 'email', message: { key: 'accounts:errors.signIn.deactivated' } }]),
        403,
      );
    }
    await limiter.consume(LIMITS.signInAccount, input.email);
    renderForm(
      req,
      res,
      'accounts/sign-in',
      page,
      new ValidationError([{ field: 'email', message: { key: 'accounts:errors.signIn.invalid' } }]),
      401,
    );
  }

  /** POST /sign-out: destroys the session and its cookie. */
  router.post('/sign-out', (req, res, next) => {
    req.session.destroy((error) => {
      if (error) return next(error);
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      res.redirect(303, '/sign-in?notice=signed-out');
    });
  });

  // ---- Email verification ----

  /**
   * A form that asks for an email address and sends a link (verification resend, password reset): limited by client
   * address, then by account, run uniformly, and answered with the same "check your email" page whether or not the
   * address is known. An invalid address re-renders the form with the value kept.
   */
  async function answerEmailRequest(
    req: Request,
    res: Response,
    form: {
      view: string;
      titleKey: string;
      addressLimit: RateLimitRule;
      accountLimit: RateLimitRule;
      work: (email: string) => Promise<void>;
      messageKey: string;
    },
  ): Promise<void> {
    await limiter.consume(form.addressLimit, clientAddress(req));
    const values = keptValues(req.body, ['email']);
    await rerenderOnValidationError(
      async () => {
        const { email } = parseForm(emailOnlySchema, req.body);
        await limiter.consume(form.accountLimit, email);
        await uniformly(() => form.work(email));
        res.render('accounts/check-email', {
          title: req.t('accounts:checkEmail.title'),
          message: req.t(form.messageKey),
        });
      },
      (error) => renderForm(req, res, form.view, { title: req.t(form.titleKey), values }, error),
    );
  }

  /**
   * GET /verify-email/:token: a confirmation button, so that link scanners fetching the URL spend nothing. The page
   * names the address, so nobody confirms (and signs in to) an account that is not theirs without seeing it.
   */
  router.get('/verify-email/:token', async (req, res) => {
    const parsed = tokenSchema.safeParse({ token: req.params.token });
    const email = parsed.success ? await accounts.verificationLinkEmail(parsed.data.token) : undefined;
    if (!parsed.success || !email) return renderInvalidLink(req, res, 'verify');
    res.set('Cache-Control', 'no-store');
    res.render('accounts/verify-email', {
      title: req.t('accounts:verify.title'),
      token: parsed.data.token,
      email,
    });
  });

  /**
   * POST /verify-email/:token: spends the link and signs its owner in (a new session: the one before is
   * regenerated), unless the account holds a staff role; see docs/accounts.md.
   */
  router.post('/verify-email/:token', async (req, res) => {
    const parsed = tokenSchema.safeParse({ token: req.params.token });
    const result = parsed.success ? await accounts.confirmEmail(parsed.data.token) : { verified: false };
    if (!result.verified) return renderInvalidLink(req, res, 'verify');
    if (!result.user) return res.redirect(303, '/sign-in?notice=verified');
    await logIn(req, result.user);
    rememberLocale(res, result.user.locale);
    res.redirect(303, `${landingPath(result.user)}?notice=verified`);
  });

  /** GET /verify-email: ask for a new link. */
  router.get('/verify-email', (req, res) => {
    renderForm(req, res, 'accounts/resend-verification', { title: req.t('accounts:resend.title') });
  });

  /** POST /verify-email: the same answer whether or not the address has an unverified account. */
  router.post('/verify-email', (req, res) =>
    answerEmailRequest(req, res, {
      view: 'accounts/resend-verification',
      titleKey: 'accounts:resend.title',
      addressLimit: LIMITS.resendAddress,
      accountLimit: LIMITS.resendAccount,
      work: (email) => accounts.resendVerification(email),
      messageKey: 'accounts:checkEmail.resend',
    }),
  );

  // ---- Password reset ----

  /** GET /password-reset */
  router.get('/password-reset', (req, res) => {
    renderForm(req, res, 'accounts/reset-request', { title: req.t('accounts:resetRequest.title') });
  });

  /** POST /password-reset: the same answer whether or not the address is registered. */
  router.post('/password-reset', (req, res) =>
    answerEmailRequest(req, res, {
      view: 'accounts/reset-request',
      titleKey: 'accounts:resetRequest.title',
      addressLimit: LIMITS.resetAddress,
      accountLimit: LIMITS.resetAccount,
      work: (email) => accounts.requestPasswordReset(email),
      messageKey: 'accounts:checkEmail.reset',
    }),
  );

  /** GET /password-reset/:token */
  router.get('/password-reset/:token', async (req, res) => {
    const parsed = tokenSchema.safeParse({ token: req.params.token });
    const usable = parsed.success && (await accounts.isTokenUsable('reset-password', parsed.data.token));
    if (!usable) return renderInvalidLink(req, res, 'reset');
    renderForm(req, res, 'accounts/reset-password', {
      title: req.t('accounts:reset.title'),
      token: parsed.data.token,
    });
  });

  /** POST /password-reset/:token */
  router.post('/password-reset/:token', async (req, res) => {
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    await rerenderOnValidationError(
      async () => {
        const input = parseForm(resetPasswordSchema, { token: req.params.token, password: body.password });
        if (!(await accounts.resetPassword(input.token, input.password)))
          return renderInvalidLink(req, res, 'reset');
        res.redirect(303, '/sign-in?notice=password-reset');
      },
      // A malformed token is a dead link, not a field to correct.
      (error) =>
        error.fieldErrors.some((f) => f.field === 'token')
          ? renderInvalidLink(req, res, 'reset')
          : renderForm(
              req,
              res,
              'accounts/reset-password',
              { title: req.t('accounts:reset.title'), token: req.params.token },
              error,
            ),
    );
  });

  function renderInvalidLink(req: Request, res: Response, kind: 'verify' | 'reset'): void {
    res.status(410).render('accounts/invalid-link', {
      title: req.t('accounts:invalidLink.title'),
      kind,
    });
  }

  // ---- Profile ----

  const profileOptions = {
    locales: LOCALES,
    sectors: SECTORS,
    regions: REGIONS,
    genders: GENDERS,
    ageRanges: AGE_RANGES,
  };

  /** GET /profile */
  router.get('/profile', requireSignedIn(), async (req, res) => {
    const profile = await accounts.getProfile(req.user!);
    const values = {
      name: profile.name,
      locale: profile.locale,
      organisation: profile.organisation ?? '',
      sector: profile.sector ?? '',
      region: profile.region ?? '',
      demographicsConsent: profile.demographicsConsentAt ? 'yes' : '',
      gender: profile.gender ?? '',
      ageRange: profile.ageRange ?? '',
    };
    renderForm(req, res, 'accounts/profile', {
      title: req.t('accounts:profile.title'),
      values,
      email: profile.email,
      consentDate: profile.demographicsConsentAt
        ? formatDate(profile.demographicsConsentAt, req.locale)
        : undefined,
      notice: notice(req),
      ...profileOptions,
    });
  });

  /** POST /profile: role or email fields sent here are ignored (the schema drops unknown fields). */
  router.post('/profile', requireSignedIn(), async (req, res) => {
    const values = keptValues(req.body, [
      'name',
      'locale',
      'organisation',
      'sector',
      'region',
      'demographicsConsent',
      'gender',
      'ageRange',
    ]);
    await rerenderOnValidationError(
      async () => {
        const input = parseForm(profileSchema, req.body);
        await accounts.updateProfile(req.user!, input);
        rememberLocale(res, input.locale);
        // A new profile language shows at once: the profile page at that language's own address.
        const saved = '/profile?notice=profile-saved';
        res.redirect(303, input.locale !== req.locale ? pathInLocale(saved, input.locale) : saved);
      },
      (error) =>
        renderForm(
          req,
          res,
          'accounts/profile',
          { title: req.t('accounts:profile.title'), values, email: req.user!.email, ...profileOptions },
          error,
        ),
    );
  });

  /** GET /profile/password */
  router.get('/profile/password', requireSignedIn(), (req, res) => {
    renderForm(req, res, 'accounts/change-password', { title: req.t('accounts:changePassword.title') });
  });

  /** POST /profile/password: the user's other sessions end. */
  router.post('/profile/password', requireSignedIn(), async (req, res) => {
    // Someone holding an open session must not get unlimited guesses at the password either.
    await limiter.check(LIMITS.signInAccount, req.user!.email);
    await rerenderOnValidationError(
      async () => {
        const input = parseForm(changePasswordSchema, req.body);
        await accounts.changePassword(req.user!, input, req.sessionID);
        res.redirect(303, '/profile?notice=password-changed');
      },
      async (error) => {
        await countWrongPassword(req, error);
        renderForm(
          req,
          res,
          'accounts/change-password',
          { title: req.t('accounts:changePassword.title') },
          error,
        );
      },
    );
  });

  /** GET /profile/delete */
  router.get('/profile/delete', requireSignedIn(), (req, res) => {
    renderForm(req, res, 'accounts/delete-account', { title: req.t('accounts:delete.title') });
  });

  /** POST /profile/delete */
  router.post('/profile/delete', requireSignedIn(), async (req, res, next) => {
    await limiter.check(LIMITS.signInAccount, req.user!.email);
    await rerenderOnValidationError(
      async () => {
        const { password } = parseForm(deleteAccountSchema, req.body);
        await accounts.deleteAccount(req.user!, password);
        req.session.destroy((error) => {
          if (error) return next(error);
          res.clearCookie(SESSION_COOKIE, { path: '/' });
          res.redirect(303, '/sign-in?notice=deleted');
        });
      },
      async (error) => {
        await countWrongPassword(req, error);
        renderForm(req, res, 'accounts/delete-account', { title: req.t('accounts:delete.title') }, error);
      },
    );
  });

  /** GET /privacy */
  router.get('/privacy', (req, res) => {
    res.render('accounts/privacy', { title: req.t('accounts:privacy.title') });
  });

  return router;
}
