import crypto from 'node:crypto';
import { NOT_ASKED } from '../../platform/classifications';
import { ratio } from '../participation';
import type { AnswerValue, CountRow, QuestionSummary, SummaryQuestion } from './question-summary';

/**
 * The arithmetic of the answer counters, kept pure (no database) so it is tested on its own.
 *
 * One response contributes a flat map of counter paths to amounts ("contribution"); a submission adds it, an edit
 * adds (new - previous), a rebuild sums every stored response's. Paths, under the counter document's `c` field:
 *
 * - `n`                          responses in the slice (the "matching" count)
 * - `q.<qid>.a`                  respondents who answered the question
 * - `q.<qid>.o.<option>`         choice questions: respondents who picked the option (`other` included)
 * - `q.<qid>.v.<value>`          rating: respondents per point (so mean, median, min and max are exact)
 * - `q.<qid>.nn`, `q.<qid>.sum`  number and rating: numeric answers and their sum (the mean)
 * - `q.<qid>.ra.<row>`           matrix: respondents who answered the row
 * - `q.<qid>.m.<row>.<col>`      matrix: respondents per row and scale point
 * - `q.<qid>.rs|rn|rf.<option>`  ranking: sum of ranks, times ranked, times ranked first
 * - `m.s|r|l|c.<value>`          who the responses of the slice are: by sector, region, language and channel (so a
 *                                filtered page shows "who took part" from the one slice it reads)
 *
 * Text, email and date answers are only counted (`a`): their lists, medians of numbers and date ranges are what the
 * "as of" snapshot computes (answer-snapshot.ts).
 *
 * Every path segment is a question, option, row or scale id (letters, digits, hyphens: survey-definition.ts's
 * ID_PATTERN), a classification key (letters and `_`) or an integer; anything else (data from outside the
 * definition) is replaced by `~` and a hash, so no key can hold `.` or start with `$`.
 */

export type Flat = Record<string, number>;

/** The question types counters need, by question id (every version of the survey, newest type wins). */
export type QuestionTypes = ReadonlyMap<string, string>;

const SAFE_KEY = /^[A-Za-z0-9_-]{1,64}$/;

/** A key safe in a counter path: the value itself when it is an id or an integer, else `~` and a short hash. */
export function safeKey(value: string): string {
  if (SAFE_KEY.test(value)) return value;
  return `~${crypto.createHash('sha256').update(value).digest('base64url').slice(0, 16)}`;
}

export function isEmptyAnswer(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === '' ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0)
  );
}

/** Who a response is, for the `m.*` counters (sector and region: NOT_ASKED when absent). */
export interface ResponseAbout {
  sector?: string;
  region?: string;
  locale?: string;
  channel?: string;
}

/** What one response adds to the counters of the slices it belongs to (`about`: its `m.*` counters). */
export function contribution(
  types: QuestionTypes,
  answers: Record<string, AnswerValue | undefined>,
  about?: ResponseAbout,
): Flat {
  const out: Flat = { n: 1 };
  const add = (path: string, amount = 1) => {
    out[path] = (out[path] ?? 0) + amount;
  };
  if (about) {
    add(`m.s.${safeKey(about.sector || NOT_ASKED)}`);
    add(`m.r.${safeKey(about.region || NOT_ASKED)}`);
    if (about.locale) add(`m.l.${safeKey(about.locale)}`);
    if (about.channel) add(`m.c.${safeKey(about.channel)}`);
  }
  for (const [questionId, value] of Object.entries(answers ?? {})) {
    const type = types.get(questionId);
    if (!type || !SAFE_KEY.test(questionId) || isEmptyAnswer(value)) continue;
    const p = `q.${questionId}`;
    add(`${p}.a`);
    switch (type) {
      case 'single_choice':
      case 'dropdown':
        add(`${p}.o.${safeKey(String(value))}`);
        break;
      case 'multiple_choice':
        for (const option of new Set(Array.isArray(value) ? value.map(String) : [String(value)]))
          add(`${p}.o.${safeKey(option)}`);
        break;
      case 'number':
      case 'rating': {
        const n = typeof value === 'number' ? value : Number(value);
        if (!Number.isFinite(n)) break;
        add(`${p}.nn`);
        add(`${p}.sum`, n);
        if (type === 'rating') add(`${p}.v.${safeKey(String(n))}`);
        break;
      }
      case 'matrix':
        if (typeof value === 'object' && !Array.isArray(value)) {
          for (const [row, column] of Object.entries(value)) {
            if (isEmptyAnswer(column)) continue;
            add(`${p}.ra.${safeKey(row)}`);
            add(`${p}.m.${safeKey(row)}.${safeKey(String(column))}`);
          }
        }
        break;
      case 'ranking':
        if (Array.isArray(value)) {
          value.forEach((option, index) => {
            const key = safeKey(String(option));
            add(`${p}.rs.${key}`, index + 1);
            add(`${p}.rn.${key}`);
            if (index === 0) add(`${p}.rf.${key}`);
          });
        }
        break;
      default:
        break; // text, email, date: counted only
    }
  }
  return out;
}

/** a - b, without zero entries. */
export function difference(a: Flat, b: Flat): Flat {
  const out: Flat = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const value = (a[key] ?? 0) - (b[key] ?? 0);
    if (value !== 0) out[key] = value;
  }
  return out;
}

export function addInto(target: Flat, source: Flat, sign = 1): Flat {
  for (const [key, value] of Object.entries(source)) {
    const next = (target[key] ?? 0) + sign * value;
    if (next === 0) delete target[key];
    else target[key] = next;
  }
  return target;
}

/** A nested counter object (as stored) as a flat map of paths, without zeros. */
export function flatten(nested: unknown, prefix = '', out: Flat = {}): Flat {
  if (typeof nested === 'number') {
    if (nested !== 0) out[prefix] = (out[prefix] ?? 0) + nested;
    return out;
  }
  if (nested && typeof nested === 'object') {
    for (const [key, value] of Object.entries(nested as Record<string, unknown>))
      flatten(value, prefix ? `${prefix}.${key}` : key, out);
  }
  return out;
}

/** The slices a response is counted in: everyone, its sector, its region, and its sector and region together. */
export function slicesOf(sector: string | undefined, region: string | undefined): string[] {
  const s = safeKey(sector || NOT_ASKED);
  const r = safeKey(region || NOT_ASKED);
  return ['all', `s:${s}`, `r:${r}`, `sr:${s}:${r}`];
}

/** The one slice a page's filters select. */
export function sliceFor(filters: { sector?: string; region?: string }): string {
  if (filters.sector && filters.region) return `sr:${safeKey(filters.sector)}:${safeKey(filters.region)}`;
  if (filters.sector) return `s:${safeKey(filters.sector)}`;
  if (filters.region) return `r:${safeKey(filters.region)}`;
  return 'all';
}

/** The counters of one question in one slice, as read (shards summed). */
export interface QuestionCounts {
  a?: number;
  nn?: number;
  sum?: number;
  o?: Record<string, number>;
  v?: Record<string, number>;
  ra?: Record<string, number>;
  m?: Record<string, Record<string, number>>;
  rs?: Record<string, number>;
  rn?: Record<string, number>;
  rf?: Record<string, number>;
}

export interface SliceCounts {
  n?: number;
  /** Responses of the slice by sector (s), region (r), language (l) and channel (c). */
  m?: {
    s?: Record<string, number>;
    r?: Record<string, number>;
    l?: Record<string, number>;
    c?: Record<string, number>;
  };
  q?: Record<string, QuestionCounts>;
}

/** Sums counter documents' `c` objects (the shards of one slice). */
export function sumCounts(parts: unknown[]): SliceCounts {
  const total: Flat = {};
  for (const part of parts) addInto(total, flatten(part));
  return unflatten(total) as SliceCounts;
}

export function unflatten(flat: Flat): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(flat)) {
    const parts = path.split('.');
    let node = out;
    parts.slice(0, -1).forEach((part) => {
      node = (node[part] ??= {}) as Record<string, unknown>;
    });
    node[parts[parts.length - 1] as string] = value;
  }
  return out;
}

/** Figures the counters cannot keep, from the last "as of" snapshot of the slice. */
export interface SnapshotFigures {
  numbers?: Record<
    string,
    {
      /** Number answers in the snapshot (the distribution's shares are of these). */
      answered?: number;
      median: number | null;
      min: number | null;
      max: number | null;
      distribution: { key: string; count: number }[];
    }
  >;
  dates?: Record<string, { earliest: string | null; latest: string | null }>;
}

function histogramMedian(histogram: [number, number][], total: number): number | null {
  if (total <= 0) return null;
  const sorted = [...histogram].sort(([a], [b]) => a - b);
  const at = (index: number): number => {
    let seen = 0;
    for (const [value, count] of sorted) {
      seen += count;
      if (index < seen) return value;
    }
    return (sorted[sorted.length - 1] as [number, number])[0];
  };
  const middle = Math.floor(total / 2);
  return total % 2 ? at(middle) : (at(middle - 1) + at(middle)) / 2;
}

/**
 * One question's summary from its counters (and the snapshot's figures for what counters cannot keep), in the same
 * shape as QuestionAccumulator.result() gives from the answers themselves.
 */
export function summaryFromCounts(
  q: SummaryQuestion,
  counts: QuestionCounts | undefined,
  snapshot: SnapshotFigures | undefined,
): QuestionSummary {
  const c = counts ?? {};
  const answered = c.a ?? 0;
  const rows = (keys: string[], values: Record<string, number> | undefined, of: number): CountRow[] =>
    keys.map((key) => ({ key, count: values?.[key] ?? 0, share: ratio(values?.[key] ?? 0, of) }));
  switch (q.type) {
    case 'single_choice':
    case 'dropdown':
    case 'multiple_choice': {
      const keys = [...(q.options ?? []).map((o) => o.id), ...(q.allowOther ? ['other'] : [])];
      return {
        kind: 'choice',
        answered,
        multiple: q.type === 'multiple_choice',
        rows: rows(keys, c.o, answered),
      };
    }
    case 'rating': {
      const keys = Array.from({ length: q.points ?? 5 }, (_, i) => String(i + 1));
      const histogram = Object.entries(c.v ?? {})
        .map(([value, count]) => [Number(value), count] as [number, number])
        .filter(([, count]) => count > 0);
      const values = histogram.map(([value]) => value);
      const nn = c.nn ?? 0;
      return {
        kind: 'numeric',
        answered,
        mean: nn ? (c.sum ?? 0) / nn : null,
        median: histogramMedian(histogram, nn),
        min: values.length ? Math.min(...values) : null,
        max: values.length ? Math.max(...values) : null,
        distribution: rows(keys, c.v, answered),
      };
    }
    case 'number': {
      const nn = c.nn ?? 0;
      const figures = snapshot?.numbers?.[q.id];
      return {
        kind: 'numeric',
        answered,
        mean: nn ? (c.sum ?? 0) / nn : null,
        median: figures?.median ?? null,
        min: figures?.min ?? null,
        max: figures?.max ?? null,
        distribution: (figures?.distribution ?? []).map(({ key, count }) => ({
          key,
          count,
          share: ratio(count, figures?.answered ?? answered),
        })),
      };
    }
    case 'date': {
      const figures = snapshot?.dates?.[q.id];
      return { kind: 'date', answered, earliest: figures?.earliest ?? null, latest: figures?.latest ?? null };
    }
    case 'matrix': {
      const scale = (q.scale ?? []).map((s) => s.id);
      return {
        kind: 'matrix',
        answered,
        rows: (q.rows ?? []).map((row) => {
          const n = c.ra?.[row.id] ?? 0;
          return { key: row.id, answered: n, cells: rows(scale, c.m?.[row.id], n) };
        }),
      };
    }
    case 'ranking':
      return {
        kind: 'ranking',
        answered,
        rows: (q.options ?? [])
          .map((o) => {
            const n = c.rn?.[o.id] ?? 0;
            return {
              key: o.id,
              averageRank: n ? Math.round(((c.rs?.[o.id] ?? 0) / n) * 100) / 100 : null,
              firstPlace: c.rf?.[o.id] ?? 0,
            };
          })
          .sort((a, b) => (a.averageRank ?? Infinity) - (b.averageRank ?? Infinity)),
      };
    case 'email':
      return { kind: 'private', answered };
    default:
      return { kind: 'text', answered, texts: [] };
  }
}
