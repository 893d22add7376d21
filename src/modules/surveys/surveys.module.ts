import type { Request, Router } from 'express';
import type { NavigationItem } from '../../platform/http/navigation';
import type { RateLimiter } from '../../platform/http/rate-limit';
import type { Notifications } from '../notifications';
import type { ConsultationsService } from '../consultations';
import { answeringRouter } from './answering.routes';
import { builderRouter } from './builder.routes';
import { invitationsRouter, invitationUploadCsrfExempt } from './invitations.routes';
import { flaggedRouter } from './flagged.routes';
import { FloodGuard } from './flood-guard';
import { invitationOptOutCsrfExempt, invitationOptOutRouter } from './opt-out.routes';
import { surveyFormCsrfExempt } from './respondent';
import { sessionRescueExempt } from './session-rescue';
import { createSurveysService, type SurveysServiceOptions } from './surveys.service';
import { registerSurveysOpenApi, surveysApiRouter } from './surveys-api.routes';
import type { OpenApiRegistry } from '../../platform/http/openapi';

export interface SurveysModuleDeps extends SurveysServiceOptions {
  consultations: ConsultationsService;
  /** Per-client limits of the answering pages and the API (shared with the other modules). */
  limiter: RateLimiter;
  /** Emails a respondent a copy of their response ("Email me a copy"). */
  notifications: SurveysServiceOptions['notifications'] & Notifications;
  openApi: OpenApiRegistry;
  flood: { threshold: number; windowSeconds: number };
  /** How long an opened invitation is remembered in an idle browser (the session lifetime). */
  invitationMaxAgeMs: number;
}

export type SurveysModule = ReturnType<typeof createSurveysModule>;

/**
 * Builds the surveys module (definitions and the builder, answering, responses, invitations, the survey API) in one
 * place: its service, its routers, its menu entry and the requests that carry their own CSRF proof. No I/O here:
 * `init()` creates the indexes, `startReminders()` the reminder job.
 */
export function createSurveysModule(deps: SurveysModuleDeps) {
  const service = createSurveysService(deps);
  const flood = new FloodGuard(deps.connection, {
    secret: deps.secret,
    threshold: deps.flood.threshold,
    windowSeconds: deps.flood.windowSeconds,
  });
  registerSurveysOpenApi(deps.openApi);

  const routers: Router[] = [
    answeringRouter(service, deps.limiter, {
      secret: deps.secret,
      invitationMaxAgeMs: deps.invitationMaxAgeMs,
      notifications: deps.notifications,
      flood,
    }),
    builderRouter(service, deps.consultations),
    invitationsRouter(service),
    flaggedRouter(service, flood),
    invitationOptOutRouter(service),
    surveysApiRouter(service, deps.limiter, flood),
  ];
  const navigation: NavigationItem[] = [
    { href: '/manage/surveys', labelKey: 'surveys:nav', roles: ['officer'] },
  ];

  // Survey pages of anonymous respondents carry their own token, so an expired session loses nothing typed; a
  // signed-in respondent whose session ended keeps the page they send (session-rescue.ts).
  const surveyPagesExempt = surveyFormCsrfExempt(service.formToken);
  const rescueExempt = sessionRescueExempt(deps.secret);

  let reminderTimer: NodeJS.Timeout | undefined;

  return {
    service,
    flood,
    routers,
    navigation,
    csrfExempt: (req: Request) =>
      surveyPagesExempt(req) ||
      rescueExempt(req) ||
      invitationUploadCsrfExempt(req) ||
      invitationOptOutCsrfExempt(req),
    init: () => service.init(),
    /** Sends due invitation reminders every `intervalMs` (idempotent, so a missed or doubled run does no harm). */
    startReminders(intervalMs: number, onError: (error: unknown) => void) {
      reminderTimer ??= setInterval(() => {
        service.sendDueReminders().catch(onError);
      }, intervalMs);
      reminderTimer.unref();
    },
    /** Stops the reminder job and the flood guard's clean-up. */
    stop() {
      if (reminderTimer) clearInterval(reminderTimer);
      reminderTimer = undefined;
      flood.stop();
    },
  };
}
