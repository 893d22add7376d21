/**
 * The arithmetic of the published numbers, kept pure so it is tested without a database.
 *
 * Share of category C = participants with C / all participants of the scope. "Prefer not to say" and "not asked"
 * are categories of their own; the share among those who answered leaves both out of the denominator.
 */

/** Categories that are not an answer, left out of "share among those who answered". */
export const NON_ANSWERS: readonly string[] = ['prefer_not_to_say', 'not_asked', 'not_answered'];

export interface BreakdownCell {
  key: string;
  /** null when suppressed. */
  count: number | null;
  /** 0..1, rounded to 4 decimals; null when suppressed or when there is no participant. */
  share: number | null;
  /** Share among those who gave an answer; null for non-answers, when suppressed, or with no answers. */
  shareOfAnswered: number | null;
  suppressed: boolean;
}

export function ratio(part: number, whole: number): number | null {
  if (whole <= 0) return null;
  return Math.round((part / whole) * 10_000) / 10_000;
}

/**
 * Which cells of one table (counts of the same people by one dimension, adding up to a published total) to hide
 * so that no hidden count can be worked out from the published ones, even by someone who knows this rule.
 * Returns null when that is impossible while the total is published (the caller then hides the total too).
 *
 * 1. Primary: every count from 1 to threshold - 1.
 * 2. Complementary, while the hidden cells are not safe: every cell holding the smallest count not yet hidden,
 *    then (when no count is left) every zero. Cells are picked by value, never by position, so swapping the
 *    values of two hidden cells gives a table that publishes exactly the same thing.
 * Safe means: at least two hidden cells, and not all of them equal to 1 or to threshold - 1. Then every hidden
 * cell can take another value in a table that publishes the same numbers: swap it with a hidden cell of another
 * value, or, when all are equal (v with 1 < v < threshold - 1), move one participant between two of them.
 */
export function cellsToHide(counts: readonly number[], threshold: number): boolean[] | null {
  const hidden = counts.map((c) => c > 0 && c < threshold);
  if (threshold <= 1 || !hidden.some(Boolean)) return hidden;
  const safe = () => {
    const values = counts.filter((_, i) => hidden[i]);
    const first = values[0] as number;
    const allEqual = values.every((v) => v === first);
    return values.length >= 2 && !(allEqual && (first === 1 || first === threshold - 1));
  };
  while (!safe()) {
    const open = counts.filter((c, i) => !hidden[i] && c > 0);
    if (open.length > 0) {
      const smallest = Math.min(...open);
      counts.forEach((c, i) => {
        if (c === smallest) hidden[i] = true;
      });
    } else if (counts.some((c, i) => !hidden[i] && c === 0)) {
      counts.forEach((c, i) => {
        if (c === 0) hidden[i] = true;
      });
    } else {
      return null;
    }
  }
  return hidden;
}

const hiddenCell = (key: string): BreakdownCell => ({
  key,
  count: null,
  share: null,
  shareOfAnswered: null,
  suppressed: true,
});

/**
 * One row per category, in the given order (then any other keys found), with shares. With `suppressBelow`, cells
 * are hidden as `cellsToHide` says; with `hideAll` (a total too small to publish), every cell is.
 *
 * The share among those who answered has its own denominator (the answered total). Published, it would let anyone
 * work out the hidden cells' split between answers and non-answers (12 / 0.0811 = 148 answered, so 150 - 148 = 2
 * hidden non-answers). It is therefore published only when that denominator can already be computed from the
 * published counts: when every hidden cell is an answer, or every hidden cell is a non-answer.
 */
export function breakdown(
  counts: Record<string, number>,
  categories: readonly string[],
  total: number,
  options: { suppressBelow?: number; hideAll?: boolean } = {},
): BreakdownCell[] {
  const keys = [...categories, ...Object.keys(counts).filter((k) => !categories.includes(k))];
  if (options.hideAll) return keys.map(hiddenCell);
  const values = keys.map((k) => counts[k] ?? 0);
  const isAnswer = keys.map((k) => !NON_ANSWERS.includes(k));
  const answered = values.reduce((sum, v, i) => sum + (isAnswer[i] ? v : 0), 0);
  const threshold = options.suppressBelow ?? 0;
  const hidden = threshold > 1 ? cellsToHide(values, threshold) : values.map(() => false);
  if (!hidden) return keys.map(hiddenCell);
  const hiddenAnswers = hidden.some((h, i) => h && isAnswer[i]);
  const hiddenNonAnswers = hidden.some((h, i) => h && !isAnswer[i]);
  const answeredIsPublic = !(hiddenAnswers && hiddenNonAnswers);
  return keys.map((key, i) => {
    if (hidden[i]) return hiddenCell(key);
    const count = values[i] as number;
    return {
      key,
      count,
      share: ratio(count, total),
      shareOfAnswered: isAnswer[i] && answeredIsPublic ? ratio(count, answered) : null,
      suppressed: false,
    };
  });
}

/** A whole count shown publicly: null when it is small enough to single someone out. */
export function suppressTotal(count: number, suppressBelow?: number): number | null {
  if (suppressBelow && count > 0 && count < suppressBelow) return null;
  return count;
}

/** One dimension of a scope's counts: participants by category (every participant in exactly one). */
export interface DimensionCounts {
  counts: Record<string, number>;
  categories: readonly string[];
}

/**
 * The published form of every table of one scope (all of them add up to the same participants). Publicly, the
 * total is hidden with every cell when it is below the threshold, or when one of its tables cannot be protected
 * while the total is shown (e.g. 4 and 4 participants by language with a threshold of 5).
 */
export function publishTables<K extends string>(
  participants: number,
  responses: number,
  tables: Record<K, DimensionCounts>,
  suppressBelow?: number,
): { participants: number | null; responses: number | null; tables: Record<K, BreakdownCell[]> } {
  const entries = Object.entries(tables) as [K, DimensionCounts][];
  const threshold = suppressBelow ?? 0;
  const hideAll =
    threshold > 1 &&
    participants > 0 &&
    (participants < threshold ||
      entries.some(
        ([, t]) =>
          cellsToHide(
            [...t.categories, ...Object.keys(t.counts).filter((k) => !t.categories.includes(k))].map(
              (k) => t.counts[k] ?? 0,
            ),
            threshold,
          ) === null,
      ));
  const out = {} as Record<K, BreakdownCell[]>;
  for (const [name, t] of entries)
    out[name] = breakdown(t.counts, t.categories, participants, { suppressBelow, hideAll });
  return {
    participants: hideAll ? null : participants,
    responses: hideAll ? null : suppressTotal(responses, suppressBelow),
    tables: out,
  };
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function mean(values: number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}
