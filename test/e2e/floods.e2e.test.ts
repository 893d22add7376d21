import type { Page } from 'playwright-core';
import type { SurveyDefinition } from '../../src/modules/surveys';
import { axeViolations, follow, screenshot, useBrowserApp } from '../support/browser';
import { both, createSurvey, likesQuestion } from '../support/factories/surveys';
import { createPerson, signInPage } from '../support/sign-in';

// A few pages with axe on each; on a loaded machine they need time. Not a speed check.
jest.setTimeout(180_000);

function onePage(): SurveyDefinition {
  return {
    title: both('Flood survey', 'Sondage inondé'),
    description: both('One page.', 'Une page.'),
    sections: [
      {
        id: 's1',
        title: both('Your view', 'Votre avis'),
        questions: [likesQuestion()],
      },
    ],
  };
}

describe('the challenge of a survey under a flood, in a real browser', () => {
  const app = useBrowserApp();

  /** A published one-page survey whose anonymous submissions have reached the flood threshold. */
  async function floodedSurvey() {
    const { survey } = await createSurvey(app.ctx, {
      definition: onePage(),
      settings: { selfIdentification: false },
    });
    const { flood } = app.ctx.composition;
    // Flood windows are aligned to the clock (5 minutes here): a loop that crosses a window's end splits its
    // count between two windows, neither at the threshold. Record until the current window alone reaches it; the
    // flood then lasts at least one whole window, far longer than the test needs.
    for (let i = 0; i < 3 * flood.threshold; i += 1) {
      const { count } = await flood.record(survey.id);
      if (count >= flood.threshold) break;
    }
    expect((await flood.status(survey.id)).flooded).toBe(true);
    return survey;
  }

  async function answer(page: Page, surveyId: string) {
    await page.goto(`${app.baseUrl}/surveys/${surveyId}/pages/s1`);
    await page.getByLabel('No', { exact: true }).check();
    await follow(page, 'button[value="review"]');
    // "Check your answers", then Submit: the submission meets the flood.
    await follow(page, 'main form button[type=submit]');
  }

  it('when the challenge script does not run, then the page passes axe, a wrong sum is announced and the right one counts the response', async () => {
    const survey = await floodedSurvey();
    const { page } = app;
    // As without JavaScript (axe itself needs it): the page works from its HTML alone.
    await page.route('**/public/js/challenge.js', (route) => route.abort());
    await answer(page, survey.id);
    expect(new URL(page.url()).pathname).toBe(`/surveys/${survey.id}/challenge`);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'flood-challenge');

    await page.fill('#challengeAnswer', '999');
    await follow(page, 'main form button[type=submit]');
    expect(await page.textContent('.error-summary')).toContain('Enter the right answer');
    expect(await axeViolations(page)).toEqual([]);

    const label = (await page.textContent('label[for="challengeAnswer"]')) ?? '';
    const [a, b] = /(\d+) plus (\d+)/.exec(label)!.slice(1).map(Number) as [number, number];
    await page.fill('#challengeAnswer', String(a + b));
    await follow(page, 'main form button[type=submit]');
    expect(new URL(page.url()).pathname).toBe(`/surveys/${survey.id}/thanks`);
  });

  it('when JavaScript is on, then the page proves its work by itself and the response counts', async () => {
    const survey = await floodedSurvey();
    const { page } = app;
    await answer(page, survey.id);
    await page.waitForURL(`**/surveys/${survey.id}/thanks`, { timeout: 120_000 });
    const counts = await app.ctx.composition.surveys.responseStatusCounts({ surveyId: survey.id });
    expect(counts.submitted).toBe(1);
  });

  it('when an officer opens the flagged responses and an exclusion, then both pages pass axe and the exclusion is confirmed', async () => {
    const survey = await floodedSurvey();
    // An anonymous API submission during the flood is stored flagged.
    const posted = await app.page.request.post(`${app.baseUrl}/api/v1/surveys/${survey.id}/responses`, {
      headers: { 'Idempotency-Key': 'e2e-flood-key-0001' },
      data: { answers: { likes: 'yes' } },
    });
    expect(posted.status()).toBe(201);
    const { page } = app;
    await signInPage(page, app.baseUrl, await createPerson(app.ctx, { roles: ['officer'] }));
    await page.goto(`${app.baseUrl}/manage/surveys/${survey.id}/flagged`);
    expect(await page.textContent('main')).toContain('1 flagged, 0 excluded');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'flood-flagged');
    await follow(page, 'table a[href$="/exclude"]');
    expect(await axeViolations(page)).toEqual([]);
    await follow(page, 'main form button[type=submit]');
    expect(await page.textContent('[role=status]')).toContain('excluded from every count');
    expect(await page.textContent('main')).toContain('1 flagged, 1 excluded');
  });
});
