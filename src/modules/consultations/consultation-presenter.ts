import type { TFunction } from 'i18next';
import type { FieldError } from '../../platform/errors';
import { formatDate, formatDateOnly, type Locale } from '../../platform/i18n';
import { calendarDate } from '../../platform/zoned-time';
import { renderMarkdown } from '../../platform/markdown';
import type { BilingualText, Consultation, Round } from './consultations.types';

const DAY = 24 * 3600 * 1000;
/** "Closing soon" on the home page and in listings. */
export const CLOSING_SOON_DAYS = 14;

/** The text in `locale`, or the other language when a draft has only that one (staff previews). */
export function pick(text: BilingualText, locale: Locale): string {
  return text[locale] || text[locale === 'en' ? 'fr' : 'en'];
}

export interface DateView {
  iso: string;
  text: string;
}

export function dateView(date: Date, locale: Locale, withTime = true): DateView {
  return { iso: date.toISOString(), text: formatDate(date, locale, withTime) };
}

/** A date without a time of day (a round's start and end): the same calendar date in every zone and language. */
export function calendarDateView(date: Date, locale: Locale): DateView {
  return { iso: calendarDate(date), text: formatDateOnly(date, locale) };
}

export function consultationCard(c: Consultation, locale: Locale, t: TFunction, now: Date) {
  const msLeft = c.closesAt.getTime() - now.getTime();
  return {
    id: c.id,
    slug: c.slug,
    href: `/consultations/${c.slug}`,
    title: pick(c.title, locale),
    summary: pick(c.summary, locale),
    status: c.status,
    statusLabel: t(`consultations:status.${c.status}`),
    isOpen: c.isOpen,
    closingSoon: c.isOpen && msLeft <= CLOSING_SOON_DAYS * DAY,
    daysLeft: Math.max(Math.ceil(msLeft / DAY), 0),
    opensAt: dateView(c.opensAt, locale),
    closesAt: dateView(c.closesAt, locale),
    themes: c.themes.map((key) => ({ key, label: t(`consultations:themes.${key}`) })),
    leadOrganisation: pick(c.leadOrganisation, locale),
  };
}

export function consultationDetail(c: Consultation, locale: Locale, t: TFunction, now: Date) {
  return {
    ...consultationCard(c, locale, t, now),
    bodyHtml: renderMarkdown(pick(c.body, locale)),
    contactEmail: c.contactEmail,
    publication: c.publication,
    publishedAt: c.publishedAt ? dateView(c.publishedAt, locale, false) : undefined,
    /** A draft shown to staff with one language missing says so. */
    incompleteIn: (['en', 'fr'] as const).filter((l) => !c.title[l] || !c.summary[l] || !c.body[l]),
  };
}

export function roundView(r: Round, locale: Locale, t: TFunction) {
  return {
    id: r.id,
    slug: r.slug,
    href: `/rounds/${r.slug}`,
    title: pick(r.title, locale),
    descriptionHtml: renderMarkdown(pick(r.description, locale)),
    status: r.status,
    statusLabel: t(`consultations:roundStatus.${r.status}`),
    startsOn: calendarDateView(r.startsOn, locale),
    endsOn: calendarDateView(r.endsOn, locale),
    /** The day its figures were frozen (in the organisation's time zone). */
    completedOn: r.completedAt ? calendarDateView(r.completedAt, locale) : undefined,
    /** Every reopening of a completed round, oldest first, with the officer's reason (shown publicly). */
    reopenings: r.events
      .filter((e) => e.type === 'reopened')
      .map((e) => ({
        on: calendarDateView(e.at, locale),
        reason: e.reason ?? '',
        completedOn: e.completedAt ? calendarDateView(e.completedAt, locale) : undefined,
      })),
  };
}

/** ValidationError field messages, translated, for the error summary and the inline messages. */
export function translateErrors(t: TFunction, fieldErrors: FieldError[]) {
  const errors = fieldErrors.map((e) => ({
    field: e.field,
    message: t(e.message.key, e.message.values ?? {}),
  }));
  const byField: Record<string, string> = {};
  for (const e of errors) byField[e.field] ??= e.message;
  return { errors, fieldErrors: byField };
}
