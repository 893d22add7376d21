import { z } from 'zod';
import type { ConsultationInput, RoundInput } from './consultations.types';
import { CONSULTATION_STATUSES } from './consultations.types';
import { THEMES } from './themes';
import type { ReportInput } from './reports.service';
import { BadRequestError } from '../../platform/errors';
import { parseWallClock } from '../../platform/zoned-time';

/** A flat form field: a string, or the first of several (a tampered form); missing is ''. */
const field = z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.string().optional().default(''));
/** A group of checkboxes: none, one (a string) or several (a list). */
const fieldList = z.preprocess(
  (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
  z.array(z.string()).default([]),
);

/**
 * A form's schema. Forms are url-encoded (flat strings), but the same routes accept JSON, where a field can be an
 * object or a number: parse() refuses that with a 400 naming the field, instead of letting a ZodError become a 500.
 */
function formSchema<Shape extends z.ZodRawShape>(shape: Shape) {
  const schema = z.object(shape);
  return {
    schema,
    parse(body: unknown): z.infer<typeof schema> {
      const result = schema.safeParse(body ?? {});
      if (result.success) return result.data;
      const name = String(result.error.issues[0]?.path[0] ?? 'body');
      throw new BadRequestError({ key: 'errors:400.field', values: { name } });
    },
  };
}

export const roundFormSchema = formSchema({
  slug: field,
  titleEn: field,
  titleFr: field,
  descriptionEn: field,
  descriptionFr: field,
  startsOn: field,
  endsOn: field,
  status: field,
});
export type RoundForm = z.infer<typeof roundFormSchema.schema>;

export function roundInputFromForm(form: RoundForm): RoundInput {
  return {
    slug: form.slug,
    title: { en: form.titleEn, fr: form.titleFr },
    description: { en: form.descriptionEn, fr: form.descriptionFr },
    startsOn: parseWallClock(form.startsOn) ?? new Date(Number.NaN),
    endsOn: parseWallClock(form.endsOn) ?? new Date(Number.NaN),
    status: form.status as RoundInput['status'],
  };
}

export const consultationFormSchema = formSchema({
  slug: field,
  roundId: field,
  titleEn: field,
  titleFr: field,
  summaryEn: field,
  summaryFr: field,
  bodyEn: field,
  bodyFr: field,
  leadOrganisationEn: field,
  leadOrganisationFr: field,
  contactEmail: field,
  themes: fieldList,
  opensAt: field,
  closesAt: field,
});
export type ConsultationForm = z.infer<typeof consultationFormSchema.schema>;

export function consultationInputFromForm(form: ConsultationForm): ConsultationInput {
  return {
    slug: form.slug,
    roundId: form.roundId,
    title: { en: form.titleEn, fr: form.titleFr },
    summary: { en: form.summaryEn, fr: form.summaryFr },
    body: { en: form.bodyEn, fr: form.bodyFr },
    leadOrganisation: { en: form.leadOrganisationEn, fr: form.leadOrganisationFr },
    contactEmail: form.contactEmail,
    themes: form.themes,
    opensAt: parseWallClock(form.opensAt) ?? new Date(Number.NaN),
    closesAt: parseWallClock(form.closesAt) ?? new Date(Number.NaN),
  };
}

export const commentFormSchema = formSchema({
  comment: field,
  submissionId: field,
  notifyReport: field,
});

export const replyFormSchema = formSchema({ reply: field, submissionId: field });
export const hideFormSchema = formSchema({ reason: field });

/** The report form: introduction, then rows of themes named `themeTitleEn_<n>` etc.; `rows` says how many. */
export function reportInputFromForm(body: Record<string, unknown>): { input: ReportInput; rows: number } {
  const value = (name: string) => {
    const raw = body[name];
    return typeof raw === 'string' ? raw : Array.isArray(raw) && typeof raw[0] === 'string' ? raw[0] : '';
  };
  const rows = Math.min(Math.max(Number.parseInt(value('rows'), 10) || 0, 0), 30);
  const themes = Array.from({ length: rows }, (_, i) => ({
    title: { en: value(`themeTitleEn_${i}`), fr: value(`themeTitleFr_${i}`) },
    heard: { en: value(`themeHeardEn_${i}`), fr: value(`themeHeardFr_${i}`) },
    response: { en: value(`themeResponseEn_${i}`), fr: value(`themeResponseFr_${i}`) },
  }));
  return {
    input: { introduction: { en: value('introductionEn'), fr: value('introductionFr') }, themes },
    rows,
  };
}

/** The listing's query string. Unknown values are dropped (the listing shows everything rather than failing). */
export const listingQuerySchema = z.object({
  status: z.enum(CONSULTATION_STATUSES).optional().catch(undefined),
  theme: z.string().max(60).optional().catch(undefined),
  round: z.string().max(80).optional().catch(undefined),
  q: z.string().max(200).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).optional().catch(undefined),
});

/** The API's query string: strict, a bad value is a 400 problem naming the parameter. */
export const apiListQuerySchema = z.object({
  status: z.enum(['upcoming', 'open', 'closed', 'archived']).optional(),
  theme: z.enum(THEMES).optional(),
  round: z.string().max(80).optional().meta({ description: 'A round slug.' }),
  q: z
    .string()
    .max(200)
    .optional()
    .meta({ description: 'Text searched (case-insensitive, literally) in the title and summary in `lang`.' }),
  lang: z.enum(['en', 'fr']).optional().meta({ description: 'The language searched by `q` (default en).' }),
  page: z.coerce.number().int().min(1).max(10_000).optional().meta({ description: 'Default 1.' }),
  pageSize: z.coerce.number().int().min(1).max(100).optional().meta({ description: 'Default 20.' }),
});
/** GET /api/v1/consultations/{slug} */
export const apiSlugParamsSchema = z.object({ slug: z.string().max(80) });
