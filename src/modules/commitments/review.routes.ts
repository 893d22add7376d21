import { Router, type Request, type Response } from 'express';
import { ValidationError } from '../../platform/errors';
import { requireRole } from '../../platform/http/auth';
import { rerenderOnValidationError } from '../../platform/http/form-errors';
import { reviewFormSchema } from './commitments.schemas';
import type { CommitmentsService } from './commitments.service';
import { PROGRESS, type Commitment, type Plan } from './commitments.types';
import { commitmentCard, commitmentHref, pick, planView, progressLabel, translateErrors } from './presenter';

/**
 * The independent reviewer's pages: a rating on the same scale as the government's self-assessment, with a note
 * in both languages, for each published commitment. The reviewer role can do this and nothing else (admins too).
 */
export function commitmentsReviewRouter(deps: { commitments: CommitmentsService }): Router {
  const { commitments } = deps;
  const router = Router();
  router.use('/review', requireRole('reviewer'));

  /** GET /review : published plans and their commitments, with the ratings recorded so far. */
  router.get('/review', async (req, res) => {
    const plans = await commitments.listPlans();
    const withCommitments = await Promise.all(
      plans.map(async (plan) => ({
        ...planView(plan, req.locale, req.t),
        commitments: (await commitments.listCommitments(plan)).map((c) => ({
          ...commitmentCard(c, req.locale, req.t),
          reviewHref: `/review${commitmentHref(plan.slug, c.number)}`,
        })),
      })),
    );
    res.render('commitments/review/index', {
      title: req.t('commitments:review.title'),
      plans: withCommitments,
    });
  });

  async function renderForm(
    req: Request,
    res: Response,
    plan: Plan,
    commitment: Commitment,
    locals: { form?: { rating: string; noteEn: string; noteFr: string }; error?: ValidationError } = {},
  ) {
    const { errors, fieldErrors } = locals.error
      ? translateErrors(req.t, locals.error.fieldErrors)
      : { errors: [], fieldErrors: {} };
    res.status(locals.error ? 422 : 200).render('commitments/review/form', {
      title: req.t('commitments:review.formTitle', { number: commitment.number }),
      plan: planView(plan, req.locale, req.t),
      commitment: {
        ...commitmentCard(commitment, req.locale, req.t),
        title: pick(commitment.title, req.locale),
      },
      action: `/review${commitmentHref(plan.slug, commitment.number)}`,
      form: locals.form ?? {
        rating: commitment.review?.rating ?? '',
        noteEn: commitment.review?.note.en ?? '',
        noteFr: commitment.review?.note.fr ?? '',
      },
      ratings: PROGRESS.map((key) => ({ key, label: progressLabel(req.t, key) })),
      errors,
      fieldErrors,
    });
  }

  async function find(req: Request) {
    const plan = await commitments.getPlan(String(req.params.slug));
    const commitment = await commitments.getCommitment(plan.slug, String(req.params.number));
    return { plan, commitment };
  }

  router.get('/review/plans/:slug/commitments/:number', async (req, res) => {
    const { plan, commitment } = await find(req);
    await renderForm(req, res, plan, commitment);
  });

  router.post('/review/plans/:slug/commitments/:number', async (req, res) => {
    const { plan, commitment } = await find(req);
    const form = reviewFormSchema.parse(req.body);
    await rerenderOnValidationError(
      async () => {
        await commitments.recordReview(
          plan.slug,
          commitment.number,
          { rating: form.rating, note: { en: form.noteEn, fr: form.noteFr } },
          req.user!,
        );
        await req.audit.record({
          action: 'review.saved',
          target: { type: 'commitment', id: `${plan.slug}/${commitment.number}` },
        });
        res.redirect(303, `${commitmentHref(plan.slug, commitment.number)}#review`);
      },
      (error) => renderForm(req, res, plan, commitment, { form, error }),
    );
  });

  return router;
}
