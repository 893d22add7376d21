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
 * One row per category, in the given order (then any other keys found), with shares. With `suppressBelow`, counts
 * from 1 to suppressBelow - 1 are hidden; when that hides a single cell, the next smallest non-zero cell is hidden
 * too, so the hidden one cannot be recovered by subtracting the others from the total.
 */
export function breakdown(
  counts: Record<string, number>,
  categories: readonly string[],
  total: number,
  options: { suppressBelow?: number } = {},
): BreakdownCell[] {
  const keys = [...categories, ...Object.keys(counts).filter((k) => !categories.includes(k))];
  const answered = keys.filter((k) => !NON_ANSWERS.includes(k)).reduce((sum, k) => sum + (counts[k] ?? 0), 0);
  const cells = keys.map((key) => {
    const count = counts[key] ?? 0;
    return {
      key,
      count,
      share: ratio(count, total),
      shareOfAnswered: NON_ANSWERS.includes(key) ? null : ratio(count, answered),
      suppressed: false,
    };
  });
  const threshold = options.suppressBelow;
  if (threshold && threshold > 1) {
    const small = (c: BreakdownCell) => c.count !== null && c.count > 0 && c.count < threshold;
    for (const cell of cells) if (small(cell)) cell.suppressed = true;
    const hidden = cells.filter((c) => c.suppressed);
    if (hidden.length === 1) {
      const next = cells
        .filter((c) => !c.suppressed && (c.count ?? 0) > 0)
        .sort((a, b) => (a.count ?? 0) - (b.count ?? 0))[0];
      if (next) next.suppressed = true;
    }
    for (const cell of cells) {
      if (cell.suppressed) Object.assign(cell, { count: null, share: null, shareOfAnswered: null });
    }
  }
  return cells;
}

/** A whole count shown publicly: null when it is small enough to single someone out. */
export function suppressTotal(count: number, suppressBelow?: number): number | null {
  if (suppressBelow && count > 0 && count < suppressBelow) return null;
  return count;
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
