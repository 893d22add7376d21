import crypto from 'node:crypto';
import type { Request, Router } from 'express';
import type { i18n } from 'i18next';
import type { Connection } from 'mongoose';
import type { NavigationItem } from '../../platform/http/navigation';
import type { Logger } from '../../platform/logger';
import type { OpenApiRegistry } from '../../platform/http/openapi';
import type { Locale } from '../../platform/i18n';
import type { Notifications } from '../notifications';
import { consultationsApiRouter, registerConsultationsApi } from './api.routes';
import { createCommentsService } from './comments.service';
import { consultationsPublicRouter } from './consultations.routes';
import { createConsultationsService } from './consultations.service';
import type {
  ResponseCountSource,
  RoundAuditLog,
  RoundFreezer,
  SurveyDirectory,
} from './consultations.types';
import { feedsRouter } from './feeds.routes';
import { createNoticesService } from './notices.service';
import { officerRouter } from './officer.routes';
import { createReportsService } from './reports.service';
import { createSubscriptionsService } from './subscriptions.service';

/** Without the surveys module (tests of this module alone): no survey is attached to any consultation. */
export const noSurveys: SurveyDirectory = { listForConsultation: async () => [] };
/** Without the surveys module: every consultation has 0 responses. */
export const zeroResponseCounts: ResponseCountSource = {
  countByConsultation: async (ids) => new Map(ids.map((id) => [id, 0])),
};

export interface ConsultationsModuleDeps {
  connection: Connection;
  i18n: i18n;
  logger: Logger;
  baseUrl: string;
  /** Used (through HMAC with a fixed label) to sign unsubscribe links. */
  secret: string;
  notifications: Notifications;
  openApi: OpenApiRegistry;
  /**
   * The surveys attached to a consultation and their response counts (the surveys module). The surveys module is
   * built after this one, since it depends on it: the composition root passes ports that forward to it when called.
   */
  surveys?: SurveyDirectory;
  responseCounts?: ResponseCountSource;
  /** Freezes a round's figures when it is completed (the participation module, built after this one). */
  freezer?: RoundFreezer;
  /** Where round completions and reopenings are audited. */
  audit?: RoundAuditLog;
  /** The organisations an admin may move a consultation to (the accounts module). */
  organisations?: () => Promise<{ id: string; name: { en: string; fr: string } }[]>;
  clock?: () => Date;
}

export type ConsultationsModule = ReturnType<typeof createConsultationsModule>;

/** Builds the module's services and routers in one place (called by the composition root). */
export function createConsultationsModule(deps: ConsultationsModuleDeps) {
  const { connection } = deps;
  const consultations = createConsultationsService({
    connection,
    clock: deps.clock,
    freezer: deps.freezer,
    audit: deps.audit,
  });
  const subscriptions = createSubscriptionsService({
    connection,
    baseUrl: deps.baseUrl,
    secret: crypto.createHash('sha256').update(`unsubscribe:${deps.secret}`).digest('hex'),
  });
  const notices = createNoticesService({
    connection,
    consultations,
    subscriptions,
    notifications: deps.notifications,
    baseUrl: deps.baseUrl,
  });
  const reports = createReportsService({ connection, consultations, notices, clock: deps.clock });
  const comments = createCommentsService({
    connection,
    consultations,
    notifications: deps.notifications,
    baseUrl: deps.baseUrl,
    // "Tell me when the report is published", ticked with a comment.
    onReportOptIn: async ({ consultationId, user }) => {
      await subscriptions.subscribe({
        targetType: 'consultation',
        targetId: consultationId,
        email: user.email,
        locale: user.locale,
        userId: user.id,
        scope: 'report',
      });
    },
  });
  const surveyDirectory = deps.surveys ?? noSurveys;
  const responseCountSource = deps.responseCounts ?? zeroResponseCounts;

  registerConsultationsApi(deps.openApi);

  const routers: Router[] = [
    officerRouter({
      consultations,
      comments,
      reports,
      responseCounts: responseCountSource,
      surveys: surveyDirectory,
      organisations: deps.organisations,
    }),
    feedsRouter({
      consultations,
      reports,
      baseUrl: deps.baseUrl,
      fixedT: (locale: Locale) => deps.i18n.getFixedT(locale),
    }),
    consultationsApiRouter({ consultations, reports, baseUrl: deps.baseUrl }),
    consultationsPublicRouter({
      consultations,
      comments,
      reports,
      subscriptions,
      surveys: surveyDirectory,
      baseUrl: deps.baseUrl,
    }),
  ];

  const navigation: NavigationItem[] = [
    { href: '/consultations', labelKey: 'consultations:nav.consultations' },
    { href: '/rounds', labelKey: 'consultations:nav.rounds' },
    { href: '/officer', labelKey: 'consultations:nav.workspace', roles: ['officer'] },
  ];

  let timer: NodeJS.Timeout | undefined;

  return {
    consultations,
    comments,
    reports,
    subscriptions,
    notices,
    routers,
    navigation,
    /** RFC 8058 one-click unsubscribe: POST /unsubscribe/<signed token> needs no CSRF token (the token is the authority). */
    csrfExempt: (req: Request) => req.method === 'POST' && /^\/unsubscribe\/[^/]+$/.test(req.path),
    /** Creates the unique indexes (tests and start-up await it before the first write). */
    async init() {
      await Promise.all([
        consultations.init(),
        subscriptions.init(),
        notices.init(),
        reports.init(),
        comments.init(),
      ]);
    },
    /** Runs the scheduled notices every `intervalMs` (the job is idempotent, so overlapping instances are safe). */
    startScheduler(intervalMs: number) {
      if (timer) return;
      let running = false;
      timer = setInterval(() => {
        if (running) return;
        running = true;
        notices
          .runScheduledNotifications(new Date())
          .catch((error: unknown) => deps.logger.error({ err: error }, 'consultation notices failed'))
          .finally(() => {
            running = false;
          });
      }, intervalMs);
      timer.unref();
    },
    stopScheduler() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
