import fs from 'node:fs';
import path from 'node:path';
import i18next, { type i18n, type TFunction } from 'i18next';
import { LOCALES_DIR } from '../paths';
import { calendarDate } from '../zoned-time';

export const LOCALES = ['en', 'fr'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';
export type { TFunction };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export type Resources = Record<Locale, Record<string, Record<string, unknown>>>;

/** Reads locales/<lang>/<namespace>.json; one namespace per module. */
export function loadResources(dir = LOCALES_DIR): Resources {
  const resources = {} as Resources;
  for (const locale of LOCALES) {
    resources[locale] = {};
    for (const file of fs.readdirSync(path.join(dir, locale)).filter((f) => f.endsWith('.json'))) {
      const raw = fs.readFileSync(path.join(dir, locale, file), 'utf8');
      resources[locale][path.basename(file, '.json')] = JSON.parse(raw) as Record<string, unknown>;
    }
  }
  return resources;
}

/** A translator instance; the app creates one at start-up, so nothing is read from disk per request. */
export function createI18n(resources: Resources = loadResources()): i18n {
  const instance = i18next.createInstance();
  void instance.init({
    resources,
    lng: DEFAULT_LOCALE,
    fallbackLng: false,
    supportedLngs: [...LOCALES],
    ns: Object.keys(resources.en),
    defaultNS: 'common',
    initAsync: false,
    // EJS escapes on output (<%= %>); escaping here too would double-escape.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return instance;
}

/**
 * What separates a label from its value: "Cible : 20 %" in French (a non-breaking space before the colon, as Canadian
 * French writes it), "Target: 20%" in English.
 */
export function colon(locale: Locale): string {
  return locale === 'fr' ? '\u00a0:' : ':';
}

/** Picks a supported language from an Accept-Language header ("fr-CA,fr;q=0.9,en;q=0.8"). */
export function negotiateLocale(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
      return { lang: tag.toLowerCase().split('-')[0], q: q === undefined ? 1 : Number(q) };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q);
  return ranked.map((entry) => entry.lang).find(isLocale);
}

/**
 * A date without a time of day (see calendarDate), in the user's language: "March 1, 2018", "1er mars 2018".
 * Formatted in UTC from its calendar date, so no time zone can move it to another day.
 */
export function formatDateOnly(date: Date, locale: Locale): string {
  const day = calendarDate(date);
  if (!day) return '';
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const text = new Intl.DateTimeFormat(locale === 'fr' ? 'fr-CA' : 'en-CA', {
    dateStyle: 'long',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(y, m - 1, d)));
  // Canadian French writes the first of the month as an ordinal: « 1er mars 2018 ».
  return locale === 'fr' ? text.replace(/^1 /, '1er ') : text;
}

/** Formats a date for people, in their language and in the organisation's time zone. */
export function formatDate(date: Date, locale: Locale, withTime = false): string {
  return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-CA' : 'en-CA', {
    dateStyle: 'long',
    ...(withTime ? { timeStyle: 'short' } : {}),
    timeZone: 'America/Toronto',
  }).format(date);
}
