import { Schema, type Connection, type Types } from 'mongoose';

/**
 * One email waiting to be sent, or sent. Content is rendered when the message is queued, so what is sent is what
 * the action produced even if templates change later. A message is claimed by moving `nextAttemptAt` forward
 * (a lease): a worker that dies mid-send leaves it to be retried when the lease ends. Messages are never deleted
 * by the worker; a failing one is retried with a capped backoff until it goes through.
 */
export interface OutboxMessage {
  _id: Types.ObjectId;
  /** Unique: the caller's idempotency key, or a random one. */
  key: string;
  template: string;
  to: string;
  locale: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  status: 'pending' | 'sent';
  attempts: number;
  nextAttemptAt: Date;
  leaseId?: string;
  lastError?: string;
  sentAt?: Date;
  createdAt: Date;
}

const outboxSchema = new Schema<OutboxMessage>(
  {
    key: { type: String, required: true },
    template: { type: String, required: true },
    to: { type: String, required: true },
    locale: { type: String, required: true },
    subject: { type: String, required: true },
    text: { type: String, required: true },
    html: { type: String, required: true },
    headers: { type: Schema.Types.Mixed, default: {} },
    status: { type: String, enum: ['pending', 'sent'], default: 'pending', required: true },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    leaseId: { type: String },
    lastError: { type: String },
    sentAt: { type: Date },
  },
  { collection: 'outbox', timestamps: { createdAt: true, updatedAt: false }, minimize: false },
);
outboxSchema.index({ key: 1 }, { unique: true });
outboxSchema.index({ status: 1, nextAttemptAt: 1 });

const build = (connection: Connection) => connection.model('OutboxMessage', outboxSchema);
export type OutboxModel = ReturnType<typeof build>;

export function outboxModel(connection: Connection): OutboxModel {
  return (connection.models.OutboxMessage as OutboxModel | undefined) ?? build(connection);
}
