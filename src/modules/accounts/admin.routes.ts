import { Router, type Request, type Response } from 'express';
import { NotFoundError, ValidationError } from '../../platform/errors';
import { requireRole, ROLES } from '../../platform/http/auth';
import { rerenderOnValidationError } from '../../platform/http/form-errors';
import { formatDate } from '../../platform/i18n';
import { describeAuditEntry } from '../audit';
import type { AccountsService } from './accounts.service';
import {
  organisationCodeSchema,
  organisationFormSchema,
  organisationIdSchema,
  parseForm,
  rolesSchema,
  userIdSchema,
  userSearchSchema,
} from './accounts.schemas';
import { keptValues, renderForm } from './forms';

const NOTICES: Record<string, string> = {
  roles: 'admin:notices.roles',
  deactivated: 'admin:notices.deactivated',
  organisation: 'admin:notices.organisation',
  organisationSaved: 'admin:notices.organisationSaved',
  reactivated: 'admin:notices.reactivated',
};

function userId(req: Request): string {
  const parsed = userIdSchema.safeParse(req.params.id);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data;
}

/** Admin pages: users (list, search, roles, deactivate/reactivate). Admins only; the audit log is the audit module's. */
export function adminRouter(deps: { accounts: AccountsService }): Router {
  const { accounts } = deps;
  const router = Router();
  router.use('/admin', requireRole('admin'));

  const date = (req: Request) => (value: Date | null) => (value ? formatDate(value, req.locale, true) : '');

  /** GET /admin/users?q=&role=&page= */
  router.get('/admin/users', async (req, res) => {
    const query = userSearchSchema.parse(req.query);
    const [result, organisations] = await Promise.all([
      accounts.listUsers(query),
      accounts.listOrganisations(),
    ]);
    res.render('admin/users', {
      title: req.t('admin:users.title'),
      query: { q: query.q ?? '', role: query.role ?? '' },
      result,
      roles: ROLES,
      organisationNames: Object.fromEntries(organisations.map((o) => [o.id, o.name[req.locale]])),
      formatDate: date(req),
    });
  });

  async function renderUser(
    req: Request,
    res: Parameters<Parameters<Router['get']>[1]>[1],
    error?: ValidationError,
  ) {
    const id = userId(req);
    const user = await accounts.getUser(id);
    const audit = (await accounts.listAudit({ targetId: id })).map((entry) => ({
      entry,
      when: formatDate(entry.at, req.locale, true),
      description: describeAuditEntry(req, entry),
    }));
    const organisations = await accounts.listOrganisations();
    const noticeKey = typeof req.query.notice === 'string' ? NOTICES[req.query.notice] : undefined;
    renderForm(
      req,
      res,
      'admin/user',
      {
        title: req.t('admin:user.title', { name: user.name }),
        // Not `user`: that local is the signed-in user, shown in the header.
        account: user,
        audit,
        roles: ROLES,
        organisations: organisations.map((o) => ({ id: o.id, name: o.name[req.locale] })),
        isSelf: user.id === req.user!.id,
        notice: noticeKey ? req.t(noticeKey) : undefined,
        formatDate: date(req),
      },
      error,
    );
  }

  /** GET /admin/users/:id */
  router.get('/admin/users/:id', (req, res) => renderUser(req, res));

  /** POST /admin/users/:id/roles */
  router.post('/admin/users/:id/roles', async (req, res) => {
    const id = userId(req);
    await rerenderOnValidationError(
      async () => {
        const { roles } = parseForm(rolesSchema, req.body);
        await accounts.setRoles(req.user!, id, roles);
        res.redirect(303, `/admin/users/${id}?notice=roles`);
      },
      (error) => renderUser(req, res, error),
    );
  });

  /** POST /admin/users/:id/organisation: the organisation whose consultations this account acts on as staff. */
  router.post('/admin/users/:id/organisation', async (req, res) => {
    const id = userId(req);
    await rerenderOnValidationError(
      async () => {
        const { organisationId } = parseForm(organisationIdSchema, req.body);
        await accounts.setOrganisation(req.user!, id, organisationId);
        res.redirect(303, `/admin/users/${id}?notice=organisation`);
      },
      (error) => renderUser(req, res, error),
    );
  });

  /** GET /admin/users/:id/deactivate: "Deactivate this account?" (the POST needs confirm=yes). */
  router.get('/admin/users/:id/deactivate', async (req, res) => {
    const id = userId(req);
    const user = await accounts.getUser(id);
    if (user.id === req.user!.id || user.status !== 'active') return res.redirect(303, `/admin/users/${id}`);
    res.render('common/confirm', {
      title: req.t('admin:deactivate.title', { name: user.name }),
      details: [req.t('admin:deactivate.account', { email: user.email }), req.t('admin:user.deactivateHint')],
      action: `/admin/users/${id}/deactivate`,
      confirmLabel: req.t('admin:user.deactivate'),
      cancelHref: `/admin/users/${id}`,
    });
  });

  /** POST /admin/users/:id/deactivate (confirm=yes; without it, the confirmation page) */
  router.post('/admin/users/:id/deactivate', async (req, res) => {
    const id = userId(req);
    // Deactivating oneself is refused (403) whether confirmed or not.
    const isSelf = id === req.user!.id;
    if (!isSelf && (req.body as Record<string, unknown> | undefined)?.confirm !== 'yes') {
      return res.redirect(303, `/admin/users/${id}/deactivate`);
    }
    await accounts.deactivate(req.user!, id);
    res.redirect(303, `/admin/users/${id}?notice=deactivated`);
  });

  /** POST /admin/users/:id/reactivate */
  router.post('/admin/users/:id/reactivate', async (req, res) => {
    const id = userId(req);
    await accounts.reactivate(req.user!, id);
    res.redirect(303, `/admin/users/${id}?notice=reactivated`);
  });

  async function renderOrganisations(req: Request, res: Response, error?: ValidationError) {
    const organisations = await accounts.listOrganisations();
    const noticeKey = typeof req.query.notice === 'string' ? NOTICES[req.query.notice] : undefined;
    renderForm(
      req,
      res,
      'admin/organisations',
      {
        title: req.t('admin:organisations.title'),
        organisations,
        notice: noticeKey ? req.t(noticeKey) : undefined,
        values: error ? keptValues(req.body, ['code', 'nameEn', 'nameFr']) : {},
      },
      error,
    );
  }

  /** GET /admin/organisations: departments and teams, and a form to add one. */
  router.get('/admin/organisations', (req, res) => renderOrganisations(req, res));

  /** POST /admin/organisations */
  router.post('/admin/organisations', async (req, res) => {
    await rerenderOnValidationError(
      async () => {
        await accounts.saveOrganisation(req.user!, parseForm(organisationFormSchema, req.body));
        res.redirect(303, '/admin/organisations?notice=organisationSaved');
      },
      (error) => renderOrganisations(req, res, error),
    );
  });

  function organisationCode(req: Request): string {
    const parsed = organisationCodeSchema.safeParse(req.params.code);
    if (!parsed.success) throw new NotFoundError();
    return parsed.data;
  }

  async function renderOrganisation(req: Request, res: Response, error?: ValidationError) {
    const organisation = await accounts.findOrganisation(organisationCode(req));
    if (!organisation) throw new NotFoundError();
    renderForm(
      req,
      res,
      'admin/organisation',
      {
        title: req.t('admin:organisations.renameTitle', { name: organisation.name[req.locale] }),
        organisation,
        values: error
          ? keptValues(req.body, ['nameEn', 'nameFr'])
          : { nameEn: organisation.name.en, nameFr: organisation.name.fr },
      },
      error,
    );
  }

  /** GET /admin/organisations/:code: rename. */
  router.get('/admin/organisations/:code', (req, res) => renderOrganisation(req, res));

  /** POST /admin/organisations/:code */
  router.post('/admin/organisations/:code', async (req, res) => {
    const code = organisationCode(req);
    await rerenderOnValidationError(
      async () => {
        const form = parseForm(organisationFormSchema, { ...(req.body as object), code });
        await accounts.saveOrganisation(req.user!, form, { rename: true });
        res.redirect(303, '/admin/organisations?notice=organisationSaved');
      },
      (error) => renderOrganisation(req, res, error),
    );
  });

  return router;
}
