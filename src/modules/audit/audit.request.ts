import type { RequestHandler } from 'express';
import type { AuditAction } from './audit.actions';
import type { AuditDetails, AuditLog, AuditTarget } from './audit.service';

/** `req.audit.record(...)`: the audit log with the signed-in user as the actor. */
export interface RequestAudit {
  record(entry: {
    action: AuditAction;
    target: AuditTarget;
    details?: AuditDetails;
    key?: string;
  }): Promise<string>;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      audit: RequestAudit;
    }
  }
}

/**
 * Gives every request `req.audit`, so a route records its action in one line after the service call succeeded:
 * `await req.audit.record({ action: 'survey.published', target: { type: 'survey', id }, key: `v${version}` })`.
 */
export function auditRequests(log: AuditLog): RequestHandler {
  return (req, _res, next) => {
    req.audit = {
      record: (entry) =>
        log.record({ ...entry, actor: req.user ? { id: req.user.id, email: req.user.email } : null }),
    };
    next();
  };
}
