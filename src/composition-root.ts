import type { Express, Router } from 'express';
import type { Connection } from 'mongoose';
import type { Config } from './config';
import { createApp, type NavigationItem } from './app';
import type { Database } from './platform/db/database';
import { PendingEffects } from './platform/db/pending-effects';
import { databaseReadiness, type ReadinessOptions } from './platform/http/health';
import { RateLimiter } from './platform/http/rate-limit';
import { createSessionMiddleware } from './platform/http/session';
import { createI18n } from './platform/i18n';
import type { Logger } from './platform/logger';
import { createNotificationsModule, type OutboxService } from './modules/notifications';
import { createAccountsModule, type AccountsService } from './modules/accounts';
import { createAuditModule, type AuditLog } from './modules/audit';
import { createAnalysisModule, createAnswerCounters, type AnswerCounters } from './modules/analysis';
import { createConsultationsModule, type ConsultationsModule } from './modules/consultations';
import { createCommitmentsModule, type CommitmentsModule } from './modules/commitments';
import {
  createParticipationModule,
  registerParticipationOpenApi,
  type ParticipationModule,
} from './modules/participation';
import { createOpenApiRegistry, openApiRouter } from './platform/http/openapi';
import { dashboardRouter } from './modules/dashboard';
import { createSurveysModule, type FloodGuard, type SurveysService } from './modules/surveys';

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
  /** The audit log of staff actions, sign-ups and downloads. */
  audit: AuditLog;
  surveys: SurveysService;
  /** The analysis module's answer counters (rebuilds, tests). */
  answerCounters: AnswerCounters;
  /** Flood detection and challenge tokens of anonymous survey submissions. */
  flood: FloodGuard;
  /** Unfinished multi-document work and its reconciler (tests call effects.reconcile({ graceMs: 0 })). */
  effects: PendingEffects;
  /** One reconciler pass: unfinished submissions are finished, and a rebuild that a late replay asked for runs. */
  reconcile(): Promise<void>;
  /** Action plans, commitments, status updates and reviews. */
  commitments: CommitmentsModule;
  /** Everything the demo loader needs to build services of its own (with a clock set in the past). */
  parts: { connection: Connection; baseUrl: string; secret: string };
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
  /** Intervals of the background jobs started by start() (the soak test runs them every few seconds). */
  intervals?: Partial<Record<'reconciler' | 'consultationNotices' | 'reminders', number>>;
  /** Tests may change how long a database failure keeps /readyz at 503, and the clock it is measured with. */
  readiness?: ReadinessOptions;
}

/** How often the "opened / closing soon / closed" emails are looked for (the job is idempotent). */
const CONSULTATION_NOTICES_INTERVAL_MS = 5 * 60 * 1000;
/** How often unfinished work left by a failed request is looked for (see platform/db/pending-effects.ts). */
const RECONCILER_INTERVAL_MS = 30 * 1000;
const REMINDERS_INTERVAL_MS = 3600 * 1000;

/** Builds models -> services -> routers in one place, and the app from them. */
export function compose(
  config: Config,
  logger: Logger,
  database: Pick<Database, 'connection'>,
  options: ComposeOptions = {},
): Composition {
  const { connection } = database;
  const i18n = createI18n();
  const session = createSessionMiddleware({
    connection,
    secret: config.sessionSecret,
    maxAgeMs: config.sessionMaxAgeMs,
    secureCookie: config.baseUrl.startsWith('https:'),
    logger,
  });

  const mail = createNotificationsModule({
    connection,
    config,
    logger,
    i18n,
    templatesDir: options.emailTemplatesDir,
  });

  const limiter = new RateLimiter(connection);
  const audit = createAuditModule({ connection });
  const accounts = createAccountsModule({
    audit: audit.log,
    connection,
    baseUrl: config.baseUrl,
    notifications: mail.notifications,
    logger,
    limiter,
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
    organisations: () => accounts.service.listOrganisations(),
    // Participation and surveys depend on consultations, so they are built after it: these ports forward to them
    // when called (never during construction), which keeps every module's dependencies in its factory's arguments.
    freezer: { freeze: (roundId, at) => participation.reports.freeze(roundId, at) },
    surveys: { listForConsultation: (id) => surveys.surveyDirectory.listForConsultation(id) },
    responseCounts: { countByConsultation: (ids) => surveys.responseCounts.countByConsultation(ids) },
    // Completions and reopenings go to the staff audit log (/admin/audit).
    audit: {
      async record(entry) {
        await audit.log.record({
          at: entry.at,
          action: entry.action,
          actor: { id: entry.actor.id, email: entry.actor.email ?? null },
          target: { type: 'round', id: entry.roundId },
          details: entry.action === 'round.reopened' ? { reason: entry.detail } : { slug: entry.detail },
          // One entry per completion or reopening, whoever retries it.
          key: String(entry.at.getTime()),
        });
      },
    },
  });
  const effects = new PendingEffects(connection, logger);
  const participation = createParticipationModule({
    connection,
    logger,
    rounds: consultations.consultations,
    suppressionThreshold: config.suppressionThreshold,
    openData: { baseUrl: config.baseUrl, licenceUrl: config.openDataLicenceUrl },
  });
  registerParticipationOpenApi(openApi);
  const commitments = createCommitmentsModule({
    connection,
    i18n,
    baseUrl: config.baseUrl,
    secret: config.sessionSecret,
    notifications: mail.notifications,
    openApi,
    consultations: consultations.consultations,
    organisations: () => accounts.service.listOrganisations(),
    shares: participation.reports,
  });

  // Analysis counters are kept at each submission; they read question types from the surveys service.
  const answerCounters = createAnswerCounters(connection, (surveyId) => surveys.allDefinitions(surveyId));
  const surveysModule = createSurveysModule({
    connection,
    effects,
    logger,
    answerRecorder: answerCounters,
    consultations: consultations.consultations,
    participation: participation.participation,
    notifications: mail.notifications,
    baseUrl: config.baseUrl,
    secret: config.sessionSecret,
    audit: audit.log,
    limiter,
    openApi,
    flood: config.flood,
    invitationMaxAgeMs: config.sessionMaxAgeMs,
  });
  const surveys = surveysModule.service;
  // An invitation or reminder whose address the mail server refused for good marks the invitation bounced.
  mail.notifications.onBounce(async (bounce) => {
    await surveys.recordInvitationBounce(bounce);
  });
  // A deleted account's name and email leave the comments, and its subscriptions stop.
  accounts.service.onAccountDeleted(async ({ userId }) => {
    await consultations.comments.forgetAuthor(userId);
    await consultations.subscriptions.forgetUser(userId);
    await commitments.followers.forgetUser(userId);
    await surveys.forgetParticipant(userId);
  });
  const analysis = createAnalysisModule({
    reports: participation.reports,
    consultations: consultations.consultations,
    surveys,
    counters: answerCounters,
    logger,
    suppressionThreshold: config.suppressionThreshold,
    i18n,
  });
  let reconcilerTimer: NodeJS.Timeout | undefined;
  let reconciling: Promise<void> | undefined;
  const reconcile = async () => {
    await effects.reconcile();
    await participation.participation.rebuildIfNeeded();
  };
  const intervals = options.intervals ?? {};

  const routers: Router[] = [
    // First: it gives every request `req.audit` (and serves /admin/audit).
    audit.router,
    ...(options.extraRouters ?? []),
    ...consultations.routers,
    ...accounts.routers,
    participation.router,
    ...commitments.routers,
    analysis.router,
    ...surveysModule.routers,
    dashboardRouter({
      surveys,
      subscriptions: consultations.subscriptions,
      consultations: consultations.consultations,
      followers: commitments.followers,
      commitments: commitments.commitments,
    }),
    openApiRouter(openApi, config.baseUrl),
  ];
  if (mail.router) routers.push(mail.router);
  const navigation: NavigationItem[] = [
    ...consultations.navigation,
    ...surveysModule.navigation,
    { href: '/participation', labelKey: 'participation:nav' },
    { href: '/indicators', labelKey: 'participation:indicators.nav' },
    ...commitments.navigation,
    { href: '/analysis', labelKey: 'analysis:nav', roles: ['officer', 'analyst'] },
    ...accounts.navigation,
  ];

  const app = createApp({
    config,
    logger,
    i18n,
    readiness: databaseReadiness(connection, options.readiness),
    session: session.middleware,
    sessionMiddleware: accounts.sessionMiddleware,
    routers,
    navigation,
    onLanguageChosen: (user, locale) => accounts.service.setLocale(user, locale),
    csrfExempt: (req) =>
      consultations.csrfExempt(req) || surveysModule.csrfExempt(req) || commitments.csrfExempt(req),
  });
  return {
    app,
    participation,
    async init() {
      await consultations.init();
      await participation.init();
      await surveysModule.init();
      await commitments.init();
      await accounts.init();
      await audit.init();
      await limiter.init();
    },
    notifications: mail.notifications,
    consultations,
    accounts: accounts.service,
    audit: audit.log,
    surveys,
    answerCounters,
    flood: surveysModule.flood,
    effects,
    reconcile,
    commitments,
    parts: { connection, baseUrl: config.baseUrl, secret: config.sessionSecret },
    start() {
      mail.start();
      consultations.startScheduler(intervals.consultationNotices ?? CONSULTATION_NOTICES_INTERVAL_MS);
      // Finishes work that a request could not (a crash between two writes); once at start, then periodically.
      const reconcileOnce = () => {
        reconciling ??= reconcile()
          .catch((error: unknown) => logger.error({ err: error }, 'reconciler failed'))
          .finally(() => {
            reconciling = undefined;
          });
      };
      reconcileOnce();
      reconcilerTimer ??= setInterval(reconcileOnce, intervals.reconciler ?? RECONCILER_INTERVAL_MS);
      reconcilerTimer.unref();
      surveysModule.startReminders(intervals.reminders ?? REMINDERS_INTERVAL_MS, (error) =>
        logger.error({ err: error }, 'survey reminders failed'),
      );
    },
    async stop() {
      consultations.stopScheduler();
      surveysModule.stop();
      if (reconcilerTimer) clearInterval(reconcilerTimer);
      await reconciling;
      await mail.stop();
      limiter.stop();
      // Index builds started at composition must finish before the client closes, or they fail unhandled.
      await Promise.allSettled([accounts.init(), audit.init(), limiter.init()]);
      await session.store.close().catch(() => undefined);
    },
  };
}
