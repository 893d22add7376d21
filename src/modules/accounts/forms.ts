import type { Request, Response } from 'express';
import { ValidationError } from '../../platform/errors';

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
 * ("/surveys/x?y=1"); absolute URLs, protocol-relative ("//evil.example") and backslash tricks are refused.
 */
export function safeReturnTo(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2000) return undefined;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return undefined;
  try {
    const url = new URL(value, 'http://agora.invalid');
    if (url.origin !== 'http://agora.invalid') return undefined;
    if (url.pathname === '/sign-in' || url.pathname === '/sign-out') return undefined;
    return url.pathname + url.search + url.hash;
  } catch {
    return undefined;
  }
}
