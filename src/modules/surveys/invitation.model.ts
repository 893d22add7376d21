import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Locale } from '../../platform/i18n';

export interface InvitationDoc {
  _id: Types.ObjectId;
  surveyId: Types.ObjectId;
  email: string;
  locale: Locale;
  /** SHA-256 of the single-use token in the link; the token itself is never stored. */
  tokenHash: string;
  sentAt?: Date;
  openedAt?: Date;
  startedAt?: Date;
  submittedAt?: Date;
  /** The sector the respondent gave, for counts by sector (not their answers). */
  sector?: string;
  reminderCount: number;
  lastRemindedAt?: Date;
  createdAt: Date;
}

const invitationSchema = new Schema<InvitationDoc>(
  {
    surveyId: { type: Schema.Types.ObjectId, required: true },
    email: { type: String, required: true },
    locale: { type: String, required: true },
    tokenHash: { type: String, required: true },
    sentAt: { type: Date },
    openedAt: { type: Date },
    startedAt: { type: Date },
    submittedAt: { type: Date },
    sector: { type: String },
    reminderCount: { type: Number, required: true, default: 0 },
    lastRemindedAt: { type: Date },
  },
  { timestamps: { createdAt: true, updatedAt: false }, collection: 'survey_invitations' },
);
invitationSchema.index({ surveyId: 1, email: 1 }, { unique: true });
invitationSchema.index({ tokenHash: 1 }, { unique: true });

export type InvitationModel = Model<InvitationDoc>;

export function invitationModel(connection: Connection): InvitationModel {
  return (
    (connection.models.SurveyInvitation as InvitationModel | undefined) ??
    connection.model<InvitationDoc>('SurveyInvitation', invitationSchema)
  );
}
