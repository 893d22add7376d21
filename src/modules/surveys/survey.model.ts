import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { SurveyDefinition } from './survey-definition';
import { settingsSchema, type SurveySettings } from './survey-settings';

export const SURVEY_STATUSES = ['draft', 'published', 'closed'] as const;
export type SurveyStatus = (typeof SURVEY_STATUSES)[number];

export interface SurveyDoc {
  _id: Types.ObjectId;
  consultationId: Types.ObjectId;
  /** Copied from the consultation so responses and metrics can be grouped by round without a join. */
  roundId: Types.ObjectId;
  status: SurveyStatus;
  /** The version participants answer now. Bumped by an edit once the current version has responses. */
  version: number;
  /** Bumped by every write; edits and the first-response lock are conditional on it (optimistic concurrency). */
  revision: number;
  /** Set to `version` when the first response to that version is submitted: from then on it is frozen. */
  lockedVersion?: number | null;
  definition: SurveyDefinition;
  settings: SurveySettings;
  createdBy: string;
  publishedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

const surveySchema = new Schema<SurveyDoc>(
  {
    consultationId: { type: Schema.Types.ObjectId, required: true },
    roundId: { type: Schema.Types.ObjectId, required: true },
    status: { type: String, enum: SURVEY_STATUSES, required: true, default: 'draft' },
    version: { type: Number, required: true, default: 1 },
    revision: { type: Number, required: true, default: 0 },
    lockedVersion: { type: Number, default: null },
    // Validated by zod (survey-definition.ts) before every write; stored as plain data.
    definition: { type: Schema.Types.Mixed, required: true },
    settings: { type: Schema.Types.Mixed, required: true },
    createdBy: { type: String, required: true },
    publishedAt: { type: Date },
  },
  { timestamps: true, collection: 'surveys', minimize: false },
);
surveySchema.index({ consultationId: 1, createdAt: 1 });

/** A frozen copy of a version that has responses, so they can always be read with the questions they answered. */
export interface SurveyVersionDoc {
  /** `<surveyId>:v<version>` (ObjectIds in copies made by earlier releases). */
  _id: string | Types.ObjectId;
  surveyId: Types.ObjectId;
  version: number;
  definition: SurveyDefinition;
  createdAt: Date;
}

const surveyVersionSchema = new Schema<SurveyVersionDoc>(
  {
    surveyId: { type: Schema.Types.ObjectId, required: true },
    version: { type: Number, required: true },
    definition: { type: Schema.Types.Mixed, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, collection: 'survey_versions', minimize: false },
);
surveyVersionSchema.index({ surveyId: 1, version: 1 }, { unique: true });

export type SurveyModel = Model<SurveyDoc>;
export type SurveyVersionModel = Model<SurveyVersionDoc>;

export function surveyModels(connection: Connection): {
  Surveys: SurveyModel;
  SurveyVersions: SurveyVersionModel;
} {
  return {
    Surveys:
      (connection.models.Survey as SurveyModel | undefined) ??
      connection.model<SurveyDoc>('Survey', surveySchema),
    SurveyVersions:
      (connection.models.SurveyVersion as SurveyVersionModel | undefined) ??
      connection.model<SurveyVersionDoc>('SurveyVersion', surveyVersionSchema),
  };
}

/** A survey as the services and routes use it. */
export interface Survey {
  id: string;
  consultationId: string;
  roundId: string;
  status: SurveyStatus;
  version: number;
  revision: number;
  /** True when the current version has responses: the next edit makes a new version. */
  frozen: boolean;
  definition: SurveyDefinition;
  settings: SurveySettings;
  publishedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** The stored document as a Survey (settings completed with their defaults). */
export function toSurvey(doc: SurveyDoc): Survey {
  return {
    id: doc._id.toString(),
    consultationId: doc.consultationId.toString(),
    roundId: doc.roundId.toString(),
    status: doc.status,
    version: doc.version,
    revision: doc.revision,
    frozen: doc.lockedVersion === doc.version,
    definition: doc.definition,
    settings: settingsSchema.parse(doc.settings ?? {}),
    publishedAt: doc.publishedAt,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}
