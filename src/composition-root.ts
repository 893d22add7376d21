import type { Express, Router } from 'express';
import type { Connection } from 'mongoose';
import type { Config } from './config';
import { createApp, type NavigationItem } from './app';
import { ping, type Database } from './platform/db/database';
import { createWriteSerializer, type WriteSerializer } from './platform/db/write-serializer';
import { RateLimiter } from './platform/http/rate-limit';
import { createSessionMiddleware } from './platform/http/session';
import { createI18n } from './platform/i18n';
import type { Logger } from './platform/logger';
import { createNotificationsModule, type OutboxService } from './modules/notifications';
import { createAccountsModule, type AccountsService } from './modules/accounts';
import { createAnalysisModule } from './modules/analysis';
import { createConsultationsModule, type ConsultationsModule } from './modules/consultations';
import {
  createParticipationModule,
  registerParticipationOpenApi,
  type ParticipationModule,
} from './modules/participation';
import { createOpenApiRegistry, openApiRouter } from './platform/http/openapi';
import {
  answeringRouter,
  builderRouter,
  createSurveysService,
  registerSurveysOpenApi,
  surveyFormCsrfExempt,
  surveysApiRouter,
  type SurveysService,
} from './modules/surveys';

export interface Composition {
  app: Express;
  participation: ParticipationModule;
  /** Creates indexes (unique constraints carry correctness, so they must exist before the first request). */
  init(): Promise<void>;
  /** The email outbox: send() for modules, drain() for tests. */
  notifications: OutboxService;
  /** Rounds, consultations, dialogue, reports, subscriptions; tests call consultations.notices.runScheduledNotifications(now). */
  consultations: ConsultationsModule;
  accounts: AccountsService;
  surveys: SurveysService;
  /** Everything the demo loader needs to build services of its own (with a clock set in the past). */
  parts: { connection: Connection; serializer: WriteSerializer; baseUrl: string; secret: string };
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

/** How often the "opened / closing soon / closed" emails are looked for (the job is idempotent). */
const CONSULTATION_NOTICES_INTERVAL_MS = 5 * 60 * 1000;

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

  const limiter = new RateLimiter(connection, { serializer });
  const accounts = createAccountsModule({
    connection,
    baseUrl: config.baseUrl,
    notifications: mail.notifications,
    logger,
    limiter,
    serializer,
  });

  // The public API's one OpenAPI document; each module adds its paths (GET /api/v1/openapi.json).
  const openApi = createOpenApiRegistry({ title: 'Agora public API', version: '1.0.0' });
  const consultations = createConsultationsModule({
    connection,
    i18n,
    logger,
    baseUrl: config.baseUrl,
    secret: config.sessionSecret,
    notifications: mail.notifications,
    openApi,
    serializer,
  });
  const participation = createParticipationModule({
    connection,
    serializer,
    rounds: consultations.consultations,
    suppressionThreshold: config.suppressionThreshold,
  });
  registerParticipationOpenApi(openApi);

  const surveys = createSurveysService({
    connection,
    consultations: consultations.consultations,
    participation: participation.participation,
    notifications: mail.notifications,
    serializer,
    baseUrl: config.baseUrl,
    secret: config.sessionSecret,
  });
  // A deleted account's name and email leave the comments, and its subscriptions stop.
  accounts.service.onAccountDeleted(async ({ userId }) => {
    await consultations.comments.forgetAuthor(userId);
    await consultations.subscriptions.forgetUser(userId);
  });
  // Consultation pages list their surveys and count their responses.
  consultations.setSurveyDirectory(surveys.surveyDirectory);
  consultations.setResponseCounts(surveys.responseCounts);
  registerSurveysOpenApi(openApi);
  const analysis = createAnalysisModule({
    reports: participation.reports,
    consultations: consultations.consultations,
    surveys,
  });
  let reminderTimer: NodeJS.Timeout | undefined;
  // Survey pages of anonymous respondents carry their own token, so an expired session loses nothing typed.
  const surveyPagesExempt = surveyFormCsrfExempt(surveys.formToken);

  const routers: Router[] = [
    ...(options.extraRouters ?? []),
    ...consultations.routers,
    ...accounts.routers,
    participation.router,
    analysis.router,
    answeringRouter(surveys, limiter, mail.notifications),
    builderRouter(surveys, consultations.consultations),
    surveysApiRouter(surveys, limiter),
    openApiRouter(openApi, config.baseUrl),
  ];
  if (mail.router) routers.push(mail.router);
  const navigation: NavigationItem[] = [
    ...consultations.navigation,
    { href: '/manage/surveys', labelKey: 'surveys:nav', roles: ['officer'] },
    { href: '/participation', labelKey: 'participation:nav' },
    { href: '/indicators', labelKey: 'participation:indicators.nav' },
    { href: '/analysis', labelKey: 'analysis:nav', roles: ['officer', 'analyst'] },
    ...accounts.navigation,
  ];

  const app = createApp({
    config,
    logger,
    i18n,
    ping: () => ping(connection),
    session: session.middleware,
    sessionMiddleware: accounts.sessionMiddleware,
    routers,
    navigation,
    csrfExempt: (req) => consultations.csrfExempt(req) || surveyPagesExempt(req),
  });
  return {
    app,
    participation,
    async init() {
      await consultations.init();
      await participation.init();
      await surveys.init();
      await accounts.ready;
      await limiter.ready;
    },
    notifications: mail.notifications,
    consultations,
    accounts: accounts.service,
    surveys,
    parts: { connection, serializer, baseUrl: config.baseUrl, secret: config.sessionSecret },
    start() {
      mail.start();
      consultations.startScheduler(CONSULTATION_NOTICES_INTERVAL_MS);
      // Survey invitation reminders: idempotent, so a missed or doubled run does no harm.
      reminderTimer ??= setInterval(() => {
        surveys
          .sendDueReminders()
          .catch((error: unknown) => logger.error({ err: error }, 'survey reminders failed'));
      }, 3600_000);
      reminderTimer.unref();
    },
    async stop() {
      consultations.stopScheduler();
      if (reminderTimer) clearInterval(reminderTimer);
      await mail.stop();
      limiter.stop();
      // Index builds started at composition must finish before the client closes, or they fail unhandled.
      await Promise.allSettled([accounts.ready, limiter.ready]);
      await session.store.close().catch(() => undefined);
    },
  };
}
