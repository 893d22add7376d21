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
import type { ResponseCountSource, SurveyDirectory } from './consultations.types';
import { feedsRouter } from './feeds.routes';
import { createNoticesService } from './notices.service';
import { officerRouter } from './officer.routes';
import { createReportsService } from './reports.service';
import { createSubscriptionsService } from './subscriptions.service';

/** Until the surveys module is wired: no survey is attached to any consultation. */
export const noSurveys: SurveyDirectory = { listForConsultation: async () => [] };
/** Until the responses module is wired: every consultation has 0 responses. */
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
  surveys?: SurveyDirectory;
  responseCounts?: ResponseCountSource;
  /** The organisations an admin may move a consultation to (the accounts module). */
  organisations?: () => Promise<{ id: string; name: { en: string; fr: string } }[]>;
  clock?: () => Date;
}

export type ConsultationsModule = ReturnType<typeof createConsultationsModule>;

/** Builds the module's services and routers in one place (called by the composition root). */
export function createConsultationsModule(deps: ConsultationsModuleDeps) {
  const { connection } = deps;
  const consultations = createConsultationsService({ connection, clock: deps.clock });
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
  // The surveys and responses modules plug in later; these let them be set after construction.
  let surveys: SurveyDirectory = deps.surveys ?? noSurveys;
  let responseCounts: ResponseCountSource = deps.responseCounts ?? zeroResponseCounts;
  const surveyDirectory: SurveyDirectory = { listForConsultation: (id) => surveys.listForConsultation(id) };
  const responseCountSource: ResponseCountSource = {
    countByConsultation: (ids) => responseCounts.countByConsultation(ids),
  };

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
    setSurveyDirectory(directory: SurveyDirectory) {
      surveys = directory;
    },
    setResponseCounts(source: ResponseCountSource) {
      responseCounts = source;
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
