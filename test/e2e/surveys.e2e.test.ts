import { Types } from 'mongoose';
import { axeViolations, screenshot, useBrowserApp } from '../support/browser';
import { createSurvey } from '../support/factories/surveys';
import { createPerson, signInPage } from '../support/sign-in';

// Long journeys through many pages (with axe on each); on a loaded machine they need time. Not a speed check.
jest.setTimeout(180_000);
describe('answering a multi-page survey in a real browser', () => {
  const app = useBrowserApp();

  /** Presses Tab until the focused element matches, as a keyboard user would (with a limit). */
  async function tabTo(selector: string): Promise<void> {
    for (let i = 0; i < 60; i += 1) {
      await app.page.keyboard.press('Tab');
      if (await app.page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    }
    throw new Error(`could not reach ${selector} with the keyboard`);
  }

  it('when a keyboard user answers every page, then errors are announced, conditions react and one response is stored', async () => {
    const { survey } = await createSurvey(app.ctx);
    await app.page.goto(`${app.baseUrl}/surveys/${survey.id}`);
    expect(await axeViolations(app.page)).toEqual([]);
    await tabTo('a.button');
    await app.page.keyboard.press('Enter');
    await app.page.waitForURL(`**/surveys/${survey.id}/pages/s1`);
    expect(await app.page.textContent('.survey-page__progress')).toBe('Page 1 of 3');
    // the follow-up is hidden until "Yes" is chosen (JavaScript), and shown right after
    expect(await app.page.isVisible('#question-why')).toBe(false);
    await screenshot(app.page, 'survey-page-1');
    expect(await axeViolations(app.page)).toEqual([]);

    // submit with nothing chosen: the error summary takes focus and links to the field
    await tabTo('button[value="next"]');
    await app.page.keyboard.press('Enter');
    await app.page.waitForSelector('.error-summary');
    expect(await app.page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(
      true,
    );
    expect(await app.page.textContent('.error-summary')).toContain('Answer this question.');
    await screenshot(app.page, 'survey-page-1-errors');
    expect(await axeViolations(app.page)).toEqual([]);

    await tabTo('#q_likes');
    await app.page.keyboard.press('Space');
    expect(await app.page.isChecked('#q_likes')).toBe(true);
    await app.page.waitForSelector('#question-why', { state: 'visible' });
    await app.page.keyboard.press('Tab');
    expect(await app.page.evaluate(() => document.activeElement?.id)).toBe('q_why');
    await app.page.keyboard.type('Quieter streets');
    await tabTo('button[value="next"]');
    await app.page.keyboard.press('Enter');
    await app.page.waitForURL(`**/surveys/${survey.id}/pages/s3`);
    expect(await app.page.textContent('.survey-page__progress')).toBe('Page 2 of 3');
    expect(await axeViolations(app.page)).toEqual([]);

    await tabTo('#q_score');
    await app.page.keyboard.press('ArrowRight'); // radios: arrows move and choose
    await app.page.keyboard.press('ArrowRight');
    expect(await app.page.isChecked('#q_score-3')).toBe(true);
    await tabTo('button[value="next"]');
    await app.page.keyboard.press('Enter');
    await app.page.waitForURL(`**/surveys/${survey.id}/pages/about-you`);
    await screenshot(app.page, 'survey-about-you');
    expect(await axeViolations(app.page)).toEqual([]);

    await tabTo('#si_sector');
    await app.page.keyboard.press('Space');
    await tabTo('#si_region');
    await app.page.selectOption('#si_region', 'NB');
    await tabTo('button[value="review"]');
    await app.page.keyboard.press('Enter');
    // "Check your answers": every answer, with Change links; only its button submits
    await app.page.waitForURL(`**/surveys/${survey.id}/check`);
    expect(await app.page.textContent('h1')).toBe('Check your answers');
    expect(await app.page.textContent('main')).toContain('Quieter streets');
    await screenshot(app.page, 'survey-check-answers');
    expect(await axeViolations(app.page)).toEqual([]);
    await tabTo('main form button[type=submit]');
    await app.page.keyboard.press('Enter');
    await app.page.waitForURL(`**/surveys/${survey.id}/thanks`);
    expect(await app.page.textContent('h1')).toBe('Your answers have been submitted');
    expect(await app.page.textContent('.survey-receipt__reference')).toMatch(/[0-9A-Z]{5}-[0-9A-Z]{5}/);
    await screenshot(app.page, 'survey-thanks');
    expect(await axeViolations(app.page)).toEqual([]);

    const stored = await app.ctx.db.connection
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
    const { survey } = await createSurvey(app.ctx, { definition: undefined });
    await app.page.setViewportSize({ width: 360, height: 740 });
    await app.page.goto(`${app.baseUrl}/surveys/${survey.id}/pages/s1?lang=fr`);
    expect(await app.page.textContent('.survey-page__progress')).toBe('Page 1 de 3');
    await screenshot(app.page, 'survey-page-fr-phone');
    const overflow = await app.page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await axeViolations(app.page)).toEqual([]);
  });

  it('when an officer opens the builder pages, then they pass axe and work with the keyboard', async () => {
    const { survey } = await createSurvey(app.ctx, { status: 'draft' });
    await signInPage(app.page, app.baseUrl, await createPerson(app.ctx, { roles: ['officer'] }));
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
      await app.page.goto(`${app.baseUrl}${path}`);
      expect({ path, violations: await axeViolations(app.page) }).toEqual({ path, violations: [] });
    }
    await app.page.goto(`${app.baseUrl}/manage/surveys/${survey.id}`);
    await screenshot(app.page, 'survey-builder-overview');
    // publishing with the keyboard: the survey is complete in both languages
    await tabTo('form[action$="/publish"] button');
    await app.page.keyboard.press('Enter');
    await app.page.waitForURL(`**/manage/surveys/${survey.id}?done=published`);
    expect(await app.page.textContent('[role="status"]')).toContain('The survey is published.');
  });
});
