import { Router, type Request, type Response } from 'express';
import { ClosedError, NotFoundError, TooManyRequestsError } from '../../platform/errors';
import { can, draftScope } from '../../platform/http/access';
import { isStaff, requireSignedIn } from '../../platform/http/auth';
import { rerenderOnValidationError } from '../../platform/http/form-errors';
import { formatDate } from '../../platform/i18n';
import { localeBaseUrl } from '../../platform/i18n/urls';
import { renderMarkdown } from '../../platform/markdown';
import type { CommentsService } from './comments.service';
import {
  CLOSING_SOON_DAYS,
  consultationCard,
  consultationDetail,
  dateView,
  pick,
  roundView,
  translateErrors,
} from './consultation-presenter';
import {
  CITATION_FORMATS,
  CITATION_TYPES,
  apaText,
  citationDocument,
  citationMeta,
  type CitationFormat,
  type CitationSource,
} from './citation';
import { commentFormSchema, listingQuerySchema } from './consultations.schemas';
import type { ConsultationsService } from './consultations.service';
import type { Consultation, Round, SurveyDirectory } from './consultations.types';
import type { ReportsService } from './reports.service';
import type { SubscriptionsService } from './subscriptions.service';
import { THEMES } from './themes';

export interface PublicRoutesDeps {
  consultations: ConsultationsService;
  comments: CommentsService;
  reports: ReportsService;
  subscriptions: SubscriptionsService;
  surveys: SurveyDirectory;
  baseUrl: string;
}

const PAGE_SIZE = 10;

/** The feeds a page advertises with <link rel="alternate">: the global ones, and its round's. */
function alternateFeeds(req: Request, round?: { slug: string; title: string }) {
  const locale = req.locale;
  const feeds = [
    {
      type: 'application/rss+xml',
      title: req.t('consultations:feeds.rssTitle'),
      href: `/feeds/consultations/${locale}.rss`,
    },
    {
      type: 'application/atom+xml',
      title: req.t('consultations:feeds.atomTitle'),
      href: `/feeds/consultations/${locale}.atom`,
    },
  ];
  if (round) {
    feeds.push(
      {
        type: 'application/rss+xml',
        title: req.t('consultations:feeds.roundRssTitle', { round: round.title }),
        href: `/feeds/rounds/${round.slug}/${locale}.rss`,
      },
      {
        type: 'application/atom+xml',
        title: req.t('consultations:feeds.roundAtomTitle', { round: round.title }),
        href: `/feeds/rounds/${round.slug}/${locale}.atom`,
      },
    );
  }
  return feeds;
}

export function consultationsPublicRouter(deps: PublicRoutesDeps): Router {
  const { consultations, comments, reports, subscriptions } = deps;
  const router = Router();

  /** GET / : the home page, with what is open now and what closes soon. */
  router.get('/', async (req, res) => {
    const now = consultations.now();
    const open = (await consultations.listOpen(now, 50)).map((c) =>
      consultationCard(c, req.locale, req.t, now),
    );
    res.render('home/index', {
      title: req.t('home:title'),
      closingSoon: open.filter((c) => c.closingSoon),
      openNow: open.filter((c) => !c.closingSoon),
      closingSoonDays: CLOSING_SOON_DAYS,
      alternateFeeds: alternateFeeds(req),
    });
  });

  /** GET /accessibility : the accessibility statement (linked from every page's footer). */
  router.get('/accessibility', (req, res) => {
    res.render('home/accessibility', { title: req.t('home:accessibility.title') });
  });

  /** GET /contact : who to write to (each consultation's own contact, then this site's). */
  router.get('/contact', (req, res) => {
    res.render('home/contact', { title: req.t('home:contact.title') });
  });

  /** GET /consultations : filters (status, theme, round), text search and pagination. */
  router.get('/consultations', async (req, res) => {
    const query = listingQuerySchema.parse(req.query);
    const staff = isStaff(req.user);
    const rounds = visibleRounds(req, await consultations.listRounds({ includeDrafts: staff }));
    const round = query.round ? rounds.find((r) => r.slug === query.round) : undefined;
    const theme =
      query.theme && (THEMES as readonly string[]).includes(query.theme) ? query.theme : undefined;
    const status = query.status === 'draft' && !staff ? undefined : query.status;
    const now = consultations.now();
    const page =
      query.round && !round
        ? { items: [], total: 0, page: 1, pageSize: PAGE_SIZE, pageCount: 0 }
        : await consultations.listConsultations({
            status,
            theme,
            roundId: round?.id,
            q: query.q,
            locale: req.locale,
            page: query.page ?? 1,
            pageSize: PAGE_SIZE,
            includeDrafts: staff,
            draftOrganisations: draftScope(req.user),
            now,
          });
    const filters = { status: status ?? '', theme: theme ?? '', round: round?.slug ?? '', q: query.q ?? '' };
    const pageHref = (n: number) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
      if (n > 1) params.set('page', String(n));
      const qs = params.toString();
      return `/consultations${qs ? `?${qs}` : ''}`;
    };
    res.render('consultations/index', {
      title: req.t('consultations:listing.title'),
      filters,
      statuses: (staff
        ? ['open', 'upcoming', 'closed', 'archived', 'draft']
        : ['open', 'upcoming', 'closed', 'archived']
      ).map((key) => ({ key, label: req.t(`consultations:status.${key}`) })),
      themes: THEMES.map((key) => ({ key, label: req.t(`consultations:themes.${key}`) })),
      rounds: rounds.map((r) => ({ slug: r.slug, title: pick(r.title, req.locale) })),
      results: page.items.map((c) => consultationCard(c, req.locale, req.t, now)),
      total: page.total,
      page: page.page,
      pageCount: page.pageCount,
      pages: Array.from({ length: page.pageCount }, (_, i) => ({ number: i + 1, href: pageHref(i + 1) })),
      previousHref: page.page > 1 ? pageHref(page.page - 1) : undefined,
      nextHref: page.page < page.pageCount ? pageHref(page.page + 1) : undefined,
      alternateFeeds: alternateFeeds(req),
    });
  });

  /** The consultation as a citable work, dated by its publication (or, for older records, its opening). */
  function consultationCitation(req: Request, consultation: Consultation): CitationSource {
    return {
      kind: 'consultation',
      slug: consultation.slug,
      title: pick(consultation.title, req.locale),
      organisation: pick(consultation.leadOrganisation, req.locale),
      date: consultation.publishedAt ?? consultation.opensAt,
      url: `${localeBaseUrl(deps.baseUrl, req.locale)}/consultations/${consultation.slug}`,
      locale: req.locale,
      site: req.t('common:productName'),
    };
  }

  /** The "what we heard" report as a citable work, dated by its own publication. */
  function reportCitation(
    req: Request,
    consultation: Consultation,
    report: { publishedAt?: Date },
  ): CitationSource {
    return {
      kind: 'report',
      slug: consultation.slug,
      title: req.t('consultations:report.pageTitle', { title: pick(consultation.title, req.locale) }),
      organisation: pick(consultation.leadOrganisation, req.locale),
      date: report.publishedAt ?? consultation.closesAt,
      url: `${localeBaseUrl(deps.baseUrl, req.locale)}/consultations/${consultation.slug}/report`,
      locale: req.locale,
      site: req.t('common:productName'),
    };
  }

  /** What the page needs: the APA text, the download links and the citation_* meta tags of the layout. */
  function citationLocals(req: Request, source: CitationSource) {
    const base = new URL(source.url).pathname;
    return {
      citation: {
        apa: apaText(req.t, source),
        downloads: CITATION_FORMATS.map((format) => ({
          format,
          label: req.t(`consultations:cite.formats.${format}`),
          href: `${base}/citation.${format}`,
        })),
      },
      headMeta: citationMeta(source),
    };
  }

  function sendCitation(res: Response, source: CitationSource, format: CitationFormat) {
    const { type, extension } = CITATION_TYPES[format];
    res.set('Content-Language', source.locale);
    // attachment() sets a type from the extension: ours comes after it.
    res.attachment(`${source.slug}${source.kind === 'report' ? '-report' : ''}.${extension}`).type(type);
    res.send(citationDocument(source, format));
  }

  const citationFormat = (value: unknown): CitationFormat => {
    if (!(CITATION_FORMATS as readonly unknown[]).includes(value)) throw new NotFoundError();
    return value as CitationFormat;
  };

  async function renderConsultation(
    req: Request,
    res: Response,
    consultation: Consultation,
    extra: {
      status?: number;
      errors?: { field: string; message: string }[];
      form?: Record<string, string>;
    } = {},
  ) {
    const now = consultations.now();
    const locale = req.locale;
    const round = await consultations.getRoundById(consultation.roundId, { includeDrafts: true });
    const [threads, surveys, report, following] = await Promise.all([
      comments.listThreads(consultation.id),
      deps.surveys.listForConsultation(consultation.id),
      reports.getPublishedReport(consultation.id),
      req.user
        ? subscriptions.isFollowing({
            targetType: 'consultation',
            targetId: consultation.id,
            email: req.user.email,
          })
        : Promise.resolve(false),
    ]);
    const view = consultationDetail(consultation, locale, req.t, now);
    const roundTitle = pick(round.title, locale);
    const url = `${localeBaseUrl(deps.baseUrl, req.locale)}/consultations/${consultation.slug}`;
    res.status(extra.status ?? 200).render('consultations/show', {
      title: view.title,
      description: view.summary,
      consultation: view,
      round: { slug: round.slug, title: roundTitle, href: `/rounds/${round.slug}` },
      surveys: surveys.map((s) => ({ ...s, title: pick(s.title, locale) })),
      threads: threads.map((thread) => ({
        ...thread,
        date: thread.createdAt.toISOString(),
        dateText: req.t('consultations:comments.postedOn', {
          date: formatDate(thread.createdAt, locale, true),
        }),
        hiddenReason: thread.hidden
          ? req.t(`consultations:moderation.reasons.${thread.hidden.reason}`)
          : undefined,
        replies: thread.replies.map((reply) => ({
          ...reply,
          date: reply.createdAt.toISOString(),
          hiddenReason: reply.hidden
            ? req.t(`consultations:moderation.reasons.${reply.hidden.reason}`)
            : undefined,
        })),
      })),
      report: report ? { href: `/consultations/${consultation.slug}/report` } : undefined,
      following,
      canComment: Boolean(req.user) && consultation.isOpen,
      canModerate: Boolean(req.user?.roles.includes('officer') || req.user?.roles.includes('admin')),
      canReport: Boolean(req.user),
      reportedId: typeof req.query.reported === 'string' ? req.query.reported : '',
      signInHref: `/sign-in?returnTo=${encodeURIComponent(`/consultations/${consultation.slug}#comment-form`)}`,
      submissionId: comments.newSubmissionId(),
      form: extra.form ?? { comment: '', notifyReport: '' },
      errors: extra.errors ?? [],
      ...citationLocals(req, consultationCitation(req, consultation)),
      permalink: url,
      calendarHref: `/feeds/rounds/${round.slug}/${locale}.ics`,
      alternateFeeds: alternateFeeds(req, { slug: round.slug, title: roundTitle }),
    });
  }

  /** A draft is shown only to staff who may see it (its organisation's, and admins); to anyone else it is a 404. */
  async function findVisible(req: Request): Promise<Consultation> {
    const consultation = await consultations.getConsultationBySlug(String(req.params.slug), {
      includeDrafts: isStaff(req.user),
    });
    if (consultation.publication === 'draft' && !can(req.user, 'view', consultation))
      throw new NotFoundError();
    return consultation;
  }

  function visibleRounds<T extends Round>(req: Request, rounds: T[]): T[] {
    return rounds.filter((r) => r.status !== 'draft' || can(req.user, 'view', r));
  }

  /** GET /consultations/:slug : the consultation, its surveys, discussion and report. Drafts 404 except to staff. */
  router.get('/consultations/:slug', async (req, res) => {
    await renderConsultation(req, res, await findVisible(req));
  });

  /** POST /consultations/:slug/comments/:id/report : a signed-in person asks the moderators to look at a comment. */
  router.post('/consultations/:slug/comments/:id/report', requireSignedIn(), async (req, res) => {
    const consultation = await findVisible(req);
    const comment = await comments.getComment(String(req.params.id));
    if (comment.consultationId !== consultation.id) throw new NotFoundError();
    await comments.reportComment({ commentId: comment.id, user: req.user! });
    res.redirect(303, `/consultations/${consultation.slug}?reported=${comment.id}#comment-${comment.id}`);
  });

  /** POST /consultations/:slug/comments : a signed-in participant comments on an open consultation. */
  router.post('/consultations/:slug/comments', requireSignedIn(), async (req, res) => {
    const consultation = await findVisible(req);
    const form = commentFormSchema.parse(req.body);
    const kept = { comment: form.comment, notifyReport: form.notifyReport };
    try {
      await rerenderOnValidationError(
        async () => {
          const comment = await comments.postComment({
            consultation,
            user: req.user!,
            body: form.comment,
            submissionId: form.submissionId,
            optInReport: form.notifyReport === 'yes',
          });
          res.redirect(303, `/consultations/${consultation.slug}#comment-${comment.id}`);
        },
        (error) =>
          renderConsultation(req, res, consultation, {
            status: 422,
            errors: translateErrors(req.t, error.fieldErrors).errors,
            form: kept,
          }),
      );
    } catch (error) {
      if (error instanceof TooManyRequestsError) {
        res.setHeader('Retry-After', String(error.retryAfterSeconds));
        return renderConsultation(req, res, consultation, {
          status: 429,
          errors: [{ field: 'comment', message: req.t('consultations:comments.tooMany') }],
          form: kept,
        });
      }
      if (error instanceof ClosedError) {
        return renderConsultation(req, res, consultation, {
          status: 410,
          errors: [{ field: 'discussion', message: req.t('consultations:comments.closed') }],
          form: kept,
        });
      }
      throw error;
    }
  });

  /** POST /consultations/:slug/follow and /unfollow : emails when it opens, is about to close, closes, reports. */
  router.post('/consultations/:slug/follow', requireSignedIn(), async (req, res) => {
    const consultation = await findVisible(req);
    if (consultation.publication === 'draft') throw new NotFoundError();
    await subscriptions.subscribe({
      targetType: 'consultation',
      targetId: consultation.id,
      email: req.user!.email,
      locale: req.user!.locale,
      userId: req.user!.id,
      scope: 'all',
    });
    res.redirect(303, `/consultations/${consultation.slug}#follow`);
  });

  router.post('/consultations/:slug/unfollow', requireSignedIn(), async (req, res) => {
    const consultation = await findVisible(req);
    await subscriptions.unsubscribe({
      targetType: 'consultation',
      targetId: consultation.id,
      email: req.user!.email,
    });
    res.redirect(303, `/consultations/${consultation.slug}#follow`);
  });

  /** GET /consultations/:slug/report : the published "what we heard" report. */
  router.get('/consultations/:slug/report', async (req, res) => {
    const consultation = await findVisible(req);
    const report = await reports.getPublishedReport(consultation.id);
    if (!report) throw new NotFoundError();
    const locale = req.locale;
    const title = pick(consultation.title, locale);
    const round = await consultations.getRoundById(consultation.roundId, { includeDrafts: true });
    const url = `${localeBaseUrl(deps.baseUrl, req.locale)}/consultations/${consultation.slug}/report`;
    const organisation = pick(consultation.leadOrganisation, locale);
    res.render('consultations/report', {
      title: req.t('consultations:report.pageTitle', { title }),
      consultation: { title, href: `/consultations/${consultation.slug}`, organisation },
      report: {
        introductionHtml: renderMarkdown(pick(report.introduction, locale)),
        publishedAt: report.publishedAt ? dateView(report.publishedAt, locale, false) : undefined,
        themes: report.themes.map((theme, index) => ({
          id: `theme-${index + 1}`,
          title: pick(theme.title, locale),
          heardHtml: renderMarkdown(pick(theme.heard, locale)),
          responseHtml: renderMarkdown(pick(theme.response, locale)),
        })),
      },
      ...citationLocals(req, reportCitation(req, consultation, report)),
      permalink: url,
      alternateFeeds: alternateFeeds(req, { slug: round.slug, title: pick(round.title, locale) }),
    });
  });

  /** GET /consultations/:slug/citation.(json|bib|ris) : the consultation as CSL-JSON, BibTeX or RIS. */
  router.get('/consultations/:slug/citation.:format', async (req, res) => {
    const format = citationFormat(req.params.format);
    const consultation = await findVisible(req);
    sendCitation(res, consultationCitation(req, consultation), format);
  });

  /** GET /consultations/:slug/report/citation.(json|bib|ris) : the published report, likewise. */
  router.get('/consultations/:slug/report/citation.:format', async (req, res) => {
    const format = citationFormat(req.params.format);
    const consultation = await findVisible(req);
    const report = await reports.getPublishedReport(consultation.id);
    if (!report) throw new NotFoundError();
    sendCitation(res, reportCitation(req, consultation, report), format);
  });

  /** GET /rounds : every public round. */
  router.get('/rounds', async (req, res) => {
    const rounds = visibleRounds(req, await consultations.listRounds({ includeDrafts: isStaff(req.user) }));
    res.render('rounds/index', {
      title: req.t('consultations:rounds.title'),
      rounds: rounds.map((r) => roundView(r, req.locale, req.t)),
      alternateFeeds: alternateFeeds(req),
    });
  });

  /** GET /rounds/:slug : a round and its consultations. */
  router.get('/rounds/:slug', async (req, res) => {
    const staff = isStaff(req.user);
    const round = await consultations.getRoundBySlug(String(req.params.slug), { includeDrafts: staff });
    if (!visibleRounds(req, [round]).length) throw new NotFoundError();
    const now = consultations.now();
    const list = (await consultations.listByRound(round.id, { includeDrafts: staff, now })).filter(
      (c) => c.publication !== 'draft' || can(req.user, 'view', c),
    );
    const view = roundView(round, req.locale, req.t);
    const following = req.user
      ? await subscriptions.isFollowing({ targetType: 'round', targetId: round.id, email: req.user.email })
      : false;
    res.render('rounds/show', {
      title: view.title,
      round: view,
      consultations: list.map((c) => consultationCard(c, req.locale, req.t, now)),
      following,
      calendarHref: `/feeds/rounds/${round.slug}/${req.locale}.ics`,
      alternateFeeds: alternateFeeds(req, { slug: round.slug, title: view.title }),
    });
  });

  router.post('/rounds/:slug/follow', requireSignedIn(), async (req, res) => {
    const round = await consultations.getRoundBySlug(String(req.params.slug));
    await subscriptions.subscribe({
      targetType: 'round',
      targetId: round.id,
      email: req.user!.email,
      locale: req.user!.locale,
      userId: req.user!.id,
      scope: 'all',
    });
    res.redirect(303, `/rounds/${round.slug}#follow`);
  });

  router.post('/rounds/:slug/unfollow', requireSignedIn(), async (req, res) => {
    const round = await consultations.getRoundBySlug(String(req.params.slug), { includeDrafts: true });
    await subscriptions.unsubscribe({ targetType: 'round', targetId: round.id, email: req.user!.email });
    res.redirect(303, `/rounds/${round.slug}#follow`);
  });

  async function describeSubscription(req: Request, token: string) {
    const subscription = await subscriptions.fromToken(token);
    const target =
      subscription.targetType === 'round'
        ? await consultations.getRoundById(subscription.targetId, { includeDrafts: true })
        : await consultations.getConsultationById(subscription.targetId, { includeDrafts: true });
    const href =
      subscription.targetType === 'round' ? `/rounds/${target.slug}` : `/consultations/${target.slug}`;
    return { subscription, targetTitle: pick(target.title, req.locale), targetHref: href };
  }

  /** Unsubscribes the token's subscription and shows the page that offers to undo it. */
  async function unsubscribe(req: Request, res: Response): Promise<void> {
    const token = String(req.params.token);
    await subscriptions.unsubscribeByToken(token);
    const described = await describeSubscription(req, token);
    res.set('Cache-Control', 'no-store');
    res.render('consultations/unsubscribe', {
      title: req.t('consultations:unsubscribe.title'),
      state: 'unsubscribed',
      token,
      ...described,
    });
  }

  /**
   * GET /unsubscribe/:token : the link in every email. Opening it changes nothing (mail scanners and link previews
   * fetch links): it shows what the link is for and a button that posts the same URL.
   */
  router.get('/unsubscribe/:token', async (req, res) => {
    const token = String(req.params.token);
    const described = await describeSubscription(req, token);
    res.set('Cache-Control', 'no-store');
    res.render('consultations/unsubscribe', {
      title: req.t(
        described.subscription.active
          ? 'consultations:unsubscribe.confirmTitle'
          : 'consultations:unsubscribe.title',
      ),
      state: described.subscription.active ? 'confirm' : 'inactive',
      token,
      ...described,
    });
  });

  /**
   * POST /unsubscribe/:token : RFC 8058 one-click unsubscribe, posted by mail clients (List-Unsubscribe-Post).
   * The signed token is the authority, so this one route is exempt from CSRF (see the module's csrfExempt).
   */
  router.post('/unsubscribe/:token', unsubscribe);

  /** POST /unsubscribe/:token/undo : follow again after an unwanted unsubscribe. */
  router.post('/unsubscribe/:token/undo', async (req, res) => {
    const token = String(req.params.token);
    await subscriptions.resubscribeByToken(token);
    const described = await describeSubscription(req, token);
    res.render('consultations/unsubscribe', {
      title: req.t('consultations:unsubscribe.resubscribedTitle'),
      state: 'resubscribed',
      token,
      ...described,
    });
  });

  return router;
}
