import { Router, type Request, type Response } from 'express';
import { BadRequestError, NotFoundError, ValidationError } from '../../platform/errors';
import { assertCan, can, requireAccess, visibleTo } from '../../platform/http/access';
import { requireRole } from '../../platform/http/auth';
import { rerenderOnValidationError } from '../../platform/http/form-errors';
import { HIDE_REASONS } from './comment.model';
import { MODERATION_STATUSES, type CommentsService, type ModerationStatus } from './comments.service';
import { formatDate } from '../../platform/i18n';
import { consultationCard, pick, translateErrors } from './consultation-presenter';
import {
  consultationFormSchema,
  consultationInputFromForm,
  hideFormSchema,
  replyFormSchema,
  reportInputFromForm,
  roundFormSchema,
  roundInputFromForm,
  type ConsultationForm,
  type RoundForm,
} from './consultations.schemas';
import type { ConsultationsService } from './consultations.service';
import {
  ROUND_STATUSES,
  type Consultation,
  type ResponseCountSource,
  type Round,
  type SurveyDirectory,
} from './consultations.types';
import type { ReportInput, ReportsService } from './reports.service';
import { THEMES } from './themes';
import { calendarDate, toWallClock } from '../../platform/zoned-time';

export interface OfficerRoutesDeps {
  consultations: ConsultationsService;
  comments: CommentsService;
  reports: ReportsService;
  responseCounts: ResponseCountSource;
  /** The consultation's published surveys (the surveys module), listed with links to the builder. */
  surveys: SurveyDirectory;
  /** The organisations an admin may move a consultation to (the accounts module). */
  organisations?: () => Promise<{ id: string; name: { en: string; fr: string } }[]>;
}

function roundForm(round?: Round): RoundForm {
  return {
    slug: round?.slug ?? '',
    titleEn: round?.title.en ?? '',
    titleFr: round?.title.fr ?? '',
    descriptionEn: round?.description.en ?? '',
    descriptionFr: round?.description.fr ?? '',
    startsOn: round ? calendarDate(round.startsOn) : '',
    endsOn: round ? calendarDate(round.endsOn) : '',
    status: round?.status ?? 'draft',
  };
}

function consultationForm(c?: Consultation, roundId = ''): ConsultationForm {
  return {
    slug: c?.slug ?? '',
    roundId: c?.roundId ?? roundId,
    titleEn: c?.title.en ?? '',
    titleFr: c?.title.fr ?? '',
    summaryEn: c?.summary.en ?? '',
    summaryFr: c?.summary.fr ?? '',
    bodyEn: c?.body.en ?? '',
    bodyFr: c?.body.fr ?? '',
    leadOrganisationEn: c?.leadOrganisation.en ?? '',
    leadOrganisationFr: c?.leadOrganisation.fr ?? '',
    contactEmail: c?.contactEmail ?? '',
    themes: c?.themes ?? [],
    opensAt: toWallClock(c?.opensAt),
    closesAt: toWallClock(c?.closesAt),
  };
}

/** Confirmations shown after a redirect (`?done=<key>`), by key; anything else shows nothing. */
const DONE = [
  'closed',
  'roundCreated',
  'roundUpdated',
  'roundCompleted',
  'roundReopened',
  'consultationCreated',
  'consultationUpdated',
  'organisationChanged',
  'sharingChanged',
] as const;
function doneNotice(req: Request): string {
  const done = typeof req.query.done === 'string' ? req.query.done : '';
  return (DONE as readonly string[]).includes(done) ? req.t(`consultations:officer.done.${done}`) : '';
}

/**
 * The officer workspace. Every route requires the officer role (admins included): anonymous users are sent to
 * sign in, participants and analysts get 403.
 */
export function officerRouter(deps: OfficerRoutesDeps): Router {
  const { consultations, comments, reports } = deps;
  const router = Router();
  router.use('/officer', requireRole('officer'));
  // Comments are moderated only by officers of their consultation's organisation (others: 404).
  router.use(
    '/officer/comments/:id',
    requireAccess('moderate', async (req) => {
      const comment = await comments.getComment(String(req.params.id));
      return consultations.getConsultationById(comment.consultationId, { includeDrafts: true });
    }),
  );

  /** GET /officer : rounds and consultations with status, closing dates and response counts. */
  router.get('/officer', async (req, res) => {
    const now = consultations.now();
    const [allRounds, everyConsultation] = await Promise.all([
      consultations.listRounds({ includeDrafts: true }),
      consultations.listAll(now),
    ]);
    // The workspace lists what this officer manages (consultations shared with their organisation are for analysis).
    const rounds = visibleTo(req.user, 'manage', allRounds);
    const all = visibleTo(req.user, 'manage', everyConsultation);
    const ids = all.map((c) => c.id);
    const [responseCounts, commentCounts] = await Promise.all([
      deps.responseCounts.countByConsultation(ids),
      comments.countByConsultation(ids),
    ]);
    const roundTitles = new Map(rounds.map((r) => [r.id, pick(r.title, req.locale)]));
    res.render('officer/index', {
      title: req.t('consultations:officer.title'),
      notice: doneNotice(req),
      rounds: rounds.map((r) => ({
        id: r.id,
        slug: r.slug,
        title: pick(r.title, req.locale),
        statusLabel: req.t(`consultations:roundStatus.${r.status}`),
        consultationCount: all.filter((c) => c.roundId === r.id).length,
      })),
      consultations: all.map((c) => ({
        ...consultationCard(c, req.locale, req.t, now),
        roundTitle: roundTitles.get(c.roundId) ?? '',
        responses: responseCounts.get(c.id) ?? 0,
        comments: commentCounts.get(c.id) ?? 0,
        manageHref: `/officer/consultations/${c.id}`,
      })),
    });
  });

  // ---------- rounds ----------

  async function renderRoundForm(
    req: Request,
    res: Response,
    locals: { form: RoundForm; action: string; round?: Round; error?: ValidationError },
  ) {
    const { errors, fieldErrors } = locals.error
      ? translateErrors(req.t, locals.error.fieldErrors)
      : { errors: [], fieldErrors: {} };
    const organisations = await organisationChoices(req, locals.round);
    res.status(locals.error ? 422 : 200).render('officer/round-form', {
      title: req.t(
        locals.round ? 'consultations:officer.rounds.editTitle' : 'consultations:officer.rounds.newTitle',
      ),
      form: locals.form,
      action: locals.action,
      // Completing and reopening are actions of their own (below): the form only moves between draft and active,
      // and a completed round keeps its status.
      statuses: ROUND_STATUSES.filter((key) =>
        locals.round?.status === 'completed' ? key === 'completed' : key !== 'completed',
      ).map((key) => ({ key, label: req.t(`consultations:roundStatus.${key}`) })),
      lifecycle: locals.round
        ? {
            status: locals.round.status,
            completedOn: locals.round.completedAt ? formatDate(locals.round.completedAt, req.locale) : '',
            completeHref: `/officer/rounds/${locals.round.id}/complete`,
            reopenHref: `/officer/rounds/${locals.round.id}/reopen`,
          }
        : undefined,
      errors,
      fieldErrors,
      organisation:
        locals.round && organisations.length
          ? {
              current: locals.round.organisationId,
              options: organisations,
              action: `${locals.action}/organisation`,
            }
          : undefined,
    });
  }

  /** GET /officer/rounds/:id/complete : "Complete this round?" (the POST needs confirm=yes). */
  router.get('/officer/rounds/:id/complete', async (req, res) => {
    const round = assertCan(
      req.user,
      'manage',
      await consultations.getRoundById(String(req.params.id), { includeDrafts: true }),
    );
    if (round.status !== 'active') return res.redirect(303, `/officer/rounds/${round.id}/edit`);
    const open = (await consultations.listByRound(round.id, { includeDrafts: true })).filter(
      (c) => c.status === 'open' || c.status === 'upcoming',
    );
    res.render('common/confirm', {
      title: req.t('consultations:officer.rounds.complete.title', { title: pick(round.title, req.locale) }),
      details: [
        req.t('consultations:officer.rounds.complete.closes', { count: open.length }),
        req.t('consultations:officer.rounds.complete.freezes'),
      ],
      irreversible: req.t('consultations:officer.rounds.complete.reopenOnly'),
      action: `/officer/rounds/${round.id}/complete`,
      confirmLabel: req.t('consultations:officer.rounds.complete.confirm'),
      cancelHref: `/officer/rounds/${round.id}/edit`,
    });
  });

  /** POST /officer/rounds/:id/complete : closes its consultations and freezes its figures (confirm=yes). */
  router.post('/officer/rounds/:id/complete', async (req, res) => {
    const round = assertCan(
      req.user,
      'manage',
      await consultations.getRoundById(String(req.params.id), { includeDrafts: true }),
    );
    if ((req.body as Record<string, unknown> | undefined)?.confirm !== 'yes') {
      return res.redirect(303, `/officer/rounds/${round.id}/complete`);
    }
    await consultations.completeRound(round.id, req.user!);
    res.redirect(303, '/officer?done=roundCompleted');
  });

  function renderReopen(req: Request, res: Response, round: Round, reason: string, error?: ValidationError) {
    const { errors, fieldErrors } = error
      ? translateErrors(req.t, error.fieldErrors)
      : { errors: [], fieldErrors: {} };
    res.status(error ? 422 : 200).render('officer/round-reopen', {
      title: req.t('consultations:officer.rounds.reopen.title', { title: pick(round.title, req.locale) }),
      round: {
        id: round.id,
        completedOn: round.completedAt ? formatDate(round.completedAt, req.locale) : '',
      },
      reason,
      errors,
      fieldErrors,
    });
  }

  /** GET /officer/rounds/:id/reopen : the reason and the confirmation. */
  router.get('/officer/rounds/:id/reopen', async (req, res) => {
    const round = assertCan(
      req.user,
      'manage',
      await consultations.getRoundById(String(req.params.id), { includeDrafts: true }),
    );
    if (round.status !== 'completed') return res.redirect(303, `/officer/rounds/${round.id}/edit`);
    renderReopen(req, res, round, '');
  });

  /** POST /officer/rounds/:id/reopen : reopens with a reason (confirm=yes), audited and shown publicly. */
  router.post('/officer/rounds/:id/reopen', async (req, res) => {
    const round = assertCan(
      req.user,
      'manage',
      await consultations.getRoundById(String(req.params.id), { includeDrafts: true }),
    );
    const body = (req.body ?? {}) as Record<string, unknown>;
    const reason = typeof body.reason === 'string' ? body.reason : '';
    if (body.confirm !== 'yes') return res.redirect(303, `/officer/rounds/${round.id}/reopen`);
    await rerenderOnValidationError(
      async () => {
        await consultations.reopenRound(round.id, reason, req.user!);
        res.redirect(303, '/officer?done=roundReopened');
      },
      (error) => renderReopen(req, res, round, reason, error),
    );
  });
  /** The organisations an admin may move `resource` to (empty for anyone else: they see no such form). */
  async function organisationChoices(req: Request, resource: Round | Consultation | undefined) {
    if (!resource || !deps.organisations || !can(req.user, 'administer', resource)) return [];
    return (await deps.organisations()).map((o) => ({
      value: o.id,
      label: `${pick(o.name, req.locale)} (${o.id})`,
    }));
  }

  /** The organisation an admin chose, if it exists; otherwise a 400 naming the field. */
  async function chosenOrganisation(req: Request, resource: Round | Consultation): Promise<string> {
    const wanted = (req.body as Record<string, unknown> | undefined)?.organisationId;
    const choices = await organisationChoices(req, resource);
    if (!choices.length) throw new NotFoundError();
    if (typeof wanted !== 'string' || !choices.some((o) => o.value === wanted)) {
      throw new BadRequestError({ key: 'admin:errors.orgUnknown' });
    }
    return wanted;
  }

  /** GET /officer/rounds/new */
  router.get('/officer/rounds/new', async (req, res) => {
    await renderRoundForm(req, res, { form: roundForm(), action: '/officer/rounds' });
  });

  /** POST /officer/rounds */
  router.post('/officer/rounds', async (req, res) => {
    const form = roundFormSchema.parse(req.body);
    await rerenderOnValidationError(
      async () => {
        const created = await consultations.createRound(roundInputFromForm(form), req.user!);
        await req.audit.record({
          action: 'round.created',
          target: { type: 'round', id: created.id },
          key: created.id,
        });
        res.redirect(303, '/officer?done=roundCreated');
      },
      (error) => renderRoundForm(req, res, { form, action: '/officer/rounds', error }),
    );
  });

  /** GET /officer/rounds/:id/edit */
  router.get('/officer/rounds/:id/edit', async (req, res) => {
    const round = assertCan(
      req.user,
      'manage',
      await consultations.getRoundById(String(req.params.id), { includeDrafts: true }),
    );
    await renderRoundForm(req, res, { form: roundForm(round), action: `/officer/rounds/${round.id}`, round });
  });

  /** POST /officer/rounds/:id/organisation : admins move a round to another organisation. */
  router.post('/officer/rounds/:id/organisation', async (req, res) => {
    const round = assertCan(
      req.user,
      'manage',
      await consultations.getRoundById(String(req.params.id), { includeDrafts: true }),
    );
    const organisationId = await chosenOrganisation(req, round);
    await consultations.setRoundOrganisation(round.id, organisationId, req.user!);
    await req.audit.record({
      action: 'round.organisation_changed',
      target: { type: 'round', id: round.id, label: round.title.en },
      details: { from: round.organisationId, to: organisationId },
    });
    res.redirect(303, '/officer?done=organisationChanged');
  });

  /** POST /officer/rounds/:id */
  router.post('/officer/rounds/:id', async (req, res) => {
    const round = assertCan(
      req.user,
      'manage',
      await consultations.getRoundById(String(req.params.id), { includeDrafts: true }),
    );
    const form = roundFormSchema.parse(req.body);
    await rerenderOnValidationError(
      async () => {
        await consultations.updateRound(round.id, roundInputFromForm(form), req.user!);
        await req.audit.record({ action: 'round.updated', target: { type: 'round', id: round.id } });
        res.redirect(303, '/officer?done=roundUpdated');
      },
      (error) => renderRoundForm(req, res, { form, action: `/officer/rounds/${round.id}`, round, error }),
    );
  });

  // ---------- consultations ----------

  async function renderConsultationForm(
    req: Request,
    res: Response,
    locals: { form: ConsultationForm; action: string; consultation?: Consultation; error?: ValidationError },
  ) {
    const rounds = visibleTo(req.user, 'manage', await consultations.listRounds({ includeDrafts: true }));
    const { errors, fieldErrors } = locals.error
      ? translateErrors(req.t, locals.error.fieldErrors)
      : { errors: [], fieldErrors: {} };
    res.status(locals.error ? 422 : 200).render('officer/consultation-form', {
      title: req.t(
        locals.consultation
          ? 'consultations:officer.consultations.editTitle'
          : 'consultations:officer.consultations.newTitle',
      ),
      form: locals.form,
      action: locals.action,
      cancelHref: locals.consultation ? `/officer/consultations/${locals.consultation.id}` : '/officer',
      rounds: rounds.map((r) => ({ id: r.id, title: pick(r.title, req.locale) })),
      themes: THEMES.map((key) => ({ key, label: req.t(`consultations:themes.${key}`) })),
      errors,
      fieldErrors,
    });
  }

  /** GET /officer/consultations/new */
  router.get('/officer/consultations/new', async (req, res) => {
    const roundId = typeof req.query.round === 'string' ? req.query.round : '';
    await renderConsultationForm(req, res, {
      form: consultationForm(undefined, roundId),
      action: '/officer/consultations',
    });
  });

  /** POST /officer/consultations : creates a draft. */
  router.post('/officer/consultations', async (req, res) => {
    const form = consultationFormSchema.parse(req.body);
    await rerenderOnValidationError(
      async () => {
        const created = await consultations.createConsultation(consultationInputFromForm(form), req.user!);
        await req.audit.record({
          action: 'consultation.created',
          target: { type: 'consultation', id: created.id },
          key: created.id,
        });
        res.redirect(303, `/officer/consultations/${created.id}?done=consultationCreated`);
      },
      (error) => renderConsultationForm(req, res, { form, action: '/officer/consultations', error }),
    );
  });

  async function renderManagePage(
    req: Request,
    res: Response,
    consultation: Consultation,
    error?: ValidationError,
  ) {
    const now = consultations.now();
    const [round, checklist, report, responseCounts, surveys] = await Promise.all([
      consultations.getRoundById(consultation.roundId, { includeDrafts: true }),
      consultations.publicationChecklist(consultation.id),
      reports.getReport(consultation.id),
      deps.responseCounts.countByConsultation([consultation.id]),
      deps.surveys.listForConsultation(consultation.id),
    ]);
    const { errors } = error ? translateErrors(req.t, error.fieldErrors) : { errors: [] };
    const organisations = await organisationChoices(req, consultation);
    res.status(error ? 422 : 200).render('officer/consultation', {
      title: pick(consultation.title, req.locale),
      notice: error ? '' : doneNotice(req),
      consultation: {
        ...consultationCard(consultation, req.locale, req.t, now),
        publication: consultation.publication,
        roundTitle: pick(round.title, req.locale),
        responses: responseCounts.get(consultation.id) ?? 0,
      },
      // Missing fields link to the edit form's inputs.
      missing: checklist.map((f) => ({
        href: `/officer/consultations/${consultation.id}/edit#${f.field}`,
        message: req.t(f.message.key, f.message.values ?? {}),
      })),
      errors: errors.map((e) => ({ ...e, field: 'publish-checklist' })),
      report: report ? { published: Boolean(report.publishedAt) } : undefined,
      canPublish: consultation.publication === 'draft',
      canClose: consultation.status === 'open' || consultation.status === 'upcoming',
      canArchive: consultation.publication === 'published',
      canReport: consultation.status === 'closed' || consultation.status === 'archived',
      surveys: surveys.map((s) => ({
        title: pick(s.title, req.locale),
        href: `/manage/surveys/${s.id}`,
        isOpen: s.isOpen,
      })),
      newSurveyHref: `/manage/surveys?consultationId=${consultation.id}#new`,
      organisation: organisations.length
        ? { current: consultation.organisationId, options: organisations }
        : undefined,
      sharing: organisations.length
        ? organisations
            .filter((o) => o.value !== consultation.organisationId)
            .map((o) => ({ ...o, checked: consultation.sharedWith.includes(o.value) }))
        : undefined,
    });
  }

  async function findForOfficer(req: Request): Promise<Consultation> {
    return assertCan(
      req.user,
      'manage',
      await consultations.getConsultationById(String(req.params.id), { includeDrafts: true }),
    );
  }

  /** GET /officer/consultations/:id : status, what is missing before publishing, and the actions. */
  router.get('/officer/consultations/:id', async (req, res) => {
    await renderManagePage(req, res, await findForOfficer(req));
  });

  /** GET /officer/consultations/:id/edit */
  router.get('/officer/consultations/:id/edit', async (req, res) => {
    const consultation = await findForOfficer(req);
    await renderConsultationForm(req, res, {
      form: consultationForm(consultation),
      action: `/officer/consultations/${consultation.id}`,
      consultation,
    });
  });

  /** POST /officer/consultations/:id */
  router.post('/officer/consultations/:id', async (req, res) => {
    const consultation = await findForOfficer(req);
    const form = consultationFormSchema.parse(req.body);
    await rerenderOnValidationError(
      async () => {
        await consultations.updateConsultation(consultation.id, consultationInputFromForm(form), req.user!);
        await req.audit.record({
          action: 'consultation.updated',
          target: { type: 'consultation', id: consultation.id },
        });
        res.redirect(303, `/officer/consultations/${consultation.id}?done=consultationUpdated`);
      },
      (error) =>
        renderConsultationForm(req, res, {
          form,
          action: `/officer/consultations/${consultation.id}`,
          consultation,
          error,
        }),
    );
  });

  /** POST /officer/consultations/:id/organisation : admins move a consultation (and its surveys) to an organisation. */
  router.post('/officer/consultations/:id/organisation', async (req, res) => {
    const consultation = await findForOfficer(req);
    const organisationId = await chosenOrganisation(req, consultation);
    await consultations.setConsultationOrganisation(consultation.id, organisationId, req.user!);
    await req.audit.record({
      action: 'consultation.organisation_changed',
      target: { type: 'consultation', id: consultation.id, label: consultation.title.en },
      details: { from: consultation.organisationId, to: organisationId },
    });
    res.redirect(303, `/officer/consultations/${consultation.id}?done=organisationChanged`);
  });

  /** POST /officer/consultations/:id/sharing : admins let other organisations view and analyse it (sharedWith). */
  router.post('/officer/consultations/:id/sharing', async (req, res) => {
    const consultation = await findForOfficer(req);
    const choices = await organisationChoices(req, consultation);
    if (!choices.length) throw new NotFoundError();
    const sent = (req.body as Record<string, unknown> | undefined)?.sharedWith;
    const wanted = sent === undefined ? [] : Array.isArray(sent) ? sent : [sent];
    if (!wanted.every((o) => typeof o === 'string' && choices.some((c) => c.value === o))) {
      throw new BadRequestError({ key: 'admin:errors.orgUnknown' });
    }
    await consultations.setConsultationSharing(consultation.id, wanted as string[], req.user!);
    await req.audit.record({
      action: 'consultation.sharing_changed',
      target: { type: 'consultation', id: consultation.id, label: consultation.title.en },
      details: { sharedWith: wanted.length ? (wanted as string[]).join(', ') : '—' },
    });
    res.redirect(303, `/officer/consultations/${consultation.id}?done=sharingChanged`);
  });

  /** POST /officer/consultations/:id/publish : refused (422, with the missing fields) until complete. */
  router.post('/officer/consultations/:id/publish', async (req, res) => {
    const consultation = await findForOfficer(req);
    await rerenderOnValidationError(
      async () => {
        await consultations.publishConsultation(consultation.id, req.user!);
        await req.audit.record({
          action: 'consultation.published',
          target: { type: 'consultation', id: consultation.id },
          key: 'published',
        });
        res.redirect(303, `/officer/consultations/${consultation.id}`);
      },
      (error) => renderManagePage(req, res, consultation, error),
    );
  });

  /** GET /officer/consultations/:id/close : "Close now?" (the POST needs confirm=yes). */
  router.get('/officer/consultations/:id/close', async (req, res) => {
    const consultation = await findForOfficer(req);
    if (consultation.status !== 'open' && consultation.status !== 'upcoming') {
      return res.redirect(303, `/officer/consultations/${consultation.id}`);
    }
    const responses = await deps.responseCounts.countByConsultation([consultation.id]);
    res.render('common/confirm', {
      title: req.t('consultations:officer.lifecycle.confirmTitle', {
        title: pick(consultation.title, req.locale),
      }),
      details: [
        req.t('consultations:officer.lifecycle.confirmEffects'),
        req.t('consultations:officer.lifecycle.confirmResponses', {
          count: responses.get(consultation.id) ?? 0,
        }),
      ],
      irreversible: req.t('consultations:officer.lifecycle.confirmEmails'),
      action: `/officer/consultations/${consultation.id}/close`,
      confirmLabel: req.t('consultations:officer.lifecycle.closeNow'),
      cancelHref: `/officer/consultations/${consultation.id}`,
    });
  });

  /** POST /officer/consultations/:id/close : closes now (confirm=yes; without it, the confirmation page). */
  router.post('/officer/consultations/:id/close', async (req, res) => {
    const consultation = await findForOfficer(req);
    if ((req.body as Record<string, unknown> | undefined)?.confirm !== 'yes') {
      return res.redirect(303, `/officer/consultations/${consultation.id}/close`);
    }
    await consultations.closeConsultationNow(consultation.id, req.user!);
    await req.audit.record({
      action: 'consultation.closed',
      target: { type: 'consultation', id: consultation.id },
    });
    res.redirect(303, `/officer/consultations/${consultation.id}?done=closed`);
  });

  /** POST /officer/consultations/:id/archive */
  router.post('/officer/consultations/:id/archive', async (req, res) => {
    const consultation = await findForOfficer(req);
    await rerenderOnValidationError(
      async () => {
        await consultations.archiveConsultation(consultation.id, req.user!);
        await req.audit.record({
          action: 'consultation.archived',
          target: { type: 'consultation', id: consultation.id },
          key: 'archived',
        });
        res.redirect(303, `/officer/consultations/${consultation.id}`);
      },
      (error) => renderManagePage(req, res, consultation, error),
    );
  });

  // ---------- "what we heard" ----------

  async function renderReportForm(
    req: Request,
    res: Response,
    consultation: Consultation,
    input: ReportInput,
    rows: number,
    locals: { error?: ValidationError; published?: boolean; status?: number } = {},
  ) {
    const { errors, fieldErrors } = locals.error
      ? translateErrors(req.t, locals.error.fieldErrors)
      : { errors: [], fieldErrors: {} };
    const themeRows = Array.from({ length: Math.max(rows, 1) }, (_, i) => {
      const theme = input.themes[i];
      return {
        index: i,
        number: i + 1,
        titleEn: theme?.title.en ?? '',
        titleFr: theme?.title.fr ?? '',
        heardEn: theme?.heard.en ?? '',
        heardFr: theme?.heard.fr ?? '',
        responseEn: theme?.response.en ?? '',
        responseFr: theme?.response.fr ?? '',
      };
    });
    res.status(locals.status ?? (locals.error ? 422 : 200)).render('officer/report-form', {
      title: req.t('consultations:officer.report.title', { title: pick(consultation.title, req.locale) }),
      consultation: {
        id: consultation.id,
        slug: consultation.slug,
        title: pick(consultation.title, req.locale),
        status: consultation.status,
      },
      canPublish: consultation.status === 'closed' || consultation.status === 'archived',
      published: locals.published ?? false,
      introductionEn: input.introduction.en,
      introductionFr: input.introduction.fr,
      themeRows,
      errors,
      fieldErrors,
    });
  }

  /** GET /officer/consultations/:id/report */
  router.get('/officer/consultations/:id/report', async (req, res) => {
    const consultation = await findForOfficer(req);
    const report = await reports.getReport(consultation.id);
    const input: ReportInput = report ?? { introduction: { en: '', fr: '' }, themes: [] };
    await renderReportForm(req, res, consultation, input, Math.max(input.themes.length, 1), {
      published: Boolean(report?.publishedAt),
    });
  });

  /** POST /officer/consultations/:id/report : action = save | addTheme | publish. */
  router.post('/officer/consultations/:id/report', async (req, res) => {
    const consultation = await findForOfficer(req);
    const { input, rows } = reportInputFromForm(req.body as Record<string, unknown>);
    const action = typeof req.body?.action === 'string' ? req.body.action : 'save';
    const existing = await reports.getReport(consultation.id);
    const published = Boolean(existing?.publishedAt);
    if (action === 'addTheme') {
      return renderReportForm(req, res, consultation, input, rows + 1, { published });
    }
    await rerenderOnValidationError(
      async () => {
        if (action === 'publish') await reports.publishReport(consultation.id, input, req.user!);
        if (action === 'publish')
          await req.audit.record({
            action: 'report.published',
            target: { type: 'consultation', id: consultation.id },
          });
        else await reports.saveReport(consultation.id, input, req.user!);
        res.redirect(
          303,
          action === 'publish'
            ? `/consultations/${consultation.slug}/report`
            : `/officer/consultations/${consultation.id}`,
        );
      },
      (error) => renderReportForm(req, res, consultation, input, rows, { error, published }),
    );
  });

  // ---------- moderation ----------

  /** GET /officer/moderation?status=&consultation=&page= : the queue of comments to read, answer or hide. */
  router.get('/officer/moderation', async (req, res) => {
    const q = (name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : '');
    const status = (MODERATION_STATUSES as readonly string[]).includes(q('status'))
      ? (q('status') as ModerationStatus)
      : 'pending';
    const page = Math.min(Math.max(Number.parseInt(q('page'), 10) || 1, 1), 1000);
    const everyConsultation = await consultations.listAll(consultations.now());
    const all = visibleTo(req.user, 'moderate', everyConsultation);
    const consultationId = all.some((c) => c.id === q('consultation')) ? q('consultation') : '';
    const { items, hasNext } = await comments.listForModeration({
      status,
      consultationId,
      // Admins read every queue; others only their organisation's consultations.
      consultationIds: all.length === everyConsultation.length ? undefined : all.map((c) => c.id),
      page,
    });
    const titles = new Map(all.map((c) => [c.id, pick(c.title, req.locale)]));
    const href = (p: number) =>
      `/officer/moderation?${new URLSearchParams({ status, ...(consultationId ? { consultation: consultationId } : {}), page: String(p) }).toString()}`;
    res.render('officer/moderation', {
      title: req.t('consultations:queue.title'),
      filters: { status, consultation: consultationId },
      statuses: MODERATION_STATUSES.map((key) => ({
        key,
        label: req.t(`consultations:queue.statuses.${key}`),
      })),
      consultations: all.map((c) => ({ id: c.id, title: pick(c.title, req.locale) })),
      items: items.map((c) => ({
        id: c.id,
        body: c.rawBody.length > 300 ? `${c.rawBody.slice(0, 300)}…` : c.rawBody,
        author: c.authorDeleted ? req.t('consultations:comments.deletedAuthor') : c.authorName,
        consultation: titles.get(c.consultationId) ?? '',
        date: c.createdAt.toISOString(),
        dateText: formatDate(c.createdAt, req.locale, true),
        tags: [
          ...(c.hidden ? [req.t('consultations:queue.tags.hidden')] : []),
          ...(c.reports ? [req.t('consultations:queue.tags.reported', { count: c.reports })] : []),
          c.replied
            ? req.t('consultations:queue.tags.replied')
            : req.t('consultations:queue.tags.notReplied'),
        ],
        href: `/officer/comments/${c.id}`,
      })),
      page,
      previousHref: page > 1 ? href(page - 1) : '',
      nextHref: hasNext ? href(page + 1) : '',
    });
  });

  async function renderCommentPage(
    req: Request,
    res: Response,
    commentId: string,
    error?: ValidationError,
    form?: { reply: string; reason: string },
  ) {
    const comment = await comments.getComment(commentId);
    const consultation = await consultations.getConsultationById(comment.consultationId, {
      includeDrafts: true,
    });
    const { errors, fieldErrors } = error
      ? translateErrors(req.t, error.fieldErrors)
      : { errors: [], fieldErrors: {} };
    res.status(error ? 422 : 200).render('officer/comment', {
      title: req.t('consultations:moderation.title'),
      comment: {
        id: comment.id,
        authorName: comment.authorDeleted
          ? req.t('consultations:comments.deletedAuthor')
          : comment.authorName,
        body: comment.rawBody,
        official: comment.official,
        isReply: Boolean(comment.parentId),
        hiddenReason: comment.hidden
          ? req.t(`consultations:moderation.reasons.${comment.hidden.reason}`)
          : undefined,
      },
      consultation: {
        title: pick(consultation.title, req.locale),
        href: `/consultations/${consultation.slug}#comment-${comment.id}`,
      },
      reasons: HIDE_REASONS.map((key) => ({ key, label: req.t(`consultations:moderation.reasons.${key}`) })),
      submissionId: comments.newSubmissionId(),
      form: form ?? { reply: '', reason: '' },
      errors,
      fieldErrors,
    });
  }

  /** GET /officer/comments/:id : reply officially, hide or show again. */
  router.get('/officer/comments/:id', async (req, res) => {
    await renderCommentPage(req, res, String(req.params.id));
  });

  /** POST /officer/comments/:id/reply */
  router.post('/officer/comments/:id/reply', async (req, res) => {
    const form = replyFormSchema.parse(req.body);
    await rerenderOnValidationError(
      async () => {
        const reply = await comments.replyOfficially({
          commentId: String(req.params.id),
          officer: req.user!,
          body: form.reply,
          submissionId: form.submissionId,
        });
        await req.audit.record({
          action: 'comment.replied',
          target: { type: 'comment', id: String(req.params.id) },
          key: form.submissionId || undefined,
        });
        const consultation = await consultations.getConsultationById(reply.consultationId, {
          includeDrafts: true,
        });
        res.redirect(303, `/consultations/${consultation.slug}#comment-${reply.id}`);
      },
      (error) => {
        const mapped = new ValidationError(
          error.fieldErrors.map((f) => ({ ...f, field: f.field === 'comment' ? 'reply' : f.field })),
        );
        return renderCommentPage(req, res, String(req.params.id), mapped, { reply: form.reply, reason: '' });
      },
    );
  });

  /** POST /officer/comments/:id/hide */
  router.post('/officer/comments/:id/hide', async (req, res) => {
    const form = hideFormSchema.parse(req.body);
    await rerenderOnValidationError(
      async () => {
        const comment = await comments.hideComment({
          commentId: String(req.params.id),
          officer: req.user!,
          reason: form.reason,
        });
        await req.audit.record({ action: 'comment.hidden', target: { type: 'comment', id: comment.id } });
        const consultation = await consultations.getConsultationById(comment.consultationId, {
          includeDrafts: true,
        });
        res.redirect(303, `/consultations/${consultation.slug}#comment-${comment.id}`);
      },
      (error) =>
        renderCommentPage(req, res, String(req.params.id), error, { reply: '', reason: form.reason }),
    );
  });

  /** POST /officer/comments/:id/show : undoes a hide. */
  router.post('/officer/comments/:id/show', async (req, res) => {
    const comment = await comments.unhideComment({ commentId: String(req.params.id), officer: req.user! });
    await req.audit.record({ action: 'comment.shown', target: { type: 'comment', id: comment.id } });
    const consultation = await consultations.getConsultationById(comment.consultationId, {
      includeDrafts: true,
    });
    res.redirect(303, `/consultations/${consultation.slug}#comment-${comment.id}`);
  });

  return router;
}
