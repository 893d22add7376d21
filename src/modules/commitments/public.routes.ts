import { Router, type Request, type Response } from 'express';
import { NotFoundError } from '../../platform/errors';
import { localeBaseUrl } from '../../platform/i18n/urls';
import { isStaff, requireSignedIn } from '../../platform/http/auth';
import { renderMarkdown } from '../../platform/markdown';
import type { ConsultationsService } from '../consultations';
import { bibtex, cslJson, ris } from './citation';
import type { CommitmentsService } from './commitments.service';
import { PROGRESS, type Commitment, type Plan } from './commitments.types';
import type { FollowersService } from './followers.service';
import { indicatorValues, type ShareSource } from './indicator-values';
import {
  citationInput,
  citationView,
  commitmentCard,
  commitmentHref,
  dayView,
  departmentKey,
  indicatorRows,
  milestoneSummary,
  pick,
  planHref,
  planView,
  progressLabel,
  themeKey,
  updateView,
} from './presenter';
import { planFiltersSchema } from './commitments.schemas';

export interface PublicRoutesDeps {
  commitments: CommitmentsService;
  followers: FollowersService;
  shares: ShareSource;
  consultations: Pick<ConsultationsService, 'findConsultationById' | 'getRoundById'>;
  baseUrl: string;
}

export function planFeeds(req: Request, plan: Plan, commitment?: Commitment) {
  const locale = req.locale;
  const base = commitment
    ? `/feeds/plans/${plan.slug}/commitments/${commitment.number}/${locale}`
    : `/feeds/plans/${plan.slug}/${locale}`;
  const subject = commitment
    ? req.t('commitments:feeds.commitmentSubject', { number: commitment.number })
    : pick(plan.title, locale);
  return [
    {
      type: 'application/rss+xml',
      title: req.t('commitments:feeds.rssTitle', { subject }),
      href: `${base}.rss`,
    },
    {
      type: 'application/atom+xml',
      title: req.t('commitments:feeds.atomTitle', { subject }),
      href: `${base}.atom`,
    },
  ];
}

/** Plans, commitments, follows, unfollow links and citations: everything the public reads. */
export function commitmentsPublicRouter(deps: PublicRoutesDeps): Router {
  const { commitments, followers } = deps;
  const router = Router();

  /** GET /plans : the published action plans. */
  router.get('/plans', async (req, res) => {
    const plans = await commitments.listPlans({ includeDrafts: isStaff(req.user) });
    res.render('commitments/plans', {
      title: req.t('commitments:plans.title'),
      plans: plans.map((p) => planView(p, req.locale, req.t)),
    });
  });

  async function visiblePlan(req: Request): Promise<Plan> {
    return commitments.getPlan(String(req.params.slug), { includeDrafts: isStaff(req.user) });
  }

  /** GET /plans/:slug : commitments by theme, filters, and the milestones by status. Drafts 404 except to staff. */
  router.get('/plans/:slug', async (req, res) => {
    const plan = await visiblePlan(req);
    const staff = isStaff(req.user);
    const all = await commitments.listCommitments(plan, { includeDrafts: staff });
    const filters = planFiltersSchema.parse(req.query);
    const locale = req.locale;
    const options = (key: (c: Commitment) => string, label: (c: Commitment) => string) => {
      const seen = new Map<string, string>();
      for (const c of all) if (!seen.has(key(c))) seen.set(key(c), label(c));
      return [...seen.entries()]
        .map(([value, text]) => ({ value, text }))
        .sort((a, b) => a.text.localeCompare(b.text, locale));
    };
    const themes = options(themeKey, (c) => pick(c.theme, locale) || req.t('commitments:plan.noTheme'));
    const departments = options(departmentKey, (c) => pick(c.leadDepartment, locale) || '–');
    const chosen = {
      status: (PROGRESS as readonly string[]).includes(filters.status ?? '')
        ? (filters.status as string)
        : '',
      theme: themes.some((o) => o.value === filters.theme) ? (filters.theme as string) : '',
      department: departments.some((o) => o.value === filters.department)
        ? (filters.department as string)
        : '',
    };
    const shown = all.filter(
      (c) =>
        (!chosen.status || c.status === chosen.status) &&
        (!chosen.theme || themeKey(c) === chosen.theme) &&
        (!chosen.department || departmentKey(c) === chosen.department),
    );
    // Themes in the order of their first commitment.
    const groups: { key: string; title: string; items: ReturnType<typeof commitmentCard>[] }[] = [];
    for (const c of shown) {
      let group = groups.find((g) => g.key === themeKey(c));
      if (!group) {
        group = {
          key: themeKey(c),
          title: pick(c.theme, locale) || req.t('commitments:plan.noTheme'),
          items: [],
        };
        groups.push(group);
      }
      group.items.push(commitmentCard(c, locale, req.t));
    }
    const view = planView(plan, locale, req.t);
    res.render('commitments/plan', {
      title: view.title,
      description: view.summary,
      plan: view,
      filters: chosen,
      filtered: Boolean(chosen.status || chosen.theme || chosen.department),
      statuses: PROGRESS.map((key) => ({ value: key, text: progressLabel(req.t, key) })),
      themes,
      departments,
      groups,
      shownCount: shown.length,
      totalCount: all.length,
      summary: milestoneSummary(shown, req.t, locale),
      alternateFeeds: planFeeds(req, plan),
      feeds: planFeeds(req, plan),
    });
  });

  async function visibleCommitment(req: Request): Promise<{ plan: Plan; commitment: Commitment }> {
    const staff = isStaff(req.user);
    const plan = await commitments.getPlan(String(req.params.slug), { includeDrafts: staff });
    const commitment = await commitments.getCommitment(plan.slug, String(req.params.number), {
      includeDrafts: staff,
    });
    return { plan, commitment };
  }

  /** GET /plans/:slug/commitments/:number : the commitment's status page (the model case). */
  router.get('/plans/:slug/commitments/:number', async (req, res) => {
    const { plan, commitment } = await visibleCommitment(req);
    const locale = req.locale;
    const staff = isStaff(req.user);
    const [values, updates, following, linked, rounds] = await Promise.all([
      indicatorValues(commitment, deps.shares, staff),
      commitments.listUpdates(commitment),
      req.user ? followers.isFollowing(commitment, req.user.email) : Promise.resolve(false),
      Promise.all(commitment.consultationIds.map((id) => deps.consultations.findConsultationById(id))),
      Promise.all(commitment.roundIds.map((id) => deps.consultations.getRoundById(id).catch(() => null))),
    ]);
    const card = commitmentCard(commitment, locale, req.t);
    const consultations = linked
      .filter((c): c is NonNullable<typeof c> => Boolean(c))
      // Open ones first, then the rest by closing date, newest first.
      .sort((a, b) => Number(b.isOpen) - Number(a.isOpen) || b.closesAt.getTime() - a.closesAt.getTime())
      .map((c) => ({
        href: `/consultations/${c.slug}`,
        title: pick(c.title, locale),
        isOpen: c.isOpen,
        status: c.status,
        statusLabel: req.t(`consultations:status.${c.status}`),
        closes: dayView(c.closesAt, locale),
      }));
    const base = commitmentHref(plan.slug, commitment.number);
    const citation = citationView(
      citationInput(commitment, plan, locale, req.t, localeBaseUrl(deps.baseUrl, locale), updates[0]),
      base,
    );
    res.render('commitments/commitment', {
      title: req.t('commitments:commitment.pageTitle', { number: commitment.number, title: card.title }),
      description: card.summary || pick(commitment.plannedResult, locale),
      plan: planView(plan, locale, req.t),
      commitment: {
        ...card,
        publication: commitment.publication,
        enquiryEmail: commitment.enquiryEmail,
        otherActors: pick(commitment.otherActors, locale),
        plannedResult: pick(commitment.plannedResult, locale),
        descriptionHtml: renderMarkdown(pick(commitment.description, locale)),
        review: commitment.review
          ? {
              rating: commitment.review.rating,
              label: progressLabel(req.t, commitment.review.rating),
              noteHtml: renderMarkdown(pick(commitment.review.note, locale)),
              date: dayView(commitment.review.reviewedAt, locale),
            }
          : undefined,
      },
      indicators: indicatorRows(values, locale, req.t),
      milestones: commitment.milestones
        .filter((m) => m.number)
        .map((m) => ({
          number: m.number,
          text: pick(m.text, locale),
          status: m.status,
          statusLabel: progressLabel(req.t, m.status),
          start: dayView(m.startDate, locale),
          end: dayView(m.endDate, locale),
        })),
      otherMilestones: commitment.milestones
        .filter((m) => !m.number)
        .map((m) => ({
          text: pick(m.text, locale),
          status: m.status,
          statusLabel: progressLabel(req.t, m.status),
          end: dayView(m.endDate, locale),
        })),
      consultations,
      rounds: rounds
        .filter((r): r is NonNullable<typeof r> => Boolean(r))
        .map((r) => ({ href: `/rounds/${r.slug}`, title: pick(r.title, locale) })),
      timeline: updates.map((u) => updateView(u, locale, req.t)),
      following,
      followAction: `${base}/follow`,
      unfollowAction: `${base}/unfollow`,
      signInHref: `/sign-in?returnTo=${encodeURIComponent(`${base}#follow`)}`,
      citation,
      headMeta: citation.meta,
      alternateFeeds: planFeeds(req, plan, commitment),
      feeds: planFeeds(req, plan, commitment),
    });
  });

  /** GET /plans/:slug/commitments/:number/cite.(json|bib|ris) : the citation for reference managers. */
  router.get('/plans/:slug/commitments/:number/cite.:format', async (req, res) => {
    const format = String(req.params.format);
    if (!['json', 'bib', 'ris'].includes(format)) throw new NotFoundError();
    const { plan, commitment } = await visibleCommitment(req);
    const [latest] = await commitments.listUpdates(commitment, 1);
    const input = citationInput(
      commitment,
      plan,
      req.locale,
      req.t,
      localeBaseUrl(deps.baseUrl, req.locale),
      latest,
    );
    const name = `commitment-${plan.slug}-${commitment.number}`;
    res.set('Cache-Control', 'public, max-age=300');
    if (format === 'json') {
      res.set('Content-Disposition', `attachment; filename="${name}.json"`);
      res.type('application/vnd.citationstyles.csl+json').send(JSON.stringify([cslJson(input)], null, 2));
    } else if (format === 'bib') {
      res.set('Content-Disposition', `attachment; filename="${name}.bib"`);
      res.type('application/x-bibtex; charset=utf-8').send(bibtex(input));
    } else {
      res.set('Content-Disposition', `attachment; filename="${name}.ris"`);
      res.type('application/x-research-info-systems; charset=utf-8').send(ris(input));
    }
  });

  /** POST .../follow and .../unfollow : email me when its status changes. */
  router.post('/plans/:slug/commitments/:number/follow', requireSignedIn(), async (req, res) => {
    const { plan, commitment } = await visibleCommitment(req);
    if (commitment.publication !== 'published' || plan.publication !== 'published') throw new NotFoundError();
    await followers.follow(commitment, {
      email: req.user!.email,
      locale: req.user!.locale,
      userId: req.user!.id,
    });
    res.redirect(303, `${commitmentHref(plan.slug, commitment.number)}#follow`);
  });

  router.post('/plans/:slug/commitments/:number/unfollow', requireSignedIn(), async (req, res) => {
    const { plan, commitment } = await visibleCommitment(req);
    await followers.unfollow(commitment, req.user!.email);
    res.redirect(303, `${commitmentHref(plan.slug, commitment.number)}#follow`);
  });

  async function renderUnfollow(req: Request, res: Response, state: 'unfollowed' | 'refollowed') {
    const token = String(req.params.token);
    const follower =
      state === 'unfollowed'
        ? await followers.unfollowByToken(token)
        : await followers.refollowByToken(token);
    res.set('Cache-Control', 'no-store');
    res.render('commitments/unfollow', {
      title: req.t(`commitments:unfollow.${state}Title`),
      state,
      token,
      email: follower.email,
      target: await describeFollow(req, follower),
    });
  }

  async function describeFollow(req: Request, follower: { planSlug: string; number: string }) {
    const commitment = await commitments
      .getCommitment(follower.planSlug, follower.number, { includeDrafts: true })
      .catch(() => undefined);
    return commitment
      ? {
          href: commitmentHref(commitment.planSlug, commitment.number),
          title: req.t('commitments:commitment.pageTitle', {
            number: commitment.number,
            title: pick(commitment.title, req.locale),
          }),
        }
      : undefined;
  }

  /**
   * GET (the emailed link) only asks: mail scanners and link previews fetch links, so opening one changes nothing.
   * POST (the page's button, or RFC 8058 one-click; CSRF-exempt: the signed token is the authority) unfollows.
   */
  router.get('/commitments/unfollow/:token', async (req, res) => {
    const token = String(req.params.token);
    const follower = await followers.fromToken(token);
    res.set('Cache-Control', 'no-store');
    res.render('commitments/unfollow', {
      title: req.t(
        follower.active ? 'commitments:unfollow.confirmTitle' : 'commitments:unfollow.unfollowedTitle',
      ),
      state: follower.active ? 'confirm' : 'inactive',
      token,
      email: follower.email,
      target: await describeFollow(req, follower),
    });
  });
  router.post('/commitments/unfollow/:token', (req, res) => renderUnfollow(req, res, 'unfollowed'));
  router.post('/commitments/unfollow/:token/undo', (req, res) => renderUnfollow(req, res, 'refollowed'));

  return router;
}

/** RFC 8058 one-click unfollow posts from mail clients carry no session: the signed token is the authority. */
export const commitmentsCsrfExempt = (req: Request) =>
  req.method === 'POST' && /^\/commitments\/unfollow\/[^/]+$/.test(req.path);

export { planHref };
