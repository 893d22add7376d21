import {
  localeBaseUrl,
  localiseHtmlLinks,
  localisePath,
  localiseUrl,
  pathInLocale,
  splitLocalePrefix,
} from './urls';

describe('language in addresses', () => {
  it.each([
    ['/fr/consultations?q=1', 'fr', '/consultations?q=1'],
    ['/fr', 'fr', '/'],
    ['/fr/', 'fr', '/'],
    ['/fr?x=1', 'fr', '/?x=1'],
    ['/en/a', 'en', '/a'],
    ['/french', undefined, '/french'],
    ['/fr//evil.example', undefined, '/fr//evil.example'],
    ['/consultations', undefined, '/consultations'],
  ])('splits %s into its language and the rest', (url, locale, rest) => {
    expect(splitLocalePrefix(url)).toEqual({ locale, rest });
  });

  it('prefixes site-local paths only, once, and leaves assets, API, feeds and other sites alone', () => {
    expect(localisePath('/consultations?q=1', '/fr')).toBe('/fr/consultations?q=1');
    expect(localisePath('/', '/fr')).toBe('/fr/');
    expect(localisePath('/fr/consultations', '/fr')).toBe('/fr/consultations');
    expect(localisePath('/en/consultations?lang=en', '/fr')).toBe('/en/consultations?lang=en');
    for (const path of [
      '/public/css/a.css',
      '/api/v1/x',
      '/feeds/consultations/fr.rss',
      '/open-data/x.csv',
      '/healthz',
    ]) {
      expect(localisePath(path, '/fr')).toBe(path);
    }
    for (const other of ['//evil.example/x', 'https://x.example/', '#main', 'mailto:a@b.ca', '/\\evil']) {
      expect(localisePath(other, '/fr')).toBe(other);
    }
    expect(localisePath('/consultations', '')).toBe('/consultations');
    expect(localisePath('/open-data', '/fr')).toBe('/fr/open-data');
  });

  it('gives the same page in a language, whatever its current prefix', () => {
    expect(pathInLocale('/fr/consultations?q=1', 'en')).toBe('/en/consultations?q=1');
    expect(pathInLocale('/consultations', 'fr')).toBe('/fr/consultations');
    expect(pathInLocale('/', 'en')).toBe('/en/');
  });

  it('localises absolute addresses of this site only (English stays unprefixed)', () => {
    expect(localiseUrl('https://x.ca/surveys/1', 'https://x.ca', 'fr')).toBe('https://x.ca/fr/surveys/1');
    expect(localiseUrl('https://x.ca/surveys/1', 'https://x.ca', 'en')).toBe('https://x.ca/surveys/1');
    expect(localiseUrl('https://x.ca.evil/surveys/1', 'https://x.ca', 'fr')).toBe(
      'https://x.ca.evil/surveys/1',
    );
    expect(localeBaseUrl('https://x.ca/', 'fr')).toBe('https://x.ca/fr');
  });

  it('rewrites the links and form actions of a page, not its text or assets', () => {
    const html = [
      '<a href="/consultations">/consultations</a>',
      "<form method='post' action='/sign-out'><button formaction=\"/x?a=1&amp;b=2\">x</button></form>",
      '<link rel="stylesheet" href="/public/css/agora.css">',
      '<a class="language-toggle" href="/en/?lang=en">English</a>',
      '<a href="https://other.example/">o</a><a href="#main">m</a>',
      '<img src="/public/i.png">',
    ].join('');
    expect(localiseHtmlLinks(html, '/fr')).toBe(
      [
        '<a href="/fr/consultations">/consultations</a>',
        "<form method='post' action='/fr/sign-out'><button formaction=\"/fr/x?a=1&amp;b=2\">x</button></form>",
        '<link rel="stylesheet" href="/public/css/agora.css">',
        '<a class="language-toggle" href="/en/?lang=en">English</a>',
        '<a href="https://other.example/">o</a><a href="#main">m</a>',
        '<img src="/public/i.png">',
      ].join(''),
    );
    expect(localiseHtmlLinks(html, '')).toBe(html);
  });
});
