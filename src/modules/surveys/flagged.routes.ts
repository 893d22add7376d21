import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { NotFoundError } from '../../platform/errors';
import { formatDate } from '../../platform/i18n';
import type { FloodGuard } from './flood-guard';
import { actorOf, manageSurveyGuard, surveyIdOf } from './manage-routes';
import { receiptReference } from './review';
import { localize } from './survey-definition';
import type { Survey, SurveysService } from './surveys.service';

const responseParam = z.string().regex(/^r[A-Za-z0-9_-]{32}$/);
const actionParam = z.enum(['exclude', 'restore']);

/** At most this many responses per "exclude every flagged response" (the page says when more are left). */
const BULK_LIMIT = 500;

/**
 * Officers' view of a survey's flagged responses: /manage/surveys/:surveyId/flagged. A list with counts, reason,
 * time and coarse origin (a keyed hash of the network: never an address), and exclude / restore, each behind a
 * confirmation page (plain forms: no JavaScript needed). Every action is recorded on the flag (who, when).
 */
export function flaggedRouter(surveys: SurveysService, flood: FloodGuard): Router {
  const router = Router();
  // Only officers of the survey's consultation's organisation (and admins) see or act on its flagged responses.
  router.use('/manage/surveys/:surveyId/flagged', ...manageSurveyGuard(surveys));

  async function surveyOf(req: Request): Promise<Survey> {
    return surveys.getSurvey(surveyIdOf(req));
  }

  function responseIdOf(req: Request): string {
    const parsed = responseParam.safeParse(req.params.responseId);
    if (!parsed.success) throw new NotFoundError();
    return parsed.data;
  }

  function actionOf(req: Request): 'exclude' | 'restore' {
    const parsed = actionParam.safeParse(req.params.action);
    if (!parsed.success) throw new NotFoundError();
    return parsed.data;
  }

  /** GET /manage/surveys/:surveyId/flagged */
  router.get('/manage/surveys/:surveyId/flagged', async (req, res) => {
    const survey = await surveyOf(req);
    const list = await surveys.moderation.list(survey.id, actorOf(req));
    const state = await flood.status(survey.id);
    const done = typeof req.query.done === 'string' ? req.query.done.replace(/[^a-zA-Z]/g, '') : '';
    const count = typeof req.query.count === 'string' ? Number.parseInt(req.query.count, 10) || 0 : 0;
    res.render('surveys/manage/flagged', {
      title: `${req.t('surveys:flagged.title')} – ${localize(survey.definition.title, req.locale)}`,
      survey,
      surveyTitle: localize(survey.definition.title, req.locale),
      list,
      flood: { ...state, threshold: flood.threshold },
      rows: list.items.map((item) => {
        const last = item.actions[item.actions.length - 1];
        return {
          ...item,
          reference: receiptReference(item.id),
          when: formatDate(item.at, req.locale, true),
          lastWhen: last ? formatDate(last.at, req.locale, true) : '',
        };
      }),
      notice: done ? req.t(`surveys:flagged.done.${done}`, { count, defaultValue: '' }) : '',
      errors: [],
    });
  });

  function renderConfirm(
    req: Request,
    res: Response,
    survey: Survey,
    input: { action: 'exclude' | 'restore'; responseId?: string; count?: number },
  ) {
    res.render('surveys/manage/flagged-confirm', {
      title: req.t(`surveys:flagged.confirm.${input.responseId ? input.action : 'excludeAll'}Title`),
      surveyTitle: localize(survey.definition.title, req.locale),
      action: input.action,
      reference: input.responseId ? receiptReference(input.responseId) : '',
      count: input.count ?? 0,
      formAction: input.responseId
        ? `/manage/surveys/${survey.id}/flagged/${input.responseId}/${input.action}`
        : `/manage/surveys/${survey.id}/flagged/exclude-all`,
      backHref: `/manage/surveys/${survey.id}/flagged`,
    });
  }

  /** GET /manage/surveys/:surveyId/flagged/exclude-all: "exclude every flagged response still counted?" */
  router.get('/manage/surveys/:surveyId/flagged/exclude-all', async (req, res) => {
    const survey = await surveyOf(req);
    const list = await surveys.moderation.list(survey.id, actorOf(req));
    renderConfirm(req, res, survey, {
      action: 'exclude',
      count: list.items.filter((i) => !i.excluded).length,
    });
  });

  /** POST /manage/surveys/:surveyId/flagged/exclude-all */
  router.post('/manage/surveys/:surveyId/flagged/exclude-all', async (req, res) => {
    const survey = await surveyOf(req);
    const actor = actorOf(req);
    const list = await surveys.moderation.list(survey.id, actor);
    const ids = list.items
      .filter((i) => !i.excluded)
      .slice(0, BULK_LIMIT)
      .map((i) => i.id);
    // Responses still being recorded are left for a second pass (the page says so); the others go on.
    const { done: excluded, busy } = await surveys.moderation.excludeMany(survey.id, ids, actor);
    const done = busy ? 'excludedSome' : 'excludedAll';
    res.redirect(303, `/manage/surveys/${survey.id}/flagged?done=${done}&count=${excluded}`);
  });

  /** GET /manage/surveys/:surveyId/flagged/:responseId/:action: the confirmation page. */
  router.get('/manage/surveys/:surveyId/flagged/:responseId/:action', async (req, res) => {
    const survey = await surveyOf(req);
    renderConfirm(req, res, survey, { action: actionOf(req), responseId: responseIdOf(req) });
  });

  /** POST /manage/surveys/:surveyId/flagged/:responseId/:action */
  router.post('/manage/surveys/:surveyId/flagged/:responseId/:action', async (req, res) => {
    const survey = await surveyOf(req);
    const action = actionOf(req);
    const outcome = await surveys.moderation.setExcluded(
      survey.id,
      responseIdOf(req),
      action === 'exclude',
      actorOf(req),
    );
    const done = outcome === 'unchanged' ? 'unchanged' : action === 'exclude' ? 'excluded' : 'restored';
    res.redirect(303, `/manage/surveys/${survey.id}/flagged?done=${done}`);
  });

  return router;
}
