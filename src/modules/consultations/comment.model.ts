import { Schema, type Connection, type Model, type Types } from 'mongoose';

export const HIDE_REASONS = [
  'off_topic',
  'personal_information',
  'offensive',
  'spam',
  'duplicate',
  'other',
] as const;
export type HideReason = (typeof HIDE_REASONS)[number];

export interface CommentDoc {
  _id: Types.ObjectId;
  consultationId: Types.ObjectId;
  /** Set on an official reply: the comment it answers. */
  parentId?: Types.ObjectId;
  authorId: string;
  authorName: string;
  /** Kept so the author can be told of an official reply; never shown on the page. */
  authorEmail: string;
  /** The author deleted their account: name and email are erased, the comment stays. */
  authorDeleted?: boolean;
  authorLocale: 'en' | 'fr';
  /** Plain text, shown escaped. */
  body: string;
  /** Posted by an officer on behalf of the organisation. */
  official: boolean;
  /** The form's one-time id: a double-submitted form stores one comment. */
  submissionId: string;
  hidden?: { reason: HideReason; by: string; at: Date };
  /** On a comment: when it was last answered by an official reply (the moderation queue's "replied"). */
  repliedAt?: Date;
  /** Signed-in people who reported the comment to the moderators (each once), and when it was last reported. */
  reportedBy?: string[];
  reportedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

const commentSchema = new Schema<CommentDoc>(
  {
    consultationId: { type: Schema.Types.ObjectId, required: true },
    parentId: { type: Schema.Types.ObjectId },
    authorId: { type: String, required: true },
    authorName: { type: String, required: true },
    authorEmail: { type: String, default: '' },
    authorDeleted: { type: Boolean, default: false },
    authorLocale: { type: String, enum: ['en', 'fr'], default: 'en' },
    body: { type: String, required: true },
    official: { type: Boolean, default: false },
    submissionId: { type: String, required: true },
    hidden: {
      type: new Schema(
        { reason: { type: String, enum: HIDE_REASONS, required: true }, by: String, at: Date },
        { _id: false },
      ),
      required: false,
    },
    repliedAt: { type: Date },
    reportedBy: { type: [String], default: undefined },
    reportedAt: { type: Date },
  },
  { timestamps: true, collection: 'consultation_comments' },
);
commentSchema.index({ consultationId: 1, createdAt: 1 });
commentSchema.index({ authorId: 1, submissionId: 1 }, { unique: true });

export type CommentModel = Model<CommentDoc>;

export function commentModel(connection: Connection): CommentModel {
  return (
    (connection.models.ConsultationComment as CommentModel | undefined) ??
    connection.model<CommentDoc>('ConsultationComment', commentSchema)
  );
}
