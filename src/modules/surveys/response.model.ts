import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Locale } from '../../platform/i18n';
import type { Answers, OtherText } from './survey-answers';

export const RESPONSE_STATUSES = ['draft', 'submitted'] as const;
export type ResponseStatus = (typeof RESPONSE_STATUSES)[number];

export interface ResponseDoc {
  _id: Types.ObjectId;
  surveyId: Types.ObjectId;
  /** The version answered; analysis maps answers across versions by question id. */
  surveyVersion: number;
  consultationId: Types.ObjectId;
  roundId: Types.ObjectId;
  /** `user:<id>`, `invite:<invitationId>` or `anon:<browser key>`. */
  respondentKey: string;
  /**
   * What makes a response unique within its survey (unique index with surveyId):
   * `draft:<respondentKey>` for the one draft a respondent has, `<respondentKey>` for a submitted response when
   * the survey takes one response per respondent, otherwise `response:<id>` (web) or `idem:<key>` (API).
   * So a second submission by the same respondent, or with the same Idempotency-Key, cannot be stored.
   */
  dedupeKey: string;
  status: ResponseStatus;
  /** A map keyed by question id (never an array: FerretDB has no $elemMatch). */
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
  invitationId?: Types.ObjectId;
  idempotencyKey?: string;
  /** For anonymous respondents who asked for a resume link; cleared on submission. */
  resumeEmail?: string;
  resumeTokenHash?: string;
  submittedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

const responseSchema = new Schema<ResponseDoc>(
  {
    surveyId: { type: Schema.Types.ObjectId, required: true },
    surveyVersion: { type: Number, required: true },
    consultationId: { type: Schema.Types.ObjectId, required: true },
    roundId: { type: Schema.Types.ObjectId, required: true },
    respondentKey: { type: String, required: true },
    dedupeKey: { type: String, required: true },
    status: { type: String, enum: RESPONSE_STATUSES, required: true },
    answers: { type: Schema.Types.Mixed, default: {} },
    otherText: { type: Schema.Types.Mixed, default: {} },
    resumeAt: { type: String },
    sector: { type: String },
    region: { type: String },
    organisation: { type: String },
    locale: { type: String, required: true },
    channel: { type: String, enum: ['open', 'invited'], required: true },
    invitationId: { type: Schema.Types.ObjectId },
    idempotencyKey: { type: String },
    resumeEmail: { type: String },
    resumeTokenHash: { type: String },
    submittedAt: { type: Date },
  },
  { timestamps: true, collection: 'responses', minimize: false },
);
responseSchema.index({ surveyId: 1, dedupeKey: 1 }, { unique: true });
responseSchema.index({ surveyId: 1, respondentKey: 1 });
responseSchema.index({ resumeTokenHash: 1 });
responseSchema.index({ surveyId: 1, idempotencyKey: 1 });
responseSchema.index({ consultationId: 1, status: 1 });

export type ResponseModel = Model<ResponseDoc>;

export function responseModel(connection: Connection): ResponseModel {
  return (
    (connection.models.SurveyResponse as ResponseModel | undefined) ??
    connection.model<ResponseDoc>('SurveyResponse', responseSchema)
  );
}
