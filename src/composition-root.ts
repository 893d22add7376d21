import type { Express, Router } from 'express';
import type { Config } from './config';
import { createApp, type NavigationItem } from './app';
import { ping, type Database } from './platform/db/database';
import { createWriteSerializer, type WriteSerializer } from './platform/db/write-serializer';
import { createSessionMiddleware } from './platform/http/session';
import { createI18n } from './platform/i18n';
import type { Logger } from './platform/logger';
import { homeRouter } from './modules/home';
import { createNotificationsModule, type OutboxService } from './modules/notifications';
import { createConsultationsService } from './modules/consultations';
import { createParticipationModule } from './modules/participation';
import {
  answeringRouter,
  builderRouter,
  createSurveysService,
  registerSurveysOpenApi,
  surveysApiRouter,
} from './modules/surveys';
import { createOpenApiRegistry } from './platform/http/openapi';

export interface Composition {
  app: Express;
  /** The email outbox: send() for modules, drain() for tests. */
  notifications: OutboxService;
  /** Resolves once the modules' indexes exist (unique indexes are what makes submissions exact). */
  ready: Promise<unknown>;
  /** Starts background work (the email sender, scheduled jobs). The server calls it; tests usually do not. */
  start(): void;
  /** Stops background work; the database is closed by its owner. */
  stop(): Promise<void>;
}

export interface ComposeOptions {
  /** Routers mounted before the modules' own (tests use this for test-only endpoints). */
  extraRouters?: Router[];
  /** Tests may render email templates from a fixtures folder. */
  emailTemplatesDir?: string;
}

/** Builds models -> services -> routers in one place, and the app from them. */
export function compose(
  config: Config,
  logger: Logger,
  database: Pick<Database, 'connection'> & { serializer?: WriteSerializer },
  options: ComposeOptions = {},
): Composition {
  const { connection } = database;
  // Without a verdict on the database, serialise: correct everywhere, merely slower on MongoDB.
  const serializer = database.serializer ?? createWriteSerializer(false);
  const i18n = createI18n();
  const session = createSessionMiddleware({
    connection,
    secret: config.sessionSecret,
    maxAgeMs: config.sessionMaxAgeMs,
    secureCookie: config.baseUrl.startsWith('https:'),
  });

  const mail = createNotificationsModule({
    connection,
    config,
    logger,
    i18n,
    serializer,
    templatesDir: options.emailTemplatesDir,
  });

  // surveys (the consultations and participation services are shared with their own modules once they are wired)
  const consultations = createConsultationsService({ connection });
  const { participation } = createParticipationModule({ connection, serializer });
  const surveys = createSurveysService({
    connection,
    consultations,
    participation,
    notifications: mail.notifications,
    serializer,
    baseUrl: config.baseUrl,
    secret: config.sessionSecret,
  });
  let reminderTimer: NodeJS.Timeout | undefined;
  const ready = Promise.all([consultations.init(), participation.init(), surveys.init()]);
  ready.catch((error: unknown) => logger.error({ err: error }, 'could not create the survey indexes'));

  const openApi = createOpenApiRegistry({ title: 'Agora API', version: '1', baseUrl: config.baseUrl });
  registerSurveysOpenApi(openApi);

  const routers: Router[] = [
    ...(options.extraRouters ?? []),
    homeRouter(),
    answeringRouter(surveys),
    builderRouter(surveys, consultations),
    surveysApiRouter(surveys),
    openApi.router(),
  ];
  if (mail.router) routers.push(mail.router);
  const navigation: NavigationItem[] = [
    { href: '/manage/surveys', labelKey: 'surveys:nav', roles: ['officer'] },
  ];

  const app = createApp({
    config,
    logger,
    i18n,
    ping: () => ping(connection),
    session: session.middleware,
    routers,
    navigation,
  });
  return {
    app,
    notifications: mail.notifications,
    ready,
    start() {
      mail.start();
      // Survey invitation reminders: idempotent, so a missed or doubled run does no harm.
      reminderTimer ??= setInterval(() => {
        surveys
          .sendDueReminders()
          .catch((error: unknown) => logger.error({ err: error }, 'survey reminders failed'));
      }, 3600_000);
      reminderTimer.unref();
    },
    async stop() {
      if (reminderTimer) clearInterval(reminderTimer);
      await mail.stop();
      await session.store.close().catch(() => undefined);
    },
  };
}
