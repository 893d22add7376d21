import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import {
  AppError,
  BadRequestError,
  ClosedError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  TooManyRequestsError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
  type MessageRef,
} from '../errors';
import type { i18n } from 'i18next';
import { DEFAULT_LOCALE } from '../i18n';
import type { Logger } from '../logger';
import { isDatabaseUnavailable } from './database-errors';
import { redactUrl } from './request-logger';

interface HttpProblem {
  status: number;
  message: MessageRef;
  error: unknown;
}

/** body-parser and friends signal problems with `status`/`type` properties rather than our error classes. */
function fromHttpError(error: { status?: unknown; type?: unknown }): HttpProblem | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return { status: 400, message: { key: 'errors:400.malformed' }, error };
    case 'entity.too.large':
      return { status: 413, message: { key: 'errors:413.body' }, error };
    case 'parameters.too.many':
      return { status: 413, message: { key: 'errors:413.parameters' }, error };
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return { status: 415, message: { key: 'errors:415.body' }, error };
    default:
      return undefined;
  }
}

const STATUS_BY_CLASS: [new (...args: never[]) => AppError, number][] = [
  [ValidationError, 422],
  [BadRequestError, 400],
  [UnauthenticatedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [ClosedError, 410],
  [TooManyRequestsError, 429],
  [UnavailableError, 503],
];

function classify(error: unknown): HttpProblem {
  if (error instanceof AppError) {
    const status = STATUS_BY_CLASS.find(([type]) => error instanceof type)?.[1] ?? 500;
    return { status, message: error.messageRef, error };
  }
  if (error && typeof error === 'object') {
    const http = fromHttpError(error as { type?: unknown });
    if (http) return http;
  }
  // The database is unreachable (down, failing over, timing out): the request may succeed later, so say so (503)
  // rather than "broken" (500).
  if (isDatabaseUnavailable(error)) {
    return { status: 503, message: { key: 'errors:503.body' }, error };
  }
  return { status: 500, message: { key: 'errors:500.body' }, error };
}

export function isApiRequest(req: Request): boolean {
  return req.path.startsWith('/api/');
}

function requestId(req: Request): string {
  return String((req as Request & { id?: unknown }).id ?? '');
}

function renderProblem(req: Request, res: Response, problem: HttpProblem, errorId: string | undefined): void {
  const t = req.t;
  const title = t(`errors:${problem.status}.title`, { defaultValue: t('errors:500.title') });
  const detail = t(problem.message.key, problem.message.values ?? {});
  const fieldErrors =
    problem.error instanceof ValidationError
      ? problem.error.fieldErrors.map((f) => ({
          field: f.field,
          message: t(f.message.key, f.message.values ?? {}),
        }))
      : [];
  if (problem.error instanceof TooManyRequestsError) {
    res.setHeader('Retry-After', String(problem.error.retryAfterSeconds));
  }
  res.status(problem.status);
  if (isApiRequest(req)) {
    res.type('application/problem+json').send(
      JSON.stringify({
        type: 'about:blank',
        title,
        status: problem.status,
        detail,
        ...(fieldErrors.length ? { errors: fieldErrors } : {}),
        ...(errorId ? { errorId } : {}),
      }),
    );
    return;
  }
  res.render('errors/error', { title, status: problem.status, detail, fieldErrors, errorId });
}

/** 404 for any route nobody answered. */
export function notFoundHandler(): RequestHandler {
  return (_req, _res, next) => next(new NotFoundError());
}

/**
 * The one place errors become responses: a page in the user's language, or application/problem+json under /api/.
 * Unknown errors are logged with the request id, which the 500 page shows as the error id; no stack trace is sent.
 */
export function errorHandler(
  logger: Logger,
  i18nInstance: i18n,
  options: {
    /** Told about every request that failed because the database was unavailable (readiness counts them). */
    onDatabaseUnavailable?: (error: unknown) => void;
  } = {},
): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    // An error raised before the locale middleware ran still gets a translated page.
    if (!req.t) {
      req.t = i18nInstance.getFixedT(DEFAULT_LOCALE);
      req.locale = DEFAULT_LOCALE;
      Object.assign(res.locals, {
        t: req.t,
        locale: DEFAULT_LOCALE,
        otherLocale: 'fr',
        languageToggleHref: '/fr/?lang=fr',
        linkPrefix: '',
        colon: ':',
        alternateLanguages: [],
      });
    }
    const problem = classify(error);
    if (problem.status === 503 && isDatabaseUnavailable(error)) {
      options.onDatabaseUnavailable?.(error);
      res.setHeader('Retry-After', '5');
    }
    let errorId: string | undefined;
    if (problem.status >= 500) {
      errorId = requestId(req);
      logger.error(
        { err: error, errorId, reqId: errorId, method: req.method, url: redactUrl(req.originalUrl) },
        'request failed',
      );
    } else {
      logger.debug(
        { status: problem.status, reqId: requestId(req), message: problem.message.key },
        'request refused',
      );
    }
    try {
      renderProblem(req, res, problem, errorId);
    } catch (renderError) {
      logger.error({ err: renderError, errorId }, 'could not render the error page');
      res
        .status(500)
        .type('text/plain')
        .send(`Internal error / Erreur interne ${errorId ?? ''}`);
    }
  };
}
