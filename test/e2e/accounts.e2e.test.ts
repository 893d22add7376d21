import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { buildTestApp, testConfig, type TestApp } from '../support/app';
import { axeViolations, launchBrowser, listen, screenshot } from '../support/browser';
import { createUser } from '../support/factories/users';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';

/** Clicks something that loads a new page (a link or a form), and waits until that page has loaded. */
async function follow(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

describe('accounts in a real browser', () => {
  let ctx: TestApp;
  let smtp: TestSmtpServer;
  let server: Server;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    ctx = await buildTestApp({
      config: testConfig({ SMTP_URL: smtp.url, MAIL_FROM: 'Agora <no-reply@agora.test>' }),
    });
    ({ server, baseUrl } = await listen(ctx.app));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    await ctx?.close();
    await smtp?.close();
  });
  beforeEach(async () => {
    page = await browser.newPage({ locale: 'en-CA' });
  });
  afterEach(() => page.close());

  /** The emailed link, re-pointed at the test server (emails use BASE_URL, which is not where the test listens). */
  async function emailedLink(address: string, path: string): Promise<string> {
    await ctx.notifications.drain();
    const mail = smtp.to(address).at(-1);
    const match = new RegExp(`${ctx.config.baseUrl}(${path}[A-Za-z0-9_-]+)`).exec(mail?.text ?? '');
    if (!match) throw new Error(`no ${path} link in the email to ${address}`);
    return `${baseUrl}${match[1]}`;
  }

  it('when a person signs up, verifies, signs in and edits their profile, then every page passes WCAG 2.1 AA', async () => {
    await page.goto(`${baseUrl}/`);
    await follow(page, 'text=Create an account');
    expect(await page.textContent('h1')).toBe('Create an account');
    expect(await axeViolations(page)).toEqual([]);

    // A mistake first: the error summary gets focus and links to the field.
    await page.fill('#name', 'Élise Gagnon');
    await page.fill('#email', 'elise.gagnon@example.ca');
    await page.fill('#password', 'short');
    await follow(page, 'button[type=submit]');
    expect(await page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true);
    expect(await page.inputValue('#name')).toBe('Élise Gagnon');
    await screenshot(page, 'accounts-sign-up-error');
    expect(await axeViolations(page)).toEqual([]);
    await page.click('.error-summary a[href="#password"]');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('password');

    await page.fill('#password', 'northern lights over the bay');
    await follow(page, 'button[type=submit]');
    expect(await page.textContent('h1')).toBe('Check your email');
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(await emailedLink('elise.gagnon@example.ca', '/verify-email/'));
    expect(await page.textContent('h1')).toBe('Confirm your email address');
    expect(await axeViolations(page)).toEqual([]);
    await follow(page, 'button[type=submit]');
    expect(await page.textContent('.notice')).toContain('Your email address is confirmed');
    await screenshot(page, 'accounts-sign-in');
    expect(await axeViolations(page)).toEqual([]);

    await page.fill('#email', 'elise.gagnon@example.ca');
    await page.fill('#password', 'northern lights over the bay');
    await follow(page, 'main button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/profile');
    expect(await page.textContent('.account-menu')).toContain('Élise Gagnon');

    await page.fill('#organisation', 'Coalition pour la transparence');
    await page.selectOption('#sector', 'civil_society');
    await page.selectOption('#region', 'QC');
    await page.check('#demographicsConsent');
    await page.selectOption('#ageRange', '25_34');
    await page.selectOption('#locale', 'fr');
    await follow(page, '.profile-form button[type=submit]');
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    expect(await page.textContent('.notice')).toContain('Votre profil a été enregistré.');
    expect(await page.inputValue('#sector')).toBe('civil_society');
    expect(await page.inputValue('#ageRange')).toBe('25_34');
    await screenshot(page, 'accounts-profile-fr');
    expect(await axeViolations(page)).toEqual([]);

    await follow(page, '.account-menu button');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(await page.textContent('.notice')).toContain('Vous êtes déconnecté.');
  });

  it('when an admin changes a role and deactivates an account, then the admin pages pass WCAG 2.1 AA', async () => {
    const admin = await createUser(ctx, { name: 'Ada Admin', roles: ['admin'] });
    const officer = await createUser(ctx, { name: 'Omar Officer' });
    await page.goto(`${baseUrl}/sign-in`);
    await page.fill('#email', admin.email);
    await page.fill('#password', admin.password);
    await follow(page, 'main button[type=submit]');
    await follow(page, '.site-nav a[href="/admin/users"]');
    expect(await page.textContent('h1')).toBe('Users');
    expect(await axeViolations(page)).toEqual([]);

    await page.fill('#q', 'omar');
    await follow(page, '.admin-search button');
    await follow(page, 'text=Omar Officer');
    await page.check('#role-officer');
    await follow(page, 'text=Save roles');
    expect(await page.textContent('.notice')).toContain('The roles were saved.');
    await follow(page, 'text=Deactivate this account');
    expect(await page.textContent('.notice')).toContain('The account was deactivated');
    expect(await page.textContent('.account-menu')).toContain('Ada Admin');
    await screenshot(page, 'accounts-admin-user');
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`${baseUrl}/admin/audit`);
    expect(await page.textContent('table')).toContain(officer.email);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('when a phone-sized screen shows the profile and privacy pages, then nothing scrolls sideways', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    for (const path of ['/privacy', '/sign-up', '/sign-in']) {
      await page.goto(`${baseUrl}${path}`);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect({ path, overflow: overflow <= 0 }).toEqual({ path, overflow: true });
      expect(await axeViolations(page)).toEqual([]);
    }
    await screenshot(page, 'accounts-sign-in-phone');
  });
});
