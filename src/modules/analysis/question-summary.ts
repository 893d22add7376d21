import { mean, median, ratio } from '../participation';

/**
 * Per-question summaries of submitted answers. The pages build them from counters (answer-counts.ts,
 * summaryFromCounts); QuestionAccumulator computes the same summaries from the answers themselves, and is the
 * reference the counters are tested against. The types here are structural: the surveys module's Question
 * satisfies them.
 */

export interface Labelled {
  id: string;
  label: { en: string; fr: string };
}

export interface SummaryQuestion {
  id: string;
  type: string;
  label: { en: string; fr: string };
  options?: Labelled[];
  rows?: Labelled[];
  scale?: Labelled[];
  points?: number;
  allowOther?: boolean;
}

export type AnswerValue = string | number | string[] | Record<string, string>;

export interface CountRow {
  key: string;
  count: number;
  /** Of the respondents who answered the question. */
  share: number | null;
}

export type QuestionSummary =
  | { kind: 'choice'; answered: number; multiple: boolean; rows: CountRow[] }
  | {
      kind: 'numeric';
      answered: number;
      mean: number | null;
      median: number | null;
      min: number | null;
      max: number | null;
      distribution: CountRow[];
    }
  | { kind: 'date'; answered: number; earliest: string | null; latest: string | null }
  | { kind: 'matrix'; answered: number; rows: { key: string; answered: number; cells: CountRow[] }[] }
  | {
      kind: 'ranking';
      answered: number;
      rows: { key: string; averageRank: number | null; firstPlace: number }[];
    }
  | { kind: 'text'; answered: number; texts: string[] }
  | { kind: 'private'; answered: number };

/** Accumulates one question's answers; call add() per response, then result(). */
export class QuestionAccumulator {
  private answered = 0;
  private readonly counts = new Map<string, number>();
  private readonly numbers: number[] = [];
  private readonly texts: string[] = [];
  private readonly matrix = new Map<string, Map<string, number>>();
  private readonly matrixAnswered = new Map<string, number>();
  private readonly rankSums = new Map<string, { sum: number; n: number; first: number }>();
  private earliest: string | null = null;
  private latest: string | null = null;

  constructor(
    readonly question: SummaryQuestion,
    /** Text answers containing this (case-insensitive) are kept; the rest only counted. */
    private readonly textFilter = '',
    private readonly textLimit = 500,
  ) {}

  add(value: AnswerValue | undefined, otherText?: string): void {
    if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0))
      return;
    this.answered++;
    const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
    switch (this.question.type) {
      case 'single_choice':
      case 'dropdown':
        bump(this.counts, String(value));
        break;
      case 'multiple_choice':
        for (const v of Array.isArray(value) ? value : [String(value)]) bump(this.counts, v);
        break;
      case 'number':
      case 'rating': {
        const n = typeof value === 'number' ? value : Number(value);
        if (Number.isFinite(n)) {
          this.numbers.push(n);
          bump(this.counts, String(n));
        }
        break;
      }
      case 'date': {
        const d = String(value);
        if (!this.earliest || d < this.earliest) this.earliest = d;
        if (!this.latest || d > this.latest) this.latest = d;
        break;
      }
      case 'matrix':
        if (typeof value === 'object' && !Array.isArray(value)) {
          for (const [row, choice] of Object.entries(value)) {
            const cells = this.matrix.get(row) ?? new Map<string, number>();
            bump(cells, choice);
            this.matrix.set(row, cells);
            bump(this.matrixAnswered, row);
          }
        }
        break;
      case 'ranking':
        if (Array.isArray(value)) {
          value.forEach((option, index) => {
            const entry = this.rankSums.get(option) ?? { sum: 0, n: 0, first: 0 };
            entry.sum += index + 1;
            entry.n += 1;
            if (index === 0) entry.first += 1;
            this.rankSums.set(option, entry);
          });
        }
        break;
      case 'email':
        break; // counted only: an email address is personal data, shown in analyst exports, not in summaries
      default: {
        const text = String(value);
        if (
          this.texts.length < this.textLimit &&
          (!this.textFilter || text.toLowerCase().includes(this.textFilter.toLowerCase()))
        ) {
          this.texts.push(text);
        }
      }
    }
    if (
      otherText &&
      this.texts.length < this.textLimit &&
      ['single_choice', 'dropdown', 'multiple_choice'].includes(this.question.type)
    ) {
      if (!this.textFilter || otherText.toLowerCase().includes(this.textFilter.toLowerCase()))
        this.texts.push(otherText);
    }
  }

  result(): QuestionSummary & { otherTexts?: string[] } {
    const q = this.question;
    const answered = this.answered;
    const countRows = (keys: string[], counts: Map<string, number>, of: number): CountRow[] =>
      keys.map((key) => ({ key, count: counts.get(key) ?? 0, share: ratio(counts.get(key) ?? 0, of) }));
    switch (q.type) {
      case 'single_choice':
      case 'dropdown':
      case 'multiple_choice': {
        const keys = [...(q.options ?? []).map((o) => o.id), ...(q.allowOther ? ['other'] : [])];
        return {
          kind: 'choice',
          answered,
          multiple: q.type === 'multiple_choice',
          rows: countRows(keys, this.counts, answered),
          otherTexts: this.texts,
        };
      }
      case 'number':
      case 'rating': {
        const keys =
          q.type === 'rating'
            ? Array.from({ length: q.points ?? 5 }, (_, i) => String(i + 1))
            : [...this.counts.keys()].sort((a, b) => Number(a) - Number(b)).slice(0, 30);
        return {
          kind: 'numeric',
          answered,
          mean: mean(this.numbers),
          median: median(this.numbers),
          min: this.numbers.length ? Math.min(...this.numbers) : null,
          max: this.numbers.length ? Math.max(...this.numbers) : null,
          distribution: countRows(keys, this.counts, answered),
        };
      }
      case 'date':
        return { kind: 'date', answered, earliest: this.earliest, latest: this.latest };
      case 'matrix': {
        const scale = (q.scale ?? []).map((s) => s.id);
        return {
          kind: 'matrix',
          answered,
          rows: (q.rows ?? []).map((row) => {
            const n = this.matrixAnswered.get(row.id) ?? 0;
            return {
              key: row.id,
              answered: n,
              cells: countRows(scale, this.matrix.get(row.id) ?? new Map(), n),
            };
          }),
        };
      }
      case 'ranking':
        return {
          kind: 'ranking',
          answered,
          rows: (q.options ?? [])
            .map((o) => {
              const entry = this.rankSums.get(o.id);
              return {
                key: o.id,
                averageRank: entry ? Math.round((entry.sum / entry.n) * 100) / 100 : null,
                firstPlace: entry?.first ?? 0,
              };
            })
            .sort((a, b) => (a.averageRank ?? Infinity) - (b.averageRank ?? Infinity)),
        };
      case 'email':
        return { kind: 'private', answered };
      default:
        return { kind: 'text', answered, texts: this.texts };
    }
  }
}

/** A choice question's answers by another dimension (e.g. sector): counts per (option, column). */
export class CrossTab {
  private readonly cells = new Map<string, number>();
  private readonly columnTotals = new Map<string, number>();

  constructor(
    readonly question: SummaryQuestion,
    readonly columns: readonly string[],
  ) {}

  add(value: AnswerValue | undefined, column: string | undefined): void {
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return;
    const col = column ?? 'not_asked';
    this.columnTotals.set(col, (this.columnTotals.get(col) ?? 0) + 1);
    for (const option of Array.isArray(value) ? value : [String(value)]) {
      const key = `${option}\u0000${col}`;
      this.cells.set(key, (this.cells.get(key) ?? 0) + 1);
    }
  }

  /** Adds one column's counts at once (from counters): respondents who answered, and respondents per option. */
  addCounts(column: string, answered: number, options: Record<string, number>): void {
    this.columnTotals.set(column, (this.columnTotals.get(column) ?? 0) + answered);
    for (const [option, count] of Object.entries(options)) {
      const key = `${option}\u0000${column}`;
      this.cells.set(key, (this.cells.get(key) ?? 0) + count);
    }
  }

  result(): {
    rows: { key: string; cells: { column: string; count: number; share: number | null }[] }[];
    totals: { column: string; count: number }[];
  } {
    const options = [
      ...(this.question.options ?? []).map((o) => o.id),
      ...(this.question.allowOther ? ['other'] : []),
    ];
    return {
      rows: options.map((key) => ({
        key,
        cells: this.columns.map((column) => {
          const count = this.cells.get(`${key}\u0000${column}`) ?? 0;
          return { column, count, share: ratio(count, this.columnTotals.get(column) ?? 0) };
        }),
      })),
      totals: this.columns.map((column) => ({ column, count: this.columnTotals.get(column) ?? 0 })),
    };
  }
}
