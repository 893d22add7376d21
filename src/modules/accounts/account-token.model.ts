import { Schema, type Connection, type Model, type Types } from 'mongoose';

export type TokenPurpose = 'verify-email' | 'reset-password';

/**
 * A single-use link token. Only its SHA-256 is stored, so a copy of the database cannot be used to take over
 * accounts; the token itself exists only in the email. The hash is the `_id`: following a link is one point read.
 */
export interface AccountTokenDocument {
  _id: string;
  tokenHash: string;
  purpose: TokenPurpose;
  userId: Types.ObjectId;
  expiresAt: Date;
  usedAt: Date | null;
  createdAt: Date;
}

const accountTokenSchema = new Schema<AccountTokenDocument>(
  {
    _id: { type: String, required: true },
    tokenHash: { type: String, required: true },
    purpose: { type: String, enum: ['verify-email', 'reset-password'], required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
  },
  { collection: 'account_tokens', timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
accountTokenSchema.index({ userId: 1, purpose: 1 });
accountTokenSchema.index({ expiresAt: 1 });

export function accountTokenModel(connection: Connection): Model<AccountTokenDocument> {
  return (
    connection.models.AccountToken ??
    connection.model<AccountTokenDocument>('AccountToken', accountTokenSchema)
  );
}
