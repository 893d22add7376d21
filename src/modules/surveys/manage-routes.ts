import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { NotFoundError, type ValidationError } from '../../platform/errors';
import { requireAccess } from '../../platform/http/access';
import { requireRole } from '../../platform/http/auth';
import type { FormFields } from './survey-answers';
import type { Actor, SurveysService } from './surveys.service';

/** What the officers' survey routers share (builder, invitations, flagged responses). */

const idParam = z.string().regex(/^[a-f0-9]{24}$/);

/** The `:surveyId` of the path, or a 404 for anything that cannot be a survey id. */
export function surveyIdOf(req: Request): string {
  const parsed = idParam.safeParse(req.params.surveyId);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data;
}

/**
 * Officers only, then only the officers of the survey's consultation's organisation, and admins (access.ts); anyone
 * else gets a 404. Each router mounts it on its own paths, so no route depends on another router's guard.
 */
export function manageSurveyGuard(surveys: Pick<SurveysService, 'accessScopeOf'>): RequestHandler[] {
  return [
    requireRole('officer'),
    requireAccess('manage', async (req) => surveys.accessScopeOf(surveyIdOf(req))),
  ];
}

/** The signed-in officer as the surveys service's actor. */
export function actorOf(req: Request): Actor {
  const user = req.user;
  if (!user) throw new NotFoundError();
  return { id: user.id, roles: user.roles, organisationId: user.organisationId, email: user.email };
}

/** A form body as text fields (a field sent several times is a list); anything else and the CSRF token left out. */
export function fieldsOf(body: unknown): FormFields {
  const fields: FormFields = {};
  if (!body || typeof body !== 'object') return fields;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (key === '_csrf') continue;
    if (typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))) {
      fields[key] = value as string | string[];
    }
  }
  return fields;
}

/** One text field, trimmed ('' when missing; the first value when sent several times). */
export function text(fields: FormFields, name: string): string {
  const value = fields[name];
  return (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();
}

/** A ValidationError's messages as a form's error summary wants them. */
export function fieldMessages(req: Request, error: ValidationError): { field: string; message: string }[] {
  return error.fieldErrors.map((e) => ({
    field: e.field,
    message: req.t(e.message.key, e.message.values ?? {}),
  }));
}
