import { Schema, type Connection } from 'mongoose';

/**
 * Participation is recorded in three collections, in order of truth, without transactions (MongoDB's model: one
 * document's update is atomic; see docs/ARCHITECTURE.md):
 * - `participation_submissions`: the ledger, one document per submitted response (`_id` = response id), with what
 *   the respondent said about themselves at that time and when it arrived. Everything else is rebuilt from it.
 * - `participations`: one document per (scope, respondent) (`_id` = generation/scope:scopeId/respondent hash) holding
 *   what the respondent is counted as (`is`: their earliest submission in the scope) and the `history` of versions
 *   that changed it; each version's counter change is applied exactly once.
 * - `participation_rollups`: per scope, a few shard documents (`_id` = generation/scope:scopeId/shard, by
 *   respondent) holding `counts.<dimension>.<value>` and the ids of recent operations (guarded counters). Readers
 *   sum the shards of a scope: a handful of point reads, whatever the number of responses.
 * The generation lets `metrics:rebuild` build a complete new set beside the live one and switch to it in one write
 * (`participation_meta`, `_id: 'generation'`), while the app keeps recording.
 */

export const SCOPES = ['round', 'consultation', 'survey'] as const;
export type Scope = (typeof SCOPES)[number];

/** What is counted: 'participants' and 'responses' (value 'all'), and participants by each dimension's value. */
export const DIMENSIONS = [
  'participants',
  'responses',
  'sector',
  'region',
  'locale',
  'channel',
  'gender',
  'ageRange',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface SubmissionDoc {
  responseId: string;
  roundId: string;
  consultationId: string;
  surveyId: string;
  respondentKey: string;
  sector: string;
  region: string;
  gender?: string;
  ageRange?: string;
  locale: string;
  channel: string;
  submittedAt: Date;
  /** Excluded by an officer (a flagged response): left out of every count and of rebuilds. */
  excluded?: boolean;
  /** The moderation action (its sequence number on the response) that set `excluded` last. */
  exSeq?: number;
}

/** What one participant is counted as in one scope: their earliest submission there. */
export interface ParticipantValues {
  sector: string;
  region: string;
  gender?: string;
  ageRange?: string;
  locale: string;
  channel: string;
  firstSubmittedAt: Date;
  /** With firstSubmittedAt, orders submissions totally: the earliest one gives the participant's answers. */
  firstResponseId: string;
}

/**
 * One change of a participation: the counters move from `from`'s cells to `to`'s (from null: first counted; to
 * null: no longer counted, their only submissions were excluded). `op` names the moderation action (exclude or
 * restore) that made the version; versions made by submissions have none.
 */
export interface ParticipationVersion {
  v: number;
  from: ParticipantValues | null;
  to: ParticipantValues | null;
  op?: string;
}

export interface ParticipationDoc {
  _id: string;
  gen: number;
  scope: Scope;
  scopeId: string;
  respondentKey: string;
  /** Null while every submission of theirs in the scope is excluded. */
  is: ParticipantValues | null;
  ver: number;
  history: ParticipationVersion[];
}

/** One counter, as compared and reported: `<scope>:<scopeId>:<dimension>:<value>`. */
export interface RollupCell {
  _id: string;
  scope: Scope;
  scopeId: string;
  dimension: Dimension;
  value: string;
  count: number;
}

export interface RollupDoc {
  /** `<gen>/<scope>:<scopeId>/<shard>` */
  _id: string;
  gen: number;
  scope: Scope;
  scopeId: string;
  shard: number;
  /** dimension -> value -> count. Values are stable keys (no dots, no $). */
  counts: Partial<Record<Dimension, Record<string, number>>>;
  /** Recently applied operations (see platform/db/guarded-counters.ts). */
  ops?: Record<string, number>;
}

export interface MetaDoc {
  _id: string;
  gen?: number;
  switchedAt?: Date;
  until?: Date;
  owner?: string;
}

/** Rollup shards per scope: enough to keep each document small under a burst, few enough to read. */
export const ROLLUP_SHARDS = 4;

/** Who answered and what they said about themselves: the same in the ledger and in a participation. */
const respondentFields = {
  respondentKey: { type: String, required: true },
  sector: { type: String, required: true },
  region: { type: String, required: true },
  gender: { type: String },
  ageRange: { type: String },
  locale: { type: String, required: true },
  channel: { type: String, required: true },
};

const submissionSchema = new Schema<SubmissionDoc & { _id: string; recordedAt: Date }>(
  {
    _id: { type: String, required: true },
    responseId: { type: String, required: true },
    roundId: { type: String, required: true },
    consultationId: { type: String, required: true },
    surveyId: { type: String, required: true },
    ...respondentFields,
    submittedAt: { type: Date, required: true },
    /** When the ledger received it (a rebuild replays what arrived while it ran). */
    recordedAt: { type: Date, required: true },
    excluded: { type: Boolean },
    exSeq: { type: Number },
  },
  { collection: 'participation_submissions', versionKey: false },
);
submissionSchema.index({ submittedAt: 1, responseId: 1 });

const participationSchema = new Schema<ParticipationDoc>(
  {
    _id: { type: String, required: true },
    gen: { type: Number, required: true },
    scope: { type: String, enum: SCOPES, required: true },
    scopeId: { type: String, required: true },
    respondentKey: { type: String, required: true },
    is: { type: Schema.Types.Mixed, default: null },
    ver: { type: Number, required: true },
    history: { type: Schema.Types.Mixed, default: [] },
  },
  { collection: 'participations', versionKey: false },
);
participationSchema.index({ gen: 1 });

const rollupSchema = new Schema<RollupDoc>(
  {
    _id: { type: String, required: true },
    gen: { type: Number, required: true },
    scope: { type: String, enum: SCOPES, required: true },
    scopeId: { type: String, required: true },
    shard: { type: Number, required: true },
    counts: { type: Schema.Types.Mixed, default: {} },
    ops: { type: Schema.Types.Mixed, default: {} },
  },
  { collection: 'participation_rollups', versionKey: false, minimize: false },
);
rollupSchema.index({ gen: 1 });

const metaSchema = new Schema<MetaDoc>(
  {
    _id: { type: String, required: true },
    gen: { type: Number },
    switchedAt: { type: Date },
    until: { type: Date },
    owner: { type: String },
  },
  { collection: 'participation_meta', versionKey: false },
);

export function rollupId(gen: number, scope: Scope, scopeId: string, shard: number): string {
  return `${gen}/${scope}:${scopeId}/${shard}`;
}

export function participationId(gen: number, scope: Scope, scopeId: string, respondentHash: string): string {
  return `${gen}/${scope}:${scopeId}/${respondentHash}`;
}

/**
 * The counters of rollup documents as a flat list of non-zero cells, shards of one scope added together (for
 * comparisons and the rebuild check).
 */
export function rollupCells(docs: Pick<RollupDoc, 'scope' | 'scopeId' | 'counts'>[]): RollupCell[] {
  const cells = new Map<string, RollupCell>();
  for (const doc of docs) {
    for (const [dimension, values] of Object.entries(doc.counts ?? {}) as [
      Dimension,
      Record<string, number>,
    ][]) {
      for (const [value, count] of Object.entries(values ?? {})) {
        const id = `${doc.scope}:${doc.scopeId}:${dimension}:${value}`;
        const cell = cells.get(id) ?? {
          _id: id,
          scope: doc.scope,
          scopeId: doc.scopeId,
          dimension,
          value,
          count: 0,
        };
        cell.count += count;
        cells.set(id, cell);
      }
    }
  }
  return [...cells.values()].filter((cell) => cell.count !== 0);
}

const build = (connection: Connection) => ({
  submissions: connection.model('ParticipationSubmission', submissionSchema),
  participations: connection.model('Participation', participationSchema),
  rollups: connection.model('ParticipationRollup', rollupSchema),
  meta: connection.model('ParticipationMeta', metaSchema),
});
export type ParticipationModels = ReturnType<typeof build>;

export function participationModels(connection: Connection): ParticipationModels {
  if (connection.models.Participation) {
    return {
      submissions: connection.models.ParticipationSubmission,
      participations: connection.models.Participation,
      rollups: connection.models.ParticipationRollup,
      meta: connection.models.ParticipationMeta,
    } as unknown as ParticipationModels;
  }
  return build(connection);
}
