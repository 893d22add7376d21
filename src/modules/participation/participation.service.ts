import { z } from 'zod';
import { AGE_RANGES, GENDERS, REGION_CATEGORIES, SECTOR_CATEGORIES } from '../../platform/classifications';
import { isDuplicateKey } from '../../platform/db/duplicate-key';
import { LOCALES } from '../../platform/i18n';
import {
  SCOPES,
  rollupCells,
  rollupId,
  type Dimension,
  type RollupCell,
  type ParticipationDoc,
  type ParticipationModels,
  type RollupDoc,
  type Scope,
  type SubmissionDoc,
} from './participation.model';
import type { ParticipationRecorder, SubmissionRecord } from './participation.types';

/** Dimension value for optional demographics a participant did not give (or did not consent to give). */
export const NOT_ANSWERED = 'not_answered';
const ALL = 'all';

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

/** The dimension values one participation adds to its scope's counters. */
function participationCells(
  p: Pick<ParticipationDoc, 'sector' | 'region' | 'locale' | 'channel' | 'gender' | 'ageRange'>,
) {
  const cells: [Dimension, string][] = [
    ['participants', ALL],
    ['sector', p.sector],
    ['region', p.region],
    ['locale', p.locale],
    ['channel', p.channel],
    ['gender', p.gender ?? NOT_ANSWERED],
    ['ageRange', p.ageRange ?? NOT_ANSWERED],
  ];
  return cells;
}

type Cell = [Dimension, string, number];

function isEarlier(a: Pick<ParticipationDoc, 'firstSubmittedAt' | 'firstResponseId'>, b: typeof a): boolean {
  const at = a.firstSubmittedAt.getTime();
  const bt = new Date(b.firstSubmittedAt).getTime();
  return at < bt || (at === bt && a.firstResponseId < b.firstResponseId);
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
}

/**
 * Records who took part, exactly, without transactions (see participation.model.ts), and answers the counts.
 * Every write is idempotent: recording the same response again changes nothing.
 */
export class ParticipationService implements ParticipationRecorder {
  constructor(private readonly models: ParticipationModels) {}

  async init(): Promise<void> {
    await Promise.all([
      this.models.submissions.init(),
      this.models.participations.init(),
      this.models.rollups.init(),
    ]);
  }

  async recordSubmission(input: SubmissionRecord): Promise<void> {
    const record = submissionSchema.parse(input);
    const firstTime = await this.insertOnce(() => this.models.submissions.create(record));
    for (const scope of SCOPES) {
      const scopeId = scopeIdOf(record, scope);
      const participation: ParticipationDoc = {
        scope,
        scopeId,
        respondentKey: record.respondentKey,
        sector: record.sector,
        region: record.region,
        gender: record.gender,
        ageRange: record.ageRange,
        locale: record.locale,
        channel: record.channel,
        firstSubmittedAt: record.submittedAt,
        firstResponseId: record.responseId,
      };
      await (async () => {
        const cells: Cell[] = firstTime ? [['responses', ALL, 1]] : [];
        if (await this.insertOnce(() => this.models.participations.create(participation))) {
          cells.push(...participationCells(participation).map(([d, v]): Cell => [d, v, 1]));
        } else {
          cells.push(...(await this.keepEarliest(participation)));
        }
        await this.increment(scope, scopeId, cells);
      })();
    }
  }

  /**
   * A participant is counted with what they said in their earliest submission in the scope (by time, then response
   * id), whatever order submissions arrive in, so live counters always equal a rebuild from the ledger. When an
   * earlier submission arrives late, the participation takes its answers and the counters move accordingly.
   */
  private async keepEarliest(candidate: ParticipationDoc): Promise<Cell[]> {
    const { scope, scopeId, respondentKey } = candidate;
    const existing = await this.models.participations
      .findOne({ scope, scopeId, respondentKey })
      .lean<ParticipationDoc>();
    if (!existing || !isEarlier(candidate, existing)) return [];
    const replaced = await this.models.participations.updateOne(
      {
        scope,
        scopeId,
        respondentKey,
        firstSubmittedAt: existing.firstSubmittedAt,
        firstResponseId: existing.firstResponseId,
      },
      {
        $set: candidate,
        ...(candidate.gender ? {} : { $unset: { gender: 1 } }),
        ...(candidate.ageRange ? {} : { $unset: { ageRange: 1 } }),
      },
    );
    if (replaced.modifiedCount !== 1) return [];
    const before = participationCells(existing);
    const after = participationCells(candidate);
    const changed = (a: [Dimension, string][], b: [Dimension, string][]) =>
      a.filter(([d, v]) => !b.some(([d2, v2]) => d === d2 && v === v2));
    return [
      ...changed(before, after).map(([d, v]): Cell => [d, v, -1]),
      ...changed(after, before).map(([d, v]): Cell => [d, v, 1]),
    ];
  }

  /** Inserts under a unique index; false when it was already there. */
  private async insertOnce(insert: () => Promise<unknown>): Promise<boolean> {
    try {
      await insert();
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** Applies counter changes of one scope in one write. Callers hold the scope's serializer key. */
  private async increment(scope: Scope, scopeId: string, cells: Cell[]): Promise<void> {
    if (cells.length === 0) return;
    const inc: Record<string, number> = {};
    for (const [dimension, value, delta] of cells) {
      const path = `counts.${dimension}.${value}`;
      inc[path] = (inc[path] ?? 0) + delta;
    }
    const write = () =>
      this.models.rollups.collection.updateOne(
        { _id: rollupId(scope, scopeId) as never },
        { $inc: inc, $setOnInsert: { scope, scopeId } },
        { upsert: true },
      );
    try {
      await write();
    } catch (error) {
      // Two first upserts of one document can race on MongoDB; the loser retries as a plain increment.
      if (!isDuplicateKey(error)) throw error;
      await write();
    }
  }

  /** Counters of one round, consultation or survey, from the rollups (cost independent of the number of responses). */
  async counts(scope: Scope, scopeId: string): Promise<ScopeCounts> {
    const doc = await this.models.rollups.findById(rollupId(scope, String(scopeId))).lean<RollupDoc>();
    return countsFrom(doc ? rollupCells([doc]) : []);
  }

  /**
   * Recomputes participations and rollups from the submissions ledger, in submission order, exactly as live
   * recording would have. Returns them without writing anything.
   */
  async computeFromLedger(): Promise<{
    participations: ParticipationDoc[];
    rollups: RollupDoc[];
    cells: RollupCell[];
    submissions: number;
  }> {
    const participations = new Map<string, ParticipationDoc>();
    const rollups = new Map<string, RollupDoc>();
    const add = (scope: Scope, scopeId: string, dimension: Dimension, value: string) => {
      const id = rollupId(scope, scopeId);
      const doc = rollups.get(id) ?? { _id: id, scope, scopeId, counts: {} };
      const values = (doc.counts[dimension] ??= {});
      values[value] = (values[value] ?? 0) + 1;
      rollups.set(id, doc);
    };
    let submissions = 0;
    const cursor = this.models.submissions
      .find()
      .sort({ submittedAt: 1, responseId: 1 })
      .lean<SubmissionDoc>()
      .cursor();
    for await (const s of cursor) {
      submissions++;
      for (const scope of SCOPES) {
        const scopeId = scopeIdOf(s, scope);
        add(scope, scopeId, 'responses', ALL);
        const key = `${scope}\u0000${scopeId}\u0000${s.respondentKey}`;
        if (participations.has(key)) continue;
        const p: ParticipationDoc = {
          scope,
          scopeId,
          respondentKey: s.respondentKey,
          sector: s.sector,
          region: s.region,
          locale: s.locale,
          channel: s.channel,
          firstSubmittedAt: s.submittedAt,
          firstResponseId: s.responseId,
          ...(s.gender ? { gender: s.gender } : {}),
          ...(s.ageRange ? { ageRange: s.ageRange } : {}),
        };
        participations.set(key, p);
        for (const [dimension, value] of participationCells(p)) add(scope, scopeId, dimension, value);
      }
    }
    const docs = [...rollups.values()];
    return {
      participations: [...participations.values()],
      rollups: docs,
      cells: rollupCells(docs),
      submissions,
    };
  }

  /**
   * The live counters as non-zero cells. (A counter can fall back to zero when a late, earlier submission moved a
   * participant: zero means absent.)
   */
  async liveRollups(): Promise<RollupCell[]> {
    return rollupCells(await this.models.rollups.find().lean<RollupDoc[]>());
  }

  /**
   * Replaces participations and rollups with what the ledger says (`npm run metrics:rebuild`). Meant for repair and
   * audits; submissions recorded while it runs are counted again by the next rebuild.
   */
  async rebuild(): Promise<RebuildResult> {
    const computed = await this.computeFromLedger();
    await this.models.participations.deleteMany({});
    if (computed.participations.length)
      await this.models.participations.insertMany(computed.participations, { ordered: false });
    await this.models.rollups.deleteMany({});
    if (computed.rollups.length) await this.models.rollups.insertMany(computed.rollups, { ordered: false });
    return {
      submissions: computed.submissions,
      participations: computed.participations.length,
      rollups: computed.cells.length,
    };
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
