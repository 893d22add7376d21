import type { TFunction } from 'i18next';
import { colon, type Locale } from '../../platform/i18n';
import { calendarDate } from '../../platform/zoned-time';
import { barChart, trendChart } from '../../platform/charts/svg-charts';
import type { BreakdownCell } from './metrics';
import type { ScopeReport, TrendEntry } from './reports.service';

/** Turns report numbers into what the views show: labels, formatted numbers, charts. Views compute nothing. */

export const BREAKDOWNS = [
  { id: 'sector', field: 'bySector', labels: 'classifications:sector' },
  { id: 'region', field: 'byRegion', labels: 'classifications:region' },
  { id: 'language', field: 'byLanguage', labels: 'participation:language' },
  { id: 'channel', field: 'byChannel', labels: 'participation:channel' },
  { id: 'gender', field: 'byGender', labels: 'classifications:gender' },
  { id: 'ageRange', field: 'byAgeRange', labels: 'classifications:ageRange' },
] as const;
export type BreakdownId = (typeof BREAKDOWNS)[number]['id'];

export function formatShare(share: number | null, locale: Locale): string {
  if (share === null) return '–';
  return new Intl.NumberFormat(locale === 'fr' ? 'fr-CA' : 'en-CA', {
    style: 'percent',
    maximumFractionDigits: 1,
  }).format(share);
}

export function formatCount(count: number | null, locale: Locale): string {
  if (count === null) return '–';
  return new Intl.NumberFormat(locale === 'fr' ? 'fr-CA' : 'en-CA').format(count);
}

export interface BreakdownRow {
  key: string;
  label: string;
  count: string;
  share: string;
  shareOfAnswered: string;
  suppressed: boolean;
  highlight: boolean;
}

export interface BreakdownSection {
  id: BreakdownId;
  title: string;
  rows: BreakdownRow[];
  /** Built by svg-charts.ts from escaped text; safe to output raw. */
  chart: string;
  anySuppressed: boolean;
}

export function breakdownSections(
  report: ScopeReport,
  t: TFunction,
  locale: Locale,
  only: readonly BreakdownId[] = BREAKDOWNS.map((b) => b.id),
): BreakdownSection[] {
  return BREAKDOWNS.filter((b) => only.includes(b.id)).map((b) => {
    const cells: BreakdownCell[] = report[b.field];
    const rows = cells.map((cell) => ({
      key: cell.key,
      label: t(`${b.labels}.${cell.key}`, { defaultValue: cell.key }),
      count: cell.suppressed ? t('participation:suppressed') : formatCount(cell.count, locale),
      share: cell.suppressed ? t('participation:suppressed') : formatShare(cell.share, locale),
      shareOfAnswered: formatShare(cell.shareOfAnswered, locale),
      suppressed: cell.suppressed,
      highlight: b.id === 'sector' && cell.key === 'civil_society',
    }));
    const title = t(`participation:breakdown.${b.id}`);
    const chart = barChart({
      title,
      description: rows.map((r) => `${r.label}: ${r.share}`).join('; '),
      max: 1,
      bars: cells.map((cell, i) => ({
        label: rows[i]?.label ?? cell.key,
        value: cell.suppressed ? null : cell.share,
        display: rows[i]?.share ?? '',
        highlight: rows[i]?.highlight ?? false,
      })),
    });
    return { id: b.id, title, rows, chart, anySuppressed: rows.some((r) => r.suppressed) };
  });
}

export interface TrendRow {
  round: string;
  title: string;
  participants: string;
  count: string;
  share: string;
  shareOfAnswered: string;
  /** The round is still collecting: its figures can change. */
  inProgress: boolean;
}

export function trendView(
  entries: TrendEntry[],
  sectorLabel: string,
  t: TFunction,
  locale: Locale,
  target?: { value: number; date: Date },
): { rows: TrendRow[]; chart: string } {
  const rows = entries.map((e) => ({
    round: e.round,
    title: e.title[locale],
    participants: formatCount(e.participants, locale),
    count: formatCount(e.count, locale),
    share: formatShare(e.share, locale),
    shareOfAnswered: formatShare(e.shareOfAnswered, locale),
    inProgress: e.status === 'active',
  }));
  const title = t('participation:trend.chartTitle', { sector: sectorLabel });
  const chart = trendChart({
    title,
    description: rows.map((r) => `${r.title}${colon(locale)} ${r.share}`).join('; '),
    points: entries.map((e, i) => ({
      // The year of the round's own start date, read as the calendar date it stands for (date-only values are
      // stored at midnight UTC or at midnight in Toronto), and placed on the axis by that date.
      label: calendarDate(e.startsOn).slice(0, 4),
      date: e.startsOn,
      value: e.share,
      display: rows[i]?.share ?? '',
      inProgress: e.status === 'active',
    })),
    inProgressLabel: t('participation:trend.inProgress'),
    ...(target
      ? {
          target: {
            value: target.value,
            label: t('participation:trend.target', { value: formatShare(target.value, locale) }),
          },
        }
      : {}),
  });
  return { rows, chart };
}
