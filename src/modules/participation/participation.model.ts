import { Schema, type Connection } from 'mongoose';

/**
 * Three collections, in order of truth:
 * - `participation_submissions`: one document per submitted response (unique responseId), with what the respondent
 *   said about themselves at that time. It is the ledger everything else can be rebuilt from.
 * - `participations`: one document per (scope, respondent), unique, where scope is a round, a consultation or a
 *   survey. Inserted on the respondent's first submission in that scope, so a person counts once per scope and
 *   keeps the sector they gave then, whatever they say later.
 * - `participation_rollups`: one document per scope holding its counters (`counts.<dimension>.<value>`), incremented
 *   when a participation or a submission is first inserted: one small write per scope (measured 5x cheaper on
 *   FerretDB than one document per counter). Dashboards read only these; `npm run metrics:rebuild` recomputes them.
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
}

export interface ParticipationDoc {
  scope: Scope;
  scopeId: string;
  respondentKey: string;
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
  /** `<scope>:<scopeId>` */
  _id: string;
  scope: Scope;
  scopeId: string;
  /** dimension -> value -> count. Values are stable keys (no dots, no $). */
  counts: Partial<Record<Dimension, Record<string, number>>>;
}

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

const submissionSchema = new Schema<SubmissionDoc>(
  {
    responseId: { type: String, required: true },
    roundId: { type: String, required: true },
    consultationId: { type: String, required: true },
    surveyId: { type: String, required: true },
    ...respondentFields,
    submittedAt: { type: Date, required: true },
  },
  { collection: 'participation_submissions', versionKey: false },
);
submissionSchema.index({ responseId: 1 }, { unique: true });
submissionSchema.index({ submittedAt: 1, responseId: 1 });

const participationSchema = new Schema<ParticipationDoc>(
  {
    scope: { type: String, enum: SCOPES, required: true },
    scopeId: { type: String, required: true },
    ...respondentFields,
    firstSubmittedAt: { type: Date, required: true },
    firstResponseId: { type: String, required: true },
  },
  { collection: 'participations', versionKey: false },
);
participationSchema.index({ scope: 1, scopeId: 1, respondentKey: 1 }, { unique: true });

const rollupSchema = new Schema<RollupDoc>(
  {
    _id: { type: String, required: true },
    scope: { type: String, enum: SCOPES, required: true },
    scopeId: { type: String, required: true },
    counts: { type: Schema.Types.Mixed, default: {} },
  },
  { collection: 'participation_rollups', versionKey: false, minimize: false },
);
rollupSchema.index({ scope: 1, scopeId: 1 });

export function rollupId(scope: Scope, scopeId: string): string {
  return `${scope}:${scopeId}`;
}

/** The counters of rollup documents as a flat list of non-zero cells (for comparisons and the rebuild check). */
export function rollupCells(docs: Pick<RollupDoc, 'scope' | 'scopeId' | 'counts'>[]): RollupCell[] {
  const cells: RollupCell[] = [];
  for (const doc of docs) {
    for (const [dimension, values] of Object.entries(doc.counts ?? {}) as [
      Dimension,
      Record<string, number>,
    ][]) {
      for (const [value, count] of Object.entries(values ?? {})) {
        if (count !== 0) {
          cells.push({
            _id: `${doc.scope}:${doc.scopeId}:${dimension}:${value}`,
            scope: doc.scope,
            scopeId: doc.scopeId,
            dimension,
            value,
            count,
          });
        }
      }
    }
  }
  return cells;
}

const build = (connection: Connection) => ({
  submissions: connection.model('ParticipationSubmission', submissionSchema),
  participations: connection.model('Participation', participationSchema),
  rollups: connection.model('ParticipationRollup', rollupSchema),
});
export type ParticipationModels = ReturnType<typeof build>;

export function participationModels(connection: Connection): ParticipationModels {
  if (connection.models.Participation) {
    return {
      submissions: connection.models.ParticipationSubmission,
      participations: connection.models.Participation,
      rollups: connection.models.ParticipationRollup,
    } as unknown as ParticipationModels;
  }
  return build(connection);
}
