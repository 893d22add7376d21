import type { Page } from 'playwright-core';
import { axeViolations, follow, screenshot, useBrowserApp } from '../support/browser';
import { createRoundAndConsultation } from '../support/factories/consultations';
import { createSurvey } from '../support/factories/surveys';
import { createPerson, signInPage } from '../support/sign-in';

/**
 * The officer and respondent pages of issue 13 (builder conditions and layout, confirmations, moderation queue,
 * check your answers and receipt, footer and accessibility statement) at 1280 and 390 px, in English and French:
 * axe finds nothing, no page is wider than the screen (down to 320 px), and the plain forms work without JavaScript.
 */
// Each test checks several pages at three widths in two languages (screenshots and axe): generous, not a speed check.
jest.setTimeout(240_000);

describe('officer and respondent pages at desktop and phone widths, both languages', () => {
  const app = useBrowserApp();

  /** Checks the page at each width in the page's current language: no sideways scrolling, axe clean; screenshots. */
  async function checkLayouts(page: Page, name: string): Promise<void> {
    for (const width of [1280, 390, 320]) {
      await page.setViewportSize({ width, height: 900 });
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect({ name, width, overflow }).toEqual({ name, width, overflow: 0 });
      if (width !== 320) await screenshot(page, `ux-${name}-${width}`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    expect({ name, violations: await axeViolations(page) }).toEqual({ name, violations: [] });
  }

  /** Opens a path in English then in French (through ?lang=), checking both. */
  async function bothLanguages(page: Page, path: string, name: string): Promise<void> {
    for (const lang of ['en', 'fr']) {
      await page.goto(`${app.baseUrl}/?lang=${lang}`);
      await page.goto(`${app.baseUrl}${path}`);
      await checkLayouts(page, `${name}-${lang}`);
    }
    await page.goto(`${app.baseUrl}/?lang=en`);
  }

  it('when an officer builds conditions and meets confirmations, then the pages read well on a phone and in French', async () => {
    const { survey } = await createSurvey(app.ctx, { status: 'draft' });
    await signInPage(app.page, app.baseUrl, await createPerson(app.ctx, { roles: ['officer'] }));
    await bothLanguages(app.page, `/manage/surveys/${survey.id}`, 'builder-overview');
    await bothLanguages(app.page, `/manage/surveys/${survey.id}/questions/change`, 'builder-condition');
    await bothLanguages(app.page, `/manage/surveys/${survey.id}/questions/change/delete`, 'confirm-delete');

    // With JavaScript: choosing the question shows its answers at once (no "Show its answers" button).
    await app.page.goto(`${app.baseUrl}/manage/surveys/${survey.id}/questions/change`);
    expect(await app.page.isVisible('[data-condition-refresh]')).toBe(false);
    await app.page.selectOption('#showIfQuestion', 'why');
    expect(await app.page.isVisible('[data-condition-for="why"]')).toBe(true);
    await app.page.selectOption('#showIfQuestion', 'likes');
    expect(await app.page.isVisible('[data-condition-for="why"]')).toBe(false);
    await app.page.getByLabel('No', { exact: true }).check();
    await follow(app.page, 'main form button[type=submit]:not([name])');
    expect(await app.page.textContent('main')).toContain(
      'Shown only if the answer to “Do you like the plan?” is “No”.',
    );
  });

  it('when JavaScript is off, then the condition form and a confirmation still work', async () => {
    const { survey } = await createSurvey(app.ctx, { status: 'draft' });
    const context = await app.browser.newContext({ javaScriptEnabled: false, locale: 'en-CA' });
    try {
      const page = await context.newPage();
      await signInPage(page, app.baseUrl, await createPerson(app.ctx, { roles: ['officer'] }));
      await page.goto(`${app.baseUrl}/manage/surveys/${survey.id}/sections/s3/questions/new?type=short_text`);
      await page.fill('#labelEn', 'Anything else?');
      await page.fill('#labelFr', 'Autre chose?');
      await page.selectOption('#showIfQuestion', 'likes');
      await follow(page, '[data-condition-refresh]');
      // the same form, unsaved, now with the answers of the chosen question
      expect(await page.inputValue('#labelEn')).toBe('Anything else?');
      await page.getByLabel('Yes', { exact: true }).check();
      await follow(page, 'main form button[type=submit]:not([name])');
      expect(await page.textContent('main')).toContain(
        'Shown only if the answer to “Do you like the plan?” is “Yes”.',
      );

      await follow(page, 'a.link--warning[href$="/sections/s2/delete"]');
      expect(await page.textContent('h1')).toBe('Delete page 2 “What to change”?');
      await follow(page, 'main button.button--danger');
      expect(await page.textContent('[role="status"]')).toContain('The page is deleted.');
      expect(await page.textContent('main')).not.toContain('What to change');
    } finally {
      await context.close();
    }
  });

  it('when an officer opens the moderation queue, then it reads well on a phone and in French', async () => {
    const { consultation } = await createRoundAndConsultation(app.ctx);
    await app.ctx.consultations.init();
    await app.ctx.consultations.comments.postComment({
      consultation,
      user: {
        id: 'commenter',
        email: 'commenter@example.test',
        name: 'Céline Commenter',
        roles: ['participant'],
        locale: 'fr',
        profile: {},
      },
      body: 'A rather long comment about open data and how a phone screen should show it without scrolling sideways at all.',
      submissionId: 'ux-comment',
    });
    await signInPage(app.page, app.baseUrl, await createPerson(app.ctx, { roles: ['officer'] }));
    await bothLanguages(app.page, '/officer/moderation', 'moderation-queue');
    await bothLanguages(
      app.page,
      `/officer/consultations/${consultation.id}/close`,
      'confirm-close-consultation',
    );
  });

  it('when a respondent finishes a survey, then "Check your answers" and the receipt read well on a phone and in French', async () => {
    const { survey } = await createSurvey(app.ctx);
    const page = app.page;
    await page.goto(`${app.baseUrl}/surveys/${survey.id}/pages/s1`);
    await page.check('#q_likes');
    await page.fill('#q_why', 'Quieter streets and more trees along the river');
    await follow(page, 'main button[value="next"]');
    await page.check('#q_score-4');
    await follow(page, 'main button[value="next"]');
    await page.check('#si_sector');
    await page.selectOption('#si_region', 'QC');
    await follow(page, 'main button[value="review"]');
    expect(new URL(page.url()).pathname).toBe(`/surveys/${survey.id}/check`);
    await bothLanguages(page, `/surveys/${survey.id}/check`, 'check-answers');
    await page.goto(`${app.baseUrl}/surveys/${survey.id}/check`);
    await follow(page, 'main form button[type=submit]');
    expect(new URL(page.url()).pathname).toBe(`/surveys/${survey.id}/thanks`);
    await bothLanguages(page, `/surveys/${survey.id}/thanks`, 'receipt');
  });

  it('when anyone reads the footer and the accessibility statement, then both read well on a phone and in French', async () => {
    await bothLanguages(app.page, '/accessibility', 'accessibility');
    await bothLanguages(app.page, '/contact', 'contact');
    await app.page.goto(`${app.baseUrl}/`);
    await follow(app.page, '.site-footer a[href="/accessibility"]');
    expect(await app.page.textContent('h1')).toBe('Accessibility statement');
  });
});
