/**
 * The consultations module's public face: engagement rounds, consultations (with their computed status),
 * and the lookups other modules use ("is this consultation open now?").
 */
export {
  createConsultationsService,
  type ConsultationsService,
  type ConsultationListQuery,
  type Page,
} from './consultations.service';
export { consultationStatus } from './consultation-status';
export { THEMES, isTheme, type Theme } from './themes';
export type {
  Actor,
  AttachedSurvey,
  BilingualText,
  Consultation,
  ConsultationInput,
  ConsultationStatus,
  Publication,
  ResponseCountSource,
  Round,
  RoundInput,
  RoundStatus,
  SurveyDirectory,
} from './consultations.types';
export { CONSULTATION_STATUSES, PUBLICATIONS, ROUND_STATUSES } from './consultations.types';
export {
  createConsultationsModule,
  noSurveys,
  zeroResponseCounts,
  type ConsultationsModule,
  type ConsultationsModuleDeps,
} from './consultations.module';
export type { CommentsService, Comment, CommentThread } from './comments.service';
export type { SubscriptionsService, Subscription } from './subscriptions.service';
export { createReportsService, type ReportsService, type Report, type ReportInput } from './reports.service';
export type { NoticesService } from './notices.service';
/** The RSS 2.0 and Atom writers (pure functions), also used by the commitments module's feeds. */
export { buildAtom, buildRss, type FeedEntry, type FeedInfo } from './feeds';
