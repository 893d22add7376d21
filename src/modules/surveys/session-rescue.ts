import crypto from 'node:crypto';

/**
 * Keeping a signed-in respondent's page when their session ends while they answer.
 *
 * A signed-in respondent's survey forms carry the session's CSRF token. When the session has expired by the time
 * they press Continue, that token matches nothing and the CSRF check refuses the request, as it must. So the same
 * forms also carry a proof of who they were rendered for: `<userId>.<expiry>.<hmac>` over the user, the survey and
 * the expiry, with a key derived from the app's secret. Only a page this site served to that user holds it (a
 * cross-site page cannot read it, exactly like the CSRF token), so a request that carries it was sent by that
 * user's own form; a forged request carries none, or an attacker's own, which can only write to the attacker's
 * own draft. With that proof the page is saved to that user's draft (never submitted), and they are asked to sign in
 * again to go on. The CSRF check itself is unchanged: this runs only after it refused the request.
 */
export const RESCUE_FIELD = '_respondent';

/** How long a rendered form can still save its page after its session ended (longer than an idle session). */
export const RESCUE_LIFETIME_MS = 24 * 3600 * 1000;

const USER_ID = /^[a-f0-9]{24}$/;

function keyFor(secret: string): Buffer {
  return crypto.createHmac('sha256', secret).update('agora:survey-session-rescue:v1').digest();
}

function mac(secret: string, userId: string, surveyId: string, expires: number): string {
  return crypto
    .createHmac('sha256', keyFor(secret))
    .update(`${userId}|${surveyId}|${expires}`)
    .digest('base64url');
}

/** The proof put in a signed-in respondent's forms for `surveyId`. */
export function rescueToken(secret: string, userId: string, surveyId: string, now = Date.now()): string {
  const expires = now + RESCUE_LIFETIME_MS;
  return `${userId}.${expires}.${mac(secret, userId, surveyId, expires)}`;
}

/** The user a proof was made for, if it is genuine, for this survey, and not expired; otherwise undefined. */
export function rescuedUser(
  secret: string,
  token: unknown,
  surveyId: string,
  now = Date.now(),
): string | undefined {
  if (typeof token !== 'string' || token.length > 200) return undefined;
  const [userId = '', expiresText = '', given = '', ...rest] = token.split('.');
  if (rest.length || !USER_ID.test(userId) || !/^\d{13,15}$/.test(expiresText)) return undefined;
  const expires = Number(expiresText);
  if (expires <= now) return undefined;
  const expected = Buffer.from(mac(secret, userId, surveyId, expires));
  const sent = Buffer.from(given);
  if (expected.length !== sent.length || !crypto.timingSafeEqual(expected, sent)) return undefined;
  return userId;
}

const SURVEY_FORM = /^\/surveys\/([a-f0-9]{24})\/(?:pages\/[A-Za-z0-9-]{1,40}|check)$/;

/**
 * The CSRF exemption for exactly this case (composition root): a POST of a survey page or of "Check your answers",
 * from a browser whose session holds no signed-in user any more, carrying a genuine proof for that survey. The
 * answering routes then only save the page to the proven user's draft (never submit) and ask them to sign in.
 */
export function sessionRescueExempt(secret: string): (req: import('express').Request) => boolean {
  return (req) => {
    if (req.method !== 'POST') return false;
    const match = SURVEY_FORM.exec(req.path);
    if (!match) return false;
    const session = req.session as { passport?: { user?: unknown } } | undefined;
    if (session?.passport?.user !== undefined) return false;
    const body = req.body as Record<string, unknown> | undefined;
    return rescuedUser(secret, body?.[RESCUE_FIELD], match[1] as string) !== undefined;
  };
}
