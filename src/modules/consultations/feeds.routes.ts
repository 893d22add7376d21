import { Router, type Request } from 'express';
import type { TFunction } from 'i18next';
import { NotFoundError } from '../../platform/errors';
import { formatDate, isLocale, type Locale } from '../../platform/i18n';
import { localeBaseUrl } from '../../platform/i18n/urls';
import { pick } from './consultation-presenter';
import type { ConsultationsService } from './consultations.service';
import type { Consultation, Round } from './consultations.types';
import { buildAtom, buildIcs, buildRss, type CalendarEvent, type FeedEntry } from './feeds';
import { CLOSING_SOON_MS } from './notices.service';
import type { ReportsService } from './reports.service';

export interface FeedRoutesDeps {
  consultations: ConsultationsService;
  reports: ReportsService;
  baseUrl: string;
  /** Translator for a given language: feeds are in the language their address names, not the reader's cookie. */
  fixedT: (locale: Locale) => TFunction;
}

const MAX_ENTRIES = 50;

/** The events of each consultation that a feed announces, newest first. */
export function feedEntries(
  list: Consultation[],
  reportDates: Map<string, Date>,
  locale: Locale,
  t: TFunction,
  baseUrl: string,
  now: Date,
): FeedEntry[] {
  const entries: FeedEntry[] = [];
  // Entry ids stay the language-free address (they never change); links open the page in the feed's language.
  const site = localeBaseUrl(baseUrl, locale);
  for (const c of list) {
    const title = pick(c.title, locale);
    const id = `${baseUrl}/consultations/${c.slug}`;
    const link = `${site}/consultations/${c.slug}`;
    const author = pick(c.leadOrganisation, locale) || t('common:productName');
    const categories = c.themes.map((key) => t(`consultations:themes.${key}`));
    const base = { author, categories, link };
    const closes = formatDate(c.closesAt, locale, true);
    const opens = formatDate(c.opensAt, locale, true);
    const summary = pick(c.summary, locale);
    const add = (type: FeedEntry['type'], date: Date, extra: Partial<FeedEntry> = {}) => {
      if (date.getTime() > now.getTime()) return;
      entries.push({
        ...base,
        id: `${id}#${type}`,
        type,
        date,
        title: t(`consultations:feeds.event.${type}`, { title }),
        summary: `${summary} ${t(`consultations:feeds.dates`, { opens, closes })}`,
        ...extra,
      });
    };
    if (c.publishedAt) add('new', c.publishedAt);
    // An opening that happened after publication is news of its own; one at publication is the "new" entry.
    if (c.publishedAt && c.opensAt.getTime() > c.publishedAt.getTime()) add('opened', c.opensAt);
    const closingNotice = new Date(Math.max(c.closesAt.getTime() - CLOSING_SOON_MS, c.opensAt.getTime()));
    if (c.publishedAt && c.closesAt.getTime() > now.getTime()) add('closing', closingNotice);
    add('closed', c.closesAt);
    const reportDate = reportDates.get(c.id);
    if (reportDate) add('report', reportDate, { link: `${link}/report` });
  }
  return entries.sort((a, b) => b.date.getTime() - a.date.getTime()).slice(0, MAX_ENTRIES);
}

export function calendarEvents(
  list: Consultation[],
  locale: Locale,
  t: TFunction,
  baseUrl: string,
): CalendarEvent[] {
  const host = new URL(baseUrl).host;
  return list.flatMap((c) => {
    const title = pick(c.title, locale);
    const url = `${localeBaseUrl(baseUrl, locale)}/consultations/${c.slug}`;
    const description = `${pick(c.summary, locale)}\n\n${url}`;
    const categories = c.themes.map((key) => t(`consultations:themes.${key}`));
    return [
      {
        uid: `${c.id}-opens@${host}`,
        start: c.opensAt,
        summary: t('consultations:calendar.opens', { title }),
        description,
        url,
        categories,
        stamp: c.updatedAt,
      },
      {
        uid: `${c.id}-closes@${host}`,
        start: c.closesAt,
        summary: t('consultations:calendar.closes', { title }),
        description,
        url,
        categories,
        stamp: c.updatedAt,
      },
    ];
  });
}

const FILE_PATTERN = /^(en|fr)\.(rss|atom|ics)$/;

const CONTENT_TYPES = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  ics: 'text/calendar; charset=utf-8',
} as const;

/**
 * GET /feeds/consultations/<en|fr>.<rss|atom|ics> and GET /feeds/rounds/:slug/<en|fr>.<rss|atom|ics>.
 * The language is in the address so feed readers and calendars (which keep no cookies) get a stable one.
 */
export function feedsRouter(deps: FeedRoutesDeps): Router {
  const router = Router();

  async function send(req: Request, res: import('express').Response, round: Round | undefined) {
    const match = FILE_PATTERN.exec(String(req.params.file));
    if (!match) throw new NotFoundError();
    const locale = match[1] as Locale;
    const format = match[2] as keyof typeof CONTENT_TYPES;
    if (!isLocale(locale)) throw new NotFoundError();
    const t = deps.fixedT(locale);
    const now = deps.consultations.now();
    const list = await deps.consultations.listPublished({ roundId: round?.id, now });
    const roundTitle = round ? pick(round.title, locale) : undefined;
    const site = localeBaseUrl(deps.baseUrl, locale);
    const pageLink = round ? `${site}/rounds/${round.slug}` : `${site}/consultations`;
    const self = `${deps.baseUrl}${req.originalUrl.split('?')[0]}`;
    let body: string;
    if (format === 'ics') {
      body = buildIcs(
        {
          name: roundTitle
            ? t('consultations:calendar.roundName', { round: roundTitle })
            : t('consultations:calendar.name'),
          description: t('consultations:calendar.description'),
          productId: `-//Agora//Consultations ${locale.toUpperCase()}//${locale.toUpperCase()}`,
        },
        calendarEvents(list, locale, t, deps.baseUrl),
      );
    } else {
      const reportDates = await deps.reports.publishedDates(list.map((c) => c.id));
      const entries = feedEntries(list, reportDates, locale, t, deps.baseUrl, now);
      const info = {
        title: roundTitle
          ? t('consultations:feeds.roundTitle', { round: roundTitle })
          : t('consultations:feeds.title'),
        description: t('consultations:feeds.description'),
        link: pageLink,
        self,
        locale,
        updated: entries[0]?.date ?? new Date(0),
        generator: t('common:productName'),
      };
      body = format === 'rss' ? buildRss(info, entries) : buildAtom(info, entries);
    }
    res.set('Cache-Control', 'public, max-age=300');
    res.type(CONTENT_TYPES[format]).send(body);
  }

  router.get('/feeds/consultations/:file', async (req, res) => {
    await send(req, res, undefined);
  });

  router.get('/feeds/rounds/:slug/:file', async (req, res) => {
    const round = await deps.consultations.getRoundBySlug(String(req.params.slug));
    await send(req, res, round);
  });

  return router;
}
