import { Router, type Request } from 'express';
import { ObjectId } from 'mongodb';
import { csvDocument } from '../../platform/csv';
import { requireRole } from '../../platform/http/auth';
import { formatDate } from '../../platform/i18n';
import { parseWallClock } from '../../platform/zoned-time';
import { AUDIT_ACTIONS, AUDIT_GROUPS, isAuditAction, isTargetType, TARGET_TYPES } from './audit.actions';
import { decodeCursor, encodeCursor, type AuditEntry, type AuditLog, type AuditQuery } from './audit.service';

const DAY_MS = 24 * 3600 * 1000;

interface FilterForm {
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  from: string;
  to: string;
}

function one(value: unknown): string {
  return typeof value === 'string' ? value.trim().slice(0, 200) : '';
}

/** Reads the filters from the query; a value that is not understood is reported, never silently dropped. */
export function parseFilters(raw: Record<string, unknown>): {
  form: FilterForm;
  query: AuditQuery;
  errors: { field: string; key: string }[];
} {
  const form: FilterForm = {
    actor: one(raw.actor),
    action: one(raw.action),
    targetType: one(raw.targetType),
    targetId: one(raw.targetId),
    from: one(raw.from),
    to: one(raw.to),
  };
  const query: AuditQuery = {};
  const errors: { field: string; key: string }[] = [];
  if (form.actor) query.actor = form.actor;
  if (form.action) {
    if (isAuditAction(form.action) || AUDIT_GROUPS.includes(form.action)) query.action = form.action;
    else errors.push({ field: 'action', key: 'audit:errors.action' });
  }
  if (form.targetType) {
    if (isTargetType(form.targetType)) query.targetType = form.targetType;
    else errors.push({ field: 'targetType', key: 'audit:errors.targetType' });
  }
  if (form.targetId) query.targetId = form.targetId;
  // Dates are days on the organisation's calendar; "to" includes its whole day.
  if (form.from) {
    const from = parseWallClock(form.from);
    if (from && form.from.length === 10) query.from = from;
    else errors.push({ field: 'from', key: 'audit:errors.date' });
  }
  if (form.to) {
    const to = parseWallClock(form.to);
    if (to && form.to.length === 10) query.to = new Date(to.getTime() + DAY_MS);
    else errors.push({ field: 'to', key: 'audit:errors.date' });
  }
  if (query.from && query.to && query.from >= query.to)
    errors.push({ field: 'to', key: 'audit:errors.range' });
  return { form, query, errors };
}

function filterQueryString(form: FilterForm): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) if (value) params.set(key, value);
  return params.toString();
}

/** The entry's description in the reader's language (roles of a role change are named). */
export function describe(req: Request, entry: AuditEntry): string {
  const roles = (list: string[]) => list.map((r) => req.t(`admin:roles.${r}`)).join(', ');
  const details = Object.fromEntries(
    Object.entries(entry.details ?? {}).map(([k, v]) => [
      k,
      Array.isArray(v) ? v.join(', ') : String(v ?? ''),
    ]),
  );
  return req.t(`audit:actions.${entry.action}`, {
    ...details,
    before: roles(entry.before ?? []),
    after: roles(entry.after ?? []),
  });
}

/** Where a target can be seen by staff, if anywhere. */
export function targetHref(entry: AuditEntry): string | undefined {
  const id = encodeURIComponent(entry.targetId);
  switch (entry.targetType) {
    case 'user':
      return entry.targetEmail ? `/admin/users/${id}` : undefined;
    case 'survey':
      return `/manage/surveys/${id}`;
    case 'consultation':
      return `/officer/consultations/${id}`;
    case 'organisation':
      return `/admin/organisations/${id}`;
    case 'round':
      return `/officer/rounds/${id}/edit`;
    case 'comment':
      return `/officer/comments/${id}`;
    case 'plan':
      return `/officer/plans/${id}`;
    case 'commitment': {
      const [slug, number] = entry.targetId.split('/');
      return slug && number
        ? `/officer/plans/${encodeURIComponent(slug)}/commitments/${encodeURIComponent(number)}`
        : undefined;
    }
    default:
      return undefined;
  }
}

/** GET /admin/audit (filters, pages by position) and /admin/audit.csv (the whole filtered log; itself audited). */
export function auditRouter(log: AuditLog): Router {
  const router = Router();
  router.use('/admin/audit', requireRole('admin'));
  router.use('/admin/audit.csv', requireRole('admin'));

  router.get('/admin/audit', async (req, res) => {
    const raw = req.query as Record<string, unknown>;
    const { form, query, errors } = parseFilters(raw);
    const older = decodeCursor(raw.older);
    const newer = older ? undefined : decodeCursor(raw.newer);
    const page = errors.length ? { items: [] } : await log.list(query, { older, newer });
    const qs = filterQueryString(form);
    const link = (name: string, cursor?: { at: Date; id: string }) =>
      cursor
        ? `/admin/audit?${qs ? `${qs}&` : ''}${name}=${encodeURIComponent(encodeCursor(cursor))}`
        : undefined;
    res.status(errors.length ? 422 : 200).render('admin/audit', {
      title: `${errors.length ? `${req.t('audit:errorPrefix')} ` : ''}${req.t('admin:audit.title')}`,
      form,
      errors: errors.map((e) => ({ field: e.field, message: req.t(e.key) })),
      actions: AUDIT_ACTIONS,
      groups: AUDIT_GROUPS,
      targetTypes: TARGET_TYPES,
      rows: page.items.map((entry) => ({
        entry,
        when: formatDate(entry.at, req.locale, true),
        description: describe(req, entry),
        targetHref: targetHref(entry),
      })),
      olderHref: 'older' in page ? link('older', page.older) : undefined,
      newerHref: 'newer' in page ? link('newer', page.newer) : undefined,
      csvHref: `/admin/audit.csv${qs ? `?${qs}` : ''}`,
      filtered: qs !== '',
    });
  });

  router.get('/admin/audit.csv', async (req, res) => {
    const { form, query, errors } = parseFilters(req.query as Record<string, unknown>);
    if (errors.length) return res.redirect(303, `/admin/audit?${filterQueryString(form)}`);
    // The export is recorded first (keyed by nothing: each download is its own event), so it is in the log even
    // if the download is cut off; an export starting after this entry includes it.
    const exportId = await req.audit.record({
      action: 'download.audit',
      target: { type: 'audit', id: 'audit' },
      details: Object.fromEntries(Object.entries(form).filter(([, v]) => v)),
    });
    res.set('Cache-Control', 'no-store');
    res
      .type('text/csv; charset=utf-8')
      .attachment(`agora-audit-${new ObjectId(exportId).getTimestamp().toISOString().slice(0, 10)}.csv`);
    async function* rows() {
      for await (const e of log.each(query)) {
        yield [
          e.at,
          e.actorId ?? '',
          e.actorEmail ?? '',
          e.action,
          describe(req, e),
          e.targetType,
          e.targetId,
          e.targetEmail ?? e.targetLabel ?? '',
          Object.keys(e.details ?? {}).length ? JSON.stringify(e.details) : '',
        ];
      }
    }
    for await (const line of csvDocument(
      [
        'at',
        'actor_id',
        'actor_email',
        'action',
        'description',
        'target_type',
        'target_id',
        'target',
        'details',
      ],
      rows(),
    )) {
      if (!res.write(line)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  });

  return router;
}
