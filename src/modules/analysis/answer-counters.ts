import crypto from 'node:crypto';
import type { Connection } from 'mongoose';
import type { Collection, Document } from 'mongodb';
import { REGION_CATEGORIES, SECTOR_CATEGORIES } from '../../platform/classifications';
import { isDuplicateKey } from '../../platform/db/duplicate-key';
import { incrementOnce, opId } from '../../platform/db/guarded-counters';
import type { AnswerRecorder, SubmittedAnswers } from '../surveys';
import type { SurveyDefinition } from '../surveys';
import {
  addInto,
  contribution,
  flatten,
  safeKey,
  slicesOf,
  sumCounts,
  type Flat,
  type QuestionTypes,
  type SliceCounts,
} from './answer-counts';
import { AnswerLog, type LoggedResponse } from './answer-log';
import { AnswerSnapshots } from './answer-snapshot';

/**
 * Per-survey answer counters, kept at submission (see answer-counts.ts for what is counted and docs/ARCHITECTURE.md,
 * "Analysis counters").
 *
 * One counter document per (survey, slice, shard): `_id: ans:<surveyId>:<slice>:<shard>`, where the slice is
 * `all`, `s:<sector>`, `r:<region>` or `sr:<sector>:<region>`, and the shard is a hash of the response id, so a
 * response always lands in the same shard and a busy survey's documents (and their guard lists) stay small. A page
 * reads the shards of the one slice its filters select (by `_id`) and sums them.
 *
 * A submission (revision 1) adds the response's contribution to its four slices; an edit (revision r, with
 * `previous`) adds new - previous, moving the response between slices when its sector or region changed. Each
 * document's change is applied exactly once per (responseId, revision) by `incrementOnce`, so a retry, a replay by
 * the surveys module's reconciler, or two app instances recording the same submission count it once.
 */

export const ANSWER_COUNTERS_COLLECTION = 'answer_counters';
export const ANSWER_SHARDS = 4;

export type DefinitionsSource = (
  surveyId: string,
) => Promise<{ version: number; definition: SurveyDefinition }[]>;

interface CounterDoc extends Document {
  _id: string;
  surveyId: string;
  slice: string;
  shard: number;
  c?: Record<string, unknown>;
  ops?: Record<string, number>;
}

export function shardOf(responseId: string): number {
  return crypto.createHash('sha256').update(responseId).digest().readUInt32BE(0) % ANSWER_SHARDS;
}

export function counterId(surveyId: string, slice: string, shard: number): string {
  return `ans:${surveyId}:${slice}:${shard}`;
}

/** Every slice a survey can have (for a rebuild, which must also clear slices that no longer have responses). */
export function allSlices(): string[] {
  const sectors = SECTOR_CATEGORIES.map(safeKey);
  const regions = REGION_CATEGORIES.map(safeKey);
  return [
    'all',
    ...sectors.map((s) => `s:${s}`),
    ...regions.map((r) => `r:${r}`),
    ...sectors.flatMap((s) => regions.map((r) => `sr:${s}:${r}`)),
  ];
}

/** Question id -> type over every version, the current version's type first (as the analysis pages show them). */
export function questionTypes(versions: { definition: SurveyDefinition }[]): Map<string, string> {
  const types = new Map<string, string>();
  for (const { definition } of versions)
    for (const section of definition.sections)
      for (const question of section.questions)
        if (!types.has(question.id)) types.set(question.id, question.type);
  return types;
}

export class AnswerCounters implements AnswerRecorder {
  readonly collection: Collection<CounterDoc>;
  readonly log: AnswerLog;
  /** The "as of" figures and written answers, computed from the log by a background pass. */
  readonly snapshots: AnswerSnapshots;
  /** Question types per survey, with the newest version they were read at. Versions only ever add. */
  private readonly typeCache = new Map<string, { version: number; types: QuestionTypes }>();
  private definitions: DefinitionsSource | undefined;

  constructor(connection: Connection, definitions?: DefinitionsSource) {
    this.collection = connection.collection(ANSWER_COUNTERS_COLLECTION) as unknown as Collection<CounterDoc>;
    this.log = new AnswerLog(connection);
    this.snapshots = new AnswerSnapshots(connection, this.log, (surveyId) => {
      this.typeCache.delete(surveyId);
      return this.types(surveyId);
    });
    this.definitions = definitions;
  }

  /** Where question types come from (the surveys service, created after the counters it is given). */
  useDefinitions(source: DefinitionsSource): void {
    this.definitions = source;
    this.typeCache.clear();
  }

  /** The question types of a survey, read once per survey and again when a newer version is answered. */
  async types(surveyId: string, atLeastVersion = 0): Promise<QuestionTypes> {
    const cached = this.typeCache.get(surveyId);
    if (cached && cached.version >= atLeastVersion) return cached.types;
    if (!this.definitions) throw new Error('AnswerCounters: no definitions source');
    const versions = await this.definitions(surveyId);
    const entry = { version: Math.max(0, ...versions.map((v) => v.version)), types: questionTypes(versions) };
    if (this.typeCache.size > 1000) this.typeCache.clear();
    this.typeCache.set(surveyId, entry);
    return entry.types;
  }

  /** The increments per counter document for one recording (documents with nothing to change left out). */
  async increments(
    input: SubmittedAnswers,
  ): Promise<{ id: string; slice: string; shard: number; inc: Flat }[]> {
    const types = await this.types(input.surveyId, input.surveyVersion);
    const shard = shardOf(input.responseId);
    const bySlice = new Map<string, Flat>();
    const addTo = (slices: string[], flat: Flat, sign: number) => {
      for (const slice of slices) bySlice.set(slice, addInto(bySlice.get(slice) ?? {}, flat, sign));
    };
    const about = { locale: input.locale, channel: input.channel };
    addTo(
      slicesOf(input.sector, input.region),
      contribution(types, input.answers, { ...about, sector: input.sector, region: input.region }),
      1,
    );
    // An edit keeps the response's language and channel; its sector and region may change.
    if (input.previous)
      addTo(
        slicesOf(input.previous.sector, input.previous.region),
        contribution(types, input.previous.answers, {
          ...about,
          sector: input.previous.sector,
          region: input.previous.region,
        }),
        -1,
      );
    return [...bySlice]
      .filter(([, inc]) => Object.keys(inc).length > 0)
      .map(([slice, inc]) => ({ id: counterId(input.surveyId, slice, shard), slice, shard, inc }));
  }

  /** AnswerRecorder: counts a submission or an edit exactly once, and keeps the survey's answer log current. */
  async recordAnswers(input: SubmittedAnswers): Promise<void> {
    const op = opId('answers', input.responseId, String(input.revision));
    const increments = await this.increments(input);
    await Promise.all([
      ...increments.map(({ id, slice, shard, inc }) =>
        incrementOnce(
          this.collection as unknown as Collection<Document>,
          id,
          op,
          Object.fromEntries(Object.entries(inc).map(([path, amount]) => [`c.${path}`, amount])),
          { setOnInsert: { surveyId: input.surveyId, slice, shard } },
        ),
      ),
      this.log.record(input),
    ]);
  }

  /**
   * Takes a response's answers out of the counters (`excluded`) or puts them back, once per moderation action
   * `seq` (its own operation id, so excluding twice or replaying changes nothing), and marks its copy in the
   * answer log, which exports and the snapshot then skip. `input` is the response as counted (its revision then).
   */
  async moderate(input: SubmittedAnswers & { excluded: boolean; seq: number }): Promise<void> {
    const op = opId('answers-moderation', input.responseId, String(input.seq));
    const types = await this.types(input.surveyId, input.surveyVersion);
    const shard = shardOf(input.responseId);
    // With the breakdown keys (language, channel, sector, region) too, as at submission: an excluded response
    // leaves every filtered figure.
    const flat = contribution(types, input.answers, {
      locale: input.locale,
      channel: input.channel,
      sector: input.sector,
      region: input.region,
    });
    const sign = input.excluded ? -1 : 1;
    await Promise.all(
      slicesOf(input.sector, input.region).map((slice) =>
        incrementOnce(
          this.collection as unknown as Collection<Document>,
          counterId(input.surveyId, slice, shard),
          op,
          Object.fromEntries(Object.entries(addInto({}, flat, sign)).map(([path, n]) => [`c.${path}`, n])),
          { setOnInsert: { surveyId: input.surveyId, slice, shard } },
        ),
      ),
    );
    await this.log.setExcluded(input.surveyId, input.responseId, input.excluded);
  }

  /** One slice's counters, shards summed (one read by `_id` per shard). */
  async read(surveyId: string, slice: string): Promise<SliceCounts> {
    const docs = await Promise.all(
      Array.from({ length: ANSWER_SHARDS }, (_, shard) =>
        this.collection.findOne({ _id: counterId(surveyId, slice, shard) }, { projection: { c: 1 } }),
      ),
    );
    return sumCounts(docs.map((doc) => doc?.c ?? {}));
  }

  /** The counters every slice of a survey should hold, recomputed from the answer log (reads the survey's log). */
  async compute(surveyId: string): Promise<Map<string, Flat>> {
    this.typeCache.delete(surveyId);
    const types = await this.types(surveyId);
    const expected = new Map<string, Flat>();
    for await (const response of this.log.responses(surveyId)) {
      const flat = contribution(types, response.answers, response);
      const shard = shardOf(response.id);
      for (const slice of slicesOf(response.sector, response.region)) {
        const id = counterId(surveyId, slice, shard);
        expected.set(id, addInto(expected.get(id) ?? {}, flat));
      }
    }
    return expected;
  }

  /** What the counter documents of a survey hold now, as flat maps without zeros (for comparisons). */
  async stored(surveyId: string): Promise<Map<string, Flat>> {
    const stored = new Map<string, Flat>();
    for (const slice of allSlices()) {
      for (let shard = 0; shard < ANSWER_SHARDS; shard++) {
        const id = counterId(surveyId, slice, shard);
        const doc = await this.collection.findOne({ _id: id }, { projection: { c: 1 } });
        const flat = flatten(doc?.c ?? {});
        if (Object.keys(flat).length) stored.set(id, flat);
      }
    }
    return stored;
  }

  /**
   * Recomputes a survey's counters from its stored responses: the answer log is first refilled from `source` (the
   * surveys module's submitted responses), then every counter document is replaced by the recomputation. Meant for
   * bulk loads and repairs while the survey takes no submissions: a submission counted between the recomputation
   * and the replacement would be lost, and a replay of an operation already in the rebuilt figures would count
   * twice (the guard list is cleared).
   */
  async rebuild(surveyId: string, source?: AsyncIterable<LoggedResponse>): Promise<void> {
    if (source) await this.log.refill(surveyId, source);
    const expected = await this.compute(surveyId);
    for (const slice of allSlices()) {
      for (let shard = 0; shard < ANSWER_SHARDS; shard++) {
        const id = counterId(surveyId, slice, shard);
        const flat = expected.get(id);
        if (!flat) {
          await this.collection.deleteOne({ _id: id });
          continue;
        }
        const doc: CounterDoc = { _id: id, surveyId, slice, shard, c: sumCounts([flat]) as never, ops: {} };
        await this.collection.replaceOne({ _id: id }, doc, { upsert: true }).catch((error: unknown) => {
          if (!isDuplicateKey(error)) throw error;
          return this.collection.replaceOne({ _id: id }, doc);
        });
      }
    }
  }

  /** Forgets a survey's counters and answer log (tests, and a survey's deletion). */
  async drop(surveyId: string): Promise<void> {
    for (const slice of allSlices())
      for (let shard = 0; shard < ANSWER_SHARDS; shard++)
        await this.collection.deleteOne({ _id: counterId(surveyId, slice, shard) });
    await this.log.drop(surveyId);
  }
}
