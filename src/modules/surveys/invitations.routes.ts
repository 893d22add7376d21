import { Router, type Request, type Response } from 'express';
import multer from 'multer';
import { ValidationError, type MessageRef } from '../../platform/errors';
import { rerenderOnValidationError } from '../../platform/http/form-errors';
import { verifyCsrfField } from '../../platform/http/csrf';
import { readCsvInvitees, readPastedInvitees, type LanguageProblem } from './invitation-addresses';
import { actorOf, fieldsOf, manageSurveyGuard, surveyIdOf, text } from './manage-routes';
import type { FormFields } from './survey-answers';
import { localize } from './survey-definition';
import { INVITEE_STATUSES, type InviteeStatus, type Survey, type SurveysService } from './surveys.service';

/** A CSV of addresses is a small text file kept in memory. */
const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 512 * 1024, files: 1 } });

/**
 * Officers inviting people to a survey: /manage/surveys/:surveyId/invitations (the invitee list with its status
 * and counts, sending a batch from pasted addresses or a CSV, reminders). Plain forms; no JavaScript needed.
 */
export function invitationsRouter(surveys: SurveysService): Router {
  const router = Router();
  router.use('/manage/surveys/:surveyId/invitations', ...manageSurveyGuard(surveys));
  const surveyId = surveyIdOf;

  async function renderInvitations(
    req: Request,
    res: Response,
    survey: Survey,
    extra: {
      values?: FormFields;
      errors?: { field: string; message: string }[];
      result?: unknown;
      status?: number;
      reminded?: number;
    } = {},
  ) {
    const counts = await surveys.invitationCounts(survey.id);
    const status = (INVITEE_STATUSES as readonly string[]).includes(String(req.query.status))
      ? (String(req.query.status) as InviteeStatus)
      : undefined;
    const after = typeof req.query.after === 'string' ? req.query.after.slice(0, 320) : undefined;
    const invitees = await surveys.listInvitees(survey.id, { status, after });
    res.status(extra.status ?? 200).render('surveys/manage/invitations', {
      title: `${extra.errors?.length ? `${req.t('surveys:answer.errorPrefix')} ` : ''}${req.t('surveys:invitations.title')}`,
      survey,
      surveyTitle: localize(survey.definition.title, req.locale),
      counts,
      values: extra.values ?? {},
      errors: extra.errors ?? [],
      result: extra.result,
      reminded: extra.reminded,
      invitees,
      inviteeStatus: status ?? '',
      inviteeStatuses: INVITEE_STATUSES,
      nextInvitees: invitees.next
        ? `?${new URLSearchParams({ ...(status ? { status } : {}), after: invitees.next }).toString()}#invitees`
        : undefined,
    });
  }

  /** GET /manage/surveys/:surveyId/invitations (shows, once, the outcome of the last upload or reminder) */
  router.get('/manage/surveys/:surveyId/invitations', async (req, res) => {
    const survey = await surveys.getSurvey(surveyId(req));
    const flash = req.session?.invitationFlash;
    if (flash) delete req.session.invitationFlash;
    const own = flash?.surveyId === survey.id ? flash : undefined;
    await renderInvitations(req, res, survey, {
      values: own?.values,
      errors: own?.errors,
      result: own?.result,
      reminded: own?.reminded,
      status: own?.errors?.length ? 422 : 200,
    });
  });

  /**
   * POST /manage/surveys/:surveyId/invitations: pasted addresses and/or a CSV file. The CSRF token is the form's
   * `_csrf` field, checked once multer has parsed the body (never in the URL). The outcome is shown after a
   * redirect (POST-redirect-GET), so reloading does not send the invitations again.
   */
  router.post('/manage/surveys/:surveyId/invitations', upload.single('file'), async (req, res) => {
    // Exempted from the app-wide check (invitationUploadCsrfExempt) only to be checked here, after parsing.
    verifyCsrfField(req);
    const id = surveyId(req);
    await surveys.getSurvey(id);
    const fields = fieldsOf(req.body);
    const pasted = text(fields, 'emails');
    const csv = req.file ? req.file.buffer.toString('utf8') : '';
    // Pasted text is an address list (RFC 5322 separators, quotes respected); a CSV gives each cell with an "@".
    // Each entry is one address or is refused whole; a language may follow it (invitation-addresses.ts).
    const list = readPastedInvitees(pasted);
    const file = readCsvInvitees(csv);
    const locale = text(fields, 'locale') === 'fr' ? 'fr' : 'en';
    // The outcome, or the errors with what was typed, go to the page through the session (POST-redirect-GET).
    await rerenderOnValidationError(
      async () => {
        // A language that is not one refuses the whole batch: nothing is stored or sent until the list is fixed.
        const problems = [...list.problems, ...file.problems];
        if (problems.length) throw invitationLanguageErrors(problems);
        const candidates = [...list.entries, ...file.entries];
        const result = await surveys.invite(id, { emails: candidates, locale }, actorOf(req));
        req.session.invitationFlash = { surveyId: id, result, values: { locale } };
      },
      (error) => {
        req.session.invitationFlash = {
          surveyId: id,
          values: { emails: pasted.slice(0, 20000), locale },
          errors: error.fieldErrors.map((e) => ({
            field: e.field,
            message: req.t(e.message.key, e.message.values ?? {}),
          })),
        };
      },
    );
    res.redirect(303, `/manage/surveys/${id}/invitations`);
  });

  /** POST /manage/surveys/:surveyId/invitations/remind: remind everyone who has not answered (not twice a day). */
  router.post('/manage/surveys/:surveyId/invitations/remind', async (req, res) => {
    const id = surveyId(req);
    const reminded = await surveys.remind(id, { force: true });
    await req.audit.record({
      action: 'survey.reminders_sent',
      target: { type: 'survey', id },
      details: { count: reminded },
    });
    req.session.invitationFlash = { surveyId: id, reminded };
    res.redirect(303, `/manage/surveys/${id}/invitations`);
  });

  return router;
}

/** The lines whose language is not a language (at most ten named), for the invitations form. */
function invitationLanguageErrors(problems: LanguageProblem[]): ValidationError {
  const shown: { field: string; message: MessageRef }[] = problems.slice(0, 10).map((p) => ({
    field: p.source === 'list' ? 'emails' : 'file',
    message: {
      key:
        p.source === 'list'
          ? 'surveys:invitations.errors.language'
          : 'surveys:invitations.errors.languageInFile',
      values: { line: p.line, value: p.value },
    },
  }));
  if (problems.length > shown.length) {
    shown.push({
      field: 'emails',
      message: {
        key: 'surveys:invitations.errors.languageMore',
        values: { count: problems.length - shown.length },
      },
    });
  }
  return new ValidationError(shown);
}

/**
 * The invitations upload (multipart) is parsed by its route, which then checks the `_csrf` field itself: exempt it
 * from the app-wide check, which runs before the body is parsed. Only that one route, only multipart.
 */
export function invitationUploadCsrfExempt(req: Request): boolean {
  return (
    req.method === 'POST' &&
    Boolean(req.is('multipart/form-data')) &&
    /^\/manage\/surveys\/[^/]+\/invitations$/.test(req.path)
  );
}
