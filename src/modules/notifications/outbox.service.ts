import crypto from 'node:crypto';
import mongoose from 'mongoose';
import type { WriteSerializer } from '../../platform/db/write-serializer';
import { ValidationError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import { normaliseEmailAddress } from './email-address';
import type { EmailRenderer } from './email-renderer';
import type { MailTransport } from './mail-transport';
import type { Notifications, OutgoingEmail } from './notifications.types';
import type { OutboxMessage, OutboxModel } from './outbox.model';

/** How long a claimed message is reserved for the worker that claimed it. */
const LEASE_MS = 60_000;
/** Retry delays grow 30 s, 1 min, 2 min, ... up to one hour, and go on at one hour until the message is sent. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3600_000);
}

export interface DrainResult {
  sent: number;
  failed: number;
}

export class OutboxService implements Notifications {
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<DrainResult> | undefined;

  constructor(
    private readonly outbox: OutboxModel,
    private readonly renderer: EmailRenderer,
    private readonly transport: MailTransport,
    private readonly from: string,
    private readonly logger: Logger,
    private readonly serializer: WriteSerializer,
  ) {}

  /**
   * Queues an email. The recipient is validated first (one plain address); the content is rendered now. With an
   * idempotency key, queuing the same key again does nothing, so a retried request sends one email.
   */
  async send(email: OutgoingEmail): Promise<void> {
    const to = normaliseEmailAddress(email.to);
    if (!to)
      throw new ValidationError([
        { field: 'email', message: { key: 'notifications:errors.invalidAddress' } },
      ]);
    const rendered = await this.renderer.render({ ...email, to });
    const headers: Record<string, string> = {};
    if (email.unsubscribeUrl) {
      headers['List-Unsubscribe'] = `<${email.unsubscribeUrl}>`;
      headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    }
    const key = email.idempotencyKey ?? crypto.randomUUID();
    await this.outbox.updateOne(
      { key },
      {
        $setOnInsert: {
          key,
          template: email.template,
          to,
          locale: email.locale,
          ...rendered,
          headers,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: new Date(),
        },
      },
      { upsert: true },
    );
  }

  /**
   * Claims one due message by moving its next attempt past the lease; null when nothing is due. Atomic on MongoDB
   * across instances; serialised in this process on FerretDB (see platform/db/write-serializer.ts).
   */
  private claim(now: Date): Promise<OutboxMessage | null> {
    const leaseId = crypto.randomUUID();
    return this.serializer.run('outbox:claim', () =>
      this.outbox
        .findOneAndUpdate(
          { status: 'pending', nextAttemptAt: mongoose.trusted({ $lte: now }) },
          { $set: { nextAttemptAt: new Date(now.getTime() + LEASE_MS), leaseId }, $inc: { attempts: 1 } },
          { sort: { nextAttemptAt: 1 }, returnDocument: 'after' },
        )
        .lean<OutboxMessage>()
        .exec(),
    );
  }

  /**
   * Sends every message that is due at `now`, one at a time, and returns what happened. Safe to run in several
   * instances at once: each message is claimed by one of them. Tests call it directly with a chosen `now`.
   */
  async drain(now: Date = new Date(), limit = 500): Promise<DrainResult> {
    const result: DrainResult = { sent: 0, failed: 0 };
    for (let i = 0; i < limit; i++) {
      const message = await this.claim(now);
      if (!message) break;
      try {
        await this.transport.send({
          from: this.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          headers: message.headers ?? {},
          messageId: `<${message.key.replace(/[^\w.-]/g, '')}@agora>`,
        });
        await this.outbox.updateOne(
          { _id: message._id, leaseId: message.leaseId },
          { $set: { status: 'sent', sentAt: new Date() }, $unset: { leaseId: 1, lastError: 1 } },
        );
        result.sent++;
      } catch (error) {
        const retryAt = new Date(now.getTime() + retryDelayMs(message.attempts));
        await this.outbox.updateOne(
          { _id: message._id, leaseId: message.leaseId },
          {
            $set: { nextAttemptAt: retryAt, lastError: String(error).slice(0, 500) },
            $unset: { leaseId: 1 },
          },
        );
        this.logger.warn(
          { err: error, to: '[redacted]', key: message.key, retryAt },
          'email not sent; will retry',
        );
        result.failed++;
      }
    }
    return result;
  }

  /** Runs drain() every `intervalMs` (one drain at a time) until stop(). */
  start(intervalMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.draining) return;
      this.draining = this.drain()
        .catch((error: unknown) => {
          this.logger.error({ err: error }, 'outbox drain failed');
          return { sent: 0, failed: 0 };
        })
        .finally(() => {
          this.draining = undefined;
        });
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.draining;
    this.transport.close();
  }

  /** Counts by status, for the operations page and tests. */
  async counts(): Promise<{ pending: number; sent: number }> {
    const [pending, sent] = await Promise.all([
      this.outbox.countDocuments({ status: 'pending' }),
      this.outbox.countDocuments({ status: 'sent' }),
    ]);
    return { pending, sent };
  }
}
