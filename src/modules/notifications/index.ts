import path from 'node:path';
import type { Router } from 'express';
import type { i18n } from 'i18next';
import type { Connection } from 'mongoose';
import type { Config } from '../../config';
import type { Logger } from '../../platform/logger';
import { devMailAllowed, devMailRouter } from './dev-mail.routes';
import { EmailRenderer } from './email-renderer';
import { fileTransport, smtpTransport, type MailTransport } from './mail-transport';
import { OutboxService } from './outbox.service';
import { outboxModels } from './outbox.model';

export type { BulkNotifications, Notifications, OutgoingEmail } from './notifications.types';
export { normaliseEmailAddress } from './email-address';
export type { OutboxService, DrainResult, Bounce, BounceListener } from './outbox.service';

export interface NotificationsModule {
  /** The one interface other modules use: notifications.send({ template, to, locale, data }). */
  notifications: OutboxService;
  /** Mounted only outside production, without SMTP_URL, with a local BASE_URL; answers loopback requests only. */
  router: Router | undefined;
  /** Starts the background sender (the app does; tests call notifications.drain() instead). */
  start(): void;
  stop(): Promise<void>;
}

export function createNotificationsModule(deps: {
  connection: Connection;
  config: Config;
  logger: Logger;
  i18n: i18n;
  /** Tests pass a transport; otherwise SMTP_URL or, in development, .eml files. */
  transport?: MailTransport;
  /** Tests may render templates from a fixtures folder. */
  templatesDir?: string;
}): NotificationsModule {
  const { config } = deps;
  const mailDir = path.join(config.dataDir, 'mail');
  const transport =
    deps.transport ?? (config.smtpUrl ? smtpTransport(config.smtpUrl) : fileTransport(mailDir));
  const renderer = new EmailRenderer(
    deps.i18n,
    config.baseUrl,
    config.env !== 'development',
    deps.templatesDir,
  );
  const notifications = new OutboxService(
    outboxModels(deps.connection),
    renderer,
    transport,
    config.mailFrom,
    deps.logger,
  );
  // Outside production, without SMTP, with a local BASE_URL only (see dev-mail.routes.ts).
  const showDevMail = devMailAllowed(config) && !deps.transport;
  return {
    notifications,
    router: showDevMail ? devMailRouter(mailDir) : undefined,
    start: () => notifications.start(config.mailWorkerIntervalMs),
    stop: () => notifications.stop(),
  };
}
