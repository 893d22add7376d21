import type { Connection } from 'mongoose';
import { isDuplicateKey } from '../../platform/db/duplicate-key';
import { formatDate } from '../../platform/i18n';
import type { Notifications } from '../notifications';
import type { ConsultationsService } from './consultations.service';
import type { Consultation } from './consultations.types';
import { noticeModel } from './subscription.model';
import type { SubscriptionsService } from './subscriptions.service';

const HOUR = 3600 * 1000;
/** "About to close" is sent this long before the closing date. */
export const CLOSING_SOON_MS = 48 * HOUR;
/** Events older than this are not announced any more (a job that was down for a long time stays quiet). */
export const NOTICE_LOOKBACK_MS = 7 * 24 * HOUR;

export type NoticeEvent = 'opened' | 'closing' | 'closed' | 'report';

const TEMPLATES: Record<NoticeEvent, string> = {
  opened: 'consultation-opened',
  closing: 'consultation-closing',
  closed: 'consultation-closed',
  report: 'consultation-report',
};

export interface NoticesServiceOptions {
  connection: Connection;
  consultations: ConsultationsService;
  subscriptions: SubscriptionsService;
  notifications: Notifications;
  baseUrl: string;
}

export type NoticesService = ReturnType<typeof createNoticesService>;

/**
 * Emails to followers when a consultation opens, is about to close, closes, or gets its report.
 * Exactly-once comes from two keys: each email's idempotency key (`<event>:<consultationId>:<email>`, deduplicated
 * by the notifications outbox) and a notice record per event (`<event>:<consultationId>`, unique) written after
 * every email of the event is queued, so a crash half-way is finished by the next run without doubles.
 */
export function createNoticesService(options: NoticesServiceOptions) {
  const Notices = noticeModel(options.connection);
  const { consultations, subscriptions, notifications } = options;

  async function alreadySent(key: string): Promise<boolean> {
    return Boolean(await Notices.exists({ key }));
  }

  /** Sends one event's emails; resolves the number of recipients, or null when the event was already announced. */
  async function announce(consultation: Consultation, event: NoticeEvent, now: Date): Promise<number | null> {
    const key = `${event}:${consultation.id}`;
    if (await alreadySent(key)) return null;
    const recipients = await subscriptions.recipientsFor(consultation, event);
    for (const recipient of recipients) {
      const locale = recipient.locale;
      await notifications.send({
        template: TEMPLATES[event],
        to: recipient.email,
        locale,
        idempotencyKey: `${key}:${recipient.email}`,
        unsubscribeUrl: subscriptions.unsubscribeUrl(recipient.subscriptionId),
        data: {
          consultationTitle: consultation.title[locale] || consultation.title.en,
          summary: consultation.summary[locale] || consultation.summary.en,
          opensAt: formatDate(consultation.opensAt, locale, true),
          closesAt: formatDate(consultation.closesAt, locale, true),
          url: `${options.baseUrl}/consultations/${consultation.slug}`,
          reportUrl: `${options.baseUrl}/consultations/${consultation.slug}/report`,
        },
      });
    }
    try {
      await Notices.create({ key, sentAt: now, recipients: recipients.length });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error; // another instance finished the same event: nothing to do
    }
    return recipients.length;
  }

  /**
   * The periodic job (the app runs it on an interval; tests call it with a chosen `now`). Idempotent: running it
   * twice, or on several instances at once, sends each email once.
   */
  async function runScheduledNotifications(now: Date): Promise<{ key: string; recipients: number }[]> {
    const sent: { key: string; recipients: number }[] = [];
    const candidates = await consultations.listForNotices(now, NOTICE_LOOKBACK_MS, CLOSING_SOON_MS);
    for (const consultation of candidates) {
      const opens = consultation.opensAt.getTime();
      const closes = consultation.closesAt.getTime();
      const t = now.getTime();
      const events: NoticeEvent[] = [];
      if (opens <= t && t < closes && opens >= t - NOTICE_LOOKBACK_MS) events.push('opened');
      if (t < closes && closes - t <= CLOSING_SOON_MS && opens <= t) events.push('closing');
      if (closes <= t && closes >= t - NOTICE_LOOKBACK_MS) events.push('closed');
      for (const event of events) {
        const recipients = await announce(consultation, event, now);
        if (recipients !== null) sent.push({ key: `${event}:${consultation.id}`, recipients });
      }
    }
    return sent;
  }

  return {
    async init() {
      await Notices.init();
    },
    runScheduledNotifications,
    /** Called when a report is published. */
    announceReport: (consultation: Consultation, now: Date) => announce(consultation, 'report', now),
  };
}
