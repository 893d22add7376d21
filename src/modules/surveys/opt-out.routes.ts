import { Router, type Request } from 'express';
import { localize } from './survey-definition';
import type { SurveysService } from './surveys.service';

const PATH = /^\/surveys\/[^/]+\/invitation\/[^/]+\/opt-out$/;

/**
 * The opt-out link of invitation emails. GET only shows a confirmation (mail scanners open links); the POST stops
 * the emails. The link's signed token is the capability, so the POST needs no session (and no CSRF token).
 */
export function invitationOptOutRouter(surveys: SurveysService): Router {
  const router = Router();
  const params = (req: Request) => ({
    surveyId: String(req.params.surveyId),
    token: String(req.params.token),
  });

  router.get('/surveys/:surveyId/invitation/:token/opt-out', async (req, res) => {
    const { surveyId, token } = params(req);
    const survey = await surveys.checkInvitationToken(surveyId, token);
    res.set('Cache-Control', 'no-store');
    res.set('Referrer-Policy', 'no-referrer');
    res.render('surveys/opt-out', {
      title: req.t('surveys:optOut.title'),
      surveyTitle: localize(survey.definition.title, req.locale),
      action: req.originalUrl.split('?')[0],
      done: false,
    });
  });

  router.post('/surveys/:surveyId/invitation/:token/opt-out', async (req, res) => {
    const { surveyId, token } = params(req);
    const survey = await surveys.checkInvitationToken(surveyId, token);
    await surveys.optOutOfInvitation(surveyId, token);
    res.set('Cache-Control', 'no-store');
    res.render('surveys/opt-out', {
      title: req.t('surveys:optOut.doneTitle'),
      surveyTitle: localize(survey.definition.title, req.locale),
      done: true,
    });
  });
  return router;
}

/** The opt-out POST carries its own capability (the signed token in its path). */
export function invitationOptOutCsrfExempt(req: Request): boolean {
  return req.method === 'POST' && PATH.test(req.path);
}
