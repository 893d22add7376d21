import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { Types } from 'mongoose';
import { buildTestApp, type TestApp } from '../support/app';
import { axeViolations, launchBrowser, listen, screenshot } from '../support/browser';
import { createSurvey } from '../support/factories/surveys';
import { createPerson, signInPage } from '../support/sign-in';

describe('answering a multi-page survey in a real browser', () => {
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

  /** Presses Tab until the focused element matches, as a keyboard user would (with a limit). */
  async function tabTo(selector: string): Promise<void> {
    for (let i = 0; i < 60; i += 1) {
      await page.keyboard.press('Tab');
      if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    }
    throw new Error(`could not reach ${selector} with the keyboard`);
  }

  it('when a keyboard user answers every page, then errors are announced, conditions react and one response is stored', async () => {
    const { survey } = await createSurvey(ctx);
    await page.goto(`${baseUrl}/surveys/${survey.id}`);
    expect(await axeViolations(page)).toEqual([]);
    await tabTo('a.button');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/surveys/${survey.id}/pages/s1`);
    expect(await page.textContent('.survey-page__progress')).toBe('Page 1 of 3');
    // the follow-up is hidden until "Yes" is chosen (JavaScript), and shown right after
    expect(await page.isVisible('#question-why')).toBe(false);
    await screenshot(page, 'survey-page-1');
    expect(await axeViolations(page)).toEqual([]);

    // submit with nothing chosen: the error summary takes focus and links to the field
    await tabTo('button[value="next"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.error-summary');
    expect(await page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true);
    expect(await page.textContent('.error-summary')).toContain('Answer this question.');
    await screenshot(page, 'survey-page-1-errors');
    expect(await axeViolations(page)).toEqual([]);

    await tabTo('#q_likes');
    await page.keyboard.press('Space');
    expect(await page.isChecked('#q_likes')).toBe(true);
    await page.waitForSelector('#question-why', { state: 'visible' });
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('q_why');
    await page.keyboard.type('Quieter streets');
    await tabTo('button[value="next"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/surveys/${survey.id}/pages/s3`);
    expect(await page.textContent('.survey-page__progress')).toBe('Page 2 of 3');
    expect(await axeViolations(page)).toEqual([]);

    await tabTo('#q_score');
    await page.keyboard.press('ArrowRight'); // radios: arrows move and choose
    await page.keyboard.press('ArrowRight');
    expect(await page.isChecked('#q_score-3')).toBe(true);
    await tabTo('button[value="next"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/surveys/${survey.id}/pages/about-you`);
    await screenshot(page, 'survey-about-you');
    expect(await axeViolations(page)).toEqual([]);

    await tabTo('#si_sector');
    await page.keyboard.press('Space');
    await tabTo('#si_region');
    await page.selectOption('#si_region', 'NB');
    await tabTo('button[value="next"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/surveys/${survey.id}/thanks`);
    expect(await page.textContent('h1')).toBe('Thank you');
    await screenshot(page, 'survey-thanks');
    expect(await axeViolations(page)).toEqual([]);

    const stored = await ctx.db.connection
      .collection('responses')
      .find({ surveyId: new Types.ObjectId(survey.id) })
      .toArray();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      status: 'submitted',
      answers: { likes: 'yes', why: 'Quieter streets', score: 3 },
      sector: 'civil_society',
      region: 'NB',
    });
  });

  it('when the survey is shown in French on a phone, then nothing scrolls sideways and it passes axe', async () => {
    const { survey } = await createSurvey(ctx, { definition: undefined });
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${baseUrl}/surveys/${survey.id}/pages/s1?lang=fr`);
    expect(await page.textContent('.survey-page__progress')).toBe('Page 1 de 3');
    await screenshot(page, 'survey-page-fr-phone');
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('when an officer opens the builder pages, then they pass axe and work with the keyboard', async () => {
    const { survey } = await createSurvey(ctx, { status: 'draft' });
    await signInPage(page, baseUrl, await createPerson(ctx, { roles: ['officer'] }));
    for (const path of [
      `/manage/surveys`,
      `/manage/surveys/${survey.id}`,
      `/manage/surveys/${survey.id}/questions/likes`,
      `/manage/surveys/${survey.id}/sections/s2`,
      `/manage/surveys/${survey.id}/details`,
      `/manage/surveys/${survey.id}/settings`,
      `/manage/surveys/${survey.id}/import`,
      `/manage/surveys/${survey.id}/preview/s1`,
    ]) {
      await page.goto(`${baseUrl}${path}`);
      expect({ path, violations: await axeViolations(page) }).toEqual({ path, violations: [] });
    }
    await page.goto(`${baseUrl}/manage/surveys/${survey.id}`);
    await screenshot(page, 'survey-builder-overview');
    // publishing with the keyboard: the survey is complete in both languages
    await tabTo('form[action$="/publish"] button');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/manage/surveys/${survey.id}?done=published`);
    expect(await page.textContent('[role="status"]')).toContain('The survey is published.');
  });
});
