import crypto from 'node:crypto';
import type { Connection } from 'mongoose';
import type { Collection, Document } from 'mongodb';
import { NOT_ASKED } from '../../platform/classifications';
import { isDuplicateKey } from '../../platform/db/duplicate-key';
import type { AnswerLog } from './answer-log';
import { isEmptyAnswer, slicesOf, type QuestionTypes, type SnapshotFigures } from './answer-counts';

/**
 * The "as of" snapshot: what counters cannot keep, computed by a background pass over one survey's answer log and
 * shown with the time it was taken.
 *
 * - per slice (same slices as the counters): median, lowest, highest and distribution of number answers, earliest
 *   and latest dates (`snapf:<surveyId>:<gen>:<slice>`);
 * - per question, written answers (text answers and "other" texts) in pages of TEXT_PAGE, in log order, each with
 *   the respondent's sector and region so filters apply while paging (`snapt:<surveyId>:<gen>:<qid>:<page>`);
 * - a head document (`snap:<surveyId>`) naming the current generation, when it was taken and how many written
 *   answers each question has. A run writes a new generation, then points the head at it, then deletes the old one,
 *   so readers always see one complete snapshot. A lease in the head keeps to one run per survey at a time.
 *
 * Every read of a page is bounded: the head, one figures document, and at most `budget` text pages.
 */

export const ANSWER_SNAPSHOTS_COLLECTION = 'answer_snapshots';
export const TEXT_PAGE = 100;
const LEASE_MS = 15 * 60 * 1000;
const DISTRIBUTION_ROWS = 30;

export interface TextEntry {
  t: string;
  s: string;
  r: string;
}

interface HeadDoc extends Document {
  _id: string;
  surveyId: string;
  gen?: string;
  at?: Date;
  slices?: string[];
  texts?: Record<string, number>;
  leaseUntil?: Date;
  leaseBy?: string;
  startedAt?: Date;
}

export interface SnapshotHead {
  at: Date | null;
  gen: string | null;
  texts: Record<string, number>;
  running: boolean;
}

export interface TextPage {
  /** The written answers found, in log order, with their position. */
  items: { index: number; text: string }[];
  /** Position to continue from (next), or to go back before (previous); null at either end. */
  next: number | null;
  previous: number | null;
  /** Written answers in the snapshot for this question (before filters). */
  total: number;
  /** True when the reading budget ran out before `limit` matches were found. */
  partial: boolean;
}

const headId = (surveyId: string) => `snap:${surveyId}`;
const figuresId = (surveyId: string, gen: string, slice: string) => `snapf:${surveyId}:${gen}:${slice}`;
const textPageId = (surveyId: string, gen: string, questionId: string, page: number) =>
  `snapt:${surveyId}:${gen}:${questionId}:${page}`;

const TEXT_TYPES = new Set(['short_text', 'long_text']);
const OTHER_TYPES = new Set(['single_choice', 'dropdown', 'multiple_choice']);

/** Number answers of one question in one slice, as a histogram (memory grows with distinct values only). */
class NumberFigures {
  readonly histogram = new Map<number, number>();
  total = 0;
  add(n: number) {
    this.histogram.set(n, (this.histogram.get(n) ?? 0) + 1);
    this.total++;
  }
  result() {
    const values = [...this.histogram.keys()].sort((a, b) => a - b);
    const at = (index: number) => {
      let seen = 0;
      for (const value of values) {
        seen += this.histogram.get(value) as number;
        if (index < seen) return value;
      }
      return values[values.length - 1] as number;
    };
    const middle = Math.floor(this.total / 2);
    return {
      answered: this.total,
      median: this.total ? (this.total % 2 ? at(middle) : (at(middle - 1) + at(middle)) / 2) : null,
      min: values.length ? (values[0] as number) : null,
      max: values.length ? (values[values.length - 1] as number) : null,
      distribution: values
        .slice(0, DISTRIBUTION_ROWS)
        .map((value) => ({ key: String(value), count: this.histogram.get(value) as number })),
    };
  }
}

export class AnswerSnapshots {
  readonly collection: Collection<Document>;

  constructor(
    connection: Connection,
    private readonly log: AnswerLog,
    private readonly types: (surveyId: string) => Promise<QuestionTypes>,
  ) {
    this.collection = connection.collection(ANSWER_SNAPSHOTS_COLLECTION) as unknown as Collection<Document>;
  }

  async head(surveyId: string, now = new Date()): Promise<SnapshotHead> {
    const doc = (await this.collection.findOne({ _id: headId(surveyId) as never })) as HeadDoc | null;
    return {
      at: doc?.at ?? null,
      gen: doc?.gen ?? null,
      texts: doc?.texts ?? {},
      running: Boolean(doc?.leaseUntil && doc.leaseUntil > now),
    };
  }

  /** One slice's figures from the current snapshot (undefined before the first run). */
  async figures(surveyId: string, gen: string | null, slice: string): Promise<SnapshotFigures | undefined> {
    if (!gen) return undefined;
    const doc = await this.collection.findOne({ _id: figuresId(surveyId, gen, slice) as never });
    return doc ? { numbers: doc.numbers as never, dates: doc.dates as never } : {};
  }

  /**
   * Written answers of one question, `limit` at a time, matching the filters: forward from position `from`, or
   * backward from before position `before`. Reads at most `budget` pages of TEXT_PAGE answers.
   */
  async texts(
    surveyId: string,
    head: SnapshotHead,
    questionId: string,
    options: {
      sector?: string;
      region?: string;
      q?: string;
      from?: number;
      before?: number;
      limit: number;
      budget: number;
    },
  ): Promise<TextPage> {
    const total = head.texts[questionId] ?? 0;
    const empty = { items: [], next: null, previous: null, total, partial: false };
    if (!head.gen || total === 0) return empty;
    const needle = options.q?.toLowerCase() ?? '';
    const matches = (e: TextEntry) =>
      (!options.sector || e.s === options.sector) &&
      (!options.region || e.r === options.region) &&
      (!needle || e.t.toLowerCase().includes(needle));
    const backward = options.before !== undefined;
    let position = backward
      ? Math.min(Math.max(0, options.before ?? 0), total) - 1
      : Math.min(Math.max(0, options.from ?? 0), total);
    const start = position;
    const found: { index: number; text: string }[] = [];
    const cache = new Map<number, TextEntry[]>();
    let pagesRead = 0;
    let partial = false;
    while (backward ? position >= 0 : position < total) {
      const page = Math.floor(position / TEXT_PAGE);
      if (!cache.has(page)) {
        if (pagesRead >= options.budget) {
          partial = true;
          break;
        }
        const doc = await this.collection.findOne({
          _id: textPageId(surveyId, head.gen, questionId, page) as never,
        });
        cache.set(page, (doc?.entries as TextEntry[] | undefined) ?? []);
        pagesRead++;
      }
      const entry = cache.get(page)?.[position % TEXT_PAGE];
      if (entry && matches(entry)) {
        found.push({ index: position, text: entry.t });
        if (found.length >= options.limit) {
          position += backward ? -1 : 1;
          break;
        }
      }
      position += backward ? -1 : 1;
    }
    // [low, high) is the range examined.
    const [low, high] = backward ? [position + 1, start + 1] : [start, position];
    if (backward) found.reverse();
    return {
      items: found,
      previous: low > 0 ? low : null,
      next: high < total ? high : null,
      total,
      partial,
    };
  }

  /** Takes the survey's lease; false when another run holds it. */
  private async lease(surveyId: string, runId: string, now: Date): Promise<boolean> {
    const filter = {
      _id: headId(surveyId),
      $or: [{ leaseUntil: { $exists: false } }, { leaseUntil: { $lt: now } }],
    };
    const update = {
      $set: { leaseUntil: new Date(now.getTime() + LEASE_MS), leaseBy: runId, startedAt: now },
      $setOnInsert: { surveyId },
    };
    try {
      const result = await this.collection.updateOne(filter as never, update, { upsert: true });
      return result.modifiedCount + result.upsertedCount === 1;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /**
   * Computes a new snapshot of the survey from its answer log. Returns false when another run is in progress.
   * The time shown is when the pass started: every response recorded before it is included.
   */
  async refresh(surveyId: string, now = new Date()): Promise<boolean> {
    const runId = crypto.randomBytes(8).toString('hex');
    if (!(await this.lease(surveyId, runId, now))) return false;
    try {
      await this.run(surveyId, runId, now);
    } finally {
      await this.collection.updateOne(
        { _id: headId(surveyId) as never, leaseBy: runId },
        { $unset: { leaseUntil: 1, leaseBy: 1 } },
      );
    }
    return true;
  }

  private async run(surveyId: string, runId: string, now: Date): Promise<void> {
    const types = await this.types(surveyId);
    const gen = `${now.getTime().toString(36)}${runId.slice(0, 4)}`;
    const numbers = new Map<string, Map<string, NumberFigures>>();
    const dates = new Map<string, Map<string, { earliest: string; latest: string }>>();
    const pages = new Map<string, { page: number; entries: TextEntry[]; count: number }>();
    const flush = async (questionId: string, buffer: { page: number; entries: TextEntry[] }) => {
      const id = textPageId(surveyId, gen, questionId, buffer.page);
      await this.collection.replaceOne({ _id: id as never }, { entries: buffer.entries }, { upsert: true });
    };
    const addText = async (questionId: string, entry: TextEntry) => {
      const buffer = pages.get(questionId) ?? { page: 0, entries: [], count: 0 };
      pages.set(questionId, buffer);
      buffer.entries.push(entry);
      buffer.count++;
      if (buffer.entries.length === TEXT_PAGE) {
        await flush(questionId, buffer);
        buffer.page++;
        buffer.entries = [];
      }
    };
    for await (const response of this.log.responses(surveyId)) {
      const slices = slicesOf(response.sector, response.region);
      const s = response.sector || NOT_ASKED;
      const r = response.region || NOT_ASKED;
      for (const [questionId, value] of Object.entries(response.answers)) {
        const type = types.get(questionId);
        if (!type || isEmptyAnswer(value)) continue;
        if (type === 'number') {
          const n = typeof value === 'number' ? value : Number(value);
          if (!Number.isFinite(n)) continue;
          for (const slice of slices) {
            const bySlice = numbers.get(slice) ?? new Map<string, NumberFigures>();
            numbers.set(slice, bySlice);
            const figures = bySlice.get(questionId) ?? new NumberFigures();
            bySlice.set(questionId, figures);
            figures.add(n);
          }
        } else if (type === 'date') {
          const d = String(value);
          for (const slice of slices) {
            const bySlice = dates.get(slice) ?? new Map<string, { earliest: string; latest: string }>();
            dates.set(slice, bySlice);
            const range = bySlice.get(questionId);
            if (!range) bySlice.set(questionId, { earliest: d, latest: d });
            else {
              if (d < range.earliest) range.earliest = d;
              if (d > range.latest) range.latest = d;
            }
          }
        } else if (TEXT_TYPES.has(type)) {
          await addText(questionId, { t: String(value), s, r });
        }
        const other = response.otherText?.[questionId];
        if (other && OTHER_TYPES.has(type)) await addText(questionId, { t: other, s, r });
      }
    }
    for (const [questionId, buffer] of pages) if (buffer.entries.length) await flush(questionId, buffer);
    const slices = [...new Set([...numbers.keys(), ...dates.keys()])];
    for (const slice of slices) {
      const doc = {
        numbers: Object.fromEntries(
          [...(numbers.get(slice) ?? new Map<string, NumberFigures>())].map(([q, f]) => [q, f.result()]),
        ),
        dates: Object.fromEntries(dates.get(slice) ?? new Map()),
      };
      await this.collection.replaceOne({ _id: figuresId(surveyId, gen, slice) as never }, doc, {
        upsert: true,
      });
    }
    const previous = (await this.collection.findOne({ _id: headId(surveyId) as never })) as HeadDoc | null;
    const texts = Object.fromEntries([...pages].map(([q, b]) => [q, b.count]));
    const switched = await this.collection.updateOne(
      { _id: headId(surveyId) as never, leaseBy: runId },
      { $set: { gen, at: now, slices, texts } },
    );
    // Lost the lease (the run took longer than LEASE_MS and another run started): this generation is not used.
    const obsolete = switched.modifiedCount === 1 ? previous : { gen, slices, texts };
    if (obsolete?.gen) await this.deleteGeneration(surveyId, obsolete as HeadDoc);
  }

  private async deleteGeneration(surveyId: string, doc: HeadDoc): Promise<void> {
    const gen = doc.gen as string;
    for (const slice of doc.slices ?? [])
      await this.collection.deleteOne({ _id: figuresId(surveyId, gen, slice) as never });
    for (const [questionId, count] of Object.entries(doc.texts ?? {}))
      for (let page = 0; page * TEXT_PAGE < count; page++)
        await this.collection.deleteOne({ _id: textPageId(surveyId, gen, questionId, page) as never });
  }
}
