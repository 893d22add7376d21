import { NOT_ASKED, REGION_CATEGORIES, SECTOR_CATEGORIES } from '../../platform/classifications';
import { LOCALES, type Locale } from '../../platform/i18n';
import type { LoggedResponse } from './answer-log';

/**
 * What the analysts' downloads hold, kept apart from the routes so it is tested on its own.
 *
 * Two forms of the same rows:
 * - **coded** (for statistical software): column names are stable ids, values are codes; a multiple-choice question
 *   is one 0/1 column per option, a ranking one rank column per option, a matrix one column per statement. Every
 *   column is described in the codebook (`codebook()`), in both languages.
 * - **labelled** (for reading): question text as column headers and answer labels as values, in one language; a
 *   multiple-choice question is one column listing the chosen labels, a ranking one column in rank order.
 *
 * Anonymous surveys are coarsened (docs/security.md, "Exports and privacy"): no response id (a row number instead),
 * the week of submission instead of its time, no language, channel or organisation, and sector and region blanked
 * as `suppressed` on every row whose (sector, region) combination has fewer than the suppression threshold rows in
 * the download, plus the smallest other combinations while the suppressed rows are fewer than the threshold.
 */

export type ExportForm = 'coded' | 'labelled';
export type Localized = { en: string; fr: string };
export type Translate = (locale: Locale, key: string) => string;

/** A question merged over every version of the survey: the newest text wins, options of older versions are kept. */
export interface ExportQuestion {
  id: string;
  type: string;
  label: Localized;
  options?: { id: string; label: Localized }[];
  rows?: { id: string; label: Localized }[];
  scale?: { id: string; label: Localized }[];
  allowOther?: boolean;
  points?: number;
  lowLabel?: Localized;
  highLabel?: Localized;
  min?: number | string;
  max?: number | string;
  integer?: boolean;
}

interface DefinitionLike {
  sections: { questions: unknown[] }[];
}

/** Questions of every version (newest first in `versions`), in the newest order, then those only older ones had. */
export function mergeQuestions(versions: { definition: DefinitionLike }[]): ExportQuestion[] {
  const byId = new Map<string, ExportQuestion>();
  const mergeList = (into: { id: string; label: Localized }[] | undefined, more: unknown) => {
    if (!Array.isArray(more)) return into;
    const list = into ?? [];
    for (const item of more as { id: string; label: Localized }[])
      if (!list.some((o) => o.id === item.id)) list.push(item);
    return list;
  };
  for (const { definition } of versions) {
    for (const section of definition.sections) {
      for (const raw of section.questions) {
        const q = raw as ExportQuestion;
        const known = byId.get(q.id);
        if (!known) {
          byId.set(q.id, {
            ...q,
            ...(q.options ? { options: [...q.options] } : {}),
            ...(q.rows ? { rows: [...q.rows] } : {}),
            ...(q.scale ? { scale: [...q.scale] } : {}),
          });
          continue;
        }
        if (known.type !== q.type) continue; // an id reused for another type: the newest type's codes only
        const options = mergeList(known.options, q.options);
        const rows = mergeList(known.rows, q.rows);
        const scale = mergeList(known.scale, q.scale);
        if (options) known.options = options;
        if (rows) known.rows = rows;
        if (scale) known.scale = scale;
        known.allowOther = Boolean(known.allowOther || q.allowOther);
      }
    }
  }
  return [...byId.values()];
}

export interface CodeLabel {
  code: string;
  label: Localized;
}

export interface ExportColumn {
  /** The coded column name. */
  id: string;
  /** The column header of the labelled form, in each language. */
  header: Localized;
  questionId?: string;
  questionType?: string;
  /** What the value is: id, integer, datetime, date, week, code, binary, rank, number, text, email. */
  type: string;
  /** Codes and their labels, when the values are a fixed list. */
  values?: CodeLabel[];
  /** Rating scales: the range and the labels of its ends. */
  scale?: { min: number; max: number; lowLabel?: Localized; highLabel?: Localized };
  /** What an empty or special value means here. */
  missing: Localized;
  /** The coded value. */
  coded: (r: LoggedResponse, row: RowContext) => unknown;
  /** The labelled value, in one language. */
  labelled: (r: LoggedResponse, row: RowContext, locale: Locale) => unknown;
}

/** Per-row facts the columns need that are not in the response (anonymous coarsening). */
export interface RowContext {
  index: number;
  /** Sector and region blanked as `suppressed` on this row. */
  suppressed: boolean;
}

export const SUPPRESSED = 'suppressed';

const MISSING = {
  answer: {
    en: 'Empty: not answered (skipped, not shown by a condition, or not in the version answered).',
    fr: 'Vide : sans réponse (question passée, non affichée par une condition ou absente de la version remplie).',
  },
  binary: {
    en: '1 = chosen, 0 = not chosen; empty: the question was not answered.',
    fr: '1 = choisi, 0 = non choisi; vide : la question est restée sans réponse.',
  },
  rank: {
    en: 'Rank given to this option (1 = first); empty: not ranked or not answered.',
    fr: 'Rang donné à cette option (1 = premier); vide : non classée ou sans réponse.',
  },
  other: {
    en: 'What the respondent wrote for "Other"; empty when they did not choose it.',
    fr: 'Ce que la personne a écrit pour « Autre »; vide si elle ne l’a pas choisi.',
  },
  classification: {
    en: '`not_asked`: the survey did not ask; `prefer_not_to_say`: the respondent declined.',
    fr: '`not_asked` : le questionnaire ne le demandait pas; `prefer_not_to_say` : la personne a refusé de répondre.',
  },
  anonymousClassification: {
    en: '`not_asked`: the survey did not ask; `prefer_not_to_say`: the respondent declined; `suppressed`: hidden because this sector and region together have too few responses in this download (anonymous survey).',
    fr: '`not_asked` : le questionnaire ne le demandait pas; `prefer_not_to_say` : la personne a refusé de répondre; `suppressed` : masqué parce que ce secteur et cette région réunis comptent trop peu de réponses dans ce fichier (questionnaire anonyme).',
  },
  none: { en: 'Always present.', fr: 'Toujours présent.' },
  optional: { en: 'Empty: not given.', fr: 'Vide : non fourni.' },
} satisfies Record<string, Localized>;

function label(text: Localized, locale: Locale): string {
  return text[locale] || text.en || text.fr;
}

function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === '' ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0)
  );
}

/** The Monday (UTC) of the week of `date`, as YYYY-MM-DD. */
export function weekOf(date: Date): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = (day.getUTCDay() + 6) % 7; // Monday = 0
  day.setUTCDate(day.getUTCDate() - weekday);
  return day.toISOString().slice(0, 10);
}

/** Labels of the fixed lists, in both languages, from the locale files. */
function fixedList(t: Translate, keys: readonly string[], prefix: string): CodeLabel[] {
  const both = (key: string) =>
    Object.fromEntries(LOCALES.map((l) => [l, t(l, `${prefix}.${key}`)])) as Localized;
  return keys.map((code) => ({ code, label: both(code) }));
}

/**
 * The columns of a download. `anonymous` coarsens the fixed columns (see above); the question columns are the same.
 * The coded form's columns are the codebook's; the labelled form uses `labelledColumns()` of the same questions.
 */
export function exportColumns(
  questions: ExportQuestion[],
  options: { anonymous: boolean; t: Translate },
): { coded: ExportColumn[]; labelled: ExportColumn[] } {
  const { t, anonymous } = options;
  const both = (key: string) => Object.fromEntries(LOCALES.map((l) => [l, t(l, key)])) as Localized;
  const sectors = fixedList(t, SECTOR_CATEGORIES, 'classifications:sector');
  const regions = fixedList(t, REGION_CATEGORIES, 'classifications:region');
  const suppressed: CodeLabel = { code: SUPPRESSED, label: both('analysis:export.suppressed') };
  const lookup = (list: CodeLabel[], code: string, locale: Locale) =>
    list.find((v) => v.code === code)?.label[locale] ?? code;

  const fixed: ExportColumn[] = [];
  if (anonymous) {
    fixed.push({
      id: 'row',
      header: both('analysis:export.columns.row'),
      type: 'integer',
      missing: MISSING.none,
      coded: (_r, row) => row.index + 1,
      labelled: (_r, row) => row.index + 1,
    });
  } else {
    fixed.push({
      id: 'response_id',
      header: both('analysis:export.columns.responseId'),
      type: 'id',
      missing: MISSING.none,
      coded: (r) => r.id,
      labelled: (r) => r.id,
    });
  }
  fixed.push({
    id: 'survey_version',
    header: both('analysis:export.columns.surveyVersion'),
    type: 'integer',
    missing: MISSING.none,
    coded: (r) => r.surveyVersion,
    labelled: (r) => r.surveyVersion,
  });
  if (anonymous) {
    fixed.push({
      id: 'submitted_week',
      header: both('analysis:export.columns.submittedWeek'),
      type: 'week',
      missing: MISSING.none,
      coded: (r) => (r.submittedAt ? weekOf(r.submittedAt) : ''),
      labelled: (r) => (r.submittedAt ? weekOf(r.submittedAt) : ''),
    });
  } else {
    const languages = fixedList(t, LOCALES, 'participation:language');
    const channels = fixedList(t, ['open', 'invited'], 'participation:channel');
    fixed.push(
      {
        id: 'submitted_at',
        header: both('analysis:export.columns.submittedAt'),
        type: 'datetime',
        missing: MISSING.none,
        coded: (r) => r.submittedAt,
        labelled: (r) => r.submittedAt,
      },
      {
        id: 'language',
        header: both('analysis:export.columns.language'),
        type: 'code',
        values: languages,
        missing: MISSING.none,
        coded: (r) => r.locale,
        labelled: (r, _row, locale) => lookup(languages, r.locale, locale),
      },
      {
        id: 'channel',
        header: both('analysis:export.columns.channel'),
        type: 'code',
        values: channels,
        missing: MISSING.none,
        coded: (r) => r.channel,
        labelled: (r, _row, locale) => lookup(channels, r.channel, locale),
      },
    );
  }
  const classification = (id: 'sector' | 'region', list: CodeLabel[]): ExportColumn => {
    const values = anonymous ? [...list, suppressed] : list;
    const code = (r: LoggedResponse, row: RowContext) =>
      anonymous && row.suppressed ? SUPPRESSED : (r[id] ?? NOT_ASKED);
    return {
      id,
      header: both(`analysis:export.columns.${id}`),
      type: 'code',
      values,
      missing: anonymous ? MISSING.anonymousClassification : MISSING.classification,
      coded: code,
      labelled: (r, row, locale) => lookup(values, code(r, row), locale),
    };
  };
  fixed.push(classification('sector', sectors), classification('region', regions));
  if (!anonymous) {
    fixed.push({
      id: 'organisation',
      header: both('analysis:export.columns.organisation'),
      type: 'text',
      missing: MISSING.optional,
      coded: (r) => r.organisation ?? '',
      labelled: (r) => r.organisation ?? '',
    });
  }

  const coded: ExportColumn[] = [...fixed];
  const labelled: ExportColumn[] = [...fixed];
  const otherLabel = both('analysis:other');
  const chosen = (answer: unknown): string[] =>
    Array.isArray(answer) ? answer.map(String) : isEmpty(answer) ? [] : [String(answer)];

  for (const q of questions) {
    const base = { questionId: q.id, questionType: q.type };
    const answerOf = (r: LoggedResponse) => r.answers[q.id];
    const options: CodeLabel[] = (q.options ?? []).map((o) => ({ code: o.id, label: o.label }));
    const withOther = q.allowOther ? [...options, { code: 'other', label: otherLabel }] : options;
    const optionLabel = (code: string, locale: Locale) => {
      const found = withOther.find((o) => o.code === code);
      return found ? label(found.label, locale) : code;
    };
    const headerOf = (suffix?: (locale: Locale) => string): Localized =>
      Object.fromEntries(
        LOCALES.map((l) => [l, suffix ? `${label(q.label, l)} — ${suffix(l)}` : label(q.label, l)]),
      ) as Localized;
    const otherText: ExportColumn = {
      ...base,
      id: `${q.id}.other_text`,
      header: headerOf((l) => t(l, 'analysis:export.otherText')),
      type: 'text',
      missing: MISSING.other,
      coded: (r) => r.otherText?.[q.id] ?? '',
      labelled: (r) => r.otherText?.[q.id] ?? '',
    };

    switch (q.type) {
      case 'single_choice':
      case 'dropdown': {
        const column: ExportColumn = {
          ...base,
          id: q.id,
          header: headerOf(),
          type: 'code',
          values: withOther,
          missing: MISSING.answer,
          coded: (r) => (isEmpty(answerOf(r)) ? '' : String(answerOf(r))),
          labelled: (r, _row, locale) =>
            isEmpty(answerOf(r)) ? '' : optionLabel(String(answerOf(r)), locale),
        };
        coded.push(column);
        labelled.push(column);
        if (q.allowOther) {
          coded.push(otherText);
          labelled.push(otherText);
        }
        break;
      }
      case 'multiple_choice': {
        for (const option of withOther) {
          coded.push({
            ...base,
            id: `${q.id}.${option.code}`,
            header: headerOf((l) => label(option.label, l)),
            type: 'binary',
            values: [
              { code: '1', label: both('analysis:export.chosen') },
              { code: '0', label: both('analysis:export.notChosen') },
            ],
            missing: MISSING.binary,
            coded: (r) => (isEmpty(answerOf(r)) ? '' : chosen(answerOf(r)).includes(option.code) ? 1 : 0),
            labelled: () => '',
          });
        }
        labelled.push({
          ...base,
          id: q.id,
          header: headerOf(),
          type: 'codes',
          values: withOther,
          missing: MISSING.answer,
          coded: (r) => chosen(answerOf(r)).join('; '),
          labelled: (r, _row, locale) =>
            chosen(answerOf(r))
              .map((code) => optionLabel(code, locale))
              .join('; '),
        });
        if (q.allowOther) {
          coded.push(otherText);
          labelled.push(otherText);
        }
        break;
      }
      case 'ranking': {
        for (const option of options) {
          coded.push({
            ...base,
            id: `${q.id}.${option.code}`,
            header: headerOf((l) => label(option.label, l)),
            type: 'rank',
            missing: MISSING.rank,
            coded: (r) => {
              const index = chosen(answerOf(r)).indexOf(option.code);
              return index < 0 ? '' : index + 1;
            },
            labelled: () => '',
          });
        }
        labelled.push({
          ...base,
          id: q.id,
          header: headerOf(),
          type: 'text',
          missing: MISSING.answer,
          coded: (r) => chosen(answerOf(r)).join('; '),
          labelled: (r, _row, locale) =>
            chosen(answerOf(r))
              .map((code, index) => `${index + 1}. ${optionLabel(code, locale)}`)
              .join('; '),
        });
        break;
      }
      case 'matrix': {
        const scale: CodeLabel[] = (q.scale ?? []).map((s) => ({ code: s.id, label: s.label }));
        for (const row of q.rows ?? []) {
          const cell = (r: LoggedResponse) => {
            const answer = answerOf(r);
            return answer && typeof answer === 'object' && !Array.isArray(answer)
              ? (answer as Record<string, string>)[row.id]
              : undefined;
          };
          const column: ExportColumn = {
            ...base,
            id: `${q.id}.${row.id}`,
            header: headerOf((l) => label(row.label, l)),
            type: 'code',
            values: scale,
            missing: MISSING.answer,
            coded: (r) => cell(r) ?? '',
            labelled: (r, _row, locale) => {
              const code = cell(r);
              if (code === undefined || code === '') return '';
              const found = scale.find((s) => s.code === code);
              return found ? label(found.label, locale) : code;
            },
          };
          coded.push(column);
          labelled.push(column);
        }
        break;
      }
      case 'rating': {
        const points = q.points ?? 5;
        const ends = (locale: Locale) => {
          const low = q.lowLabel ? label(q.lowLabel, locale) : '';
          const high = q.highLabel ? label(q.highLabel, locale) : '';
          return low || high ? ` (1 = ${low || '1'}, ${points} = ${high || points})` : ` (1–${points})`;
        };
        const column: ExportColumn = {
          ...base,
          id: q.id,
          header: Object.fromEntries(LOCALES.map((l) => [l, `${label(q.label, l)}${ends(l)}`])) as Localized,
          type: 'integer',
          scale: {
            min: 1,
            max: points,
            ...(q.lowLabel ? { lowLabel: q.lowLabel } : {}),
            ...(q.highLabel ? { highLabel: q.highLabel } : {}),
          },
          missing: MISSING.answer,
          coded: (r) => numberOrEmpty(answerOf(r)),
          labelled: (r) => numberOrEmpty(answerOf(r)),
        };
        coded.push(column);
        labelled.push(column);
        break;
      }
      case 'number': {
        const column: ExportColumn = {
          ...base,
          id: q.id,
          header: headerOf(),
          type: q.integer ? 'integer' : 'number',
          missing: MISSING.answer,
          coded: (r) => numberOrEmpty(answerOf(r)),
          labelled: (r) => numberOrEmpty(answerOf(r)),
        };
        coded.push(column);
        labelled.push(column);
        break;
      }
      default: {
        // short_text, long_text, email, date: the value as given (dates as YYYY-MM-DD).
        const column: ExportColumn = {
          ...base,
          id: q.id,
          header: headerOf(),
          type: q.type === 'date' ? 'date' : q.type === 'email' ? 'email' : 'text',
          missing: MISSING.answer,
          coded: (r) => (isEmpty(answerOf(r)) ? '' : String(answerOf(r))),
          labelled: (r) => (isEmpty(answerOf(r)) ? '' : String(answerOf(r))),
        };
        coded.push(column);
        labelled.push(column);
      }
    }
  }
  return { coded, labelled };
}

function numberOrEmpty(value: unknown): number | '' {
  if (isEmpty(value)) return '';
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : '';
}

/** Headers of the labelled form in one language, made unique (two questions may share a text). */
export function labelledHeaders(columns: ExportColumn[], locale: Locale): string[] {
  const seen = new Map<string, number>();
  return columns.map((c) => {
    const text = c.header[locale] || c.id;
    const count = (seen.get(text) ?? 0) + 1;
    seen.set(text, count);
    return count === 1 ? text : `${text} [${c.id}]`;
  });
}

/**
 * The (sector, region) combinations to blank in an anonymous survey's download, from the number of rows of each:
 * every combination under the threshold, then the smallest others while the blanked rows are fewer than the
 * threshold (so that no blanked combination can be worked out from the others).
 */
export function suppressedCombinations(counts: Map<string, number>, threshold: number): Set<string> {
  const hidden = new Set<string>();
  if (threshold <= 1) return hidden;
  let total = 0;
  for (const [key, n] of counts)
    if (n > 0 && n < threshold) {
      hidden.add(key);
      total += n;
    }
  const rest = [...counts].filter(([key, n]) => n > 0 && !hidden.has(key)).sort((a, b) => a[1] - b[1]);
  while (total > 0 && total < threshold && rest.length) {
    const [key, n] = rest.shift() as [string, number];
    hidden.add(key);
    total += n;
  }
  return hidden;
}

export function combinationOf(r: { sector?: string; region?: string }): string {
  return `${r.sector || NOT_ASKED}|${r.region || NOT_ASKED}`;
}

/** One codebook entry per coded column (JSON form). */
export function codebookEntries(columns: ExportColumn[]) {
  return columns.map((c) => ({
    column: c.id,
    question: c.questionId ?? null,
    question_type: c.questionType ?? null,
    type: c.type,
    label_en: c.header.en,
    label_fr: c.header.fr,
    values: c.values?.map((v) => ({ code: v.code, label_en: v.label.en, label_fr: v.label.fr })) ?? null,
    scale: c.scale
      ? {
          min: c.scale.min,
          max: c.scale.max,
          low_label_en: c.scale.lowLabel?.en ?? null,
          low_label_fr: c.scale.lowLabel?.fr ?? null,
          high_label_en: c.scale.highLabel?.en ?? null,
          high_label_fr: c.scale.highLabel?.fr ?? null,
        }
      : null,
    missing_en: c.missing.en,
    missing_fr: c.missing.fr,
  }));
}

export const CODEBOOK_CSV_HEADER = [
  'column',
  'question',
  'question_type',
  'type',
  'label_en',
  'label_fr',
  'code',
  'code_label_en',
  'code_label_fr',
  'missing_en',
  'missing_fr',
] as const;

/**
 * The codebook as CSV rows, long form (one row per code, so statistical software can read value labels from it):
 * a column without codes is one row with `code` empty; a rating scale's ends are rows with codes `min` and `max`.
 */
export function codebookCsvRows(columns: ExportColumn[]): string[][] {
  const rows: string[][] = [];
  for (const c of columns) {
    const head = [c.id, c.questionId ?? '', c.questionType ?? '', c.type, c.header.en, c.header.fr];
    const tail = [c.missing.en, c.missing.fr];
    const codes: [string, string, string][] = [
      ...(c.values ?? []).map((v): [string, string, string] => [v.code, v.label.en, v.label.fr]),
      ...(c.scale
        ? [
            [String(c.scale.min), c.scale.lowLabel?.en ?? '', c.scale.lowLabel?.fr ?? ''] as [
              string,
              string,
              string,
            ],
            [String(c.scale.max), c.scale.highLabel?.en ?? '', c.scale.highLabel?.fr ?? ''] as [
              string,
              string,
              string,
            ],
          ]
        : []),
    ];
    if (!codes.length) rows.push([...head, '', '', '', ...tail]);
    for (const code of codes) rows.push([...head, ...code, ...tail]);
  }
  return rows;
}
