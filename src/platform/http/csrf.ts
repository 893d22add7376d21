import crypto from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { CsrfError } from '../errors';

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
    const body = req.body as Record<string, unknown> | undefined;
    const sent = typeof body?.[CSRF_FIELD] === 'string' ? body[CSRF_FIELD] : req.get(CSRF_HEADER);
    const expected = req.session.csrfToken;
    if (typeof sent !== 'string' || !expected || !sameToken(sent, expected)) return next(new CsrfError());
    next();
  };
}
