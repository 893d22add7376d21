import type { Page } from 'playwright-core';
import { seedDemo } from '../../src/demo/demo-seed';
import { axeViolations, follow, screenshot, useBrowserApp } from '../support/browser';
import { createSurvey } from '../support/factories/surveys';
import { createPerson, signInPage, type SignedInUser } from '../support/sign-in';

/**
 * The participant's dashboard (/account) with JavaScript off, in English and French: it lists the person's drafts,
 * their responses with each one's reference (the receipt's), and what they follow, and its links and forms work.
 * axe needs JavaScript, so it runs on the same pages in a second, JavaScript-enabled browser context signed in as the
 * same person, where the 320 px width is checked as well.
 */
// Browser work on a shared two-core machine: generous, never a speed check.
jest.setTimeout(400_000);

describe('the participant dashboard without JavaScript', () => {
  const app = useBrowserApp({ setup: (ctx) => seedDemo(ctx.composition).then(() => undefined) });

  const section = (page: Page, heading: string) => page.locator(`section[aria-labelledby="${heading}"]`);

  /** The dashboard in a JavaScript-enabled context at 320 px: no sideways scrolling, axe clean, in both languages. */
  async function checkWithJavaScript(person: SignedInUser): Promise<void> {
    const context = await app.browser.newContext({ locale: 'en-CA' });
    try {
      const page = await context.newPage();
      await signInPage(page, app.baseUrl, person);
      for (const path of ['/account', '/fr/account']) {
        await page.setViewportSize({ width: 320, height: 900 });
        await page.goto(`${app.baseUrl}${path}`);
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect({ path, overflow }).toEqual({ path, overflow: 0 });
        expect({ path, violations: await axeViolations(page) }).toEqual({ path, violations: [] });
      }
    } finally {
      await context.close();
    }
  }

  it('when JavaScript is off, then a participant’s dashboard lists drafts, responses with their reference and follows, in English and French, and its links and forms work', async () => {
    const { survey: drafted } = await createSurvey(app.ctx);
    const { survey: answered } = await createSurvey(app.ctx);
    const person = await createPerson(app.ctx, { name: 'Nadia Sans-Script' });
    const context = await app.browser.newContext({ javaScriptEnabled: false, locale: 'en-CA' });
    try {
      const page = await context.newPage();
      await page.setViewportSize({ width: 320, height: 900 });
      await signInPage(page, app.baseUrl, person);
      expect(new URL(page.url()).pathname).toBe('/account');

      // A draft: the first page answered, then left.
      await page.goto(`${app.baseUrl}/surveys/${drafted.id}/pages/s1`);
      await page.getByLabel('No', { exact: true }).check();
      await follow(page, 'main button[value="next"]');
      // A response, sent: its reference is the receipt's.
      await page.goto(`${app.baseUrl}/surveys/${answered.id}/pages/s1`);
      await page.check('#q_likes');
      await page.fill('#q_why', 'More trees');
      await follow(page, 'main button[value="next"]');
      await page.check('#q_score-4');
      await follow(page, 'main button[value="next"]');
      await page.check('#si_sector');
      await page.selectOption('#si_region', 'QC');
      await follow(page, 'main button[value="review"]');
      await follow(page, 'main form button[type=submit]');
      expect(new URL(page.url()).pathname).toBe(`/surveys/${answered.id}/thanks`);
      const reference = ((await page.textContent('.survey-receipt__reference strong')) ?? '').trim();
      expect(reference).not.toBe('');
      // A follow.
      await page.goto(`${app.baseUrl}/consultations/ongoing-dialogue-2026`);
      await follow(page, 'form[action$="/follow"] button');

      for (const [path, words] of [
        ['/account', { title: 'Your account', draft: 'Continue', stop: 'Stop emails' }],
        ['/fr/account', { title: 'Votre compte', draft: 'Continuer', stop: 'Ne plus recevoir de courriels' }],
      ] as const) {
        await page.goto(`${app.baseUrl}${path}`);
        expect(await page.textContent('h1')).toBe(words.title);
        const drafts = section(page, 'drafts-heading');
        expect(await drafts.locator('tbody tr').count()).toBe(1);
        expect(await drafts.locator(`a[href*="/surveys/${drafted.id}/pages/"]`).textContent()).toContain(
          words.draft,
        );
        const responses = section(page, 'responses-heading');
        expect(await responses.locator('tbody tr').count()).toBe(1);
        expect(await responses.locator('.dashboard-reference').textContent()).toBe(reference);
        const following = section(page, 'following-heading');
        expect(await following.locator('li').count()).toBe(1);
        expect(await following.locator('.dashboard-following__stop').textContent()).toContain(words.stop);
        // Page scripts are off; the test's own evaluation (DevTools protocol) still measures the layout.
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect({ path, overflow }).toEqual({ path, overflow: 0 });
        await screenshot(page, `dashboard-no-js-320-${path === '/account' ? 'en' : 'fr'}`);
      }

      // The page's links and forms work without JavaScript: continuing the draft, and stopping emails (asked first).
      await page.goto(`${app.baseUrl}/account`);
      await follow(
        page,
        `section[aria-labelledby="drafts-heading"] a[href^="/surveys/${drafted.id}/pages/"]`,
      );
      expect(new URL(page.url()).pathname).toBe(`/surveys/${drafted.id}/pages/s2`);
      await page.goto(`${app.baseUrl}/fr/account`);
      await follow(page, '.dashboard-following__stop');
      await follow(page, 'main form button[type=submit]');
      await page.goto(`${app.baseUrl}/fr/account`);
      expect(await section(page, 'following-heading').locator('li').count()).toBe(0);
      expect(await section(page, 'following-heading').textContent()).toContain('Vous ne suivez rien.');
    } finally {
      await context.close();
    }

    await checkWithJavaScript(person);
  });
});
