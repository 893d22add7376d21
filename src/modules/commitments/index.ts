/**
 * The commitments module's public face: action plans, their commitments, milestones and key indicators, dated
 * status updates with followers, independent review, feeds, citations, the API and open data.
 */
import crypto from 'node:crypto';
import type { Router } from 'express';
import type { i18n } from 'i18next';
import type { Connection } from 'mongoose';
import type { OpenApiRegistry } from '../../platform/http/openapi';
import type { Locale } from '../../platform/i18n';
import type { ConsultationsService } from '../consultations';
import type { Notifications } from '../notifications';
import { commitmentsApiRouter, registerCommitmentsApi } from './api.routes';
import { createCommitmentsService } from './commitments.service';
import { commitmentFeedsRouter } from './feeds.routes';
import { createFollowersService } from './followers.service';
import type { ShareSource } from './indicator-values';
import { commitmentsOfficerRouter } from './officer.routes';
import { commitmentsOpenDataRouter } from './open-data.routes';
import { commitmentsCsrfExempt, commitmentsPublicRouter } from './public.routes';
import { commitmentsReviewRouter } from './review.routes';

export { createCommitmentsService, type CommitmentsService } from './commitments.service';
export type { FollowersService } from './followers.service';
export { importPlanCsv, parseCsv, type ImportReport } from './csv-import';
export type { ShareSource } from './indicator-values';
export { PROGRESS } from './commitments.types';
export type { Actor, Commitment, Plan, Progress, StatusUpdate } from './commitments.types';

export interface CommitmentsModuleDeps {
  connection: Connection;
  i18n: i18n;
  baseUrl: string;
  /** Signs the one-click unfollow links (through HMAC with a fixed label). */
  secret: string;
  notifications: Notifications;
  openApi: OpenApiRegistry;
  consultations: Pick<
    ConsultationsService,
    'findConsultationById' | 'getRoundById' | 'listAll' | 'listRounds'
  >;
  /** The organisations an admin may move a plan to (the accounts module). */
  organisations?: () => Promise<{ id: string; name: { en: string; fr: string } }[]>;
  /** The participation module's public figures, for indicators computed from engagement rounds. */
  shares: ShareSource;
  clock?: () => Date;
}

export type CommitmentsModule = ReturnType<typeof createCommitmentsModule>;

export function createCommitmentsModule(deps: CommitmentsModuleDeps) {
  const commitments = createCommitmentsService({
    connection: deps.connection,
    engagement: deps.consultations,
    clock: deps.clock,
  });
  const followers = createFollowersService({
    connection: deps.connection,
    notifications: deps.notifications,
    baseUrl: deps.baseUrl,
    secret: crypto.createHash('sha256').update(`commitments:${deps.secret}`).digest('hex'),
  });
  registerCommitmentsApi(deps.openApi);
  const routers: Router[] = [
    commitmentsOfficerRouter({
      commitments,
      followers,
      consultations: deps.consultations,
      organisations: deps.organisations,
    }),
    commitmentsReviewRouter({ commitments }),
    commitmentFeedsRouter({
      commitments,
      baseUrl: deps.baseUrl,
      fixedT: (locale: Locale) => deps.i18n.getFixedT(locale),
    }),
    commitmentsApiRouter({ commitments, shares: deps.shares, baseUrl: deps.baseUrl }),
    commitmentsOpenDataRouter({ commitments, baseUrl: deps.baseUrl, i18n: deps.i18n }),
    commitmentsPublicRouter({
      commitments,
      followers,
      shares: deps.shares,
      consultations: deps.consultations,
      baseUrl: deps.baseUrl,
    }),
  ];
  return {
    commitments,
    followers,
    routers,
    navigation: [
      { href: '/plans', labelKey: 'commitments:nav.plans' },
      { href: '/review', labelKey: 'commitments:nav.review', roles: ['reviewer' as const] },
    ],
    csrfExempt: commitmentsCsrfExempt,
    init: () => commitments.init(),
  };
}
