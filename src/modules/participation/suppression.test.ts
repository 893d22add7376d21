import { cellsToHide, publishTables, type DimensionCounts } from './metrics';

/**
 * Property tests of suppression: no hidden count can be worked out from everything published about its scope
 * (the total, every published count, share and share of those who answered, of every table), even by someone who
 * knows the suppression rule.
 *
 * A hidden cell is "recoverable" when every possible true table that publishes exactly the same numbers has the
 * same value in that cell. The exhaustive tests enumerate every table up to a size and group them by what they
 * publish; the random tests look, for each hidden cell of a large random table, for another table that publishes
 * the same numbers with a different value in that cell.
 */

type Table = Record<string, number>;

function publish(tables: Record<string, DimensionCounts>, threshold: number) {
  const first = Object.values(tables)[0] as DimensionCounts;
  const participants = Object.values(first.counts).reduce((a, b) => a + b, 0);
  return publishTables(participants, participants, tables, threshold);
}

const fingerprint = (published: unknown) => JSON.stringify(published);

/** Every vector of `length` non-negative integers adding up to `total`. */
function* compositions(total: number, length: number): Generator<number[]> {
  if (length === 1) {
    yield [total];
    return;
  }
  for (let first = 0; first <= total; first++)
    for (const rest of compositions(total - first, length - 1)) yield [first, ...rest];
}

function table(keys: readonly string[], values: readonly number[]): Table {
  return Object.fromEntries(keys.map((k, i) => [k, values[i] ?? 0]));
}

/** Groups candidate truths by what they publish; fails with the first hidden cell that has one possible value. */
function expectNothingRecoverable(
  candidates: Iterable<{ published: ReturnType<typeof publish>; cells: Record<string, Table> }>,
): { classes: number; hiddenCells: number } {
  const classes = new Map<
    string,
    { published: ReturnType<typeof publish>; values: Map<string, Set<number>> }
  >();
  for (const { published, cells } of candidates) {
    const key = fingerprint(published);
    let entry = classes.get(key);
    if (!entry) {
      entry = { published, values: new Map() };
      classes.set(key, entry);
    }
    for (const [dimension, rows] of Object.entries(published.tables)) {
      for (const row of rows) {
        if (!row.suppressed) continue;
        const id = `${dimension}.${row.key}`;
        const seen = entry.values.get(id) ?? new Set<number>();
        seen.add(cells[dimension]?.[row.key] ?? 0);
        entry.values.set(id, seen);
      }
    }
  }
  let hiddenCells = 0;
  for (const { published, values } of classes.values()) {
    for (const [id, seen] of values) {
      hiddenCells++;
      if (seen.size < 2)
        throw new Error(`${id} is recoverable (always ${[...seen].join()}) from ${fingerprint(published)}`);
    }
  }
  return { classes: classes.size, hiddenCells };
}

describe('suppression holds against everything published', () => {
  const KEYS = ['a', 'b', 'c', 'prefer_not_to_say'];

  it.each([2, 3, 5])(
    'when every table of 4 categories (one a non-answer) up to 22 participants is published with threshold %i, then no hidden cell has only one possible value',
    (threshold) => {
      function* all() {
        for (let n = 0; n <= 22; n++)
          for (const values of compositions(n, KEYS.length)) {
            const t = table(KEYS, values);
            yield {
              published: publish({ x: { counts: t, categories: KEYS } }, threshold),
              cells: { x: t },
            };
          }
      }
      const { hiddenCells } = expectNothingRecoverable(all());
      expect(hiddenCells).toBeGreaterThan(100); // the test looked at real suppression
    },
  );

  it('when two tables of one round (language × sector) share a total, then combining them recovers no hidden cell', () => {
    const LANGS = ['en', 'fr'];
    const SECTORS = ['civil_society', 'academia', 'not_asked'];
    function* all() {
      for (let n = 0; n <= 13; n++)
        for (const joint of compositions(n, LANGS.length * SECTORS.length)) {
          const lang = table(
            LANGS,
            LANGS.map((_, l) => SECTORS.reduce((sum, _s, s) => sum + (joint[l * 3 + s] ?? 0), 0)),
          );
          const sector = table(
            SECTORS,
            SECTORS.map((_, s) => LANGS.reduce((sum, _l, l) => sum + (joint[l * 3 + s] ?? 0), 0)),
          );
          yield {
            published: publish(
              {
                language: { counts: lang, categories: LANGS },
                sector: { counts: sector, categories: SECTORS },
              },
              5,
            ),
            cells: { language: lang, sector },
          };
        }
    }
    const { hiddenCells } = expectNothingRecoverable(all());
    expect(hiddenCells).toBeGreaterThan(100);
  });

  it('when 400 random large tables are published, then every hidden cell has another value in a table that publishes exactly the same numbers', () => {
    let seed = 20181011;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const KEYS16 = [...'abcdefghijklmn'].map((c) => `r_${c}`).concat(['prefer_not_to_say', 'not_asked']);
    let checked = 0;
    for (let round = 0; round < 400; round++) {
      const threshold = [3, 5, 10][round % 3] as number;
      // Heavy-tailed: many small cells, some zeros, a few large ones.
      const values = KEYS16.map(() => {
        const r = random();
        return r < 0.2 ? 0 : r < 0.7 ? 1 + Math.floor(random() * threshold) : Math.floor(random() * 200);
      });
      const dims = (v: readonly number[]) => ({ x: { counts: table(KEYS16, v), categories: KEYS16 } });
      const published = publish(dims(values), threshold);
      const target = fingerprint(published);
      const rows = published.tables.x ?? [];
      const hidden = rows.map((r, i) => (r.suppressed ? i : -1)).filter((i) => i >= 0);
      for (const i of hidden) {
        // Candidate other truths: swap with another hidden cell, move participants between two hidden cells, or
        // (when the total is hidden too) any table with a total below the threshold.
        const witnesses: number[][] = [];
        for (const j of hidden) {
          if (j === i) continue;
          const swapped = [...values];
          [swapped[i], swapped[j]] = [values[j] as number, values[i] as number];
          witnesses.push(swapped);
          for (const d of [1, -1, 2, -2]) {
            const moved = [...values];
            moved[i] = (values[i] as number) + d;
            moved[j] = (values[j] as number) - d;
            if ((moved[i] as number) >= 0 && (moved[j] as number) >= 0) witnesses.push(moved);
          }
        }
        if (published.participants === null)
          for (let k = 0; k < KEYS16.length; k++) witnesses.push(KEYS16.map((_, m) => (m === k ? 1 : 0)));
        const found = witnesses.some(
          (w) => w[i] !== values[i] && fingerprint(publish(dims(w), threshold)) === target,
        );
        if (!found)
          throw new Error(
            `cell ${KEYS16[i]} of ${JSON.stringify(values)} (threshold ${threshold}) has no other possible value`,
          );
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it("when the demo's region table is published, then the answered total no longer gives the hidden cells away", () => {
    // The audit: 150 participants, AB = 12 with 0.0811 of those who answered -> 148 answered -> 2 hidden non-answers.
    const counts = { ON: 60, QC: 33, BC: 20, AB: 12, MB: 6, SK: 5, NS: 5, NB: 3, NU: 2, not_asked: 2, YT: 2 };
    const keys = Object.keys(counts);
    const { tables } = publishTables(150, 150, { region: { counts, categories: keys } }, 5);
    const ab = tables.region.find((c) => c.key === 'AB');
    expect(ab).toMatchObject({ count: 12, share: 0.08, shareOfAnswered: null });
    expect(tables.region.every((c) => c.shareOfAnswered === null)).toBe(true);
  });

  it('when hidden cells are all answers, then the share of those who answered stays published (it reveals nothing new)', () => {
    const counts = { civil_society: 30, academia: 3, government: 4, individual: 105, prefer_not_to_say: 8 };
    const keys = Object.keys(counts);
    const { tables } = publishTables(150, 150, { sector: { counts, categories: keys } }, 5);
    expect(tables.sector.find((c) => c.key === 'civil_society')).toMatchObject({
      count: 30,
      share: 0.2,
      shareOfAnswered: 0.2113,
    });
    expect(tables.sector.filter((c) => c.suppressed).map((c) => c.key)).toEqual(['academia', 'government']);
  });

  it('when the rule decides, then it looks at values only: single, all-ones and all-(threshold-1) hidden sets take more cells', () => {
    expect(cellsToHide([2, 7, 50], 5)).toEqual([true, true, false]);
    expect(cellsToHide([1, 1, 50], 5)).toEqual([true, true, true]);
    expect(cellsToHide([4, 4, 9, 9, 20], 5)).toEqual([true, true, true, true, false]);
    expect(cellsToHide([3, 3, 50], 5)).toEqual([true, true, false]);
    expect(cellsToHide([1, 1, 1, 0, 0], 5)).toEqual([true, true, true, true, true]);
    expect(cellsToHide([4, 4], 5)).toBeNull();
    expect(cellsToHide([0, 5, 6], 5)).toEqual([false, false, false]);
  });

  it('when a total is below the threshold or a table cannot be protected, then the total and every table are hidden', () => {
    const lang = (en: number, fr: number) => ({ counts: { en, fr }, categories: ['en', 'fr'] });
    const small = publishTables(4, 6, { language: lang(1, 3) }, 5);
    expect(small).toMatchObject({ participants: null, responses: null });
    expect(small.tables.language.every((c) => c.suppressed && c.count === null)).toBe(true);
    const rigid = publishTables(8, 8, { language: lang(4, 4), channel: lang(8, 0) }, 5);
    expect(rigid.participants).toBeNull();
    expect(rigid.tables.channel.every((c) => c.suppressed)).toBe(true);
    const exact = publishTables(8, 8, { language: lang(4, 4) });
    expect(exact.participants).toBe(8);
    expect(exact.tables.language.map((c) => c.count)).toEqual([4, 4]);
  });
});
