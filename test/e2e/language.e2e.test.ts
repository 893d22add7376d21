import { follow, useBrowserApp } from '../support/browser';
import { createRoundAndConsultation } from '../support/factories/consultations';

// Several page loads on a loaded machine: generous, not a speed check.
jest.setTimeout(120_000);

describe('the language in the address, in a browser on a phone', () => {
  const app = useBrowserApp();

  it('when a reader starts in French at 390 px, then every page of the journey stays French at a /fr address', async () => {
    const { consultation } = await createRoundAndConsultation(app.ctx);
    const page = app.page;
    await page.setViewportSize({ width: 390, height: 844 });
    // An English browser: only the address makes these pages French.
    await page.goto(`${app.baseUrl}/fr/`);
    const french = async () => {
      expect(await page.getAttribute('html', 'lang')).toBe('fr');
      expect(new URL(page.url()).pathname).toMatch(/^\/fr\//);
    };
    await french();
    await follow(page, `main a[href="/fr/consultations/${consultation.slug}"]`);
    await french();
    await follow(page, 'a.language-toggle');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(new URL(page.url()).pathname).toBe(`/en/consultations/${consultation.slug}`);
    await follow(page, 'a.language-toggle');
    await french();
    // The search form keeps French too.
    await page.goto(`${app.baseUrl}/fr/consultations`);
    await page.fill('#q', 'données');
    await follow(page, 'main form:has(#q) button[type=submit]');
    await french();
    expect(new URL(page.url()).searchParams.get('q')).toBe('données');
  });
});
