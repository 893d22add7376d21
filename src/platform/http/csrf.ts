import crypto from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { CsrfError } from '../errors';
import { readCookie } from './cookies';
import { SESSION_COOKIE } from './session';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}

/**
 * Synchronizer-token CSRF protection: a random token kept in the session, put in every form by the views
 * (res.locals.csrfToken(), created on first use) and required on every
 * state-changing request, in the `_csrf` field or the X-CSRF-Token header.
 */
export function csrfProtection(options: { exempt?: (req: Request) => boolean } = {}): RequestHandler {
  return (req, res, next) => {
    // A function, not a value: views call csrfToken() only where they render a form, so a page without a form
    // creates no session (Express copies res.locals when rendering, which would trigger a getter).
    res.locals.csrfToken = (): string => {
      if (!req.session.csrfToken) req.session.csrfToken = crypto.randomBytes(32).toString('base64url');
      return req.session.csrfToken;
    };
    if (SAFE_METHODS.has(req.method)) return next();
    // A request that carries its own unforgeable capability (a signed one-click unsubscribe link, RFC 8058,
    // posted by a mail client that has no session) is exempted by the module that owns it.
    if (options.exempt?.(req)) return next();
    // API clients send no session cookie, so a forged cross-site request could not act as anyone: no token needed.
    // A request that carries the session cookie (a browser) still needs one, or a cross-site form could use it.
    if (req.path.startsWith('/api/') && readCookie(req, SESSION_COOKIE) === undefined) return next();
    const body = req.body as Record<string, unknown> | undefined;
    // A file upload (multipart) is parsed by its own route, after this check, so its form sends the token in the URL.
    const inUrl = req.is('multipart/form-data') ? req.query[CSRF_FIELD] : undefined;
    const sent =
      typeof body?.[CSRF_FIELD] === 'string'
        ? body[CSRF_FIELD]
        : (req.get(CSRF_HEADER) ?? (typeof inUrl === 'string' ? inUrl : undefined));
    const expected = req.session.csrfToken;
    if (typeof sent !== 'string' || !expected || !sameToken(sent, expected)) return next(new CsrfError());
    next();
  };
}

/**
 * For a multipart form whose route exempted it from the check above (the file is parsed by the route): checks the
 * `_csrf` field once the body is parsed, so the token never has to travel in the URL. Throws CsrfError.
 */
export function verifyCsrfField(req: Request): void {
  const sent = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
  const expected = req.session?.csrfToken;
  if (typeof sent !== 'string' || !expected || !sameToken(sent, expected)) throw new CsrfError();
}
