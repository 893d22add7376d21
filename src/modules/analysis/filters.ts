import { NOT_ASKED, REGION_CATEGORIES, SECTOR_CATEGORIES } from '../../platform/classifications';
import { BadRequestError } from '../../platform/errors';
import { LOCALES } from '../../platform/i18n';

/**
 * The analysis filters: which submitted responses a survey page, its downloads and its codebook describe. They
 * travel as query parameters (`?sector=&region=&language=&channel=&since=&until=`), the same on every link of the page.
 *
 * Sector and region are served by the answer counters' slices (one read, any number of responses). Language,
 * channel and the submission dates are not sliced at submission (that would multiply the writes of every
 * submission), so a page filtered by them reads the survey's answer log once (see AnalysisService.survey).
 */
export interface AnalysisFilters {
  sector?: string;
  region?: string;
  language?: string;
  channel?: string;
  /** Submitted on or after this day (UTC), YYYY-MM-DD. */
  since?: string;
  /** Submitted on or before this day (UTC), YYYY-MM-DD. */
  until?: string;
}

export const FILTER_KEYS = ['sector', 'region', 'language', 'channel', 'since', 'until'] as const;
export const CHANNELS = ['open', 'invited'] as const;

function oneOf(value: unknown, allowed: readonly string[]): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !allowed.includes(value))
    throw new BadRequestError({ key: 'analysis:errors.filter' });
  return value;
}

function day(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value))
    throw new BadRequestError({ key: 'analysis:errors.date' });
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value)
    throw new BadRequestError({ key: 'analysis:errors.date' });
  return value;
}

/** The filters from a query string; a value outside the lists, or a bad or reversed date range, is a 400. */
export function parseFilters(query: Record<string, unknown>): AnalysisFilters {
  const filters: AnalysisFilters = {
    sector: oneOf(query.sector, SECTOR_CATEGORIES),
    region: oneOf(query.region, REGION_CATEGORIES),
    language: oneOf(query.language, LOCALES),
    channel: oneOf(query.channel, CHANNELS),
    since: day(query.since),
    until: day(query.until),
  };
  if (filters.since && filters.until && filters.since > filters.until)
    throw new BadRequestError({ key: 'analysis:errors.dateRange' });
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)) as AnalysisFilters;
}

export function isFiltered(filters: AnalysisFilters): boolean {
  return FILTER_KEYS.some((key) => filters[key] !== undefined);
}

/** True when the counters cannot serve the filters (they are sliced by sector and region only). */
export function needsLogPass(filters: AnalysisFilters): boolean {
  return Boolean(filters.language || filters.channel || filters.since || filters.until);
}

/** Whether one logged response is in the filtered set. */
export function matchesFilters(
  r: { sector?: string; region?: string; locale: string; channel: string; submittedAt?: Date },
  filters: AnalysisFilters,
): boolean {
  if (filters.sector && (r.sector || NOT_ASKED) !== filters.sector) return false;
  if (filters.region && (r.region || NOT_ASKED) !== filters.region) return false;
  if (filters.language && r.locale !== filters.language) return false;
  if (filters.channel && r.channel !== filters.channel) return false;
  if (filters.since || filters.until) {
    const submitted = r.submittedAt ? r.submittedAt.toISOString().slice(0, 10) : undefined;
    if (!submitted) return false;
    if (filters.since && submitted < filters.since) return false;
    if (filters.until && submitted > filters.until) return false;
  }
  return true;
}

/** The filters as query parameters (in FILTER_KEYS order), plus `extra`; '' when there are none. */
export function filterQuery(
  filters: AnalysisFilters,
  extra: Record<string, string | undefined> = {},
): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) if (filters[key]) params.set(key, filters[key]);
  for (const [key, value] of Object.entries(extra)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}
