import type { Page } from 'playwright-core';
import { axeViolations, follow, screenshot, useBrowserApp } from '../support/browser';
import { createRoundAndConsultation } from '../support/factories/consultations';
import { signInPage, userAs } from '../support/sign-in';

/** An officer completes a round, then reopens it with a reason that everyone can read on the round's page. */
describe('completing and reopening a round in a real browser', () => {
  const app = useBrowserApp({ setup: (ctx) => ctx.consultations.init() });

  async function pageAs(who: string, locale = 'en-CA'): Promise<Page> {
    const page = await app.newPage(locale);
    if (who) await signInPage(page, app.baseUrl, await userAs(app.ctx, who));
    return page;
  }

  it('when an officer completes and reopens a round, then each step is confirmed, accessible, and the reason is public', async () => {
    const { round } = await createRoundAndConsultation(app.ctx, {
      round: { slug: 'browser-round', title: { en: 'Browser round', fr: 'Cycle navigateur' } },
    });
    const officer = await pageAs('officer');
    await officer.goto(`${app.baseUrl}/officer/rounds/${round.id}/edit`);
    await follow(officer, 'a[href$="/complete"]');
    expect(await officer.textContent('h1')).toContain('Complete the round “Browser round”?');
    expect(await axeViolations(officer)).toEqual([]);
    await follow(officer, 'main button[type=submit]');
    expect(await officer.textContent('[role="status"]')).toContain('The round is completed');

    // Reopening asks for a reason first.
    await officer.goto(`${app.baseUrl}/officer/rounds/${round.id}/edit`);
    expect(await officer.textContent('main')).toContain('Completed on');
    await follow(officer, 'a[href$="/reopen"]');
    await follow(officer, 'main button[type=submit]');
    expect(await officer.textContent('.error-summary')).toContain(
      'Enter the reason for reopening the round.',
    );
    await screenshot(officer, 'round-reopen-error-en');
    expect(await axeViolations(officer)).toEqual([]);
    await officer.click('.error-summary a[href="#reason"]');
    expect(await officer.evaluate(() => document.activeElement?.id)).toBe('reason');
    await officer.fill('#reason', 'Des réponses reçues par la poste ont été saisies en retard');
    await follow(officer, 'main button[type=submit]');
    expect(await officer.textContent('[role="status"]')).toContain('The round is reopened');

    // A French reader on a narrow phone sees the reopening and its reason.
    const reader = await pageAs('', 'fr-CA');
    await reader.setViewportSize({ width: 320, height: 640 });
    await reader.goto(`${app.baseUrl}/rounds/browser-round`);
    expect(await reader.textContent('.round-history')).toMatch(
      /Rouvert le .+\u00a0: .*Des réponses reçues par la poste ont été saisies en retard/,
    );
    expect(await reader.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await screenshot(reader, 'round-reopened-fr-320');
    expect(await axeViolations(reader)).toEqual([]);
  });
});
