import crypto from 'node:crypto';
import pinoHttp from 'pino-http';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger';

const INCOMING_ID = /^[\w.-]{8,128}$/;

export const REDACTED = '[redacted]';

/**
 * Path segments followed by a secret: the token of a password reset, an email verification, a survey resume or
 * invitation link, an unsubscribe link (`/password-reset/<token>`, `/surveys/<id>/resume/<token>`...).
 */
const SECRET_AFTER_SEGMENT = new Set([
  'password-reset',
  'verify-email',
  'resume',
  'invitation',
  'unsubscribe',
]);

/**
 * Query parameters that carry secrets or personal data: CSRF tokens (multipart forms put `_csrf` in the URL), the
 * survey form token, any token, key, code, signature or password, and email addresses.
 */
const SECRET_PARAMETER =
  /^(_csrf|_survey|csrf.*|.*token.*|.*secret.*|.*passw(or)?d.*|.*key|code|sig|signature|auth.*|.*email.*)$/i;

function redactPath(path: string): string {
  const segments = path.split('/');
  for (let i = 1; i < segments.length; i += 1) {
    if (segments[i] && SECRET_AFTER_SEGMENT.has(decodeSegment(segments[i - 1] ?? '').toLowerCase())) {
      segments[i] = REDACTED;
    }
  }
  return segments.join('/');
}

/**
 * A request URL fit for the log: the secret path segments and query values above are replaced by "[redacted]",
 * also inside a parameter that holds a path (`/sign-in?returnTo=%2Fpassword-reset%2F<token>`). The rest (route,
 * harmless parameters) stays, so a log line still says which page was asked for.
 */
export function redactUrl(url: string): string {
  const queryAt = url.indexOf('?');
  const path = redactPath(queryAt === -1 ? url : url.slice(0, queryAt));
  if (queryAt === -1) return path;
  const query = url
    .slice(queryAt + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals === -1) return pair;
      const name = pair.slice(0, equals);
      if (SECRET_PARAMETER.test(decodeSegment(name))) return `${name}=${REDACTED}`;
      const value = decodeSegment(pair.slice(equals + 1));
      if (!value.startsWith('/')) return pair;
      const redacted = redactUrl(value);
      return redacted === value ? pair : `${name}=${encodeURIComponent(redacted)}`;
    })
    .join('&');
  return `${path}?${query}`;
}

function decodeSegment(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * One log line per request with a request id (taken from a trusted proxy's X-Request-Id when well-formed,
 * else generated) that is echoed in the X-Request-Id response header and shown on 500 pages as the error id.
 * Only method, URL (secrets redacted, see redactUrl), status and timing are logged: no bodies, cookies or
 * authorization headers.
 */
export function requestLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId(req, res) {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : crypto.randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel(_req, res, error) {
      if (error || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'info';
      return 'info';
    },
  }) as unknown as RequestHandler;
}
