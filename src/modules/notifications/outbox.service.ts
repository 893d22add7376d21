import crypto from 'node:crypto';
import mongoose from 'mongoose';
import { isDuplicateKey } from '../../platform/db/duplicate-key';
import { ValidationError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import { normaliseEmailAddress } from './email-address';
import type { EmailRenderer } from './email-renderer';
import { RecipientRefusedError, type MailTransport } from './mail-transport';
import type { Notifications, OutgoingEmail } from './notifications.types';
import type { OutboxMessage, OutboxModels } from './outbox.model';

/**
 * How long a claimed message is reserved for the worker that claimed it, counted from the claim itself. Longer than
 * any one send can take (the SMTP transport gives up well before), so a message is never sent by two workers.
 */
export const LEASE_MS = 5 * 60_000;
/** Retry delays grow 30 s, 1 min, 2 min, ... up to one hour, and go on at one hour until the message is sent. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3600_000);
}

export interface DrainResult {
  sent: number;
  /** Not sent this time; retried later. */
  failed: number;
  /** Refused for good by the mail server: not retried (see onBounce). */
  bounced: number;
}

/** An email whose recipient the mail server refused for good, for the module that sent it. */
export interface Bounce {
  /** The email's idempotency key (e.g. `survey-invitation:<id>`): how its sender finds what it was about. */
  key: string;
  template: string;
  /** The reply's codes, such as `550 5.1.1`. */
  reason: string;
  at: Date;
}

export type BounceListener = (bounce: Bounce) => Promise<void>;

function invalidAddress(): ValidationError {
  return new ValidationError([{ field: 'email', message: { key: 'notifications:errors.invalidAddress' } }]);
}

function unsubscribeHeaders(url: string | undefined): Record<string, string> {
  return url ? { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {};
}

export class OutboxService implements Notifications {
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<DrainResult> | undefined;
  private readonly bounceListeners: BounceListener[] = [];

  constructor(
    private readonly outbox: OutboxModels,
    private readonly renderer: EmailRenderer,
    private readonly transport: MailTransport,
    private readonly from: string,
    private readonly logger: Logger,
  ) {}

  /**
   * Called when the mail server refuses a message's recipient for good, before the message leaves the queue: a
   * listener that fails leaves the message to be tried again (and refused again), so no bounce is lost. Listeners
   * must be idempotent.
   */
  onBounce(listener: BounceListener): void {
    this.bounceListeners.push(listener);
  }

  /**
   * Queues an email. The recipient is validated first (one plain address); the content is rendered now. With an
   * idempotency key, queuing the same key again does nothing, so a retried request sends one email.
   */
  async send(email: OutgoingEmail): Promise<void> {
    const to = normaliseEmailAddress(email.to);
    if (!to) throw invalidAddress();
    const rendered = await this.renderer.render({ ...email, to });
    const key = email.idempotencyKey ?? crypto.randomUUID();
    const now = new Date();
    try {
      await this.outbox.queue.collection.updateOne(
        { _id: key as never },
        {
          $setOnInsert: {
            template: email.template,
            to,
            locale: email.locale,
            ...rendered,
            headers: unsubscribeHeaders(email.unsubscribeUrl),
            status: 'pending',
            attempts: 0,
            nextAttemptAt: now,
            createdAt: now,
          },
        },
        { upsert: true },
      );
    } catch (error) {
      // Two requests queued the same key at once: the other one queued it.
      if (!isDuplicateKey(error)) throw error;
    }
  }

  /**
   * Queues many emails in one write (bulk invitations), to be rendered by the worker as they go out. Every address
   * is validated first: one invalid address refuses the whole batch. Keys already queued are left as they are.
   * Returns how many were newly queued.
   */
  async sendMany(emails: OutgoingEmail[]): Promise<number> {
    const now = new Date();
    const docs = emails.map((email) => {
      const to = normaliseEmailAddress(email.to);
      if (!to) throw invalidAddress();
      return {
        _id: email.idempotencyKey ?? crypto.randomUUID(),
        template: email.template,
        to,
        locale: email.locale,
        data: email.data,
        ...(email.unsubscribeUrl ? { unsubscribeUrl: email.unsubscribeUrl } : {}),
        headers: unsubscribeHeaders(email.unsubscribeUrl),
        status: 'pending' as const,
        attempts: 0,
        nextAttemptAt: now,
        createdAt: now,
      };
    });
    if (docs.length === 0) return 0;
    try {
      const result = await this.outbox.queue.collection.insertMany(docs as never[], { ordered: false });
      return result.insertedCount;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      return (error as { result?: { insertedCount?: number } }).result?.insertedCount ?? 0;
    }
  }

  /**
   * Claims one due message by moving its next attempt past the lease; null when nothing is due. One conditional
   * update: atomic on MongoDB and on the embedded engine's single connection, so each message goes to one worker.
   */
  private claim(dueBy: Date, claimedAt: Date): Promise<OutboxMessage | null> {
    return this.outbox.queue
      .findOneAndUpdate(
        { status: 'pending', nextAttemptAt: mongoose.trusted({ $lte: dueBy }) },
        {
          $set: { nextAttemptAt: new Date(claimedAt.getTime() + LEASE_MS), leaseId: crypto.randomUUID() },
          $inc: { attempts: 1 },
        },
        { sort: { nextAttemptAt: 1 }, returnDocument: 'after' },
      )
      .lean<OutboxMessage>()
      .exec();
  }

  /** The message's content, rendering a bulk-queued one now. */
  private async content(message: OutboxMessage): Promise<{ subject: string; text: string; html: string }> {
    if (message.subject !== undefined && message.text !== undefined && message.html !== undefined)
      return { subject: message.subject, text: message.text, html: message.html };
    return this.renderer.render({
      template: message.template,
      to: message.to,
      locale: message.locale as OutgoingEmail['locale'],
      data: message.data ?? {},
      ...(message.unsubscribeUrl ? { unsubscribeUrl: message.unsubscribeUrl } : {}),
    });
  }

  /**
   * Sends every message that is due at `now`, one at a time, and returns what happened. Safe to run in several
   * instances at once: each message is claimed by one of them. Tests call it directly with a chosen `now`; the
   * clock then runs on from it, so every claim's lease starts when that claim is made, not when the drain began.
   */
  async drain(now: Date = new Date(), limit = 500): Promise<DrainResult> {
    const result: DrainResult = { sent: 0, failed: 0, bounced: 0 };
    const offset = now.getTime() - Date.now();
    const clock = () => new Date(Date.now() + offset);
    for (let i = 0; i < limit; i++) {
      const claimedAt = clock();
      const message = await this.claim(claimedAt, claimedAt);
      if (!message) break;
      try {
        const content = await this.content(message);
        await this.transport.send({
          from: this.from,
          to: message.to,
          ...content,
          headers: message.headers ?? {},
          messageId: `<${message._id.replace(/[^\w.-]/g, '')}@agora>`,
        });
        await this.markSent(message, content, clock());
        result.sent++;
      } catch (error) {
        if (error instanceof RecipientRefusedError && (await this.bounce(message, error.reason, clock()))) {
          result.bounced++;
          continue;
        }
        const retryAt = new Date(clock().getTime() + retryDelayMs(message.attempts));
        await this.outbox.queue.updateOne(
          { _id: message._id, leaseId: message.leaseId },
          {
            $set: { nextAttemptAt: retryAt, lastError: String(error).slice(0, 500) },
            $unset: { leaseId: 1 },
          },
        );
        this.logger.warn(
          { err: error, to: '[redacted]', key: message._id, retryAt },
          'email not sent; will retry',
        );
        result.failed++;
      }
    }
    return result;
  }

  /**
   * A recipient refused for good: the listeners hear of it, then the message moves to `outbox_sent` as `bounced`
   * (never retried). False if a listener failed: the message is then retried like any failure.
   */
  private async bounce(message: OutboxMessage, reason: string, at: Date): Promise<boolean> {
    try {
      for (const listener of this.bounceListeners)
        await listener({ key: message._id, template: message.template, reason, at });
    } catch (error) {
      this.logger.error(
        { err: error, key: message._id },
        'bounce listener failed; the email will be retried',
      );
      return false;
    }
    const { leaseId: _lease, lastError: _error, data: _data, ...kept } = message;
    await this.outbox.sent.collection
      .updateOne(
        { _id: message._id as never },
        { $setOnInsert: { ...kept, status: 'bounced', bouncedAt: at, lastError: reason } },
        { upsert: true },
      )
      .catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
      });
    await this.outbox.queue.deleteOne({ _id: message._id, leaseId: message.leaseId });
    this.logger.warn({ to: '[redacted]', key: message._id, reason }, 'email refused for good; not retried');
    return true;
  }

  /** Moves a sent message to `outbox_sent` (copy first, then delete: replaying either step is harmless). */
  private async markSent(
    message: OutboxMessage,
    content: { subject: string; text: string; html: string },
    sentAt: Date,
  ): Promise<void> {
    const { leaseId: _lease, lastError: _error, data: _data, ...kept } = message;
    await this.outbox.sent.collection
      .updateOne(
        { _id: message._id as never },
        { $setOnInsert: { ...kept, ...content, status: 'sent', sentAt } },
        { upsert: true },
      )
      .catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
      });
    await this.outbox.queue.deleteOne({ _id: message._id, leaseId: message.leaseId });
  }

  /** Runs drain() every `intervalMs` (one drain at a time) until stop(). */
  start(intervalMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.draining) return;
      this.draining = this.drain()
        .catch((error: unknown) => {
          this.logger.error({ err: error }, 'outbox drain failed');
          return { sent: 0, failed: 0, bounced: 0 };
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

  /** Counts of queued and sent messages, for the operations page and tests. */
  async counts(): Promise<{ pending: number; sent: number; bounced: number }> {
    const [pending, done, bounced] = await Promise.all([
      this.outbox.queue.countDocuments({}),
      this.outbox.sent.countDocuments({}),
      this.outbox.sent.countDocuments({ status: 'bounced' }),
    ]);
    return { pending, sent: done - bounced, bounced };
  }
}
