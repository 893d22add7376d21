import type { Request, RequestHandler, Response } from 'express';
import type { i18n } from 'i18next';
import { readCookie } from './cookies';
import { safeLocalPath } from './safe-redirect';
import { colon, DEFAULT_LOCALE, isLocale, LOCALES, negotiateLocale, type Locale } from '../i18n';
import { localisePath, localePrefix, pathInLocale, splitLocalePrefix } from '../i18n/urls';

export const LOCALE_COOKIE = 'agora.lang';
const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

declare module 'express-serve-static-core' {
  interface Request {
    /** The language the address names (`/fr/...`, `/en/...`), or undefined for an unprefixed address. */
    urlLocale?: Locale;
    /** A language the reader just chose with the toggle (`?lang=`, on a GET page): see languageChoice(). */
    languageChoice?: Locale;
  }
}

/**
 * The current URL (path plus query, without its language prefix) with `lang` removed (or set to `lang`). The
 * request's URL is only ever read as a path (never as `//host/...`), and the result goes through the one redirect
 * check: a raw request such as `/..//evil.example?lang=fr` falls back to the home page instead of going off-site.
 */
export function urlWithLang(url: string, lang?: Locale): string {
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const params = new URLSearchParams(queryAt === -1 ? '' : url.slice(queryAt + 1));
  params.delete('lang');
  if (lang) params.set('lang', lang);
  const query = params.toString();
  return safeLocalPath(path + (query ? `?${query}` : '')) ?? (lang ? `/?lang=${lang}` : '/');
}

/**
 * First middleware of the app: `/fr/...` and `/en/...` name the page's language. The prefix is removed from
 * `req.url` before anything routes, so no route knows about it (`req.originalUrl` keeps it).
 */
export function languagePrefix(): RequestHandler {
  return (req, _res, next) => {
    const { locale, rest } = splitLocalePrefix(req.url);
    if (locale) {
      req.urlLocale = locale;
      req.url = rest;
    }
    next();
  };
}

/** Whether a response has a Set-Cookie header. */
function setsCookie(res: Response): boolean {
  const value = res.getHeader('Set-Cookie');
  return Array.isArray(value) ? value.length > 0 : value !== undefined;
}

/**
 * Cache-Control for responses whose route said nothing: a page for a signed-in person, one that sets a cookie, or
 * an error from the server is never stored (`private, no-store`); a page asked with cookies may be kept by the
 * browser only, and checked again each time (`private, no-cache`); an anonymous public page may be kept by any cache
 * but is always checked again (`no-cache`), so a change of language, of sign-in or of the page itself shows at once.
 */
function defaultCacheControl(req: Request, res: Response): string {
  if (req.user || setsCookie(res) || res.statusCode >= 500) return 'private, no-store';
  if (req.get('cookie')) return 'private, no-cache';
  return 'no-cache';
}

/**
 * Runs just before the headers go out: a route's own Cache-Control wins; otherwise the default above. A Location
 * set by any means (not only res.redirect) keeps the page's language.
 */
function beforeHeaders(req: Request, res: Response, prefix: string): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: Response, ...args: unknown[]) {
    if (!res.headersSent) {
      if (!res.getHeader('Cache-Control')) res.setHeader('Cache-Control', defaultCacheControl(req, res));
      const location = res.getHeader('Location');
      if (typeof location === 'string') res.setHeader('Location', localisePath(location, prefix));
    }
    return (writeHead as (...a: unknown[]) => Response).apply(this, args);
  } as Response['writeHead'];
}

/**
 * Chooses the page language: the address (`/fr/...`, `/en/...`), then an explicit ?lang= (the toggle), then the
 * remembered choice (cookie), then the browser's Accept-Language, then English. The API ignores the cookie (it is
 * for people's pages). Then everything the page produces keeps that language: links and form actions (rewritten by
 * the view engine with `res.locals.linkPrefix`), redirects, and cookies scoped to a path.
 */
export function localeMiddleware(
  i18nInstance: i18n,
  options: { secureCookie: boolean; baseUrl: string },
): RequestHandler {
  const base = options.baseUrl.replace(/\/+$/, '');
  return (req, res, next) => {
    const isApi = req.path.startsWith('/api/');
    const requested = req.query.lang;
    if (isLocale(requested) && !isApi) {
      res.cookie(LOCALE_COOKIE, requested, {
        maxAge: ONE_YEAR_MS,
        httpOnly: true,
        sameSite: 'lax',
        secure: options.secureCookie,
      });
      // On a GET page the toggle is a choice: remembered (cookie, and the profile: see languageChoice), then the
      // same page at the chosen language's own address, without the parameter.
      if (req.method === 'GET') req.languageChoice = requested;
    }
    const remembered = isApi ? undefined : readCookie(req, LOCALE_COOKIE);
    const locale: Locale =
      (req.languageChoice ? undefined : req.urlLocale) ??
      (isLocale(requested) ? requested : undefined) ??
      (isLocale(remembered) ? remembered : undefined) ??
      negotiateLocale(req.get('accept-language')) ??
      DEFAULT_LOCALE;
    req.locale = locale;
    req.t = i18nInstance.getFixedT(locale);
    res.setHeader('Content-Language', locale);
    // What the response depends on: without a prefix, the cookie and the browser's language choose it; with one,
    // only the session cookie (signed in or not) still changes the page.
    if (!req.urlLocale) res.vary('Accept-Language');
    if (!isApi) res.vary('Cookie');

    // French pages keep French in every link; English ones keep /en when the address asked for it.
    const prefix = localePrefix(locale, req.urlLocale === 'en');
    beforeHeaders(req, res, prefix);
    if (prefix) {
      const location = res.location;
      res.location = function (this: Response, url: string) {
        return location.call(this, localisePath(url, prefix));
      };
    }
    // A cookie scoped to a path (`/surveys/x`) must reach that path under every language prefix too.
    const cookie = res.cookie as (this: Response, name: string, value: unknown, opts?: object) => Response;
    res.cookie = function (this: Response, name: string, value: unknown, opts?: { path?: string }) {
      const path = opts?.path;
      if (path && path !== '/' && path.startsWith('/') && !splitLocalePrefix(path).locale) {
        for (const l of LOCALES) cookie.call(this, name, value, { ...opts, path: `/${l}${path}` });
      }
      return cookie.call(this, name, value, opts);
    } as Response['cookie'];

    const here = urlWithLang(req.url);
    const other = LOCALES.find((l) => l !== locale) ?? DEFAULT_LOCALE;
    res.locals.locale = locale;
    res.locals.t = req.t;
    res.locals.linkPrefix = prefix;
    // "Cible : 20 %": what views put between a label and its value (a non-breaking space first in French).
    res.locals.colon = colon(locale);
    res.locals.otherLocale = other;
    // The toggle goes to the same page at the other language's own address; `lang` records the choice.
    res.locals.languageToggleHref = pathInLocale(urlWithLang(req.url, other), other);
    res.locals.alternateLanguages = [
      ...LOCALES.map((l) => ({ hreflang: l, href: base + pathInLocale(here, l) })),
      { hreflang: 'x-default', href: base + here },
    ];
    next();
  };
}

/**
 * After sign-in is known: a language chosen with the toggle becomes the signed-in person's profile language (so their
 * emails come in it), then the browser goes to the page at the chosen language's address.
 */
export function languageChoice(
  onChosen?: (user: Express.User, locale: Locale) => Promise<void>,
): RequestHandler {
  return async (req, res, next) => {
    const chosen = req.languageChoice;
    if (!chosen) return next();
    if (req.user && req.user.locale !== chosen && onChosen) {
      await onChosen(req.user, chosen);
      req.user.locale = chosen;
    }
    res.redirect(303, pathInLocale(urlWithLang(req.url), chosen));
  };
}
