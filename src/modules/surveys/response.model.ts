import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Locale } from '../../platform/i18n';
import type { Answers, OtherText } from './survey-answers';
import type { ResponseFlag } from './flood-guard';

export const RESPONSE_STATUSES = ['draft', 'submitted'] as const;
export type ResponseStatus = (typeof RESPONSE_STATUSES)[number];

/**
 * A draft or a submitted response. Its `_id` is deterministic (see response-docs.ts): `d<hash>` for the one draft a
 * respondent has, `r<hash>` for a submitted response. Being unique, the `_id` is what makes a submission exactly
 * once: a second submission by the same respondent (or of the same draft, or with the same Idempotency-Key) is the
 * same id and fails the insert.
 */
export interface ResponseDoc {
  _id: string;
  surveyId: Types.ObjectId;
  /** The version answered; analysis maps answers across versions by question id. */
  surveyVersion: number;
  consultationId: Types.ObjectId;
  roundId: Types.ObjectId;
  /** `user:<id>`, `invite:<invitationId>` or `anon:<browser key>`. */
  respondentKey: string;
  status: ResponseStatus;
  /** A map keyed by question id (never an array: FerretDB has no $elemMatch); written one question at a time. */
  answers: Answers;
  otherText: OtherText;
  /** Where to resume: the id of the next page to show (a section id, or "about-you"). */
  resumeAt?: string;
  sector?: string;
  region?: string;
  organisation?: string;
  locale: Locale;
  channel: 'open' | 'invited';
  /** Absent for anonymous surveys: the invitation is never linked to the response. */
  invitationId?: string;
  // Drafts only
  /** Random, drawn when the draft is created: names the submission of this draft and its counters. */
  nonce?: string;
  /** Random, drawn when the draft is created: claims an invitation for this draft's submission (see claimInvitation). */
  claimKey?: string;
  /** The draft has been added to the "started" counters. */
  startCounted?: boolean;
  /** A draft of changes to this submitted response (editing until closing). */
  edits?: string;
  /** For anonymous respondents who asked for a resume link; only the hash of the link's secret part. */
  resumeEmail?: string;
  resumeTokenHash?: string;
  // Submitted responses only
  draftNonce?: string;
  idempotencyKey?: string;
  /** SHA-256 of the API request body (canonical JSON), so a reused key with another body is refused. */
  requestHash?: string;
  /** 1 at submission, +1 for each edit. */
  revision?: number;
  /** The edit that made each revision (revision -> random id), so a replayed edit knows whether it won. */
  editIds?: Record<string, string>;
  submittedAt?: Date;
  /**
   * Anonymous responses flagged at submission (a flood, too many from one address): why, and where from (keyed
   * hashes only). `excluded` while an officer has taken it out of the counts; `seq` numbers the officer's exclude
   * and restore actions, each of which has its own operation ids.
   */
  moderation?: { flag: ResponseFlag; excluded: boolean; seq: number };
  createdAt: Date;
  updatedAt: Date;
}

const responseSchema = new Schema<ResponseDoc>(
  {
    _id: { type: String, required: true },
    surveyId: { type: Schema.Types.ObjectId, required: true },
    surveyVersion: { type: Number, required: true },
    consultationId: { type: Schema.Types.ObjectId, required: true },
    roundId: { type: Schema.Types.ObjectId, required: true },
    respondentKey: { type: String, required: true },
    status: { type: String, enum: RESPONSE_STATUSES, required: true },
    answers: { type: Schema.Types.Mixed, default: {} },
    otherText: { type: Schema.Types.Mixed, default: {} },
    resumeAt: { type: String },
    sector: { type: String },
    region: { type: String },
    organisation: { type: String },
    locale: { type: String, required: true },
    channel: { type: String, enum: ['open', 'invited'], required: true },
    invitationId: { type: String },
    nonce: { type: String },
    claimKey: { type: String },
    startCounted: { type: Boolean },
    edits: { type: String },
    resumeEmail: { type: String },
    resumeTokenHash: { type: String },
    draftNonce: { type: String },
    idempotencyKey: { type: String },
    requestHash: { type: String },
    revision: { type: Number },
    editIds: { type: Schema.Types.Mixed },
    submittedAt: { type: Date },
    moderation: { type: Schema.Types.Mixed },
  },
  { timestamps: true, collection: 'responses', minimize: false },
);
// Staff reads (analysis, exports) go through one survey's submitted responses in order. Respondents never query by
// anything but _id.
responseSchema.index({ surveyId: 1, status: 1, submittedAt: 1 });

/** Indexes of earlier releases that the deterministic ids replaced (a unique one would refuse new documents). */
export const OBSOLETE_RESPONSE_INDEXES = [
  'surveyId_1_dedupeKey_1',
  'surveyId_1_respondentKey_1',
  'resumeTokenHash_1',
  'surveyId_1_idempotencyKey_1',
  'consultationId_1_status_1',
];

export type ResponseModel = Model<ResponseDoc>;

export function responseModel(connection: Connection): ResponseModel {
  return (
    (connection.models.SurveyResponse as ResponseModel | undefined) ??
    connection.model<ResponseDoc>('SurveyResponse', responseSchema)
  );
}
