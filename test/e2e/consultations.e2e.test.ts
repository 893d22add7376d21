import type { Page } from 'playwright-core';
import { axeViolations, screenshot, useBrowserApp } from '../support/browser';
import { wallClock } from '../support/wall-clock';
import { createRound } from '../support/factories/consultations';
import { signInPage, userAs } from '../support/sign-in';

describe('consultations in a real browser', () => {
  const app = useBrowserApp({ setup: (ctx) => ctx.consultations.init() });

  async function pageAs(who: string, locale = 'en-CA'): Promise<Page> {
    const page = await app.newPage(locale);
    if (who) await signInPage(page, app.baseUrl, await userAs(app.ctx, who));
    return page;
  }

  it('when an officer publishes a consultation and a participant comments, then the officer replies and everyone sees it', async () => {
    const round = await createRound(app.ctx, {
      title: { en: 'National Action Plan 2026', fr: 'Plan d’action national 2026' },
    });

    // The officer fills in the form, first with a mistake.
    const officer = await pageAs('officer');
    await officer.goto(`${app.baseUrl}/officer/consultations/new`);
    await officer.selectOption('#roundId', round.id);
    await officer.fill('#titleEn', 'Open data for everyone');
    await officer.fill('#summaryEn', 'Tell us which data matters to you.');
    await officer.fill('#bodyEn', '## Why\n\nData helps **everyone**.');
    await officer.fill('#leadOrganisationEn', 'Treasury Board Secretariat');
    await officer.fill('#titleFr', 'Des données ouvertes pour tous');
    await officer.fill('#summaryFr', 'Dites-nous quelles données comptent pour vous.');
    await officer.fill('#bodyFr', '## Pourquoi\n\nLes données aident **tout le monde**.');
    await officer.fill('#leadOrganisationFr', 'Secrétariat du Conseil du Trésor');
    await officer.check('#theme-open_data');
    await officer.fill('#contactEmail', 'open@example.gc.ca');
    await officer.fill('#opensAt', wallClock(new Date(Date.now() + 3600_000)));
    await officer.fill('#closesAt', wallClock(new Date(Date.now() - 3600_000)));
    await officer.click('button[type=submit]');
    expect(await officer.textContent('.error-summary')).toContain(
      'The closing date must be after the opening date',
    );
    await screenshot(officer, 'consultation-form-error-en');
    expect(await axeViolations(officer)).toEqual([]);
    await officer.click('.error-summary a[href="#closesAt"]');
    await officer.fill('#opensAt', wallClock(new Date(Date.now() - 3600_000)));
    await officer.fill('#closesAt', wallClock(new Date(Date.now() + 20 * 24 * 3600_000)));
    await officer.click('button[type=submit]');
    expect(await officer.textContent('h1')).toBe('Open data for everyone');
    await officer.getByRole('button', { name: 'Publish', exact: true }).click();
    expect(await officer.textContent('#publish-checklist')).toContain('Published. Status: Open.');
    await officer.goto(`${app.baseUrl}/officer`);
    await screenshot(officer, 'officer-workspace-en');
    expect(await axeViolations(officer)).toEqual([]);

    // A participant finds it from the listing and comments.
    const participant = await pageAs('participant:alice');
    await participant.goto(`${app.baseUrl}/consultations`);
    await participant.fill('#q', 'open data');
    await participant.click('.filters button[type=submit]');
    expect(await axeViolations(participant)).toEqual([]);
    await participant.getByRole('link', { name: 'Open data for everyone' }).click();
    expect(await participant.textContent('.prose h2')).toBe('Why');
    await participant.fill('#comment', 'Please publish <b>transit</b> data.');
    await participant.check('#notifyReport');
    await participant.click('#comment-form button[type=submit]');
    expect(await participant.textContent('.comment__body')).toBe('Please publish <b>transit</b> data.');
    await screenshot(participant, 'consultation-page-en');
    expect(await axeViolations(participant)).toEqual([]);

    // The officer replies officially from the moderation page.
    await officer.goto(participant.url().split('#')[0] as string);
    await officer.getByRole('link', { name: /Reply or moderate/ }).click();
    expect(await axeViolations(officer)).toEqual([]);
    await officer.fill('#reply', 'Transit data will be released in June.');
    await officer.getByRole('button', { name: 'Post the official reply' }).click();
    await participant.reload();
    expect(await participant.textContent('.comments--replies')).toContain('Official reply from');
    expect(await participant.textContent('.comments--replies')).toContain(
      'Transit data will be released in June.',
    );
  });

  it('when a French reader opens the listing and a consultation, then both pass the accessibility checks', async () => {
    const round = await createRound(app.ctx);
    const service = app.ctx.consultations.consultations;
    const officer = { id: 'o', roles: ['officer' as const] };
    const created = await service.createConsultation(
      {
        roundId: round.id,
        slug: 'francais-e2e',
        title: { en: 'French check', fr: 'Vérification en français' },
        summary: { en: 'Summary', fr: 'Résumé' },
        body: { en: 'Body', fr: 'Corps du texte' },
        leadOrganisation: { en: 'Org', fr: 'Organisme' },
        contactEmail: 'a@example.ca',
        themes: ['health'],
        opensAt: new Date(Date.now() - 3600_000),
        closesAt: new Date(Date.now() + 3 * 24 * 3600_000),
      },
      officer,
    );
    await service.publishConsultation(created.id, officer);
    const page = await pageAs('', 'fr-CA');
    await page.goto(`${app.baseUrl}/consultations`);
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(`${app.baseUrl}/consultations/francais-e2e`);
    expect(await page.textContent('h1')).toBe('Vérification en français');
    await screenshot(page, 'consultation-page-fr');
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(`${app.baseUrl}/`);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'home-with-consultations-fr');
  });
});
