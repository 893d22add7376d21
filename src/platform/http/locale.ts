import type { RequestHandler } from 'express';
import type { i18n } from 'i18next';
import { readCookie } from './cookies';
import { DEFAULT_LOCALE, isLocale, LOCALES, negotiateLocale, type Locale } from '../i18n';

export const LOCALE_COOKIE = 'agora.lang';
const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

/** The current URL with `lang` removed (or set to `lang`), as a path plus query. */
export function urlWithLang(originalUrl: string, lang?: Locale): string {
  const url = new URL(originalUrl, 'http://x');
  url.searchParams.delete('lang');
  if (lang) url.searchParams.set('lang', lang);
  return url.pathname + url.search;
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
