import crypto from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import multer from 'multer';
import { SECTORS } from '../../platform/classifications';
import { BadRequestError, NotFoundError, ValidationError } from '../../platform/errors';
import { assertCan, can, requireAccess, visibleTo } from '../../platform/http/access';
import { rerenderOnValidationError } from '../../platform/http/form-errors';
import { requireRole } from '../../platform/http/auth';
import type { ConsultationsService } from '../consultations';
import {
  commitmentFormSchema,
  commitmentInputFromForm,
  indicatorFormSchema,
  indicatorInputFromForm,
  milestoneFormSchema,
  milestoneInputFromForm,
  planFormSchema,
  planInputFromForm,
  statusFormSchema,
  statusInputFromForm,
  type CommitmentForm,
  type IndicatorForm,
  type MilestoneForm,
  type PlanForm,
  type StatusForm,
} from './commitments.schemas';
import type { CommitmentsService } from './commitments.service';
import { PROGRESS, type Commitment, type Plan } from './commitments.types';
import { importPlanCsv, IMPORT_COLUMNS, type ImportReport } from './csv-import';
import type { FollowersService } from './followers.service';
import {
  commitmentCard,
  commitmentHref,
  dayView,
  pick,
  planView,
  progressLabel,
  translateErrors,
  updateView,
} from './presenter';
import { dayString } from './validation';

export interface OfficerRoutesDeps {
  commitments: CommitmentsService;
  followers: FollowersService;
  consultations: Pick<ConsultationsService, 'listAll' | 'listRounds'>;
  /** The organisations an admin may move a plan to (the accounts module). */
  organisations?: () => Promise<{ id: string; name: { en: string; fr: string } }[]>;
}

const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 1024 * 1024, files: 1 } });
const newSubmissionId = () => crypto.randomBytes(16).toString('base64url');

function planForm(plan?: Plan): PlanForm {
  return {
    slug: plan?.slug ?? '',
    titleEn: plan?.title.en ?? '',
    titleFr: plan?.title.fr ?? '',
    summaryEn: plan?.summary.en ?? '',
    summaryFr: plan?.summary.fr ?? '',
    organisationEn: plan?.organisation.en ?? '',
    organisationFr: plan?.organisation.fr ?? '',
    periodStart: plan ? String(plan.periodStart) : '',
    periodEnd: plan ? String(plan.periodEnd) : '',
  };
}

function commitmentForm(c?: Commitment): CommitmentForm {
  const both = (name: keyof Commitment) => {
    const value = c?.[name] as { en: string; fr: string } | undefined;
    return { en: value?.en ?? '', fr: value?.fr ?? '' };
  };
  return {
    number: c?.number ?? '',
    themeEn: both('theme').en,
    themeFr: both('theme').fr,
    titleEn: both('title').en,
    titleFr: both('title').fr,
    summaryEn: both('summary').en,
    summaryFr: both('summary').fr,
    leadDepartmentEn: both('leadDepartment').en,
    leadDepartmentFr: both('leadDepartment').fr,
    enquiryEmail: c?.enquiryEmail ?? '',
    otherActorsEn: both('otherActors').en,
    otherActorsFr: both('otherActors').fr,
    plannedResultEn: both('plannedResult').en,
    plannedResultFr: both('plannedResult').fr,
    descriptionEn: both('description').en,
    descriptionFr: both('description').fr,
    status: c?.status ?? 'not_started',
    consultationIds: c?.consultationIds ?? [],
    roundIds: c?.roundIds ?? [],
  };
}

const emptyStatusForm = (): StatusForm => ({
  milestoneId: '',
  status: '',
  date: '',
  noteEn: '',
  noteFr: '',
  submissionId: newSubmissionId(),
});

/**
 * Officers' pages for action plans: plans, commitments, milestones, indicators, status updates and CSV import.
 * Every route requires the officer role (admins included) and, for a plan and everything in it, that the plan
 * belongs to the officer's organisation (platform/http/access.ts): another organisation's is a 404.
 */
export function commitmentsOfficerRouter(deps: OfficerRoutesDeps): Router {
  const { commitments, followers } = deps;
  const router = Router();
  router.use('/officer/plans', requireRole('officer'));
  // Every route under a plan (its commitments, milestones, indicators, status updates, import), including routes
  // added later: checked before any body is read, so nothing of another organisation's plan is written.
  const planAccess = requireAccess('manage', (req) =>
    commitments.getPlan(String(req.params.slug), { includeDrafts: true }),
  );
  router.use('/officer/plans/:slug', (req, res, next) =>
    req.params.slug === 'new' ? next() : planAccess(req, res, next),
  );

  const statuses = (req: Request) => PROGRESS.map((key) => ({ key, label: progressLabel(req.t, key) }));
  const errorsOf = (req: Request, error?: ValidationError) =>
    error ? translateErrors(req.t, error.fieldErrors) : { errors: [], fieldErrors: {} };
  const planOf = async (req: Request) =>
    assertCan(
      req.user,
      'manage',
      await commitments.getPlan(String(req.params.slug), { includeDrafts: true }),
    );
  async function commitmentOf(req: Request) {
    const plan = await planOf(req);
    const commitment = await commitments.getCommitment(plan.slug, String(req.params.number), {
      includeDrafts: true,
    });
    return { plan, commitment, base: `/officer${commitmentHref(plan.slug, commitment.number)}` };
  }

  /** GET /officer/plans : the organisation's plans (every plan for admins), drafts included. */
  router.get('/officer/plans', async (req, res) => {
    const plans = visibleTo(req.user, 'manage', await commitments.listPlans({ includeDrafts: true }));
    res.render('commitments/officer/index', {
      title: req.t('commitments:officer.title'),
      plans: plans.map((p) => ({
        ...planView(p, req.locale, req.t),
        manageHref: `/officer/plans/${p.slug}`,
      })),
    });
  });

  // ---------- plans ----------

  function renderPlanForm(
    req: Request,
    res: Response,
    locals: { form: PlanForm; plan?: Plan; error?: ValidationError },
  ) {
    res.status(locals.error ? 422 : 200).render('commitments/officer/plan-form', {
      title: req.t(locals.plan ? 'commitments:officer.plan.editTitle' : 'commitments:officer.plan.newTitle'),
      form: locals.form,
      editing: Boolean(locals.plan),
      action: locals.plan ? `/officer/plans/${locals.plan.slug}/edit` : '/officer/plans/new',
      cancelHref: locals.plan ? `/officer/plans/${locals.plan.slug}` : '/officer/plans',
      ...errorsOf(req, locals.error),
    });
  }

  router.get('/officer/plans/new', (req, res) => renderPlanForm(req, res, { form: planForm() }));

  router.post('/officer/plans/new', async (req, res) => {
    const form = planFormSchema.parse(req.body);
    await rerenderOnValidationError(
      async () => {
        const plan = await commitments.createPlan(planInputFromForm(form), req.user!);
        await req.audit.record({
          action: 'plan.created',
          target: { type: 'plan', id: plan.slug },
          key: plan.slug,
        });
        res.redirect(303, `/officer/plans/${plan.slug}`);
      },
      (error) => renderPlanForm(req, res, { form, error }),
    );
  });

  router.get('/officer/plans/:slug/edit', async (req, res) => {
    const plan = await planOf(req);
    renderPlanForm(req, res, { form: planForm(plan), plan });
  });

  router.post('/officer/plans/:slug/edit', async (req, res) => {
    const plan = await planOf(req);
    const form = planFormSchema.parse(req.body);
    await rerenderOnValidationError(
      async () => {
        await commitments.updatePlan(plan.slug, planInputFromForm(form), req.user!);
        await req.audit.record({ action: 'plan.updated', target: { type: 'plan', id: plan.slug } });
        res.redirect(303, `/officer/plans/${plan.slug}`);
      },
      (error) => renderPlanForm(req, res, { form: { ...form, slug: plan.slug }, plan, error }),
    );
  });

  /** The organisations an admin may move `plan` to (empty for anyone else: they see no such form). */
  async function organisationChoices(req: Request, plan: Plan) {
    if (!deps.organisations || !can(req.user, 'administer', plan)) return [];
    return (await deps.organisations()).map((o) => ({
      value: o.id,
      label: `${pick(o.name, req.locale)} (${o.id})`,
    }));
  }

  async function renderPlanPage(req: Request, res: Response, plan: Plan, error?: ValidationError) {
    const [list, checklist, organisations] = await Promise.all([
      commitments.listCommitments(plan, { includeDrafts: true }),
      commitments.planChecklist(plan.slug),
      organisationChoices(req, plan),
    ]);
    res.status(error ? 422 : 200).render('commitments/officer/plan', {
      title: pick(plan.title, req.locale),
      plan: planView(plan, req.locale, req.t),
      missing: checklist.map((f) => ({
        href: `/officer/plans/${plan.slug}/edit#${f.field}`,
        message: req.t(f.message.key, f.message.values ?? {}),
      })),
      errors: errorsOf(req, error).errors.map((e) => ({ ...e, field: 'publish-checklist' })),
      commitments: list.map((c) => ({
        ...commitmentCard(c, req.locale, req.t),
        manageHref: `/officer${commitmentHref(plan.slug, c.number)}`,
      })),
      organisation: organisations.length
        ? { current: plan.organisationId, options: organisations }
        : undefined,
    });
  }

  router.get('/officer/plans/:slug', async (req, res) => renderPlanPage(req, res, await planOf(req)));

  /** POST /officer/plans/:slug/organisation : admins move a plan (its commitments follow) to an organisation. */
  router.post('/officer/plans/:slug/organisation', async (req, res) => {
    const plan = await planOf(req);
    const wanted = (req.body as Record<string, unknown> | undefined)?.organisationId;
    const choices = await organisationChoices(req, plan);
    if (!choices.length) throw new NotFoundError();
    if (typeof wanted !== 'string' || !choices.some((o) => o.value === wanted))
      throw new BadRequestError({ key: 'admin:errors.orgUnknown' });
    await commitments.setPlanOrganisation(plan.slug, wanted, req.user!);
    await req.audit.record({
      action: 'plan.organisation_changed',
      target: { type: 'plan', id: plan.slug, label: plan.title.en || plan.title.fr },
      details: { from: plan.organisationId, to: wanted },
    });
    res.redirect(303, `/officer/plans/${plan.slug}`);
  });

  router.post('/officer/plans/:slug/publish', async (req, res) => {
    const plan = await planOf(req);
    await rerenderOnValidationError(
      async () => {
        await commitments.publishPlan(plan.slug, req.user!);
        await req.audit.record({ action: 'plan.published', target: { type: 'plan', id: plan.slug } });
        res.redirect(303, `/officer/plans/${plan.slug}`);
      },
      (error) => renderPlanPage(req, res, plan, error),
    );
  });

  // ---------- CSV import ----------

  function renderImport(
    req: Request,
    res: Response,
    plan: Plan,
    locals: { csv?: string; report?: ImportReport; error?: ValidationError } = {},
  ) {
    const { errors } = errorsOf(req, locals.error);
    res.status(locals.error ? 422 : 200).render('commitments/officer/import', {
      title: req.t('commitments:import.title', { plan: pick(plan.title, req.locale) }),
      plan: planView(plan, req.locale, req.t),
      columns: IMPORT_COLUMNS,
      csv: locals.csv ?? '',
      errors: errors.map((e) => ({ ...e, field: 'csv' })),
      report: locals.report
        ? {
            commitments: locals.report.commitments,
            milestones: locals.report.milestones,
            rejected: locals.report.rejected.map((r) => ({
              line: r.line,
              reasons: r.reasons.map((reason) => ({
                column: reason.column,
                message: req.t(reason.message.key, reason.message.values ?? {}),
              })),
            })),
          }
        : undefined,
    });
  }

  router.get('/officer/plans/:slug/import', async (req, res) => renderImport(req, res, await planOf(req)));

  /** POST /officer/plans/:slug/import : pasted CSV, or a file (multipart sends the CSRF token in the URL). */
  router.post('/officer/plans/:slug/import', upload.single('file'), async (req, res) => {
    const plan = await planOf(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const csv = req.file ? req.file.buffer.toString('utf8') : typeof body.csv === 'string' ? body.csv : '';
    await rerenderOnValidationError(
      async () => {
        if (!csv.trim())
          throw new ValidationError([{ field: 'csv', message: { key: 'commitments:import.empty' } }]);
        const report = await importPlanCsv(commitments, plan.slug, csv, req.user!);
        await req.audit.record({ action: 'plan.imported', target: { type: 'plan', id: plan.slug } });
        renderImport(req, res, await planOf(req), { report, csv: report.rejected.length ? csv : '' });
      },
      (error) => renderImport(req, res, plan, { csv, error }),
    );
  });

  // ---------- commitments ----------

  async function renderCommitmentForm(
    req: Request,
    res: Response,
    plan: Plan,
    locals: { form: CommitmentForm; commitment?: Commitment; error?: ValidationError },
  ) {
    // Only what the officer's organisation may see can be linked (the service refuses anything else).
    const [all, rounds] = await Promise.all([
      deps.consultations.listAll().then((list) => visibleTo(req.user, 'view', list)),
      deps.consultations
        .listRounds({ includeDrafts: true })
        .then((list) => visibleTo(req.user, 'view', list)),
    ]);
    const base = `/officer/plans/${plan.slug}/commitments`;
    res.status(locals.error ? 422 : 200).render('commitments/officer/commitment-form', {
      title: locals.commitment
        ? req.t('commitments:officer.commitment.editTitle', { number: locals.commitment.number })
        : req.t('commitments:officer.commitment.newTitle'),
      plan: planView(plan, req.locale, req.t),
      form: locals.form,
      editing: Boolean(locals.commitment),
      action: locals.commitment ? `${base}/${locals.commitment.number}/edit` : `${base}/new`,
      cancelHref: locals.commitment ? `${base}/${locals.commitment.number}` : `/officer/plans/${plan.slug}`,
      statuses: statuses(req),
      consultations: all.map((c) => ({ id: c.id, title: pick(c.title, req.locale) })),
      rounds: rounds.map((r) => ({ id: r.id, title: pick(r.title, req.locale) })),
      ...errorsOf(req, locals.error),
    });
  }

  router.get('/officer/plans/:slug/commitments/new', async (req, res) => {
    await renderCommitmentForm(req, res, await planOf(req), { form: commitmentForm() });
  });

  router.post('/officer/plans/:slug/commitments/new', async (req, res) => {
    const plan = await planOf(req);
    const form = commitmentFormSchema.parse(req.body);
    await rerenderOnValidationError(
      async () => {
        const created = await commitments.createCommitment(
          plan.slug,
          commitmentInputFromForm(form),
          req.user!,
        );
        await req.audit.record({
          action: 'commitment.created',
          target: { type: 'commitment', id: `${plan.slug}/${created.number}` },
          key: String(created.number),
        });
        res.redirect(303, `/officer${commitmentHref(plan.slug, created.number)}`);
      },
      (error) => renderCommitmentForm(req, res, plan, { form, error }),
    );
  });

  async function renderCommitmentPage(
    req: Request,
    res: Response,
    locals: { error?: ValidationError; statusForm?: StatusForm; statusError?: ValidationError } = {},
  ) {
    const { plan, commitment, base } = await commitmentOf(req);
    const [checklist, updates] = await Promise.all([
      commitments.commitmentChecklist(plan.slug, commitment.number),
      commitments.listUpdates(commitment, 20),
    ]);
    const statusErrors = errorsOf(req, locals.statusError);
    res.status(locals.error || locals.statusError ? 422 : 200).render('commitments/officer/commitment', {
      title: req.t('commitments:commitment.pageTitle', {
        number: commitment.number,
        title: pick(commitment.title, req.locale),
      }),
      plan: planView(plan, req.locale, req.t),
      commitment: {
        ...commitmentCard(commitment, req.locale, req.t),
        publicHref: commitmentHref(plan.slug, commitment.number),
      },
      base,
      missing: checklist.map((f) => ({
        href: `${base}/${f.field}`,
        message: req.t(f.message.key, f.message.values ?? {}),
      })),
      errors: [
        ...errorsOf(req, locals.error).errors.map((e) => ({ ...e, field: 'publish-checklist' })),
        ...statusErrors.errors,
      ],
      fieldErrors: statusErrors.fieldErrors,
      milestones: commitment.milestones.map((m) => ({
        id: m.id,
        number: m.number,
        text: pick(m.text, req.locale),
        statusLabel: progressLabel(req.t, m.status),
        status: m.status,
        end: dayView(m.endDate, req.locale),
      })),
      indicators: commitment.indicators.map((i) => ({
        id: i.id,
        name: pick(i.name, req.locale),
        sourceLabel: req.t(`commitments:indicators.source.${i.source}`),
      })),
      statuses: statuses(req),
      statusForm: locals.statusForm ?? emptyStatusForm(),
      today: dayString(commitments.now()),
      timeline: updates.map((u) => updateView(u, req.locale, req.t)),
    });
  }

  router.get('/officer/plans/:slug/commitments/:number', async (req, res) => renderCommitmentPage(req, res));

  router.get('/officer/plans/:slug/commitments/:number/edit', async (req, res) => {
    const { plan, commitment } = await commitmentOf(req);
    await renderCommitmentForm(req, res, plan, { form: commitmentForm(commitment), commitment });
  });

  router.post('/officer/plans/:slug/commitments/:number/edit', async (req, res) => {
    const { plan, commitment, base } = await commitmentOf(req);
    const form = { ...commitmentFormSchema.parse(req.body), number: commitment.number };
    await rerenderOnValidationError(
      async () => {
        await commitments.updateCommitment(
          plan.slug,
          commitment.number,
          commitmentInputFromForm(form),
          req.user!,
        );
        await req.audit.record({
          action: 'commitment.updated',
          target: { type: 'commitment', id: `${plan.slug}/${commitment.number}` },
        });
        res.redirect(303, base);
      },
      (error) => renderCommitmentForm(req, res, plan, { form, commitment, error }),
    );
  });

  router.post('/officer/plans/:slug/commitments/:number/publish', async (req, res) => {
    const { plan, commitment, base } = await commitmentOf(req);
    await rerenderOnValidationError(
      async () => {
        await commitments.publishCommitment(plan.slug, commitment.number, req.user!);
        await req.audit.record({
          action: 'commitment.published',
          target: { type: 'commitment', id: `${plan.slug}/${commitment.number}` },
        });
        res.redirect(303, base);
      },
      (error) => renderCommitmentPage(req, res, { error }),
    );
  });

  /** POST .../status : a status change with its dated note; followers are emailed. */
  router.post('/officer/plans/:slug/commitments/:number/status', async (req, res) => {
    const { plan, commitment, base } = await commitmentOf(req);
    const form = statusFormSchema.parse(req.body);
    await rerenderOnValidationError(
      async () => {
        const result = await commitments.recordStatusChange(
          plan.slug,
          commitment.number,
          statusInputFromForm(form),
          req.user!,
        );
        // Only published commitments have followers; emails are idempotent, so a replayed form sends nothing twice.
        await followers.notify(result.commitment, result.update, plan.title);
        await req.audit.record({
          action: 'commitment.status_changed',
          target: { type: 'commitment', id: `${plan.slug}/${commitment.number}` },
        });
        res.redirect(303, `${base}#update-${result.update.seq}`);
      },
      (error) => renderCommitmentPage(req, res, { statusForm: form, statusError: error }),
    );
  });

  // ---------- milestones ----------

  async function renderMilestoneForm(
    req: Request,
    res: Response,
    locals: { form: MilestoneForm; milestoneId?: string; error?: ValidationError },
  ) {
    const { plan, commitment, base } = await commitmentOf(req);
    res.status(locals.error ? 422 : 200).render('commitments/officer/milestone-form', {
      title: req.t(
        locals.milestoneId
          ? 'commitments:officer.milestone.editTitle'
          : 'commitments:officer.milestone.newTitle',
        {
          number: commitment.number,
        },
      ),
      plan: planView(plan, req.locale, req.t),
      commitment: commitmentCard(commitment, req.locale, req.t),
      form: locals.form,
      editing: Boolean(locals.milestoneId),
      action: locals.milestoneId ? `${base}/milestones/${locals.milestoneId}/edit` : `${base}/milestones/new`,
      cancelHref: base,
      statuses: statuses(req),
      ...errorsOf(req, locals.error),
    });
  }

  router.get('/officer/plans/:slug/commitments/:number/milestones/new', async (req, res) => {
    await renderMilestoneForm(req, res, {
      form: { number: '', textEn: '', textFr: '', status: 'not_started', startDate: '', endDate: '' },
    });
  });

  router.post('/officer/plans/:slug/commitments/:number/milestones/new', async (req, res) => {
    const { plan, commitment, base } = await commitmentOf(req);
    const form = milestoneFormSchema.parse(req.body);
    await rerenderOnValidationError(
      async () => {
        await commitments.addMilestone(plan.slug, commitment.number, milestoneInputFromForm(form), req.user!);
        await req.audit.record({
          action: 'milestone.created',
          target: { type: 'commitment', id: `${plan.slug}/${commitment.number}` },
        });
        res.redirect(303, `${base}#milestones`);
      },
      (error) => renderMilestoneForm(req, res, { form, error }),
    );
  });

  router.get('/officer/plans/:slug/commitments/:number/milestones/:mid/edit', async (req, res) => {
    const { commitment } = await commitmentOf(req);
    const m = commitment.milestones.find((x) => x.id === String(req.params.mid));
    if (!m) throw new NotFoundError();
    await renderMilestoneForm(req, res, {
      milestoneId: m.id,
      form: {
        number: m.number,
        textEn: m.text.en,
        textFr: m.text.fr,
        status: m.status,
        startDate: dayString(m.startDate),
        endDate: dayString(m.endDate),
      },
    });
  });

  router.post('/officer/plans/:slug/commitments/:number/milestones/:mid/edit', async (req, res) => {
    const { plan, commitment, base } = await commitmentOf(req);
    const form = milestoneFormSchema.parse(req.body);
    const mid = String(req.params.mid);
    await rerenderOnValidationError(
      async () => {
        await commitments.updateMilestone(
          plan.slug,
          commitment.number,
          mid,
          milestoneInputFromForm(form),
          req.user!,
        );
        await req.audit.record({
          action: 'milestone.updated',
          target: { type: 'commitment', id: `${plan.slug}/${commitment.number}` },
          details: { milestone: mid },
        });
        res.redirect(303, `${base}#milestones`);
      },
      (error) => renderMilestoneForm(req, res, { form, milestoneId: mid, error }),
    );
  });

  router.post('/officer/plans/:slug/commitments/:number/milestones/:mid/delete', async (req, res) => {
    const { plan, commitment, base } = await commitmentOf(req);
    await commitments.removeMilestone(plan.slug, commitment.number, String(req.params.mid), req.user!);
    await req.audit.record({
      action: 'milestone.deleted',
      target: { type: 'commitment', id: `${plan.slug}/${commitment.number}` },
      details: { milestone: String(req.params.mid) },
      key: String(req.params.mid),
    });
    res.redirect(303, `${base}#milestones`);
  });

  // ---------- key indicators ----------

  async function renderIndicatorForm(
    req: Request,
    res: Response,
    locals: { form: IndicatorForm; indicatorId?: string; error?: ValidationError },
  ) {
    const { plan, commitment, base } = await commitmentOf(req);
    const rounds = visibleTo(req.user, 'view', await deps.consultations.listRounds({ includeDrafts: true }));
    res.status(locals.error ? 422 : 200).render('commitments/officer/indicator-form', {
      title: req.t(
        locals.indicatorId
          ? 'commitments:officer.indicator.editTitle'
          : 'commitments:officer.indicator.newTitle',
        {
          number: commitment.number,
        },
      ),
      plan: planView(plan, req.locale, req.t),
      commitment: commitmentCard(commitment, req.locale, req.t),
      form: locals.form,
      action: locals.indicatorId ? `${base}/indicators/${locals.indicatorId}/edit` : `${base}/indicators/new`,
      cancelHref: base,
      sectors: SECTORS.map((key) => ({ key, label: req.t(`classifications:sector.${key}`) })),
      rounds: rounds.map((r) => ({
        id: r.id,
        title: pick(r.title, req.locale),
        statusLabel: req.t(`consultations:roundStatus.${r.status}`),
      })),
      ...errorsOf(req, locals.error),
    });
  }

  const emptyIndicator = (): IndicatorForm => ({
    nameEn: '',
    nameFr: '',
    targetEn: '',
    targetFr: '',
    targetDate: '',
    source: 'manual',
    actualEn: '',
    actualFr: '',
    actualDate: '',
    sector: 'civil_society',
    roundIds: [],
  });

  router.get('/officer/plans/:slug/commitments/:number/indicators/new', async (req, res) => {
    await renderIndicatorForm(req, res, { form: emptyIndicator() });
  });

  router.post('/officer/plans/:slug/commitments/:number/indicators/new', async (req, res) => {
    const { plan, commitment, base } = await commitmentOf(req);
    const form = indicatorFormSchema.parse(req.body);
    await rerenderOnValidationError(
      async () => {
        await commitments.saveIndicator(
          plan.slug,
          commitment.number,
          undefined,
          indicatorInputFromForm(form),
          req.user!,
        );
        await req.audit.record({
          action: 'indicator.created',
          target: { type: 'commitment', id: `${plan.slug}/${commitment.number}` },
        });
        res.redirect(303, `${base}#indicators`);
      },
      (error) => renderIndicatorForm(req, res, { form, error }),
    );
  });

  router.get('/officer/plans/:slug/commitments/:number/indicators/:iid/edit', async (req, res) => {
    const { commitment } = await commitmentOf(req);
    const i = commitment.indicators.find((x) => x.id === String(req.params.iid));
    if (!i) throw new NotFoundError();
    await renderIndicatorForm(req, res, {
      indicatorId: i.id,
      form: {
        nameEn: i.name.en,
        nameFr: i.name.fr,
        targetEn: i.target.en,
        targetFr: i.target.fr,
        targetDate: dayString(i.targetDate),
        source: i.source,
        actualEn: i.actual.en,
        actualFr: i.actual.fr,
        actualDate: dayString(i.actualDate),
        sector: i.sector || 'civil_society',
        roundIds: i.roundIds,
      },
    });
  });

  router.post('/officer/plans/:slug/commitments/:number/indicators/:iid/edit', async (req, res) => {
    const { plan, commitment, base } = await commitmentOf(req);
    const form = indicatorFormSchema.parse(req.body);
    const iid = String(req.params.iid);
    await rerenderOnValidationError(
      async () => {
        await commitments.saveIndicator(
          plan.slug,
          commitment.number,
          iid,
          indicatorInputFromForm(form),
          req.user!,
        );
        await req.audit.record({
          action: 'indicator.updated',
          target: { type: 'commitment', id: `${plan.slug}/${commitment.number}` },
          details: { indicator: iid },
        });
        res.redirect(303, `${base}#indicators`);
      },
      (error) => renderIndicatorForm(req, res, { form, indicatorId: iid, error }),
    );
  });

  router.post('/officer/plans/:slug/commitments/:number/indicators/:iid/delete', async (req, res) => {
    const { plan, commitment, base } = await commitmentOf(req);
    await commitments.removeIndicator(plan.slug, commitment.number, String(req.params.iid), req.user!);
    await req.audit.record({
      action: 'indicator.deleted',
      target: { type: 'commitment', id: `${plan.slug}/${commitment.number}` },
      details: { indicator: String(req.params.iid) },
      key: String(req.params.iid),
    });
    res.redirect(303, `${base}#indicators`);
  });

  return router;
}
