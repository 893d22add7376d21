import { Schema, type Connection, type Model, type Types } from 'mongoose';

export const AUDIT_ACTIONS = [
  'user.created',
  'user.roles_changed',
  'user.organisation_changed',
  'user.deactivated',
  'user.reactivated',
  'user.deleted',
  'round.completed',
  'round.reopened',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who did what to whom, and when. Written once, never updated except to erase a deleted user's email. */
export interface AuditEntryDocument {
  _id: Types.ObjectId;
  at: Date;
  action: AuditAction;
  /** Null when the change came from the command line. */
  actorId: Types.ObjectId | null;
  actorEmail: string | null;
  targetId: Types.ObjectId;
  targetEmail: string | null;
  /** Roles before and after, for role changes. */
  before: string[];
  after: string[];
  /** For round actions: the round's slug (completed) or the officer's reason (reopened). */
  detail?: string | null;
}

const auditSchema = new Schema<AuditEntryDocument>(
  {
    at: { type: Date, required: true },
    action: { type: String, enum: AUDIT_ACTIONS, required: true },
    actorId: { type: Schema.Types.ObjectId, default: null },
    actorEmail: { type: String, default: null },
    targetId: { type: Schema.Types.ObjectId, required: true },
    targetEmail: { type: String, default: null },
    before: { type: [String], default: [] },
    after: { type: [String], default: [] },
    detail: { type: String, default: null },
  },
  { collection: 'audit', versionKey: false },
);
auditSchema.index({ at: -1 });
auditSchema.index({ targetId: 1, at: -1 });

export function auditModel(connection: Connection): Model<AuditEntryDocument> {
  return connection.models.AuditEntry ?? connection.model<AuditEntryDocument>('AuditEntry', auditSchema);
}
