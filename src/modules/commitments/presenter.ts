import type { TFunction } from 'i18next';
import { barChart } from '../../platform/charts/svg-charts';
import type { FieldError } from '../../platform/errors';
import { colon, type Locale } from '../../platform/i18n';
import { renderMarkdown } from '../../platform/markdown';
import { formatShare } from '../participation';
import { apa, citationMeta, type CitationInput } from './citation';
import {
  PROGRESS,
  type BilingualText,
  type Commitment,
  type Plan,
  type Progress,
  type StatusUpdate,
} from './commitments.types';
import type { IndicatorValue } from './indicator-values';
import { slugify } from './validation';

/** Turns the domain objects into what the views show. Views compute nothing. */

/** The text in `locale`, or the other language when a draft has only that one (staff previews). */
export function pick(value: BilingualText | undefined, locale: Locale): string {
  if (!value) return '';
  return value[locale] || value[locale === 'en' ? 'fr' : 'en'];
}

/** A date without a time (stored at 00:00 UTC), shown as that same date in every time zone. */
export function formatDay(date: Date, locale: Locale): string {
  return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-CA' : 'en-CA', {
    dateStyle: 'long',
    timeZone: 'UTC',
  }).format(date);
}

export function dayView(date: Date | undefined, locale: Locale) {
  return date ? { iso: date.toISOString().slice(0, 10), text: formatDay(date, locale) } : undefined;
}

export const planHref = (slug: string) => `/plans/${slug}`;
export const commitmentHref = (slug: string, number: string) => `/plans/${slug}/commitments/${number}`;

export function planView(plan: Plan, locale: Locale, t: TFunction) {
  return {
    slug: plan.slug,
    href: planHref(plan.slug),
    title: pick(plan.title, locale),
    summary: pick(plan.summary, locale),
    organisation: pick(plan.organisation, locale),
    period: t('commitments:plan.period', { start: plan.periodStart, end: plan.periodEnd }),
    publication: plan.publication,
    publicationLabel: t(`commitments:publication.${plan.publication}`),
    commitmentCount: plan.commitmentNumbers.length,
  };
}

export function progressLabel(t: TFunction, status: Progress): string {
  return t(`commitments:progress.${status}`);
}

/** Filter keys for the plan page: themes and departments are grouped by their English name. */
export const themeKey = (c: Commitment) => slugify(c.theme.en || c.theme.fr) || 'none';
export const departmentKey = (c: Commitment) => slugify(c.leadDepartment.en || c.leadDepartment.fr) || 'none';

export function commitmentCard(c: Commitment, locale: Locale, t: TFunction) {
  const planned = c.milestones.filter((m) => m.number);
  return {
    number: c.number,
    href: commitmentHref(c.planSlug, c.number),
    title: pick(c.title, locale),
    summary: pick(c.summary, locale),
    theme: pick(c.theme, locale),
    leadDepartment: pick(c.leadDepartment, locale),
    status: c.status,
    statusLabel: progressLabel(t, c.status),
    publication: c.publication,
    publicationLabel: t(`commitments:publication.${c.publication}`),
    review: c.review ? { rating: c.review.rating, label: progressLabel(t, c.review.rating) } : undefined,
    milestonesComplete: planned.filter((m) => m.status === 'complete').length,
    milestonesTotal: planned.length,
  };
}

/** Planned milestones of the commitments, counted by status, with an accessible chart and its table. */
export function milestoneSummary(commitments: Commitment[], t: TFunction, locale: Locale) {
  const counts = Object.fromEntries(PROGRESS.map((s) => [s, 0])) as Record<Progress, number>;
  for (const c of commitments) for (const m of c.milestones) if (m.number) counts[m.status] += 1;
  const total = PROGRESS.reduce((sum, s) => sum + counts[s], 0);
  const number = new Intl.NumberFormat(locale === 'fr' ? 'fr-CA' : 'en-CA');
  const rows = [...PROGRESS].reverse().map((status) => ({
    status,
    label: progressLabel(t, status),
    count: counts[status],
    countText: number.format(counts[status]),
    share: total ? formatShare(counts[status] / total, locale) : '–',
  }));
  const title = t('commitments:summary.chartTitle');
  return {
    total,
    totalText: number.format(total),
    rows,
    chart: total
      ? barChart({
          title,
          description: rows.map((r) => `${r.label}${colon(locale)} ${r.countText}`).join('; '),
          bars: rows.map((r) => ({ label: r.label, value: r.count, display: r.countText })),
          // Four short bars: a narrower drawing keeps its text readable when scaled down on a phone.
          width: 480,
        })
      : '',
  };
}

function dateText(date: Date | undefined, locale: Locale): string {
  return date ? formatDay(date, locale) : '';
}

export function indicatorRows(values: IndicatorValue[], locale: Locale, t: TFunction) {
  return values.map(({ indicator, series, latest }) => {
    const computed = indicator.source === 'rounds';
    const show = (v: number | null) =>
      v === null ? t('commitments:indicators.suppressed') : formatShare(v, locale);
    return {
      id: indicator.id,
      name: pick(indicator.name, locale),
      target: pick(indicator.target, locale),
      targetDate: dayView(indicator.targetDate, locale),
      computed,
      sectorLabel: computed ? t(`classifications:sector.${indicator.sector}`) : '',
      actual: computed
        ? latest
          ? t('commitments:indicators.computedLatest', {
              value: show(latest.value),
              round: pick(latest.label, locale),
            })
          : t('commitments:indicators.noCompletedRound')
        : pick(indicator.actual, locale),
      actualDate: computed ? dayView(latest?.date, locale) : dayView(indicator.actualDate, locale),
      series: series.map((p) => ({
        label: pick(p.label, locale),
        value: show(p.value),
        date: dateText(p.date, locale),
      })),
      // "8% → 20%": the change across the linked rounds, as the model case words it.
      trend: computed && series.length > 1 ? series.map((p) => show(p.value)).join(' → ') : '',
    };
  });
}

export function updateView(u: StatusUpdate, locale: Locale, t: TFunction) {
  const milestone = u.milestoneId
    ? u.milestoneNumber || pick(u.milestoneText, locale) || t('commitments:timeline.otherMilestone')
    : '';
  return {
    id: `update-${u.seq}`,
    seq: u.seq,
    date: dayView(u.date, locale) as { iso: string; text: string },
    subject: milestone
      ? t('commitments:timeline.milestone', { number: milestone })
      : t('commitments:timeline.overall'),
    from: progressLabel(t, u.from),
    to: progressLabel(t, u.to),
    toKey: u.to,
    noteHtml: renderMarkdown(pick(u.note, locale)),
    note: pick(u.note, locale),
  };
}

export function citationInput(
  c: Commitment,
  plan: Plan,
  locale: Locale,
  t: TFunction,
  baseUrl: string,
  latestUpdate: StatusUpdate | undefined,
): CitationInput {
  return {
    author: pick(c.leadDepartment, locale) || pick(plan.organisation, locale),
    title: pick(c.title, locale),
    label: t('commitments:cite.label', { number: c.number }),
    container: pick(plan.title, locale),
    publisher: t('common:productName'),
    // The content's own date: its latest status change, else when it was published.
    date: latestUpdate?.date ?? c.publishedAt ?? c.createdAt,
    url: `${baseUrl}${commitmentHref(c.planSlug, c.number)}`,
    locale,
    key: `${c.planSlug}-${c.number}`,
  };
}

export function citationView(input: CitationInput, base: string) {
  return {
    ...apa(input),
    permalink: input.url,
    meta: citationMeta(input),
    downloads: [
      { href: `${base}/cite.json`, label: 'CSL-JSON' },
      { href: `${base}/cite.bib`, label: 'BibTeX' },
      { href: `${base}/cite.ris`, label: 'RIS' },
    ],
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
