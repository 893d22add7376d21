import type { BrowserContext, Page } from 'playwright-core';
import { seedDemo } from '../../src/demo/demo-seed';
import type { Role } from '../../src/platform/http/auth';
import type { Locale } from '../../src/platform/i18n';
import { axeViolations, useBrowserApp } from '../support/browser';
import { createPerson, signInPage } from '../support/sign-in';

/**
 * Every page of the site on the narrowest phone (320 px), for each role and in both languages, on the demo data
 * (three rounds, one in progress; consultations, surveys, reports, action plans): no page is wider than the screen,
 * and axe finds nothing. Pages are found by following links from the home page and each role's workspace, one page
 * per route shape (ids and slugs vary, the templates do not).
 */
// A crawl of a few dozen pages with axe on each, on a shared two-core machine: generous, never a speed check.
jest.setTimeout(900_000);

const ROLES: { name: string; roles: Role[] | null; start: string[] }[] = [
  { name: 'public', roles: null, start: ['/', '/sign-in', '/sign-up', '/password-reset', '/verify-email'] },
  {
    name: 'participant',
    roles: [],
    start: ['/', '/account', '/profile', '/profile/password', '/profile/delete'],
  },
  { name: 'officer', roles: ['officer'], start: ['/officer', '/manage/surveys', '/officer/plans'] },
  { name: 'analyst', roles: ['analyst'], start: ['/analysis', '/analysis/indicators'] },
  { name: 'admin', roles: ['admin'], start: ['/admin/users', '/admin/audit'] },
];

/** Links that are not pages (downloads, feeds, the API) or that act (sign-out is a form, never a link). */
const NOT_A_PAGE =
  /\.(csv|json|ics|rss|atom|xml|eml|zip|bib|ris|txt|pdf)(\?|$)|^\/api\/|^\/dev\/|^\/public\/|^\/feeds\//;

const shapeOf = (path: string) =>
  path
    .replace(/\?.*$/, '')
    .replace(/[a-f0-9]{24}/g, ':id')
    .replace(/\/(?:d|r|i)[A-Za-z0-9_-]{32}(?=\/|$)/g, '/:rid')
    .replace(/\/\d+(?=\/|$)/g, '/:n');

describe('every page at 320 px, every role, both languages', () => {
  const app = useBrowserApp({
    setup: async (ctx) => {
      await seedDemo(ctx.composition);
    },
  });
  /** Route shapes already checked in a language (by an earlier role: the same template). */
  const checked: Record<Locale, Set<string>> = { en: new Set(), fr: new Set() };

  async function crawl(page: Page, start: string[], locale: Locale, limit = 60) {
    const problems: unknown[] = [];
    const queue = [...start];
    const seen = new Set<string>();
    let visited = 0;
    while (queue.length && visited < limit) {
      const path = queue.shift() as string;
      const shape = shapeOf(path);
      // A role's own starting pages are always checked (its header and navigation differ); other shapes once.
      if (seen.has(shape) || (checked[locale].has(shape) && !start.includes(path))) continue;
      seen.add(shape);
      const response = await page
        .goto(`${app.baseUrl}${path}`, { waitUntil: 'load' })
        .catch((error: Error) => {
          if (/Download is starting/.test(error.message)) return null; // a file, not a page
          throw error;
        });
      if (!response || !/html/.test(response.headers()['content-type'] ?? '')) continue;
      visited += 1;
      checked[locale].add(shape);
      const width = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        inner: window.innerWidth,
        lang: document.documentElement.lang,
      }));
      if (width.scroll > width.inner) {
        // The outermost elements that stick out, to say what to fix.
        const culprits = await page.evaluate(() => {
          const out: string[] = [];
          for (const el of Array.from(document.querySelectorAll('body *'))) {
            const box = el.getBoundingClientRect();
            const parent = el.parentElement?.getBoundingClientRect();
            if (box.right > window.innerWidth + 1 && (!parent || parent.right <= window.innerWidth + 1))
              out.push(`${el.tagName.toLowerCase()}.${el.className}:${Math.round(box.right)}`);
          }
          return out.slice(0, 4);
        });
        problems.push({ path, locale, wider: width.scroll, culprits });
      }
      if (width.lang !== locale) problems.push({ path, locale, lang: width.lang });
      const violations = await axeViolations(page);
      if (violations.length) problems.push({ path, locale, violations });
      if (response.status() === 200) {
        const links = await page.$$eval('a[href^="/"]', (anchors) =>
          anchors.map((a) => a.getAttribute('href') ?? ''),
        );
        for (const href of links) {
          const target = href.replace(/#.*$/, '');
          if (target && !NOT_A_PAGE.test(target) && !/[?&]lang=/.test(target)) queue.push(target);
        }
      }
    }
    return { problems, visited };
  }

  for (const role of ROLES) {
    it(`when a ${role.name} visitor opens every page they can reach on a 320 px phone, then none is wider than the screen and axe finds nothing`, async () => {
      const results: unknown[] = [];
      for (const locale of ['en', 'fr'] as const) {
        const context: BrowserContext = await app.browser.newContext({
          locale: locale === 'fr' ? 'fr-CA' : 'en-CA',
          viewport: { width: 320, height: 800 },
        });
        try {
          const page = await context.newPage();
          if (role.roles) {
            await signInPage(page, app.baseUrl, await createPerson(app.ctx, { roles: role.roles, locale }));
          }
          const { problems, visited } = await crawl(page, role.start, locale);
          expect({ role: role.name, locale, enough: visited > 0 }).toEqual({
            role: role.name,
            locale,
            enough: true,
          });
          results.push(...problems);
        } finally {
          await context.close();
        }
      }
      expect(results).toEqual([]);
    });
  }
});
