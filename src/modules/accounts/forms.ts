import type { Request, Response } from 'express';
import { ValidationError } from '../../platform/errors';
import { safeLocalPath } from '../../platform/http/safe-redirect';

/**
 * Renders a form page. With a ValidationError it is the same page again, status 422 (or `status`), the user's values
 * kept and the messages both in the summary (linking to the fields) and beside each field.
 */
export function renderForm(
  req: Request,
  res: Response,
  view: string,
  locals: Record<string, unknown> & { title: string; values?: Record<string, unknown> },
  error?: ValidationError,
  status?: number,
): void {
  const errors = (error?.fieldErrors ?? []).map((f) => ({
    field: f.field,
    message: req.t(f.message.key, f.message.values ?? {}),
  }));
  const fieldErrors: Record<string, string> = {};
  for (const e of errors) fieldErrors[e.field] ??= e.message;
  res.status(status ?? (error ? 422 : 200)).render(view, { values: {}, ...locals, errors, fieldErrors });
}

/** Form values to show again: strings only (an array or an object sent by a client is shown as empty). */
export function keptValues(body: unknown, fields: string[]): Record<string, string> {
  const source = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const values: Record<string, string> = {};
  for (const field of fields) {
    const value = Object.prototype.hasOwnProperty.call(source, field) ? source[field] : undefined;
    values[field] = typeof value === 'string' ? value : '';
  }
  return values;
}

/**
 * A same-origin path to go back to after signing in, or undefined. Only a path on this site is accepted
 * ("/surveys/x?y=1"); absolute URLs, protocol-relative ("//evil.example"), backslash tricks and dot segments that
 * resolve to any of those ("/..//evil.example") are refused (see platform/http/safe-redirect).
 */
export function safeReturnTo(value: unknown): string | undefined {
  const path = safeLocalPath(value);
  if (!path) return undefined;
  const pathname = new URL(path, 'http://agora.invalid').pathname;
  if (pathname === '/sign-in' || pathname === '/sign-out') return undefined;
  return path;
}
