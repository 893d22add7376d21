import crypto from 'node:crypto';
import mongoose from 'mongoose';
import { z } from 'zod';
import { AGE_RANGES, GENDERS, REGION_CATEGORIES, SECTOR_CATEGORIES } from '../../platform/classifications';
import { isDuplicateKey } from '../../platform/db/duplicate-key';
import { GUARD_WINDOW_MS, incrementOnce, opId, type Increments } from '../../platform/db/guarded-counters';
import { LOCALES } from '../../platform/i18n';
import type { Logger } from '../../platform/logger';
import {
  ROLLUP_SHARDS,
  SCOPES,
  participationId,
  rollupCells,
  rollupId,
  type Dimension,
  type MetaDoc,
  type ParticipantValues,
  type ParticipationDoc,
  type ParticipationModels,
  type ParticipationVersion,
  type RollupCell,
  type RollupDoc,
  type Scope,
  type SubmissionDoc,
} from './participation.model';
import type { ParticipationRecorder, SubmissionRecord } from './participation.types';

/** Dimension value for optional demographics a participant did not give (or did not consent to give). */
export const NOT_ANSWERED = 'not_answered';
const ALL = 'all';
const GENERATION = 'generation';
const REBUILD_LOCK = 'rebuild-lock';
const REBUILD_NEEDED = 'rebuild-needed';
/** A rebuild holds its lock this long at most (it renews nothing: a dead rebuild frees it by expiring). */
const REBUILD_LOCK_MS = 30 * 60 * 1000;
/** A compare-and-swap on a participation is retried this many times under contention before giving up. */
const MAX_ATTEMPTS = 100;

const submissionSchema = z.object({
  responseId: z.string().min(1).max(100),
  roundId: z.string().min(1).max(100),
  consultationId: z.string().min(1).max(100),
  surveyId: z.string().min(1).max(100),
  respondentKey: z.string().regex(/^(user|invite|anon):[\w-]{1,100}$/),
  sector: z.enum(SECTOR_CATEGORIES as [string, ...string[]]),
  region: z.enum(REGION_CATEGORIES as [string, ...string[]]),
  gender: z.enum(GENDERS).optional(),
  ageRange: z.enum(AGE_RANGES).optional(),
  locale: z.enum(LOCALES),
  channel: z.enum(['open', 'invited']),
  submittedAt: z.date(),
});

function sha(text: string): string {
  return crypto.createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

/** The dimension values one participation adds to its scope's counters. */
function participationCells(p: ParticipantValues): [Dimension, string][] {
  return [
    ['participants', ALL],
    ['sector', p.sector],
    ['region', p.region],
    ['locale', p.locale],
    ['channel', p.channel],
    ['gender', p.gender ?? NOT_ANSWERED],
    ['ageRange', p.ageRange ?? NOT_ANSWERED],
  ];
}

function valuesOf(s: SubmissionDoc): ParticipantValues {
  return {
    sector: s.sector,
    region: s.region,
    ...(s.gender ? { gender: s.gender } : {}),
    ...(s.ageRange ? { ageRange: s.ageRange } : {}),
    locale: s.locale,
    channel: s.channel,
    firstSubmittedAt: s.submittedAt,
    firstResponseId: s.responseId,
  };
}

/** True when `a` comes before `b` (anything comes before nothing: a participation whose submissions are excluded). */
function isEarlier(a: ParticipantValues, b: ParticipantValues | null): boolean {
  if (!b) return true;
  const at = new Date(a.firstSubmittedAt).getTime();
  const bt = new Date(b.firstSubmittedAt).getTime();
  return at < bt || (at === bt && a.firstResponseId < b.firstResponseId);
}

/** The counter change of one version: its `to` cells in, its `from` cells out. */
function versionIncrements(version: ParticipationVersion, inc: Increments): void {
  if (version.to) {
    for (const [dimension, value] of participationCells(version.to)) {
      const path = `counts.${dimension}.${value}`;
      inc[path] = (inc[path] ?? 0) + 1;
    }
  }
  if (version.from) {
    for (const [dimension, value] of participationCells(version.from)) {
      const path = `counts.${dimension}.${value}`;
      inc[path] = (inc[path] ?? 0) - 1;
    }
  }
}

function scopeIdOf(
  submission: Pick<SubmissionDoc, 'roundId' | 'consultationId' | 'surveyId'>,
  scope: Scope,
): string {
  return scope === 'round'
    ? submission.roundId
    : scope === 'consultation'
      ? submission.consultationId
      : submission.surveyId;
}

function shardOf(respondentHash: string): number {
  return respondentHash.charCodeAt(0) % ROLLUP_SHARDS;
}

export interface ScopeCounts {
  participants: number;
  responses: number;
  /** dimension -> value -> participants */
  by: Record<Exclude<Dimension, 'participants' | 'responses'>, Record<string, number>>;
}

export interface RebuildResult {
  submissions: number;
  participations: number;
  rollups: number;
  generation: number;
}

/**
 * Records who took part, exactly, without transactions, under any interleaving of any number of app instances
 * (MongoDB's model: single-document operations are atomic), and answers the counts.
 *
 * Recording one submission is a sequence of steps, each idempotent, so any part of it can be replayed (by a retried
 * request, or by the reconciler after a crash) without counting twice:
 * 1. the ledger keeps the submission (`_id` = response id; a second insert is a no-op);
 * 2. per scope, the participation is created, or moved to this submission when it is earlier than the one it holds
 *    (compare-and-swap on its version, retried); each such change is a numbered version kept in its history;
 * 3. per scope, one guarded increment applies "one more response" and the counter change of the version(s) this
 *    submission created, under an operation id derived from them, so it happens exactly once.
 * Live counters therefore never depend on arrival order, and equal a rebuild from the ledger.
 */
export class ParticipationService implements ParticipationRecorder {
  constructor(
    private readonly models: ParticipationModels,
    private readonly logger?: Logger,
  ) {}

  async init(): Promise<void> {
    await Promise.all([
      this.models.submissions.init(),
      this.models.participations.init(),
      this.models.rollups.init(),
      this.models.meta.init(),
    ]);
  }

  /** The generation of participations and rollups in use (0 until a first rebuild switches). */
  async generation(): Promise<number> {
    const doc = await this.models.meta.findById(GENERATION).lean<MetaDoc>();
    return doc?.gen ?? 0;
  }

  async recordSubmission(input: SubmissionRecord): Promise<void> {
    const record = submissionSchema.parse(input);
    try {
      await this.models.submissions.collection.insertOne({
        _id: record.responseId as never,
        ...record,
        recordedAt: new Date(),
      });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // Recorded before: a replay. One an officer has excluded since stays out of the counts.
      const ledger = await this.models.submissions.collection.findOne({ _id: record.responseId as never });
      if (ledger?.excluded) return;
    }
    // Read after the ledger write: a rebuild that switches generations later replays this submission itself.
    const gen = await this.generation();
    for (const scope of SCOPES) await this.applyToScope(gen, scope, record);
  }

  /**
   * For the reconciler: finishes recording a submission whose request did not. Within the guard window the steps
   * are replayed (each is idempotent); after it, the operation ids that make a replay harmless may have been
   * forgotten, so a rebuild is asked for instead, which counts everything from the ledger.
   */
  async replaySubmission(input: SubmissionRecord, intentCreatedAt: Date, now = new Date()): Promise<void> {
    if (now.getTime() - intentCreatedAt.getTime() < GUARD_WINDOW_MS - 60_000) {
      await this.recordSubmission(input);
      return;
    }
    const record = submissionSchema.parse(input);
    try {
      await this.models.submissions.collection.insertOne({
        _id: record.responseId as never,
        ...record,
        recordedAt: now,
      });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    await this.models.meta.updateOne(
      { _id: REBUILD_NEEDED },
      { $setOnInsert: { switchedAt: now } },
      { upsert: true },
    );
    this.logger?.warn({ responseId: record.responseId }, 'late replay: a rebuild of participation is due');
  }

  private async applyToScope(gen: number, scope: Scope, record: SubmissionDoc): Promise<void> {
    const scopeId = scopeIdOf(record, scope);
    const respondentHash = sha(record.respondentKey);
    const id = participationId(gen, scope, scopeId, respondentHash);
    const candidate = valuesOf(record);
    let mine: ParticipationVersion[];
    for (let attempt = 0; ; attempt += 1) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`participation ${id}: too much contention`);
      const first: ParticipationVersion = { v: 1, from: null, to: candidate };
      try {
        await this.models.participations.collection.insertOne({
          _id: id as never,
          gen,
          scope,
          scopeId,
          respondentKey: record.respondentKey,
          is: candidate,
          ver: 1,
          history: [first],
        });
        mine = [first];
        break;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const p = await this.models.participations.findById(id).lean<ParticipationDoc>();
      if (!p) continue; // deleted by a rebuild's clean-up of an old generation: try again
      // Versions this submission created before (a replay) are applied again below; the guard makes that harmless.
      mine = p.history.filter((h) => !h.op && h.to?.firstResponseId === record.responseId);
      if (!isEarlier(candidate, p.is)) break;
      const next: ParticipationVersion = { v: p.ver + 1, from: p.is, to: candidate };
      const swapped = await this.models.participations.updateOne(
        { _id: id, ver: p.ver },
        { $set: { is: candidate, ver: next.v }, $push: { history: next } },
      );
      if (swapped.modifiedCount === 1) {
        mine = [...mine, next];
        break;
      }
    }
    const inc: Increments = { [`counts.responses.${ALL}`]: 1 };
    for (const version of mine) versionIncrements(version, inc);
    const shard = shardOf(respondentHash);
    await incrementOnce(
      this.models.rollups.collection,
      rollupId(gen, scope, scopeId, shard),
      opId('submission', record.responseId, scope, mine.map((h) => h.v).join(',')),
      inc,
      { setOnInsert: { gen, scope, scopeId, shard } },
    );
  }

  /** True while a rebuild holds its lease (moderation waits: see setExcluded). */
  async rebuildRunning(at = new Date()): Promise<boolean> {
    const lock = await this.models.meta.findById(REBUILD_LOCK).lean<MetaDoc>();
    return Boolean(lock?.until && new Date(lock.until).getTime() > at.getTime());
  }

  /**
   * Takes a submitted response out of every count (`excluded`), or puts it back, for moderation action `seq` (the
   * response's own sequence of exclude/restore actions, so each action has its own operation ids and an action
   * replayed changes nothing). See setExcludedMany.
   */
  async setExcluded(
    responseId: string,
    excluded: boolean,
    seq: number,
    replayedFrom?: Date,
    now = new Date(),
  ): Promise<void> {
    await this.setExcludedMany([{ responseId, excluded, seq }], replayedFrom, now);
  }

  /**
   * Moderation of several responses at once (an officer excluding a flood's responses). Steps, each idempotent:
   * 1. each ledger entry says `excluded` (rebuilds leave it out);
   * 2. per scope, the participation is set to the respondent's earliest submission that is not excluded (or to
   *    none), by compare-and-swap; each change is a version tagged with the action. Which submissions a
   *    respondent has is a read of the ledger by respondent (a scan on FerretDB: an officer's action, never a
   *    respondent's request), one for the whole batch, and one more after any change, until nothing changes: a
   *    submission recorded meanwhile, which saw the old participation, is seen then;
   * 3. per scope, each tagged version's counter change and "one response fewer" (or more), each once.
   * Actions on one response never overlap (the surveys module finishes one before it starts the next). The
   * reconciler's replay after the guard window asks for a rebuild instead (like a late submission).
   */
  async setExcludedMany(
    items: { responseId: string; excluded: boolean; seq: number }[],
    replayedFrom?: Date,
    now = new Date(),
  ): Promise<void> {
    const ledger = this.models.submissions.collection;
    const actions: { record: SubmissionDoc; excluded: boolean; seq: number }[] = [];
    for (const item of items) {
      const entry = await ledger.findOne({ _id: item.responseId as never });
      if (!entry) continue; // never recorded (a submission given up): nothing counts it
      if ((entry.exSeq ?? 0) <= item.seq)
        await ledger.updateOne(
          { _id: item.responseId as never },
          { $set: { excluded: item.excluded, exSeq: item.seq } },
        );
      actions.push({ record: entry as unknown as SubmissionDoc, excluded: item.excluded, seq: item.seq });
    }
    if (!actions.length) return;
    if (replayedFrom && now.getTime() - replayedFrom.getTime() >= GUARD_WINDOW_MS - 60_000) {
      await this.models.meta.updateOne(
        { _id: REBUILD_NEEDED },
        { $setOnInsert: { switchedAt: now } },
        { upsert: true },
      );
      this.logger?.warn(
        { count: actions.length },
        'late replay of a moderation: a rebuild of participation is due',
      );
      return;
    }
    const gen = await this.generation();
    const keys = [...new Set(actions.map((a) => a.record.respondentKey))];
    const tagOf = (a: (typeof actions)[number]) => `m${a.seq}:${a.record.responseId}`;
    for (let round = 0; ; round += 1) {
      if (round >= MAX_ATTEMPTS) throw new Error('moderation: too much contention');
      const theirs = await this.models.submissions
        .find({ respondentKey: mongoose.trusted({ $in: keys }) as never })
        .lean<SubmissionDoc[]>();
      let changed = false;
      for (const action of actions)
        for (const scope of SCOPES)
          if (await this.settleScope(gen, scope, action.record, tagOf(action), theirs)) changed = true;
      if (!changed) break;
    }
    for (const action of actions)
      for (const scope of SCOPES) await this.applyModeration(gen, scope, action, tagOf(action));
  }

  /**
   * Sets the participation of the action's respondent in `scope` to their earliest submission in `theirs` that is
   * not excluded (or to none). Returns true when it changed it.
   */
  private async settleScope(
    gen: number,
    scope: Scope,
    record: SubmissionDoc,
    tag: string,
    theirs: SubmissionDoc[],
  ): Promise<boolean> {
    const scopeId = scopeIdOf(record, scope);
    const id = participationId(gen, scope, scopeId, sha(record.respondentKey));
    let target: ParticipantValues | null = null;
    for (const s of theirs) {
      if (s.excluded || s.respondentKey !== record.respondentKey || scopeIdOf(s, scope) !== scopeId) continue;
      const values = valuesOf(s);
      if (isEarlier(values, target)) target = values;
    }
    const participations = this.models.participations.collection;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const p = (await participations.findOne({ _id: id as never })) as ParticipationDoc | null;
      if ((p?.is?.firstResponseId ?? null) === (target?.firstResponseId ?? null)) return attempt > 0;
      if (!p) {
        const first: ParticipationVersion = { v: 1, from: null, to: target, op: tag };
        try {
          await participations.insertOne({
            _id: id as never,
            gen,
            scope,
            scopeId,
            respondentKey: record.respondentKey,
            is: target,
            ver: 1,
            history: [first],
          });
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
        continue;
      }
      const next: ParticipationVersion = { v: p.ver + 1, from: p.is, to: target, op: tag };
      await participations.updateOne({ _id: id as never, ver: p.ver }, {
        $set: { is: target, ver: next.v },
        $push: { history: next },
      } as never);
      // Swapped or not, read again: the comparison above is what ends the loop.
    }
    throw new Error(`participation ${id}: too much contention`);
  }

  /** The counter changes of one action in one scope: its tagged versions, and one response fewer (or more). */
  private async applyModeration(
    gen: number,
    scope: Scope,
    action: { record: SubmissionDoc; excluded: boolean; seq: number },
    tag: string,
  ): Promise<void> {
    const { record, excluded, seq } = action;
    const scopeId = scopeIdOf(record, scope);
    const respondentHash = sha(record.respondentKey);
    const p = (await this.models.participations.collection.findOne({
      _id: participationId(gen, scope, scopeId, respondentHash) as never,
    })) as ParticipationDoc | null;
    const rollup = rollupId(gen, scope, scopeId, shardOf(respondentHash));
    const setOnInsert = { gen, scope, scopeId, shard: shardOf(respondentHash) };
    for (const version of p?.history.filter((h) => h.op === tag) ?? []) {
      const inc: Increments = {};
      versionIncrements(version, inc);
      await incrementOnce(
        this.models.rollups.collection,
        rollup,
        opId('moderation', record.responseId, String(seq), scope, String(version.v)),
        inc,
        { setOnInsert },
      );
    }
    await incrementOnce(
      this.models.rollups.collection,
      rollup,
      opId('moderation', record.responseId, String(seq), scope),
      { [`counts.responses.${ALL}`]: excluded ? -1 : 1 },
      { setOnInsert },
    );
  }

  /** Counters of one round, consultation or survey: a few point reads, whatever the number of responses. */
  async counts(scope: Scope, scopeId: string): Promise<ScopeCounts> {
    const gen = await this.generation();
    const docs: RollupDoc[] = [];
    for (let shard = 0; shard < ROLLUP_SHARDS; shard += 1) {
      const doc = await this.models.rollups
        .findById(rollupId(gen, scope, String(scopeId), shard), { counts: 1, scope: 1, scopeId: 1 })
        .lean<RollupDoc>();
      if (doc) docs.push(doc);
    }
    return countsFrom(rollupCells(docs));
  }

  /**
   * Recomputes participations and rollups from the submissions ledger, in submission order, exactly as live
   * recording would have. Returns them without writing anything.
   */
  async computeFromLedger(gen = 0): Promise<{
    participations: ParticipationDoc[];
    rollups: RollupDoc[];
    cells: RollupCell[];
    submissions: number;
    ledger: {
      responseId: string;
      recordedAt?: Date;
      respondentKey: string;
      roundId: string;
      consultationId: string;
      surveyId: string;
    }[];
  }> {
    const participations = new Map<string, ParticipationDoc>();
    const rollups = new Map<string, RollupDoc>();
    const add = (scope: Scope, scopeId: string, respondentHash: string, cells: [Dimension, string][]) => {
      const shard = shardOf(respondentHash);
      const id = rollupId(gen, scope, scopeId, shard);
      const doc = rollups.get(id) ?? { _id: id, gen, scope, scopeId, shard, counts: {}, ops: {} };
      for (const [dimension, value] of cells) {
        const values = (doc.counts[dimension] ??= {});
        values[value] = (values[value] ?? 0) + 1;
      }
      rollups.set(id, doc);
    };
    let submissions = 0;
    const ledger = [];
    const cursor = this.models.submissions
      .find()
      .sort({ submittedAt: 1, responseId: 1 })
      .lean<SubmissionDoc & { recordedAt?: Date }>()
      .cursor();
    for await (const s of cursor) {
      if (s.excluded) continue; // excluded by an officer: in no count
      submissions++;
      ledger.push({
        responseId: s.responseId,
        recordedAt: s.recordedAt,
        respondentKey: s.respondentKey,
        roundId: s.roundId,
        consultationId: s.consultationId,
        surveyId: s.surveyId,
      });
      const respondentHash = sha(s.respondentKey);
      for (const scope of SCOPES) {
        const scopeId = scopeIdOf(s, scope);
        add(scope, scopeId, respondentHash, [['responses', ALL]]);
        const id = participationId(gen, scope, scopeId, respondentHash);
        if (participations.has(id)) continue;
        const is = valuesOf(s);
        participations.set(id, {
          _id: id,
          gen,
          scope,
          scopeId,
          respondentKey: s.respondentKey,
          is,
          ver: 1,
          history: [{ v: 1, from: null, to: is }],
        });
        add(scope, scopeId, respondentHash, participationCells(is));
      }
    }
    const docs = [...rollups.values()];
    return {
      participations: [...participations.values()],
      rollups: docs,
      cells: rollupCells(docs),
      submissions,
      ledger,
    };
  }

  /** The live counters (current generation) as non-zero cells. (Zero means absent.) */
  async liveRollups(): Promise<RollupCell[]> {
    const gen = await this.generation();
    return rollupCells(
      await this.models.rollups.find({ gen }, { counts: 1, scope: 1, scopeId: 1 }).lean<RollupDoc[]>(),
    );
  }

  /**
   * Recomputes participations and rollups from the ledger into a new generation and switches to it in one write;
   * safe while the app records submissions (`npm run metrics:rebuild`, and the reconciler after a late replay):
   * - one rebuild at a time, across instances (a lease in participation_meta);
   * - the new generation is written beside the live one, which readers keep using until the switch;
   * - operations of submissions that arrived in the last guard window are marked applied in the new generation,
   *   and, after the switch, every submission that arrived since the rebuild began is recorded again (idempotent),
   *   so one recorded in the old generation meanwhile is not lost, and one already counted is not counted twice;
   * - the old generation is deleted last.
   */
  async rebuild(now: () => Date = () => new Date()): Promise<RebuildResult> {
    const owner = crypto.randomUUID();
    const started = now();
    const locked = await this.acquireRebuildLock(owner, started);
    if (!locked) throw new Error('another rebuild of participation is running');
    try {
      const current = await this.generation();
      const gen = current + 1;
      await this.deleteGeneration(gen); // leftovers of a rebuild that died
      const computed = await this.computeFromLedger(gen);
      // Mark as applied the operations a replay of a recent submission would perform in the new generation.
      const recent = computed.ledger.filter(
        (s) => !s.recordedAt || started.getTime() - new Date(s.recordedAt).getTime() < GUARD_WINDOW_MS,
      );
      const byId = new Map(computed.rollups.map((r) => [r._id, r]));
      const participations = new Map(computed.participations.map((p) => [p._id, p]));
      for (const s of recent) {
        const respondentHash = sha(s.respondentKey);
        for (const scope of SCOPES) {
          const scopeId = scopeIdOf(s, scope);
          const p = participations.get(participationId(gen, scope, scopeId, respondentHash));
          const versions =
            p?.history.filter((h) => h.to?.firstResponseId === s.responseId).map((h) => h.v) ?? [];
          const rollup = byId.get(rollupId(gen, scope, scopeId, shardOf(respondentHash)));
          if (rollup) {
            (rollup.ops ??= {})[opId('submission', s.responseId, scope, versions.join(','))] =
              started.getTime();
          }
        }
      }
      for (let i = 0; i < computed.participations.length; i += 1000)
        await this.models.participations.collection.insertMany(
          computed.participations.slice(i, i + 1000) as never[],
          {
            ordered: false,
          },
        );
      for (let i = 0; i < computed.rollups.length; i += 500)
        await this.models.rollups.collection.insertMany(computed.rollups.slice(i, i + 500) as never[], {
          ordered: false,
        });
      const switched = await this.models.meta.updateOne(
        { _id: GENERATION, ...(current === 0 ? {} : { gen: current }) },
        { $set: { gen, switchedAt: now() } },
        { upsert: current === 0 },
      );
      if (switched.modifiedCount + switched.upsertedCount !== 1)
        throw new Error('the generation changed during the rebuild');
      // Whatever arrived since the rebuild began may have been counted only in the old generation.
      const since = started.getTime() - 60_000;
      const arrived = await this.models.submissions
        .find({ recordedAt: mongoose.trusted({ $gte: new Date(since) }) as never })
        .lean<SubmissionDoc[]>();
      for (const s of arrived) {
        if (s.excluded) continue;
        for (const scope of SCOPES) await this.applyToScope(gen, scope, s);
      }
      await this.models.meta.deleteOne({
        _id: REBUILD_NEEDED,
        switchedAt: mongoose.trusted({ $lte: started }) as never,
      });
      await this.deleteGeneration(current);
      return {
        submissions: computed.submissions,
        participations: computed.participations.length,
        rollups: computed.cells.length,
        generation: gen,
      };
    } finally {
      await this.models.meta.deleteOne({ _id: REBUILD_LOCK, owner });
    }
  }

  /** Rebuilds if a late replay asked for it (called by the reconciler). */
  async rebuildIfNeeded(): Promise<boolean> {
    const needed = await this.models.meta.findById(REBUILD_NEEDED).lean<MetaDoc>();
    if (!needed) return false;
    await this.rebuild();
    return true;
  }

  private async acquireRebuildLock(owner: string, at: Date): Promise<boolean> {
    const until = new Date(at.getTime() + REBUILD_LOCK_MS);
    try {
      const result = await this.models.meta.updateOne(
        { _id: REBUILD_LOCK, until: mongoose.trusted({ $lte: at }) as never },
        { $set: { until, owner } },
        { upsert: true },
      );
      return result.modifiedCount + result.upsertedCount === 1;
    } catch (error) {
      if (isDuplicateKey(error)) return false; // held by another rebuild
      throw error;
    }
  }

  private async deleteGeneration(gen: number): Promise<void> {
    await this.models.participations.deleteMany({ gen });
    await this.models.rollups.deleteMany({ gen });
  }
}

export function countsFrom(docs: Pick<RollupCell, 'dimension' | 'value' | 'count'>[]): ScopeCounts {
  const counts: ScopeCounts = {
    participants: 0,
    responses: 0,
    by: { sector: {}, region: {}, locale: {}, channel: {}, gender: {}, ageRange: {} },
  };
  for (const doc of docs) {
    if (doc.dimension === 'participants') counts.participants = doc.count;
    else if (doc.dimension === 'responses') counts.responses = doc.count;
    else if (doc.count !== 0) counts.by[doc.dimension][doc.value] = doc.count;
  }
  return counts;
}
