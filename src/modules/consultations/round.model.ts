import { Schema, type Connection, type Model } from 'mongoose';
import { ROUND_STATUSES, type BilingualText, type RoundStatus } from './consultations.types';

export interface RoundDoc {
  _id: import('mongoose').Types.ObjectId;
  slug: string;
  title: BilingualText;
  description: BilingualText;
  startsOn: Date;
  endsOn: Date;
  status: RoundStatus;
  /** When the round was completed (its figures are frozen as of then); unset while it is not completed. */
  completedAt?: Date | null;
  /** Completions and reopenings, oldest first (each written with the status change it records). */
  events?: RoundEventDoc[];
  createdBy: string;
  /** The organisation that owns it (platform/http/access.ts); unset on records from before organisations. */
  organisationId?: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface RoundEventDoc {
  type: 'completed' | 'reopened';
  at: Date;
  actorId: string;
  /** Why an officer reopened a completed round (shown publicly). */
  reason?: string;
  /** For a reopening: the completion it undid. */
  completedAt?: Date;
}

const roundEventSchema = new Schema<RoundEventDoc>(
  {
    type: { type: String, enum: ['completed', 'reopened'], required: true },
    at: { type: Date, required: true },
    actorId: { type: String, required: true },
    reason: { type: String },
    completedAt: { type: Date },
  },
  { _id: false },
);

export const bilingual = {
  en: { type: String, default: '' },
  fr: { type: String, default: '' },
};

const roundSchema = new Schema<RoundDoc>(
  {
    slug: { type: String, required: true },
    title: bilingual,
    description: bilingual,
    startsOn: { type: Date, required: true },
    endsOn: { type: Date, required: true },
    status: { type: String, enum: ROUND_STATUSES, required: true },
    completedAt: { type: Date, default: null },
    events: { type: [roundEventSchema], default: [] },
    createdBy: { type: String, required: true },
    organisationId: { type: String },
  },
  { timestamps: true, collection: 'rounds' },
);
roundSchema.index({ slug: 1 }, { unique: true });
roundSchema.index({ startsOn: -1 });

export type RoundModel = Model<RoundDoc>;

export function roundModel(connection: Connection): RoundModel {
  return (
    (connection.models.Round as RoundModel | undefined) ?? connection.model<RoundDoc>('Round', roundSchema)
  );
}
