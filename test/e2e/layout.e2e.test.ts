import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { buildTestApp, type TestApp } from '../support/app';
import { axeViolations, launchBrowser, listen, screenshot } from '../support/browser';

describe('base layout in a real browser', () => {
  let ctx: TestApp;
  let server: Server;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ctx = await buildTestApp();
    ({ server, baseUrl } = await listen(ctx.app));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    await ctx?.close();
  });
  beforeEach(async () => {
    page = await browser.newPage({ locale: 'en-CA' });
  });
  afterEach(() => page.close());

  it('when the home page loads, then it passes the WCAG 2.1 AA checks', async () => {
    await page.goto(`${baseUrl}/`);
    await screenshot(page, 'home-en-desktop');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('when a keyboard user presses Tab, then the skip link comes first and takes them to the main content', async () => {
    await page.goto(`${baseUrl}/`);
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
    expect(focused).toBe('Skip to main content');
    const outline = await page.evaluate(
      () => getComputedStyle(document.activeElement as Element).outlineStyle,
    );
    expect(outline).toBe('solid');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
  });

  it('when the language toggle is clicked, then the same page shows in French and stays French', async () => {
    await page.goto(`${baseUrl}/missing-page`);
    await page.click('a.language-toggle');
    expect(new URL(page.url()).pathname).toBe('/missing-page');
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    expect(await page.textContent('h1')).toBe('Nous ne trouvons pas cette page');
    await screenshot(page, 'not-found-fr');
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(`${baseUrl}/`);
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
  });

  it('when the screen is a phone, then nothing scrolls sideways and the toggle stays reachable', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${baseUrl}/`);
    await screenshot(page, 'home-en-phone');
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await page.isVisible('a.language-toggle')).toBe(true);
  });
});
