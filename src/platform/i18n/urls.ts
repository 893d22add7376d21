import { LOCALES, type Locale } from './index';

/**
 * The language in the address. `/fr/...` is French and `/en/...` English, whatever the reader's cookie or browser
 * says; an address without a prefix is the default (the remembered choice, else the browser's language, else
 * English). Addresses published outside the site (emails, feeds, permalinks, citations) are unprefixed in English,
 * so every English address ever published stays the canonical one, and carry `/fr` in French.
 */
export type UrlLocale = Locale | undefined;

/**
 * Paths that never carry a language: assets, the API, feeds (their language is in the file name), open data files
 * (the same for everyone), probes.
 */
const LANGUAGE_FREE = [
  /^\/public\//,
  /^\/api\//,
  /^\/api$/,
  /^\/feeds\//,
  /^\/open-data\/.+\.[a-z]+$/,
  /^\/healthz$/,
  /^\/readyz$/,
];

/** `/fr/a?b` → { locale: 'fr', rest: '/a?b' }; `/fr` and `/fr?x` → '/' and '/?x'; anything else is unprefixed. */
export function splitLocalePrefix(url: string): { locale: UrlLocale; rest: string } {
  for (const locale of LOCALES) {
    const prefix = `/${locale}`;
    if (!url.startsWith(prefix)) continue;
    const after = url.slice(prefix.length);
    if (after === '' || after.startsWith('?')) return { locale, rest: `/${after}` };
    if (after.startsWith('/') && !after.startsWith('//')) return { locale, rest: after };
  }
  return { locale: undefined, rest: url };
}

/** Whether a local path already names a language, or is one of the language-free paths. */
function keepsAsIs(path: string): boolean {
  if (splitLocalePrefix(path).locale) return true;
  const pathname = path.split(/[?#]/, 1)[0] ?? '';
  return LANGUAGE_FREE.some((pattern) => pattern.test(pathname));
}

/**
 * A site-local path (`/consultations?q=x`) with the language prefix (`/fr`), or unchanged: when the prefix is empty,
 * when the path is not site-local (`//host`, `https:`, `#top`, `mailto:`), already names a language, or is
 * language-free (assets, API, feeds).
 */
export function localisePath(path: string, prefix: string): string {
  if (!prefix || !path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return path;
  if (keepsAsIs(path)) return path;
  return path === '/' ? `${prefix}/` : `${prefix}${path}`;
}

/** The prefix of a language in addresses: French always carries `/fr`; English only when asked (`explicit`). */
export function localePrefix(locale: Locale, explicit = false): string {
  return locale === 'en' && !explicit ? '' : `/${locale}`;
}

/** The site-local path of the same page in a language, explicitly (`/en/...`, `/fr/...`). */
export function pathInLocale(path: string, locale: Locale): string {
  return localisePath(splitLocalePrefix(path).rest, `/${locale}`);
}

/** The site's public address for a language: `https://x` in English, `https://x/fr` in French. */
export function localeBaseUrl(baseUrl: string, locale: Locale): string {
  return `${baseUrl.replace(/\/+$/, '')}${localePrefix(locale)}`;
}

/** An absolute address on this site (`${baseUrl}/...`) in a language; other addresses are unchanged. */
export function localiseUrl(url: string, baseUrl: string, locale: Locale): string {
  const base = baseUrl.replace(/\/+$/, '');
  if (!url.startsWith(`${base}/`)) return url;
  return base + localisePath(url.slice(base.length), localePrefix(locale));
}

const LINK_ATTRIBUTE = /(\s(?:href|action|formaction)\s*=\s*)(["'])(\/[^"']*)\2/gi;

/**
 * Rewrites the site-local links of a rendered HTML page (`href`, form `action`, `formaction`) so they keep the
 * page's language. Done once on the whole page by the view engine, so views written without knowing about languages
 * in addresses (and the layout's menus) keep the language without each link being built with a helper. Links that
 * already name a language (the language toggle) and language-free paths (assets, API, feeds) are left as they are.
 */
export function localiseHtmlLinks(html: string, prefix: string): string {
  if (!prefix) return html;
  return html.replace(
    LINK_ATTRIBUTE,
    (_match, attribute: string, quote: string, path: string) =>
      `${attribute}${quote}${localisePath(path, prefix)}${quote}`,
  );
}
