import { z } from 'zod';
import { AGE_RANGES, GENDERS, REGIONS, SECTORS } from '../../platform/classifications';
import { ValidationError, type FieldError } from '../../platform/errors';
import { ROLES } from '../../platform/http/auth';
import { LOCALES } from '../../platform/i18n';
import { PASSWORD_MAX_LENGTH, passwordProblem } from './passwords';

/**
 * Input schemas. Every field is declared as a string (forms are parsed flat; JSON bodies may carry anything), so an
 * operator object such as {"$ne": null}, an array or a prototype key fails here and never reaches a query.
 * Unknown fields (e.g. `roles` in the profile form) are dropped by z.object.
 */

const text = (key: string) => z.string({ error: key });

const email = text('accounts:errors.email.invalid')
  .trim()
  .toLowerCase()
  .min(1, { error: 'accounts:errors.email.required' })
  .max(254, { error: 'accounts:errors.email.invalid' })
  .pipe(z.email({ error: 'accounts:errors.email.invalid' }));

/**
 * Passwords are taken as typed (no trimming). The policy is checked here, so its message shows with the form's other
 * problems, and again by the service with the user's name and email as words to avoid.
 */
const newPassword = text('accounts:errors.password.required')
  .min(1, { error: 'accounts:errors.password.required' })
  .superRefine((value, ctx) => {
    const problem = passwordProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.key, params: problem.values ?? {} });
  });

const password = text('accounts:errors.password.required')
  .min(1, { error: 'accounts:errors.password.required' })
  .max(PASSWORD_MAX_LENGTH, { error: 'accounts:errors.password.incorrect' });

const name = text('accounts:errors.name.required')
  .trim()
  .min(1, { error: 'accounts:errors.name.required' })
  .max(100, { error: 'accounts:errors.name.tooLong' });

/** An optional choice from a fixed list; an empty string means "not given". */
function optionalChoice<T extends readonly [string, ...string[]]>(values: T, key: string) {
  return z
    .union([z.literal(''), z.enum(values)], { error: key })
    .optional()
    .transform((v) => (v === '' || v === undefined ? undefined : v));
}

const token = text('accounts:errors.token.invalid').regex(/^[A-Za-z0-9_-]{43}$/, {
  error: 'accounts:errors.token.invalid',
});

export const signUpSchema = z.object({ name, email, password: newPassword });
export type SignUpInput = z.infer<typeof signUpSchema>;

export const signInSchema = z.object({
  email,
  password,
  returnTo: z.string().max(2000).optional().catch(undefined),
});
export type SignInInput = z.infer<typeof signInSchema>;

export const emailOnlySchema = z.object({ email });

export const tokenSchema = z.object({ token });

export const resetPasswordSchema = z.object({ token, password: newPassword });

export const changePasswordSchema = z.object({
  currentPassword: password,
  newPassword,
});

export const profileSchema = z.object({
  name,
  locale: z.enum(LOCALES, { error: 'accounts:errors.locale.invalid' }),
  organisation: text('accounts:errors.organisation.tooLong')
    .trim()
    .max(200, { error: 'accounts:errors.organisation.tooLong' })
    .optional()
    .transform((v) => v || undefined),
  sector: optionalChoice(SECTORS, 'accounts:errors.sector.invalid'),
  region: optionalChoice(REGIONS, 'accounts:errors.region.invalid'),
  demographicsConsent: z.literal('yes', { error: 'accounts:errors.demographicsConsent.invalid' }).optional(),
  gender: optionalChoice(GENDERS, 'accounts:errors.gender.invalid'),
  ageRange: optionalChoice(AGE_RANGES, 'accounts:errors.ageRange.invalid'),
});
export type ProfileInput = z.infer<typeof profileSchema>;

export const deleteAccountSchema = z.object({ password });

export const userIdSchema = z.string().regex(/^[0-9a-f]{24}$/);

export const rolesSchema = z.object({
  roles: z
    .union([z.enum(ROLES), z.array(z.enum(ROLES))], { error: 'admin:errors.roles.invalid' })
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
});

export const organisationCodeSchema = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/);

export const organisationIdSchema = z.object({
  organisationId: z
    .string({ error: 'admin:errors.orgUnknown' })
    .max(40, { error: 'admin:errors.orgUnknown' }),
});

/** Checked in full by the service (which gives each field its message); here only: strings, not too long. */
export const organisationFormSchema = z.object({
  code: z.string({ error: 'admin:errors.orgCode' }).max(100, { error: 'admin:errors.orgCode' }),
  nameEn: z
    .string({ error: 'admin:errors.orgNameRequired' })
    .max(1000, { error: 'admin:errors.orgNameTooLong' }),
  nameFr: z
    .string({ error: 'admin:errors.orgNameRequired' })
    .max(1000, { error: 'admin:errors.orgNameTooLong' }),
});

export const userSearchSchema = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  role: z.enum(ROLES).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).optional().catch(undefined),
});

/** Parses `input` with `schema`, or throws a ValidationError with the first message for each field. */
export function parseForm<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const fieldErrors: FieldError[] = [];
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? 'form');
    if (fieldErrors.some((e) => e.field === field)) continue;
    const key = /^[a-z]+:[\w.]+$/.test(issue.message) ? issue.message : 'errors:400.body';
    const values =
      issue.code === 'custom' ? (issue.params as Record<string, string | number> | undefined) : undefined;
    fieldErrors.push({ field, message: values ? { key, values } : { key } });
  }
  throw new ValidationError(fieldErrors);
}
