import type { Page } from 'playwright-core';
import { seedDemo } from '../../src/demo/demo-seed';
import { axeViolations, follow, screenshot, useBrowserApp } from '../support/browser';
import { createSurvey } from '../support/factories/surveys';
import { createPerson, signInPage } from '../support/sign-in';

/**
 * The trend chart on a phone and a desktop (demo data: 2016, 2018 and the 2026 round in progress), and the
 * participant's dashboard journey with and without JavaScript.
 */
// Browser work on a shared two-core machine: generous, never a speed check.
jest.setTimeout(300_000);

describe('charts that read on a phone, and the participant dashboard', () => {
  const app = useBrowserApp({ setup: (ctx) => seedDemo(ctx.composition).then(() => undefined) });

  /** Every text of the trend chart: its computed font size and its box, and the points' centres. */
  async function chartGeometry(page: Page) {
    return page.evaluate(() => {
      const svg = document.querySelector('svg.chart--trend') as SVGSVGElement;
      const texts = Array.from(svg.querySelectorAll('text')).map((t) => {
        const box = t.getBoundingClientRect();
        return {
          text: t.textContent ?? '',
          size: parseFloat(getComputedStyle(t).fontSize),
          box: { left: box.left, right: box.right, top: box.top, bottom: box.bottom },
          kind: t.getAttribute('class') ?? '',
        };
      });
      const points = Array.from(svg.querySelectorAll('circle')).map((c) => ({
        x: c.getBoundingClientRect().left + c.getBoundingClientRect().width / 2,
        hollow: c.classList.contains('chart__point--in-progress'),
      }));
      const legend = document.querySelector('.chart-legend')?.textContent ?? '';
      return { texts, points, legend, svgRight: svg.getBoundingClientRect().right };
    });
  }

  it.each([320, 390, 1280])(
    'when the participation trend is drawn %p px wide, then its text is at least 12 px, no label covers another, and years sit where their dates are',
    async (width) => {
      // Staff see exact counts: the round in progress has its point (the public may see it suppressed).
      await signInPage(app.page, app.baseUrl, await createPerson(app.ctx, { roles: ['analyst'] }));
      for (const lang of ['en', 'fr']) {
        await app.page.setViewportSize({ width, height: 900 });
        await app.page.goto(`${app.baseUrl}/?lang=${lang}`);
        await app.page.goto(`${app.baseUrl}/participation`);
        await screenshot(app.page, `trend-${lang}-${width}`);
        const { texts, points, legend, svgRight } = await chartGeometry(app.page);
        expect(texts.length).toBeGreaterThan(5);
        for (const t of texts)
          expect({ text: t.text, size: t.size >= 12 }).toEqual({ text: t.text, size: true });
        // no two labels overlap, and none leaves the drawing
        const labels = texts.filter((t) => t.text.trim());
        for (let i = 0; i < labels.length; i += 1) {
          const a = labels[i]!;
          expect({ text: a.text, inside: a.box.right <= svgRight + 1 }).toEqual({
            text: a.text,
            inside: true,
          });
          for (const b of labels.slice(i + 1)) {
            const overlap =
              a.box.left < b.box.right - 0.5 &&
              b.box.left < a.box.right - 0.5 &&
              a.box.top < b.box.bottom - 0.5 &&
              b.box.top < a.box.bottom - 0.5;
            expect({ a: a.text, b: b.text, overlap }).toEqual({ a: a.text, b: b.text, overlap: false });
          }
        }
        // x is proportional to time: 2016 → 2018 is about a fifth of 2016 → 2026 (rounds start in March and
        // November; allow for that), and the 2026 round is in progress: hollow, and named in the legend
        expect(points).toHaveLength(3);
        const [p2016, p2018, p2026] = points as [(typeof points)[0], (typeof points)[0], (typeof points)[0]];
        const ratio = (p2018.x - p2016.x) / (p2026.x - p2016.x);
        expect(ratio).toBeGreaterThan(0.15);
        expect(ratio).toBeLessThan(0.25);
        expect(points.map((p) => p.hollow)).toEqual([false, false, true]);
        expect(legend).toContain(lang === 'en' ? 'Round in progress' : 'Cycle en cours');
        const years = texts.filter((t) => /^\d{4}$/.test(t.text)).map((t) => t.text);
        expect(years).toEqual(['2016', '2018', '2026']);
        expect(await app.page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
        expect(await axeViolations(app.page)).toEqual([]);
      }
      await app.page.goto(`${app.baseUrl}/?lang=en`);
    },
  );

  // With JavaScript off, the dashboard's journey is checked in dashboard-no-js.e2e.test.ts.
  it.each([true])(
    'when a participant (JavaScript %p) saves a draft and follows a consultation, then the dashboard lists them, and stopping the emails asks first',
    async (javaScriptEnabled) => {
      const { survey } = await createSurvey(app.ctx);
      const person = await createPerson(app.ctx, { name: 'Noor Dashboard' });
      const context = await app.browser.newContext({ javaScriptEnabled, locale: 'en-CA' });
      try {
        const page = await context.newPage();
        await page.setViewportSize({ width: 390, height: 900 });
        await signInPage(page, app.baseUrl, person);
        expect(new URL(page.url()).pathname).toBe('/account');
        await page.goto(`${app.baseUrl}/surveys/${survey.id}/pages/s1`);
        await page.getByLabel('No', { exact: true }).check();
        await follow(page, 'button[value="next"]');
        await page.goto(`${app.baseUrl}/consultations/ongoing-dialogue-2026`);
        await follow(page, 'form[action$="/follow"] button');
        await page.goto(`${app.baseUrl}/account`);
        const main = (await page.textContent('main')) ?? '';
        expect(main).toContain('Surveys in progress');
        expect(main).toContain('Continue');
        expect(await page.locator('.dashboard-following li').count()).toBe(1);
        await screenshot(page, `dashboard-390-js-${javaScriptEnabled}`);
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
        expect(await axeViolations(page)).toEqual([]);
        await follow(page, '.dashboard-following__stop');
        expect(await page.textContent('h1')).toBe('Stop these emails?');
        await page.goto(`${app.baseUrl}/account`);
        expect(await page.locator('.dashboard-following li').count()).toBe(1); // opening the page stopped nothing
        await follow(page, '.dashboard-following__stop');
        await follow(page, 'main form button[type=submit]');
        expect(await page.textContent('main')).toContain('We will no longer email');
        await page.goto(`${app.baseUrl}/account`);
        expect(await page.locator('.dashboard-following li').count()).toBe(0);
        await follow(page, `a[href^="/surveys/${survey.id}/pages/"]`);
        expect(new URL(page.url()).pathname).toBe(`/surveys/${survey.id}/pages/s2`);
      } finally {
        await context.close();
      }
    },
  );
});
