import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import { readCookie } from '../../platform/http/cookies';
import type { Respondent } from './surveys.service';
import type { SurveySettings } from './survey-settings';

declare module 'express-session' {
  interface SessionData {
    /** surveyId -> invitationId, set when an invitation link is opened in this browser. */
    surveyInvites?: Record<string, string>;
  }
}

/** A long-lived, random browser key: the respondent of anonymous answers (not a session, so it outlives one). */
export const RESPONDENT_COOKIE = 'agora.respondent';
const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;
const KEY_PATTERN = /^[A-Za-z0-9_-]{32,64}$/;

export function setRespondentCookie(req: Request, res: Response, browserKey: string): void {
  res.cookie(RESPONDENT_COOKIE, browserKey, {
    maxAge: ONE_YEAR_MS,
    httpOnly: true,
    sameSite: 'lax',
    secure: req.app.locals.baseUrl?.startsWith('https:') ?? false,
    path: '/',
  });
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
  options: { create: boolean },
): Respondent | undefined {
  const invitationId = req.session?.surveyInvites?.[surveyId];
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
  let browserKey = readCookie(req, RESPONDENT_COOKIE);
  if (!browserKey || !KEY_PATTERN.test(browserKey)) {
    if (!options.create) return undefined;
    browserKey = crypto.randomBytes(24).toString('base64url');
    setRespondentCookie(req, res, browserKey);
  }
  return { ...base, key: `anon:${browserKey}`, browserKey };
}

/** The `anon:<key>` of this browser, if it has one (to carry its draft over when the person signs in). */
export function browserRespondentKey(req: Request): string | undefined {
  const browserKey = readCookie(req, RESPONDENT_COOKIE);
  return browserKey && KEY_PATTERN.test(browserKey) ? `anon:${browserKey}` : undefined;
}

export function isBrowserKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}

/** The hidden field that carries a survey page's own anti-forgery token. */
export const SURVEY_FORM_FIELD = '_survey';

const SURVEY_FORM_PATH = /^\/surveys\/[a-f0-9]{24}\/(pages\/[A-Za-z0-9-]{1,40}|resume-link|check)$/;

/**
 * Survey pages must survive an expired session (8 hours idle): what the respondent typed on the page is sent to a
 * session whose CSRF token is gone. Anonymous respondents' forms therefore also carry a token bound to their
 * long-lived respondent cookie (a signed double-submit token: a cross-site page can neither read the cookie nor
 * compute the HMAC, and SameSite=Lax keeps the cookie off cross-site POSTs). When it is valid the session token is
 * not needed; otherwise the usual CSRF check applies.
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
