import type { Page } from 'playwright-core';
import { axeViolations, follow, screenshot, useBrowserApp } from '../support/browser';
import { wallClock } from '../support/wall-clock';
import { createPerson, signInPage } from '../support/sign-in';

const DAY = 24 * 3600_000;

// Long journeys through many pages (with axe on each): 38–64 s measured on a busy 2-core machine, so about five
// times that. Not a speed check.
jest.setTimeout(360_000);
describe('the whole product in a real browser', () => {
  const app = useBrowserApp({ smtp: true });

  async function expectAccessible(page: Page, what: string) {
    expect({ what, violations: await axeViolations(page) }).toEqual({ what, violations: [] });
  }

  it('when an admin makes an officer, who publishes a consultation and a survey, and a civil-society participant answers, then the round page counts them', async () => {
    // ---- The admin (created as `npm run user:create` does) gives Olivia the officer role.
    const admin = await createPerson(app.ctx, { name: 'Ada Admin', roles: ['admin'] });
    const olivia = await createPerson(app.ctx, { name: 'Olivia Officer' });
    const adminPage = await app.newPage();
    await signInPage(adminPage, app.baseUrl, admin);
    await follow(adminPage, '.site-nav a[href="/admin/users"]');
    await adminPage.fill('#q', 'olivia');
    await follow(adminPage, '.admin-search button');
    await follow(adminPage, 'text=Olivia Officer');
    await adminPage.check('#role-officer');
    await follow(adminPage, 'text=Save roles');
    expect(await adminPage.textContent('.notice')).toContain('The roles were saved.');
    await expectAccessible(adminPage, 'admin user page');

    // ---- Olivia signs in and sees the officer's menu.
    const officer = await app.newPage();
    await signInPage(officer, app.baseUrl, olivia);
    expect(await officer.textContent('.account-menu')).toContain('Olivia Officer');
    await screenshot(officer, 'journey-header-officer');

    // A round, made public at once.
    await officer.goto(`${app.baseUrl}/officer/rounds/new`);
    await expectAccessible(officer, 'new round form');
    await officer.fill('#titleEn', 'Open Government 2027');
    await officer.fill('#titleFr', 'Gouvernement ouvert 2027');
    await officer.fill('#descriptionEn', 'The 2027 engagement round.');
    await officer.fill('#descriptionFr', 'Le cycle de mobilisation 2027.');
    await officer.fill('#startsOn', new Date(Date.now() - 30 * DAY).toISOString().slice(0, 10));
    await officer.fill('#endsOn', new Date(Date.now() + 300 * DAY).toISOString().slice(0, 10));
    await officer.fill('#slug', 'open-government-2027');
    await officer.check('#status-active');
    await follow(officer, 'main button[type=submit]');
    expect(new URL(officer.url()).pathname).toBe('/officer');
    expect(await officer.textContent('[role="status"]')).toContain('The round is created.');

    // A consultation in it, published.
    await officer.goto(`${app.baseUrl}/officer/consultations/new`);
    await officer.selectOption('#roundId', { label: 'Open Government 2027' });
    await officer.fill('#titleEn', 'Transit for everyone');
    await officer.fill('#summaryEn', 'Tell us how you get around.');
    await officer.fill('#bodyEn', 'Buses, trains and bikes.');
    await officer.fill('#leadOrganisationEn', 'Transport Canada');
    await officer.fill('#titleFr', 'Le transport pour tous');
    await officer.fill('#summaryFr', 'Dites-nous comment vous vous déplacez.');
    await officer.fill('#bodyFr', 'Autobus, trains et vélos.');
    await officer.fill('#leadOrganisationFr', 'Transports Canada');
    await officer.check('#theme-open_data');
    await officer.fill('#contactEmail', 'transit@example.gc.ca');
    await officer.fill('#opensAt', wallClock(new Date(Date.now() - 3600_000)));
    await officer.fill('#closesAt', wallClock(new Date(Date.now() + 20 * DAY)));
    await follow(officer, 'main button[type=submit]');
    expect(await officer.textContent('h1')).toBe('Transit for everyone');
    await follow(officer, 'main button:text-is("Publish")');
    expect(await officer.textContent('#publish-checklist')).toContain('Published. Status: Open.');

    // A one-question survey, built with the builder and published.
    await officer.goto(`${app.baseUrl}/manage/surveys`);
    await expectAccessible(officer, 'survey list');
    await officer.selectOption('#consultationId', { label: 'Transit for everyone' });
    await officer.fill('#titleEn', 'How do you travel?');
    await officer.fill('#titleFr', 'Comment vous déplacez-vous?');
    await follow(officer, 'main form[action="/manage/surveys"] button[type=submit]');
    const surveyUrl = officer.url();
    const sectionHref = await officer.getAttribute('main a[href*="/sections/"]', 'href');
    await officer.goto(`${app.baseUrl}${sectionHref as string}`);
    await officer.fill('#titleEn', 'Travel');
    await officer.fill('#titleFr', 'Déplacements');
    await follow(officer, 'main form button[type=submit]');
    await officer.selectOption('main select[name="type"]', 'single_choice');
    await follow(officer, 'main form.builder-add button[type=submit]');
    await expectAccessible(officer, 'new question form');
    await officer.fill('#labelEn', 'How do you usually travel?');
    await officer.fill('#labelFr', 'Comment vous déplacez-vous habituellement?');
    await officer.check('#required');
    await officer.fill('#option_0_en', 'By bus');
    await officer.fill('#option_0_fr', 'En autobus');
    await officer.fill('#option_1_en', 'By bike');
    await officer.fill('#option_1_fr', 'À vélo');
    await follow(officer, 'main form[method="post"] button[type=submit]');
    expect(officer.url().split('#')[0]).toBe(surveyUrl);
    await follow(officer, 'main form[action$="/publish"] button');
    expect(await officer.textContent('main')).toContain('The survey is published.');
    await expectAccessible(officer, 'survey overview');

    // ---- A participant signs up, verifies through the email, and says they are from civil society.
    const participant = await app.newPage();
    await participant.goto(`${app.baseUrl}/`);
    await follow(participant, 'text=Create an account');
    await participant.fill('#name', 'Camille Roy');
    await participant.fill('#email', 'camille.roy@example.ca');
    await participant.fill('#password', 'northern lights over the bay');
    await follow(participant, 'main button[type=submit]');
    expect(await participant.textContent('h1')).toBe('Check your email');
    await app.ctx.notifications.drain();
    const mail = app.smtp.to('camille.roy@example.ca').at(-1);
    const link = new RegExp(`${app.ctx.config.baseUrl}(/verify-email/[A-Za-z0-9_-]+)`).exec(
      mail?.text ?? '',
    )?.[1];
    expect(link).toBeDefined();
    await participant.goto(`${app.baseUrl}${link as string}`);
    await follow(participant, 'main button[type=submit]');
    // Confirming signs in and lands on the dashboard.
    expect(new URL(participant.url()).pathname).toBe('/account');
    await participant.goto(`${app.baseUrl}/profile`);
    await participant.selectOption('#sector', 'civil_society');
    await participant.selectOption('#region', 'ON');
    await follow(participant, '.profile-form button[type=submit]');
    expect(await participant.textContent('.notice')).toContain('Your profile was saved');
    await screenshot(participant, 'journey-header-participant');

    // From the home page to the consultation and its survey.
    await participant.goto(`${app.baseUrl}/`);
    await screenshot(participant, 'journey-home');
    await expectAccessible(participant, 'home page');
    await follow(participant, 'main a:text("Transit for everyone")');
    await screenshot(participant, 'journey-consultation');
    await expectAccessible(participant, 'consultation page');
    await follow(participant, 'main a:text("How do you travel?")');
    await expectAccessible(participant, 'survey start');
    await follow(participant, 'main a.button');
    await screenshot(participant, 'journey-survey-page');
    await expectAccessible(participant, 'survey page');
    await participant.getByLabel('By bike').check();
    await follow(participant, 'main button[value="next"]');
    // "About you" comes filled from the profile.
    expect(await participant.isChecked('input[name="si_sector"][value="civil_society"]')).toBe(true);
    await expectAccessible(participant, 'about you page');
    await follow(participant, 'main button[value="review"]');
    expect(new URL(participant.url()).pathname).toMatch(/\/check$/);
    expect(await participant.textContent('main')).toContain('By bike');
    await expectAccessible(participant, 'check your answers page');
    await follow(participant, 'main form button[type=submit]');
    expect(new URL(participant.url()).pathname).toMatch(/\/thanks$/);
    expect(await participant.textContent('main')).toContain(
      'Back to the consultation “Transit for everyone”',
    );
    await expectAccessible(participant, 'thanks page');

    // ---- The same pages in French, through the language toggle.
    await participant.goto(`${app.baseUrl}/`);
    await follow(participant, '.language-toggle');
    expect(await participant.getAttribute('html', 'lang')).toBe('fr');
    await screenshot(participant, 'journey-home-fr');
    await expectAccessible(participant, 'home page in French');
    await follow(participant, 'main a:text("Le transport pour tous")');
    await screenshot(participant, 'journey-consultation-fr');
    await follow(participant, 'main a:text("Comment vous déplacez-vous?")');
    await screenshot(participant, 'journey-survey-start-fr');
    await expectAccessible(participant, 'survey start in French');
    await participant.goto(`${participant.url().replace(/\/?$/, '')}/pages/about-you`);
    await screenshot(participant, 'journey-survey-page-fr');

    // ---- An analyst sees the exact count on the round's participation page.
    const analyst = await createPerson(app.ctx, { name: 'Anna Analyst', roles: ['analyst'] });
    const analystPage = await app.newPage();
    await signInPage(analystPage, app.baseUrl, analyst);
    await analystPage.goto(`${app.baseUrl}/participation/rounds/open-government-2027`);
    expect(await analystPage.textContent('.key-figures')).toMatch(/Participants\s*1\b/);
    const sectorRow = analystPage
      .locator('tr', { has: analystPage.locator('th', { hasText: /^Civil society/ }) })
      .first();
    expect(await sectorRow.locator('td').first().textContent()).toBe('1');
    await screenshot(analystPage, 'journey-round-participation');
    await expectAccessible(analystPage, 'round participation page');
  });
});
