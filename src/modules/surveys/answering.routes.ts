import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { ClosedError, NotFoundError, UnauthenticatedError } from '../../platform/errors';
import { formatDate } from '../../platform/i18n';
import { rerenderOnValidationError } from '../../platform/http/form-errors';
import type { RateLimiter } from '../../platform/http/rate-limit';
import { ANON_SUBMIT_FLAG_AFTER, consumeAnonymous, SURVEY_RATE_LIMITS as LIMITS } from './rate-limits';
import type { FloodGuard } from './flood-guard';
import { formValuesFor, type AnswerError, type Answers, type FormFields } from './survey-answers';
import type { Consultation } from '../consultations';
import { localize } from './survey-definition';
import { answersSummary, pageProblems, receiptReference } from './review';
import type { Notifications } from '../notifications';
import { pageView } from './survey-page';
import { RESCUE_FIELD, rescuedUser, rescueToken } from './session-rescue';
import {
  browserKeyFor,
  browserRespondentKey,
  invitationCookies,
  isBrowserKey,
  respondentFor,
  setRespondentCookie,
} from './respondent';
import {
  ABOUT_YOU,
  SELF_ID_FIELDS,
  type Respondent,
  type SubmitScreen,
  type Survey,
  type SurveysService,
} from './surveys.service';

/** A survey under a flood: this anonymous submission waits behind the challenge page. */
class ChallengeRequiredError extends Error {}

/**
 * Anonymous: no account and no invitation (a fresh cookie makes a fresh respondent of this kind). An invitation
 * held on an anonymous survey still answers as the browser, but it was sent by the team: not screened.
 */
function isAnonymous(respondent: Respondent): boolean {
  return !respondent.userId && !respondent.invitationId && respondent.key.startsWith('anon:');
}

const idParam = z.string().regex(/^[a-f0-9]{24}$/);
const pageParam = z.string().regex(/^[A-Za-z0-9-]{1,40}$/);
/**
 * `review` is the last page's "Continue" (and any page's when changed from "Check your answers"): the page is saved
 * without submitting and the respondent goes to the check page, whose button submits. `next` on the last page still
 * submits at once, as the service always has (a page loaded before this change, and scripted clients).
 */
const actionField = z.enum(['next', 'back', 'save', 'review']).catch('next');
/** The shape of an emailed link's token; anything else (too long, odd characters) is a link that does not work. */
const LINK_TOKEN = /^[\w.-]{20,200}$/;

function linkToken(req: Request, invalidKey: string): string {
  const token = String(req.params.token);
  if (!LINK_TOKEN.test(token)) throw new NotFoundError({ key: invalidKey });
  return token;
}

function params(req: Request): { surveyId: string; pageId?: string } {
  const surveyId = idParam.safeParse(req.params.surveyId);
  if (!surveyId.success) throw new NotFoundError();
  const pageId = req.params.pageId === undefined ? undefined : pageParam.safeParse(req.params.pageId);
  if (pageId && !pageId.success) throw new NotFoundError();
  return { surveyId: surveyId.data, pageId: pageId?.data };
}

/** Only the survey's own fields, as flat strings: anything else in the body is ignored. */
function answerFields(body: unknown): FormFields {
  const fields: FormFields = {};
  if (!body || typeof body !== 'object') return fields;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (!/^(q_|si_)/.test(key)) continue;
    if (typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))) {
      fields[key] = value as string | string[];
    }
  }
  return fields;
}

/** The consultation a survey belongs to, as a link back to its page. */
function consultationLink(consultation: Pick<Consultation, 'slug' | 'title'>, locale: string) {
  return {
    title: locale === 'fr' ? consultation.title.fr : consultation.title.en,
    href: `/consultations/${encodeURIComponent(consultation.slug)}`,
  };
}

export interface AnsweringOptions {
  /** Signs the invitation cookie (the app's session secret). */
  secret: string;
  /** How long an opened invitation is remembered in an idle browser (the session lifetime). */
  invitationMaxAgeMs: number;
  /** Sends the optional copy of a response ("Email me a copy"); without it the offer is not shown. */
  notifications?: Notifications;
  /** Flood detection and the challenge step; without it anonymous submissions are only rate-limited by page. */
  flood?: FloodGuard;
}

/**
 * Participants answering surveys: /surveys/:surveyId/...
 *
 * A browser that is not signed in gets no session here: its forms carry a token bound to its respondent cookie
 * (surveyFormCsrfExempt) instead of the session's CSRF token, and the invitation it came in with is kept in a signed
 * cookie (invitationCookies), so answering a survey anonymously stores no session at all.
 */
export function answeringRouter(
  surveys: SurveysService,
  limiter: RateLimiter,
  options: AnsweringOptions,
): Router {
  const router = Router();
  const clientAddress = (req: Request) => req.ip ?? 'unknown';
  const invitations = invitationCookies({ secret: options.secret, maxAgeMs: options.invitationMaxAgeMs });
  const { flood } = options;

  /**
   * What savePage asks just before it submits an anonymous respondent's draft: the per-address limits (429), then
   * the survey's flood state (the challenge, unless this request passed it), then the flag of a response that is
   * one too many from its address in this survey. Signed-in and invited respondents are not screened.
   */
  function screenFor(req: Request, survey: Survey, respondent: Respondent, passed = false): SubmitScreen {
    return async () => {
      if (!isAnonymous(respondent) || passed || !flood) return undefined;
      const address = clientAddress(req);
      const { perSurvey } = await consumeAnonymous(limiter, survey.id, address);
      const { flooded } = await flood.record(survey.id);
      if (flooded) throw new ChallengeRequiredError();
      return perSurvey > ANON_SUBMIT_FLAG_AFTER ? flood.flag('address', 'web', address) : undefined;
    };
  }

  /** Signing in is the way to answer a "signed-in only" survey: send the visitor there and back. */
  async function open(
    req: Request,
    res: Response,
    surveyId: string,
    respondent: Pick<Respondent, 'userId' | 'invitationId'> | undefined,
  ) {
    try {
      return await surveys.openSurvey(surveyId, respondent);
    } catch (error) {
      if (error instanceof UnauthenticatedError && req.method === 'GET') {
        res.redirect(303, `/sign-in?returnTo=${encodeURIComponent(req.originalUrl)}`);
        return undefined;
      }
      if (error instanceof ClosedError) {
        await renderClosed(req, res, surveyId);
        return undefined;
      }
      throw error;
    }
  }

  /**
   * A closed survey ends on a page of its own (410): when it closed, where its consultation is (and its report, once
   * published), and for a signed-in person, their own responses.
   */
  async function renderClosed(req: Request, res: Response, surveyId: string) {
    const survey = await surveys.getSurvey(surveyId);
    const consultation = await surveys.consultationOf(survey);
    const dates = [survey.settings.closesAt, consultation?.closesAt].filter((d): d is Date => Boolean(d));
    const closedAt = dates.length ? new Date(Math.min(...dates.map((d) => d.getTime()))) : undefined;
    res.status(410).render('surveys/closed', {
      title: req.t('surveys:closedPage.title'),
      surveyTitle: localize(survey.definition.title, req.locale),
      closedOn: closedAt && closedAt <= new Date() ? formatDate(closedAt, req.locale) : '',
      consultation: consultation ? consultationLink(consultation, req.locale) : undefined,
      signedIn: Boolean(req.user),
    });
  }

  /** Who asks (signed-in user, invitation held by this browser); an invitation held is renewed. */
  function access(req: Request, res: Response, surveyId: string) {
    const invitationId = invitations.read(req, surveyId);
    if (invitationId) invitations.remember(req, res, surveyId, invitationId);
    return { userId: req.user?.id, invitationId };
  }

  /** The survey open to whoever asks, and the respondent they answer as (made now if `create`). */
  async function openAs(
    req: Request,
    res: Response,
    surveyId: string,
    opts: { create: true },
  ): Promise<(Awaited<ReturnType<typeof surveys.openSurvey>> & { respondent: Respondent }) | undefined>;
  async function openAs(
    req: Request,
    res: Response,
    surveyId: string,
    opts: { create: false },
  ): Promise<
    (Awaited<ReturnType<typeof surveys.openSurvey>> & { respondent: Respondent | undefined }) | undefined
  >;
  async function openAs(req: Request, res: Response, surveyId: string, opts: { create: boolean }) {
    const who = access(req, res, surveyId);
    const opened = await open(req, res, surveyId, who);
    if (!opened) return undefined;
    const respondent = respondentFor(req, res, surveyId, opened.survey.settings, {
      create: opts.create,
      invitationId: who.invitationId,
    });
    return { ...opened, respondent };
  }

  /**
   * The survey form's own token for a browser that is not signed in (created with its respondent cookie if need
   * be), so the form needs no session; empty for a signed-in user, whose forms use the session's CSRF token.
   */
  function surveyToken(req: Request, res: Response): string {
    return req.user ? '' : surveys.formToken(browserKeyFor(req, res, { create: true }) as string);
  }

  /** For a signed-in respondent's forms: the proof that saves their page if their session ends (session-rescue.ts). */
  function rescueFor(req: Request, surveyId: string): string {
    return req.user ? rescueToken(options.secret, req.user.id, surveyId) : '';
  }

  /**
   * A page (or "Check your answers") posted after the respondent's session ended, with the proof of who they are
   * (session-rescue.ts): the page is saved to their draft, never submitted, and they are asked to sign in again,
   * which brings them back to the same page with what they typed. Undefined when the request is not that case.
   */
  async function rescueExpired(req: Request, res: Response, surveyId: string, pageId: string | undefined) {
    if (req.user) return undefined;
    const userId = rescuedUser(
      options.secret,
      (req.body as Record<string, unknown>)?.[RESCUE_FIELD],
      surveyId,
    );
    if (!userId) return undefined;
    const invitationId = invitations.read(req, surveyId);
    const respondent: Respondent = {
      key: `user:${userId}`,
      userId,
      locale: req.locale,
      ...(invitationId ? { invitationId } : {}),
    };
    await limiter.consume(LIMITS.pageSaveRespondent, respondent.key);
    if (pageId) {
      await surveys.savePage({
        surveyId,
        respondent,
        pageId,
        fields: answerFields(req.body),
        action: 'save',
      });
    }
    const back = pageId ? `/surveys/${surveyId}/pages/${pageId}` : `/surveys/${surveyId}/check`;
    res.status(401).render('surveys/session-ended', {
      title: req.t('surveys:sessionEnded.title'),
      message: req.t(pageId ? 'surveys:sessionEnded.pageSaved' : 'surveys:sessionEnded.answersSaved'),
      signInHref: `/sign-in?returnTo=${encodeURIComponent(back)}`,
    });
    return true;
  }

  function render(
    req: Request,
    res: Response,
    survey: Survey,
    pageId: string,
    state: {
      flow: string[];
      answers: Answers;
      values: FormFields;
      errors: AnswerError[];
      seed: string;
      status?: number;
      editing?: boolean;
      review?: boolean;
    },
  ) {
    const page = pageView({
      survey,
      pageId,
      flow: state.flow,
      answers: state.answers,
      values: state.values,
      errors: state.errors,
      locale: req.locale,
      t: req.t,
      seed: state.seed,
    });
    res.status(state.status ?? 200).render('surveys/page', {
      title: `${page.errors.length ? `${req.t('surveys:answer.errorPrefix')} ` : ''}${page.heading} – ${page.surveyTitle}`,
      page,
      errors: page.errors,
      editing: Boolean(state.editing),
      preview: false,
      canSaveByEmail: !req.user && !survey.settings.anonymous,
      surveyToken: surveyToken(req, res),
      rescueToken: rescueFor(req, survey.id),
      action: `/surveys/${survey.id}/pages/${pageId}`,
      review: Boolean(state.review),
    });
  }

  /** GET /surveys/:surveyId: the start page, or "continue where you left off". */
  router.get('/surveys/:surveyId', async (req, res) => {
    const { surveyId } = params(req);
    const opened = await openAs(req, res, surveyId, { create: false });
    if (!opened) return;
    const { survey, consultation, respondent } = opened;
    const browserKey = browserRespondentKey(req, res);
    if (respondent?.userId && browserKey) await surveys.adoptBrowserDraft(surveyId, browserKey, respondent);
    const state = respondent ? await surveys.respondentState(survey, respondent) : undefined;
    const flow = surveys.pageFlow(survey, state?.draft?.answers ?? {});
    res.render('surveys/start', {
      title: localize(survey.definition.title, req.locale),
      survey,
      surveyTitle: localize(survey.definition.title, req.locale),
      description: localize(survey.definition.description, req.locale),
      pageCount: flow.length,
      startHref: `/surveys/${survey.id}/pages/${state?.draft?.resumeAt && flow.includes(state.draft.resumeAt) ? state.draft.resumeAt : flow[0]}`,
      hasDraft: Boolean(state?.draft),
      alreadyAnswered: Boolean(state?.alreadyAnswered),
      canEdit: Boolean(state?.canEditSubmitted),
      editHref: `/surveys/${survey.id}/pages/${flow[0]}`,
      signedIn: Boolean(req.user),
      consultation: consultationLink(consultation, req.locale),
    });
  });

  /** GET /surveys/:surveyId/invitation/:token: an invitation link; remembered in this browser (signed cookie). */
  router.get('/surveys/:surveyId/invitation/:token', async (req, res) => {
    const { surveyId } = params(req);
    const token = linkToken(req, 'surveys:invitations.invalid');
    const invitation = await surveys.openInvitation(surveyId, token);
    invitations.remember(req, res, surveyId, invitation.invitationId);
    res.redirect(303, `/surveys/${surveyId}`);
  });

  /** GET /surveys/:surveyId/pages/:pageId: one page of questions, filled with what was saved. */
  router.get('/surveys/:surveyId/pages/:pageId', async (req, res) => {
    const { surveyId, pageId } = params(req) as { surveyId: string; pageId: string };
    const opened = await openAs(req, res, surveyId, { create: true });
    if (!opened) return;
    const { survey, respondent } = opened;
    const browserKey = browserRespondentKey(req, res);
    if (respondent.userId && browserKey) await surveys.adoptBrowserDraft(surveyId, browserKey, respondent);
    const state = await surveys.respondentState(survey, respondent);
    if (state.alreadyAnswered && !state.canEditSubmitted) return res.redirect(303, `/surveys/${surveyId}`);
    const current = state.draft ?? (state.canEditSubmitted ? state.submitted : null);
    const answers = current?.answers ?? {};
    const flow = surveys.pageFlow(survey, answers);
    if (!flow.includes(pageId)) return res.redirect(303, `/surveys/${surveyId}/pages/${flow[0]}`);
    const section = survey.definition.sections.find((s) => s.id === pageId);
    const values = section ? formValuesFor(section.questions, answers, current?.otherText ?? {}) : {};
    if (pageId === ABOUT_YOU) {
      const given = current ?? undefined;
      values[SELF_ID_FIELDS.sector] = given?.sector ?? respondent.profile?.sector ?? '';
      values[SELF_ID_FIELDS.region] = given?.region ?? respondent.profile?.region ?? '';
      values[SELF_ID_FIELDS.organisation] = given?.organisation ?? respondent.profile?.organisation ?? '';
    }
    render(req, res, survey, pageId, {
      flow,
      answers,
      values,
      errors: [],
      seed: respondent.key,
      editing: !state.draft && state.canEditSubmitted,
      review: req.query.review === '1',
    });
  });

  /** POST /surveys/:surveyId/pages/:pageId: save this page (always), then go on, go back, or stop here. */
  router.post('/surveys/:surveyId/pages/:pageId', async (req, res) => {
    const { surveyId, pageId } = params(req) as { surveyId: string; pageId: string };
    // Counted before anything is read or written: over the limit, nothing is saved (429 with Retry-After).
    await limiter.consume(LIMITS.pageSaveAddress, clientAddress(req));
    if (await rescueExpired(req, res, surveyId, pageId)) return;
    const opened = await openAs(req, res, surveyId, { create: true });
    if (!opened) return;
    const { survey, respondent } = opened;
    await limiter.consume(LIMITS.pageSaveRespondent, respondent.key);
    const fields = answerFields(req.body);
    const action = actionField.parse((req.body as Record<string, unknown>)?.action);
    const review = (req.body as Record<string, unknown>)?.review === '1';
    if (action === 'review') {
      const state = await surveys.respondentState(survey, respondent);
      const current = state.draft ?? (state.canEditSubmitted ? state.submitted : null);
      const previous = { answers: current?.answers ?? {}, otherText: current?.otherText ?? {} };
      const check = pageProblems(survey, pageId, fields, previous);
      if (check.errors.length) {
        // The same checks the service makes on "next": shown on the page, nothing saved.
        return render(req, res, survey, pageId, {
          flow: surveys.pageFlow(survey, previous.answers),
          answers: previous.answers,
          values: fields,
          errors: check.errors,
          seed: respondent.key,
          status: 422,
          editing: !state.draft && state.canEditSubmitted,
          review,
        });
      }
      const saved = await surveys.savePage({ surveyId, respondent, pageId, fields, action: 'save' });
      if (saved.ok) {
        // An answer that adds a page after this one leads there first; otherwise to "Check your answers".
        const flow = surveys.pageFlow(survey, check.answers);
        const after = flow[flow.indexOf(pageId) + 1];
        if (!review && after) return res.redirect(303, `/surveys/${surveyId}/pages/${after}`);
        return res.redirect(303, `/surveys/${surveyId}/check`);
      }
    }
    await saveAndGo(req, res, survey, respondent, {
      pageId,
      fields,
      action: action === 'review' ? 'next' : action,
      review,
    });
  });

  /** Saves a page through the service and goes where the outcome says (or shows the page again with errors). */
  async function saveAndGo(
    req: Request,
    res: Response,
    survey: Survey,
    respondent: Respondent,
    input: {
      pageId: string;
      fields: FormFields;
      action: 'next' | 'back' | 'save';
      review?: boolean;
      challengePassed?: boolean;
    },
  ) {
    const surveyId = survey.id;
    const { pageId, fields, action } = input;
    const screen = screenFor(req, survey, respondent, input.challengePassed);
    await rerenderOnValidationError(
      async () => {
        let outcome;
        try {
          outcome = await surveys.savePage({ surveyId, respondent, pageId, fields, action, screen });
        } catch (error) {
          // Under a flood: the draft is saved; the response counts once the challenge is passed.
          if (error instanceof ChallengeRequiredError)
            return res.redirect(303, `/surveys/${surveyId}/challenge`);
          throw error;
        }
        if (!outcome.ok) {
          const state = await surveys.respondentState(survey, respondent);
          const answers = state.draft?.answers ?? state.submitted?.answers ?? {};
          return render(req, res, survey, pageId, {
            flow: surveys.pageFlow(survey, answers),
            answers,
            values: fields,
            errors: outcome.errors,
            seed: respondent.key,
            status: 422,
            editing: !state.draft && state.canEditSubmitted,
            review: input.review,
          });
        }
        if (outcome.submitted) return res.redirect(303, `/surveys/${surveyId}/thanks`);
        if (action === 'save') return res.redirect(303, `/surveys/${surveyId}/saved`);
        res.redirect(303, `/surveys/${surveyId}/pages/${outcome.next ?? pageId}`);
      },
      // A final check found a problem on another page (the survey changed, or a page was skipped): show it there.
      // Any other refusal goes on to the error handler.
      async (error) => {
        if (error.code !== 'answers_incomplete') throw error;
        const state = await surveys.respondentState(survey, respondent);
        const first = error.fieldErrors[0];
        const target = survey.definition.sections.find((s) =>
          s.questions.some((q) => first && first.field.startsWith(`q_${q.id}`)),
        );
        const answers = state.draft?.answers ?? {};
        const targetId = target?.id ?? ABOUT_YOU;
        const values = target
          ? formValuesFor(target.questions, answers, state.draft?.otherText ?? {})
          : fields;
        const errors = error.fieldErrors.map((e) => ({
          questionId: e.field.replace(/^q_/, '').split('_')[0] as string,
          field: e.field,
          message: e.message,
        }));
        render(req, res, survey, targetId, {
          flow: surveys.pageFlow(survey, answers),
          answers,
          values,
          errors,
          seed: respondent.key,
          status: 422,
          review: true,
        });
      },
    );
  }

  /** The answers being checked: the draft, or the submitted response being changed (until closing). */
  async function answersToCheck(survey: Survey, respondent: Respondent) {
    const state = await surveys.respondentState(survey, respondent);
    const editing = !state.draft && state.canEditSubmitted;
    const current = state.draft ?? (editing ? state.submitted : null);
    return { current, editing };
  }

  /** GET /surveys/:surveyId/check: every answer, page by page, with "Change" links, then Submit. */
  router.get('/surveys/:surveyId/check', async (req, res) => {
    const { surveyId } = params(req);
    const opened = await openAs(req, res, surveyId, { create: false });
    if (!opened) return;
    const { survey, respondent } = opened;
    const { current, editing } = respondent
      ? await answersToCheck(survey, respondent)
      : { current: null, editing: false };
    if (!respondent || !current) return res.redirect(303, `/surveys/${surveyId}`);
    const flow = surveys.pageFlow(survey, current.answers);
    const summary = answersSummary(
      survey,
      flow,
      {
        answers: current.answers,
        otherText: current.otherText ?? {},
        sector: current.sector,
        region: current.region,
        organisation: current.organisation,
      },
      req.locale,
      req.t,
    );
    res.render('surveys/check', {
      title: `${summary.problems.length ? `${req.t('surveys:answer.errorPrefix')} ` : ''}${req.t('surveys:check.title')} – ${localize(survey.definition.title, req.locale)}`,
      surveyTitle: localize(survey.definition.title, req.locale),
      pages: summary.pages,
      errors: summary.problems,
      editing,
      surveyToken: surveyToken(req, res),
      rescueToken: rescueFor(req, surveyId),
      action: `/surveys/${surveyId}/check`,
      backHref: `/surveys/${surveyId}/pages/${flow[flow.length - 1] ?? ''}`,
    });
  });

  /**
   * POST /surveys/:surveyId/check: submit. The last page is sent again with the saved answers and "next", so the
   * service runs its usual final checks and submits exactly as it always has.
   */
  router.post('/surveys/:surveyId/check', async (req, res) => {
    const { surveyId } = params(req);
    await limiter.consume(LIMITS.pageSaveAddress, clientAddress(req));
    if (await rescueExpired(req, res, surveyId, undefined)) return;
    const opened = await openAs(req, res, surveyId, { create: true });
    if (!opened) return;
    const { survey, respondent } = opened;
    await limiter.consume(LIMITS.pageSaveRespondent, respondent.key);
    await submitSaved(req, res, survey, respondent, false);
  });

  /** Submits the saved answers: the last page is sent again with them and "next" (see POST /check). */
  async function submitSaved(
    req: Request,
    res: Response,
    survey: Survey,
    respondent: Respondent,
    challengePassed: boolean,
  ) {
    const surveyId = survey.id;
    const { current } = await answersToCheck(survey, respondent);
    if (!current) return res.redirect(303, `/surveys/${surveyId}`);
    const flow = surveys.pageFlow(survey, current.answers);
    const last = flow[flow.length - 1];
    if (!last) return res.redirect(303, `/surveys/${surveyId}`);
    const section = survey.definition.sections.find((s) => s.id === last);
    const fields: FormFields = section
      ? formValuesFor(section.questions, current.answers, current.otherText ?? {})
      : {
          [SELF_ID_FIELDS.sector]: current.sector ?? '',
          [SELF_ID_FIELDS.region]: current.region ?? '',
          [SELF_ID_FIELDS.organisation]: current.organisation ?? '',
        };
    await saveAndGo(req, res, survey, respondent, {
      pageId: last,
      fields,
      action: 'next',
      review: true,
      challengePassed,
    });
  }

  /** The challenge page: a sum to answer, or a proof of work the page's script does by itself. */
  function renderChallenge(
    req: Request,
    res: Response,
    survey: Survey,
    respondent: Respondent,
    failed = false,
  ) {
    if (!flood) throw new NotFoundError();
    const challenge = flood.issue(survey.id, respondent.key);
    res.status(failed ? 422 : 200).render('surveys/challenge', {
      title: `${failed ? `${req.t('surveys:answer.errorPrefix')} ` : ''}${req.t('surveys:challenge.title')} – ${localize(survey.definition.title, req.locale)}`,
      surveyTitle: localize(survey.definition.title, req.locale),
      challenge,
      surveyToken: surveyToken(req, res),
      action: `/surveys/${survey.id}/challenge`,
      backHref: `/surveys/${survey.id}/check`,
      errors: failed ? [{ field: 'challengeAnswer', message: req.t('surveys:challenge.wrong') }] : [],
    });
  }

  /** GET /surveys/:surveyId/challenge: shown to anonymous respondents whose submission met a flood. */
  router.get('/surveys/:surveyId/challenge', async (req, res) => {
    const { surveyId } = params(req);
    const opened = await openAs(req, res, surveyId, { create: false });
    if (!opened) return;
    const { survey, respondent } = opened;
    const { current } = respondent ? await answersToCheck(survey, respondent) : { current: null };
    if (!respondent || !current || !isAnonymous(respondent)) return res.redirect(303, `/surveys/${surveyId}`);
    renderChallenge(req, res, survey, respondent);
  });

  /** POST /surveys/:surveyId/challenge: a right answer (or proof of work) submits the saved answers. */
  router.post('/surveys/:surveyId/challenge', async (req, res) => {
    const { surveyId } = params(req);
    await limiter.consume(LIMITS.pageSaveAddress, clientAddress(req));
    const opened = await openAs(req, res, surveyId, { create: false });
    if (!opened) return;
    const { survey, respondent } = opened;
    if (!respondent || !isAnonymous(respondent) || !flood) return res.redirect(303, `/surveys/${surveyId}`);
    await limiter.consume(LIMITS.pageSaveRespondent, respondent.key);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 400) : undefined);
    const passed = await flood.pass(surveyId, respondent.key, text(body.challengeToken) ?? '', {
      sum: text(body.challengeAnswer),
      pow: text(body.pow),
    });
    if (!passed) return renderChallenge(req, res, survey, respondent, true);
    await submitSaved(req, res, survey, respondent, true);
  });

  /** GET /surveys/:surveyId/saved: "your answers are saved", with the offer of a resume link by email. */
  router.get('/surveys/:surveyId/saved', async (req, res) => {
    const { surveyId } = params(req);
    const opened = await openAs(req, res, surveyId, { create: false });
    if (!opened) return;
    const { survey, respondent } = opened;
    const draft = respondent ? await surveys.findDraft(surveyId, respondent.key) : null;
    res.render('surveys/saved', {
      title: req.t('surveys:saved.title'),
      surveyTitle: localize(survey.definition.title, req.locale),
      surveyId,
      hasDraft: Boolean(draft),
      continueHref: `/surveys/${surveyId}/pages/${draft?.resumeAt ?? ''}`,
      offerEmail: Boolean(draft) && !req.user,
      surveyToken: draft ? surveyToken(req, res) : '',
      values: {},
      errors: [],
    });
  });

  /** POST /surveys/:surveyId/resume-link: email a one-click link back to this draft. */
  router.post('/surveys/:surveyId/resume-link', async (req, res) => {
    const { surveyId } = params(req);
    await limiter.consume(LIMITS.resumeLinkAddress, clientAddress(req));
    const opened = await openAs(req, res, surveyId, { create: false });
    if (!opened) return;
    const { survey, respondent } = opened;
    if (!respondent) throw new NotFoundError({ key: 'surveys:resume.noDraft' });
    const email = z
      .string()
      .max(300)
      .catch('')
      .parse((req.body as Record<string, unknown>)?.resumeEmail);
    await rerenderOnValidationError(
      async () => {
        await surveys.sendResumeLink({ surveyId, respondent, email });
        res.render('surveys/link-sent', { title: req.t('surveys:resume.sentTitle'), email, surveyId });
      },
      async (error) => {
        const draft = await surveys.findDraft(surveyId, respondent.key);
        res.status(422).render('surveys/saved', {
          title: `${req.t('surveys:answer.errorPrefix')} ${req.t('surveys:saved.title')}`,
          surveyTitle: localize(survey.definition.title, req.locale),
          surveyId,
          hasDraft: true,
          continueHref: `/surveys/${surveyId}/pages/${draft?.resumeAt ?? ''}`,
          offerEmail: true,
          surveyToken: surveyToken(req, res),
          values: { resumeEmail: email },
          errors: error.fieldErrors.map((e) => ({
            field: e.field,
            message: req.t(e.message.key, e.message.values ?? {}),
          })),
        });
      },
    );
  });

  /** GET /surveys/:surveyId/resume/:token: the emailed link; this browser takes over the draft. */
  router.get('/surveys/:surveyId/resume/:token', async (req, res) => {
    const { surveyId } = params(req);
    const token = linkToken(req, 'surveys:resume.invalid');
    const { respondentKey, resumeAt } = await surveys.resumeByToken(surveyId, token);
    const browserKey = respondentKey.startsWith('anon:') ? respondentKey.slice('anon:'.length) : '';
    if (!isBrowserKey(browserKey)) throw new NotFoundError({ key: 'surveys:resume.invalid' });
    setRespondentCookie(req, res, browserKey);
    res.redirect(303, `/surveys/${surveyId}/pages/${resumeAt ?? ''}`);
  });

  /** GET /surveys/:surveyId/thanks */
  router.get('/surveys/:surveyId/thanks', async (req, res) => {
    const { surveyId } = params(req);
    // Not public (a draft survey, or its consultation a draft): a 404 that shows nothing of it.
    const { survey, consultation } = await surveys.getPublicSurvey(surveyId);
    const who = access(req, res, surveyId);
    const respondent = respondentFor(req, res, surveyId, survey.settings, {
      create: false,
      invitationId: who.invitationId,
    });
    const submitted = respondent ? await surveys.findSubmitted(surveyId, respondent.key) : null;
    const email = req.user?.email;
    res.render('surveys/thanks', {
      reference: submitted ? receiptReference(submitted.id) : '',
      offerCopy: Boolean(submitted && email && options.notifications),
      copyEmail: email ?? '',
      copySent: req.query.copy === 'sent',
      consultation: consultation ? consultationLink(consultation, req.locale) : undefined,
      title: req.t('surveys:thanks.title'),
      surveyTitle: localize(survey.definition.title, req.locale),
      message: localize(survey.settings.thankYou, req.locale),
      submitted: Boolean(submitted),
      canEdit: Boolean(submitted && survey.settings.editableUntilClose && survey.status === 'published'),
      surveyId,
    });
  });

  /**
   * POST /surveys/:surveyId/receipt: "Email me a copy" for a signed-in respondent (whose address is known): the
   * reference number and every answer, in their language. One copy per response and language, however often asked.
   */
  router.post('/surveys/:surveyId/receipt', async (req, res) => {
    const { surveyId } = params(req);
    await limiter.consume(LIMITS.resumeLinkAddress, clientAddress(req));
    const { notifications } = options;
    if (!req.user || !notifications) throw new NotFoundError();
    const { survey } = await surveys.getPublicSurvey(surveyId);
    const respondent = respondentFor(req, res, surveyId, survey.settings, { create: false });
    const submitted = respondent ? await surveys.findSubmitted(surveyId, respondent.key) : null;
    if (!submitted) throw new NotFoundError();
    const flow = surveys.pageFlow(survey, submitted.answers);
    const summary = answersSummary(
      survey,
      flow,
      {
        answers: submitted.answers,
        otherText: submitted.otherText ?? {},
        sector: submitted.sector,
        region: submitted.region,
        organisation: submitted.organisation,
      },
      req.locale,
      req.t,
    );
    await notifications.send({
      template: 'survey-receipt',
      to: req.user.email,
      locale: req.locale,
      idempotencyKey: `survey-receipt:${submitted.id}:${req.locale}`,
      data: {
        surveyTitle: localize(survey.definition.title, req.locale),
        reference: receiptReference(submitted.id),
        pages: summary.pages.map((p) => ({
          heading: p.heading,
          rows: p.rows.map((r) => ({ label: r.label, lines: r.lines })),
        })),
      },
    });
    res.redirect(303, `/surveys/${surveyId}/thanks?copy=sent`);
  });

  return router;
}
