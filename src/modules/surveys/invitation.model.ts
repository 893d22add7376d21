import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Locale } from '../../platform/i18n';

/**
 * One invitation per address per survey: `_id = i<hash(surveyId, normalised email)>` (response-docs.ts). Its link's
 * token is `<invitationId>.<HMAC of the id>`, so opening a link is one read by `_id` and an HMAC check; nothing
 * about the token is stored.
 */
export interface InvitationDoc {
  _id: string;
  surveyId: Types.ObjectId;
  email: string;
  locale: Locale;
  sentAt?: Date;
  openedAt?: Date;
  startedAt?: Date;
  submittedAt?: Date;
  /** The invitee asked for no more emails about this survey (the opt-out link's confirmation page). */
  optedOutAt?: Date;
  /**
   * The mail server refused the address for good when the invitation or a reminder was sent (an SMTP 5xx reply to
   * RCPT TO): no more reminders. The reason is the reply's code only (`550 5.1.1`), never its text, which often
   * repeats the address.
   */
  bouncedAt?: Date;
  bounceReason?: string;
  /**
   * SHA-256 of the claim key of the draft whose submission used the invitation: a retried or replayed submission of
   * that draft recognises its own claim. (A hash of a draft-only secret, so it never links an anonymous response.)
   */
  claimedBy?: string;
  /** The sector the respondent gave, for counts by sector (not their answers). */
  sector?: string;
  reminderCount: number;
  lastRemindedAt?: Date;
  createdAt: Date;
}

const invitationSchema = new Schema<InvitationDoc>(
  {
    _id: { type: String, required: true },
    surveyId: { type: Schema.Types.ObjectId, required: true },
    email: { type: String, required: true },
    locale: { type: String, required: true },
    sentAt: { type: Date },
    openedAt: { type: Date },
    startedAt: { type: Date },
    submittedAt: { type: Date },
    optedOutAt: { type: Date },
    bouncedAt: { type: Date },
    bounceReason: { type: String },
    claimedBy: { type: String },
    sector: { type: String },
    reminderCount: { type: Number, required: true, default: 0 },
    lastRemindedAt: { type: Date },
  },
  { timestamps: { createdAt: true, updatedAt: false }, collection: 'survey_invitations' },
);
// The _id already makes an address unique per survey; this index also covers invitations of earlier releases
// (random ids) and serves the officer's and the reminder job's per-survey reads.
invitationSchema.index({ surveyId: 1, email: 1 }, { unique: true });

/** Indexes of earlier releases (the token hash is no longer stored: a unique index on it would refuse new ones). */
export const OBSOLETE_INVITATION_INDEXES = ['tokenHash_1'];

export type InvitationModel = Model<InvitationDoc>;

export function invitationModel(connection: Connection): InvitationModel {
  return (
    (connection.models.SurveyInvitation as InvitationModel | undefined) ??
    connection.model<InvitationDoc>('SurveyInvitation', invitationSchema)
  );
}
