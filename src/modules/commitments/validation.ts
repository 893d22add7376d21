import type { FieldError } from '../../platform/errors';
import type { BilingualText } from './commitments.types';

export const LIMITS = { title: 300, text: 5000, email: 254, notes: 2000 } as const;
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SLUG_MAX = 80;
/** Commitment numbers: "19", "3a". */
export const COMMITMENT_NUMBER = /^[0-9]{1,3}[a-z]?$/;
/** Milestone numbers: "19.1", "19.1.2", "2a". */
export const MILESTONE_NUMBER = /^[0-9]{1,3}[a-z]?(?:\.[0-9]{1,3}[a-z]?){0,2}$/;
const EMAIL_PATTERN = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const err = (field: string, key: string, values?: Record<string, string | number>): FieldError => ({
  field,
  message: { key: `commitments:errors.${key}`, ...(values ? { values } : {}) },
});

/** Form field ids are `<name>En` / `<name>Fr`. */
export function fieldId(name: string, locale: 'en' | 'fr'): string {
  return `${name}${locale === 'en' ? 'En' : 'Fr'}`;
}

export function trimText(value: BilingualText | undefined): BilingualText {
  return { en: (value?.en ?? '').trim(), fr: (value?.fr ?? '').trim() };
}

export function isEmail(value: string): boolean {
  return value.length <= LIMITS.email && EMAIL_PATTERN.test(value);
}

/** "2018-06-30" -> that day at 00:00 UTC (a date without a time, shown as the same date everywhere). */
export function parseDay(value: string | undefined): Date | undefined {
  if (!value || !DATE.test(value.trim())) return undefined;
  const date = new Date(`${value.trim()}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value.trim() ? undefined : date;
}

export function dayString(date: Date | undefined): string {
  return date ? date.toISOString().slice(0, 10) : '';
}

/** "Consultation sur l'été 2018!" -> "consultation-sur-l-ete-2018" */
export function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX)
    .replace(/-+$/g, '');
}

/** Too-long errors for each side of the named texts. */
export function lengthErrors(
  texts: Record<string, BilingualText>,
  limits: Record<string, number>,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(texts)) {
    for (const locale of ['en', 'fr'] as const) {
      const max = limits[name] ?? LIMITS.text;
      if (value[locale].length > max) errors.push(err(fieldId(name, locale), 'tooLong', { max }));
    }
  }
  return errors;
}

/**
 * The bilingual publishing check: each named text must exist in both languages. Messages are
 * `commitments:missing.<group>.<field><En|Fr>`; `link` is the form field (or page anchor) each one points to.
 */
export function missingTexts(
  texts: Record<string, BilingualText>,
  group: string,
  link: (fieldId: string) => string = (id) => id,
  values: Record<string, string | number> = {},
): FieldError[] {
  const missing: FieldError[] = [];
  for (const [name, value] of Object.entries(texts)) {
    for (const locale of ['en', 'fr'] as const) {
      if (!value[locale].trim())
        missing.push({
          field: link(fieldId(name, locale)),
          message: { key: `commitments:missing.${group}.${fieldId(name, locale)}`, values },
        });
    }
  }
  return missing;
}

/** Sorts "2" before "10" and "19.2" before "19.10". */
export function compareNumbers(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
