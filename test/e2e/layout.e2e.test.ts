import { axeViolations, screenshot, useBrowserApp } from '../support/browser';

describe('base layout in a real browser', () => {
  const app = useBrowserApp();

  it('when the home page loads, then it passes the WCAG 2.1 AA checks', async () => {
    await app.page.goto(`${app.baseUrl}/`);
    await screenshot(app.page, 'home-en-desktop');
    expect(await axeViolations(app.page)).toEqual([]);
  });

  it('when a keyboard user presses Tab, then the skip link comes first and takes them to the main content', async () => {
    await app.page.goto(`${app.baseUrl}/`);
    await app.page.keyboard.press('Tab');
    const focused = await app.page.evaluate(() => document.activeElement?.textContent?.trim());
    expect(focused).toBe('Skip to main content');
    const outline = await app.page.evaluate(
      () => getComputedStyle(document.activeElement as Element).outlineStyle,
    );
    expect(outline).toBe('solid');
    await app.page.keyboard.press('Enter');
    expect(await app.page.evaluate(() => document.activeElement?.id)).toBe('main');
  });

  it('when the language toggle is clicked, then the same page shows in French and stays French', async () => {
    await app.page.goto(`${app.baseUrl}/missing-page`);
    await app.page.click('a.language-toggle');
    expect(new URL(app.page.url()).pathname).toBe('/fr/missing-page');
    expect(await app.page.getAttribute('html', 'lang')).toBe('fr');
    expect(await app.page.textContent('h1')).toBe('Nous ne trouvons pas cette page');
    await screenshot(app.page, 'not-found-fr');
    expect(await axeViolations(app.page)).toEqual([]);
    await app.page.goto(`${app.baseUrl}/`);
    expect(await app.page.getAttribute('html', 'lang')).toBe('fr');
  });

  it('when the screen is a phone, then nothing scrolls sideways and the toggle stays reachable', async () => {
    await app.page.setViewportSize({ width: 360, height: 740 });
    await app.page.goto(`${app.baseUrl}/`);
    await screenshot(app.page, 'home-en-phone');
    const overflow = await app.page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await app.page.isVisible('a.language-toggle')).toBe(true);
  });
});
