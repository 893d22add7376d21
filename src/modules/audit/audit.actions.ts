/**
 * Every action the audit log records. The label of `a.b` is `audit:actions.a.b` (en and fr); the filter groups
 * actions by the part before the dot.
 */
export const AUDIT_ACTIONS = [
  // accounts
  'user.signed_up',
  'user.created',
  'user.roles_changed',
  'user.deactivated',
  'user.reactivated',
  'user.deleted',
  'user.organisation_changed',
  // organisations (departments and teams; admins)
  'organisation.created',
  'organisation.renamed',
  // rounds and consultations
  'round.created',
  'round.updated',
  'round.completed',
  'round.reopened',
  'round.organisation_changed',
  'consultation.created',
  'consultation.updated',
  'consultation.published',
  'consultation.closed',
  'consultation.archived',
  'consultation.organisation_changed',
  'consultation.sharing_changed',
  'report.published',
  // moderation and replies
  'comment.replied',
  'comment.hidden',
  'comment.shown',
  // surveys
  'survey.created',
  'survey.updated',
  'survey.settings_changed',
  'survey.published',
  'survey.closed',
  'survey.duplicated',
  'survey.imported',
  'survey.page_added',
  'survey.page_updated',
  'survey.page_moved',
  'survey.page_deleted',
  'survey.question_added',
  'survey.question_updated',
  'survey.question_moved',
  'survey.question_deleted',
  'survey.invitations_sent',
  'survey.reminders_sent',
  // action plans and commitments
  'plan.created',
  'plan.updated',
  'plan.published',
  'plan.imported',
  'plan.organisation_changed',
  'commitment.created',
  'commitment.updated',
  'commitment.published',
  'commitment.status_changed',
  'milestone.created',
  'milestone.updated',
  'milestone.deleted',
  'indicator.created',
  'indicator.updated',
  'indicator.deleted',
  'review.saved',
  // data downloads
  'download.responses',
  'download.codebook',
  'download.survey_definition',
  'download.participation',
  'download.audit',
  // analysis
  'analysis.refreshed',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export function isAuditAction(value: unknown): value is AuditAction {
  return typeof value === 'string' && (AUDIT_ACTIONS as readonly string[]).includes(value);
}

/** The groups shown in the filter ("user", "survey", "download", ...), in the order of AUDIT_ACTIONS. */
export const AUDIT_GROUPS: readonly string[] = [...new Set(AUDIT_ACTIONS.map((a) => a.split('.')[0]!))];

export const TARGET_TYPES = [
  'user',
  'organisation',
  'round',
  'consultation',
  'report',
  'comment',
  'survey',
  'plan',
  'commitment',
  'audit',
] as const;
export type AuditTargetType = (typeof TARGET_TYPES)[number];

export function isTargetType(value: unknown): value is AuditTargetType {
  return typeof value === 'string' && (TARGET_TYPES as readonly string[]).includes(value);
}
