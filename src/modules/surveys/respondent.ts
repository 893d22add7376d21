import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import { readCookie } from '../../platform/http/cookies';
import type { Respondent } from './surveys.service';
import type { SurveySettings } from './survey-settings';

/** A long-lived, random browser key: the respondent of anonymous answers (not a session, so it outlives one). */
export const RESPONDENT_COOKIE = 'agora.respondent';
const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;
const KEY_PATTERN = /^[A-Za-z0-9_-]{32,64}$/;

function secureCookies(req: Request): boolean {
  return (req.app.locals.baseUrl as string | undefined)?.startsWith('https:') ?? false;
}

export function setRespondentCookie(req: Request, res: Response, browserKey: string): void {
  res.cookie(RESPONDENT_COOKIE, browserKey, {
    maxAge: ONE_YEAR_MS,
    httpOnly: true,
    sameSite: 'lax',
    secure: secureCookies(req),
    path: '/',
  });
  // A key created in this request is not in its Cookie header: later readers in the same request find it here.
  res.locals.respondentBrowserKey = browserKey;
}

/**
 * This browser's long-lived key: the cookie's, or the one set earlier in this request, or (with `create`) a new
 * one, set as the cookie. Anonymous browsers need one for their survey forms' token even when they answer as an
 * invitee.
 */
export function browserKeyFor(req: Request, res: Response, options: { create: boolean }): string | undefined {
  const set = res.locals.respondentBrowserKey as string | undefined;
  if (set) return set;
  const cookie = readCookie(req, RESPONDENT_COOKIE);
  if (cookie && KEY_PATTERN.test(cookie)) return cookie;
  if (!options.create) return undefined;
  const browserKey = crypto.randomBytes(24).toString('base64url');
  setRespondentCookie(req, res, browserKey);
  return browserKey;
}

/**
 * The invitation an anonymous browser came in with, per survey: a signed, httpOnly cookie scoped to the survey's
 * own path (`/surveys/<id>`), so opening an invitation link creates no session. The value is
 * `<invitationId>.<HMAC(secret, survey and invitation)>`: a browser can keep or drop it, never forge or move it to
 * another survey. It lasts as long as an idle session did (SESSION_MAX_AGE_HOURS) and is renewed by every survey
 * page the browser opens.
 */
export interface InvitationCookies {
  /** The invitation of this survey this browser holds, if its cookie is present and genuine. */
  read(req: Request, surveyId: string): string | undefined;
  /** Remembers (or renews) the invitation in this browser. */
  remember(req: Request, res: Response, surveyId: string, invitationId: string): void;
}

export const INVITATION_COOKIE_PREFIX = 'agora.invite.';
// An invitation id (`i` and a 32-character hash, see response-docs.ts) and its signature.
const INVITATION_VALUE = /^(i[A-Za-z0-9_-]{32})\.([A-Za-z0-9_-]{43})$/;

export function invitationCookies(options: { secret: string; maxAgeMs: number }): InvitationCookies {
  const sign = (surveyId: string, invitationId: string) =>
    crypto
      .createHmac('sha256', options.secret)
      .update(`survey-invitation-cookie:${surveyId}:${invitationId}`)
      .digest('base64url');
  const name = (surveyId: string) => `${INVITATION_COOKIE_PREFIX}${surveyId}`;
  return {
    read(req, surveyId) {
      const match = INVITATION_VALUE.exec(readCookie(req, name(surveyId)) ?? '');
      if (!match) return undefined;
      const [, invitationId, signature] = match as unknown as [string, string, string];
      const expected = Buffer.from(sign(surveyId, invitationId));
      const given = Buffer.from(signature);
      return expected.length === given.length && crypto.timingSafeEqual(expected, given)
        ? invitationId
        : undefined;
    },
    remember(req, res, surveyId, invitationId) {
      res.cookie(name(surveyId), `${invitationId}.${sign(surveyId, invitationId)}`, {
        maxAge: options.maxAgeMs,
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookies(req),
        path: `/surveys/${surveyId}`,
      });
    },
  };
}

/**
 * Who is answering: the signed-in user; else the invitation this browser opened (except on anonymous surveys,
 * where the invitation must never be linked to the answers); else the browser's own key, created on demand.
 * Returns undefined only when nothing identifies the browser yet and `create` is false.
 */
export function respondentFor(
  req: Request,
  res: Response,
  surveyId: string,
  settings: Pick<SurveySettings, 'anonymous'>,
  options: { create: boolean; invitationId?: string },
): Respondent | undefined {
  const { invitationId } = options;
  const base = { locale: req.locale, ...(invitationId ? { invitationId } : {}) };
  if (req.user) {
    return {
      ...base,
      key: `user:${req.user.id}`,
      userId: req.user.id,
      email: req.user.email,
      profile: {
        sector: req.user.profile.sector,
        region: req.user.profile.region,
        organisation: req.user.profile.organisation,
        // Present only when the user consented to give them (accounts module); they feed the GBA Plus view.
        ...(req.user.profile.gender ? { gender: req.user.profile.gender } : {}),
        ...(req.user.profile.ageRange ? { ageRange: req.user.profile.ageRange } : {}),
      },
    };
  }
  if (invitationId && !settings.anonymous) return { ...base, key: `invite:${invitationId}` };
  const browserKey = browserKeyFor(req, res, options);
  if (!browserKey) return undefined;
  return { ...base, key: `anon:${browserKey}`, browserKey };
}

/** The `anon:<key>` of this browser, if it has one (to carry its draft over when the person signs in). */
export function browserRespondentKey(req: Request, res: Response): string | undefined {
  const browserKey = browserKeyFor(req, res, { create: false });
  return browserKey ? `anon:${browserKey}` : undefined;
}

export function isBrowserKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}

/** The hidden field that carries a survey page's own anti-forgery token. */
export const SURVEY_FORM_FIELD = '_survey';

const SURVEY_FORM_PATH = /^\/surveys\/[a-f0-9]{24}\/(pages\/[A-Za-z0-9-]{1,40}|resume-link|check|challenge)$/;

/**
 * The anti-forgery token of survey forms shown to a browser that is not signed in, in place of the session's CSRF
 * token: answering needs no session at all (none is created), and a page typed for hours is never refused because a
 * session expired. The token is bound to the long-lived respondent cookie (a signed double-submit token: a
 * cross-site page can neither read the cookie nor compute the HMAC, and SameSite=Lax keeps the cookie off cross-site
 * POSTs). When it is valid the session token is not needed; otherwise the usual CSRF check applies.
 */
export function surveyFormCsrfExempt(formToken: (browserKey: string) => string): (req: Request) => boolean {
  return (req) => {
    if (req.method !== 'POST' || !SURVEY_FORM_PATH.test(req.path)) return false;
    const browserKey = readCookie(req, RESPONDENT_COOKIE);
    const sent = (req.body as Record<string, unknown> | undefined)?.[SURVEY_FORM_FIELD];
    if (!browserKey || !KEY_PATTERN.test(browserKey) || typeof sent !== 'string') return false;
    const expected = Buffer.from(formToken(browserKey));
    const given = Buffer.from(sent);
    return expected.length === given.length && crypto.timingSafeEqual(expected, given);
  };
}
