import type { RequestHandler } from 'express';
import type { i18n } from 'i18next';
import { readCookie } from './cookies';
import { safeLocalPath } from './safe-redirect';
import { DEFAULT_LOCALE, isLocale, LOCALES, negotiateLocale, type Locale } from '../i18n';

export const LOCALE_COOKIE = 'agora.lang';
const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * The current URL with `lang` removed (or set to `lang`), as a path plus query. The request's URL is only ever read
 * as a path (never as `//host/...`), and the result goes through the one redirect check: a raw request such as
 * `/..//evil.example?lang=fr` falls back to the home page instead of redirecting off-site.
 */
export function urlWithLang(originalUrl: string, lang?: Locale): string {
  const queryAt = originalUrl.indexOf('?');
  const path = queryAt === -1 ? originalUrl : originalUrl.slice(0, queryAt);
  const params = new URLSearchParams(queryAt === -1 ? '' : originalUrl.slice(queryAt + 1));
  params.delete('lang');
  if (lang) params.set('lang', lang);
  const query = params.toString();
  return safeLocalPath(path + (query ? `?${query}` : '')) ?? (lang ? `/?lang=${lang}` : '/');
}

/**
 * Chooses the page language: an explicit ?lang= (the toggle), then the remembered choice (cookie), then the
 * browser's Accept-Language, then English. The toggle is a plain link, so it works without JavaScript; on GET it
 * remembers the choice and redirects to the same page without the parameter.
 */
export function localeMiddleware(i18nInstance: i18n, options: { secureCookie: boolean }): RequestHandler {
  return (req, res, next) => {
    const requested = req.query.lang;
    if (isLocale(requested)) {
      res.cookie(LOCALE_COOKIE, requested, {
        maxAge: ONE_YEAR_MS,
        httpOnly: true,
        sameSite: 'lax',
        secure: options.secureCookie,
      });
      if (req.method === 'GET' && !req.path.startsWith('/api/')) {
        return res.redirect(303, urlWithLang(req.originalUrl));
      }
    }
    const remembered = readCookie(req, LOCALE_COOKIE);
    const locale: Locale = isLocale(requested)
      ? requested
      : isLocale(remembered)
        ? remembered
        : (negotiateLocale(req.get('accept-language')) ?? DEFAULT_LOCALE);
    req.locale = locale;
    req.t = i18nInstance.getFixedT(locale);
    res.setHeader('Content-Language', locale);
    res.vary('Accept-Language');
    res.locals.locale = locale;
    res.locals.t = req.t;
    const other = LOCALES.find((l) => l !== locale) ?? DEFAULT_LOCALE;
    res.locals.otherLocale = other;
    res.locals.languageToggleHref = urlWithLang(req.originalUrl, other);
    next();
  };
}
