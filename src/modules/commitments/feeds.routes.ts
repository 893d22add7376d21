import { Router, type Request, type Response } from 'express';
import type { TFunction } from 'i18next';
import { NotFoundError } from '../../platform/errors';
import { isLocale, type Locale } from '../../platform/i18n';
import { localeBaseUrl } from '../../platform/i18n/urls';
import { buildAtom, buildRss, type FeedEntry } from '../consultations';
import type { CommitmentsService } from './commitments.service';
import type { Commitment, Plan, StatusUpdate } from './commitments.types';
import { commitmentHref, formatDay, pick } from './presenter';

export interface FeedRoutesDeps {
  commitments: CommitmentsService;
  baseUrl: string;
  /** Feeds are in the language their address names (feed readers keep no cookies). */
  fixedT: (locale: Locale) => TFunction;
}

const FILE_PATTERN = /^(en|fr)\.(rss|atom)$/;
const CONTENT_TYPES = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
} as const;
const MAX_ENTRIES = 50;

/** One feed entry per status update: "Commitment 19: milestone 19.1 is now complete", with its dated note. */
export function updateEntries(
  updates: StatusUpdate[],
  titles: Map<string, { en: string; fr: string }>,
  plan: Plan,
  locale: Locale,
  t: TFunction,
  baseUrl: string,
): FeedEntry[] {
  // Entry ids stay the language-free address (they never change); links open the page in the feed's language.
  const site = localeBaseUrl(baseUrl, locale);
  return updates.map((u) => {
    const id = `${baseUrl}${commitmentHref(u.planSlug, u.number)}`;
    const link = `${site}${commitmentHref(u.planSlug, u.number)}`;
    const status = t(`commitments:progress.${u.to}`, { lng: locale });
    const subject = u.milestoneId
      ? t('commitments:timeline.milestone', { number: u.milestoneNumber || pick(u.milestoneText, locale) })
      : t('commitments:timeline.overall');
    return {
      id: `${id}#update-${u.seq}`,
      // The feed writers do not read `type`; status updates are news items of their own.
      type: 'new',
      title: t('commitments:feeds.entryTitle', {
        number: u.number,
        title: pick(titles.get(u.number), locale),
        subject,
        status,
      }),
      summary: `${formatDay(u.date, locale)}${locale === 'fr' ? '\u00a0:' : ':'} ${pick(u.note, locale)}`,
      link: `${link}#update-${u.seq}`,
      date: u.recordedAt,
      author: pick(plan.organisation, locale) || t('common:productName'),
      categories: [status],
    } satisfies FeedEntry;
  });
}

/** GET /feeds/plans/:slug/<en|fr>.<rss|atom> and /feeds/plans/:slug/commitments/:number/<en|fr>.<rss|atom>. */
export function commitmentFeedsRouter(deps: FeedRoutesDeps): Router {
  const router = Router();

  async function send(req: Request, res: Response, plan: Plan, commitment: Commitment | undefined) {
    const match = FILE_PATTERN.exec(String(req.params.file));
    if (!match || !isLocale(match[1])) throw new NotFoundError();
    const locale = match[1];
    const format = match[2] as keyof typeof CONTENT_TYPES;
    const t = deps.fixedT(locale);
    let updates: StatusUpdate[];
    const titles = new Map<string, { en: string; fr: string }>();
    if (commitment) {
      updates = await deps.commitments.listUpdates(commitment, MAX_ENTRIES);
      titles.set(commitment.number, commitment.title);
    } else {
      const published = await deps.commitments.listCommitments(plan);
      for (const c of published) titles.set(c.number, c.title);
      // Updates of draft commitments stay out of the public feed.
      updates = (await deps.commitments.listPlanUpdates(plan, MAX_ENTRIES * 2))
        .filter((u) => titles.has(u.number))
        .slice(0, MAX_ENTRIES);
    }
    const entries = updateEntries(updates, titles, plan, locale, t, deps.baseUrl).sort(
      (a, b) => b.date.getTime() - a.date.getTime(),
    );
    const link = `${localeBaseUrl(deps.baseUrl, locale)}${commitment ? commitmentHref(plan.slug, commitment.number) : `/plans/${plan.slug}`}`;
    const info = {
      title: commitment
        ? t('commitments:feeds.commitmentTitle', {
            number: commitment.number,
            title: pick(commitment.title, locale),
          })
        : t('commitments:feeds.planTitle', { title: pick(plan.title, locale) }),
      description: t('commitments:feeds.description'),
      link,
      self: `${deps.baseUrl}${req.originalUrl.split('?')[0]}`,
      locale,
      updated: entries[0]?.date ?? plan.publishedAt ?? new Date(0),
      generator: t('common:productName'),
    };
    res.set('Cache-Control', 'public, max-age=300');
    res
      .type(CONTENT_TYPES[format])
      .send(format === 'rss' ? buildRss(info, entries) : buildAtom(info, entries));
  }

  router.get('/feeds/plans/:slug/:file', async (req, res) => {
    await send(req, res, await deps.commitments.getPlan(String(req.params.slug)), undefined);
  });

  router.get('/feeds/plans/:slug/commitments/:number/:file', async (req, res) => {
    const plan = await deps.commitments.getPlan(String(req.params.slug));
    const commitment = await deps.commitments.getCommitment(plan.slug, String(req.params.number));
    await send(req, res, plan, commitment);
  });

  return router;
}
