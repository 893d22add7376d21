import { Schema, type Connection } from 'mongoose';

/**
 * One email waiting to be sent. `_id` is the caller's idempotency key (or a random one), so queuing is one point
 * write and queuing the same key twice keeps one message. Content is rendered when queued by `send`, or by the
 * worker for messages queued in bulk by `sendMany` (10,000 invitations are stored in one request and rendered as
 * they go out). A message is claimed by moving `nextAttemptAt` forward (a lease taken at claim time): a worker that
 * dies mid-send leaves it to be retried when the lease ends. Once sent, a message moves to `outbox_sent`, so the
 * queue that workers look through holds only what is still to send.
 */
export interface OutboxMessage {
  _id: string;
  template: string;
  to: string;
  locale: string;
  /** Set when rendered; a bulk-queued message carries `data` (and `unsubscribeUrl`) until the worker renders it. */
  subject?: string;
  text?: string;
  html?: string;
  data?: Record<string, unknown>;
  unsubscribeUrl?: string;
  headers: Record<string, string>;
  /** `bounced`: in `outbox_sent`, refused for good by the mail server (never retried; lastError holds the codes). */
  status: 'pending' | 'sent' | 'bounced';
  attempts: number;
  nextAttemptAt: Date;
  leaseId?: string;
  lastError?: string;
  sentAt?: Date;
  bouncedAt?: Date;
  createdAt: Date;
}

const fields = {
  _id: { type: String, required: true },
  template: { type: String, required: true },
  to: { type: String, required: true },
  locale: { type: String, required: true },
  subject: { type: String },
  text: { type: String },
  html: { type: String },
  data: { type: Schema.Types.Mixed },
  unsubscribeUrl: { type: String },
  headers: { type: Schema.Types.Mixed, default: {} },
  status: { type: String, enum: ['pending', 'sent', 'bounced'], default: 'pending' as const, required: true },
  attempts: { type: Number, default: 0 },
  nextAttemptAt: { type: Date, required: true },
  leaseId: { type: String },
  lastError: { type: String },
  sentAt: { type: Date },
  bouncedAt: { type: Date },
  createdAt: { type: Date, required: true },
};
const outboxSchema = new Schema<OutboxMessage>(fields, {
  collection: 'outbox',
  versionKey: false,
  minimize: false,
});
outboxSchema.index({ nextAttemptAt: 1 });
const sentSchema = new Schema<OutboxMessage>(fields, {
  collection: 'outbox_sent',
  versionKey: false,
  minimize: false,
});

const build = (connection: Connection) => ({
  queue: connection.model('OutboxMessage', outboxSchema),
  sent: connection.model('OutboxSentMessage', sentSchema),
});
export type OutboxModels = ReturnType<typeof build>;

export function outboxModels(connection: Connection): OutboxModels {
  if (connection.models.OutboxMessage)
    return {
      queue: connection.models.OutboxMessage,
      sent: connection.models.OutboxSentMessage,
    } as unknown as OutboxModels;
  return build(connection);
}
