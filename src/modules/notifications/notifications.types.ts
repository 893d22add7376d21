import type { Locale } from '../../platform/i18n';

/**
 * One email to send. `template` names a folder under views/emails/ holding subject.ejs, text.ejs and html.ejs,
 * rendered in the recipient's `locale` with `t`, `locale`, `baseUrl` and `data` as locals.
 */
export interface OutgoingEmail {
  template: string;
  to: string;
  locale: Locale;
  data: Record<string, unknown>;
  /** The same key is queued once (e.g. `reply:<commentId>:<userId>`), so retried requests send one email. */
  idempotencyKey?: string;
  /** A one-click unsubscribe link; shown in the email and sent as List-Unsubscribe. */
  unsubscribeUrl?: string;
}

/** The one interface every module uses to send email; messages go through the outbox and are never lost. */
export interface Notifications {
  send(email: OutgoingEmail): Promise<void>;
}

/** Bulk queuing (the outbox): for senders of many emails at once, such as survey invitations. */
export interface BulkNotifications extends Notifications {
  /**
   * Queues many emails in one write, rendered by the worker as they go out; every address is validated first.
   * Keys already queued are left as they are. Returns how many were newly queued.
   */
  sendMany(emails: OutgoingEmail[]): Promise<number>;
}
