import { Router } from 'express';
import type { Connection } from 'mongoose';
import { auditRequests } from './audit.request';
import { auditRouter } from './audit.routes';
import { AuditLog } from './audit.service';

export {
  AUDIT_ACTIONS,
  AUDIT_GROUPS,
  TARGET_TYPES,
  type AuditAction,
  type AuditTargetType,
} from './audit.actions';
export {
  AuditLog,
  AUDIT_COLLECTION,
  type AuditActor,
  type AuditDetails,
  type AuditEntry,
  type AuditPage,
  type AuditQuery,
  type AuditRecordInput,
  type AuditTarget,
} from './audit.service';
export type { RequestAudit } from './audit.request';
export { describe as describeAuditEntry, targetHref as auditTargetHref } from './audit.routes';

export interface AuditModule {
  log: AuditLog;
  /** Sets `req.audit` (the log with the signed-in user as actor) on every request, and serves /admin/audit: mount it first. */
  router: Router;
  /** Creates the log's indexes. */
  init(): Promise<void>;
}

/** The audit log of staff actions, sign-ups and downloads, and its admin page (/admin/audit). */
export function createAuditModule(deps: { connection: Connection; log?: AuditLog }): AuditModule {
  const log = deps.log ?? new AuditLog(deps.connection);
  const router = Router();
  router.use(auditRequests(log));
  router.use(auditRouter(log));
  return { log, router, init: () => log.init() };
}
