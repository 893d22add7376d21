import { axeViolations, follow, screenshot, useBrowserApp } from '../support/browser';
import { createUser } from '../support/factories/users';

describe('accounts in a real browser', () => {
  const app = useBrowserApp({ smtp: true });

  /** The emailed link, re-pointed at the test server (emails use BASE_URL, which is not where the test listens). */
  async function emailedLink(address: string, path: string): Promise<string> {
    await app.ctx.notifications.drain();
    const mail = app.smtp.to(address).at(-1);
    const match = new RegExp(`${app.ctx.config.baseUrl}(${path}[A-Za-z0-9_-]+)`).exec(mail?.text ?? '');
    if (!match) throw new Error(`no ${path} link in the email to ${address}`);
    return `${app.baseUrl}${match[1]}`;
  }

  it('when a person signs up, verifies, signs in and edits their profile, then every page passes WCAG 2.1 AA', async () => {
    await app.page.goto(`${app.baseUrl}/`);
    await follow(app.page, 'text=Create an account');
    expect(await app.page.textContent('h1')).toBe('Create an account');
    expect(await axeViolations(app.page)).toEqual([]);

    // A mistake first: the error summary gets focus and links to the field.
    await app.page.fill('#name', 'Élise Gagnon');
    await app.page.fill('#email', 'elise.gagnon@example.ca');
    await app.page.fill('#password', 'short');
    await follow(app.page, 'button[type=submit]');
    expect(await app.page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(
      true,
    );
    expect(await app.page.inputValue('#name')).toBe('Élise Gagnon');
    await screenshot(app.page, 'accounts-sign-up-error');
    expect(await axeViolations(app.page)).toEqual([]);
    await app.page.click('.error-summary a[href="#password"]');
    expect(await app.page.evaluate(() => document.activeElement?.id)).toBe('password');

    await app.page.fill('#password', 'northern lights over the bay');
    await follow(app.page, 'button[type=submit]');
    expect(await app.page.textContent('h1')).toBe('Check your email');
    expect(await axeViolations(app.page)).toEqual([]);

    await app.page.goto(await emailedLink('elise.gagnon@example.ca', '/verify-email/'));
    expect(await app.page.textContent('h1')).toBe('Confirm your email address');
    expect(await axeViolations(app.page)).toEqual([]);
    // Confirming the address signs the person in: they land on their dashboard.
    await follow(app.page, 'button[type=submit]');
    expect(new URL(app.page.url()).pathname).toBe('/account');
    expect(await app.page.textContent('.notice')).toContain(
      'Your email address is confirmed and you are signed in.',
    );
    expect(await app.page.textContent('.account-menu')).toContain('Élise Gagnon');
    await screenshot(app.page, 'accounts-dashboard-verified');
    expect(await axeViolations(app.page)).toEqual([]);

    await app.page.goto(`${app.baseUrl}/profile`);

    await app.page.fill('#organisation', 'Coalition pour la transparence');
    await app.page.selectOption('#sector', 'civil_society');
    await app.page.selectOption('#region', 'QC');
    await app.page.check('#demographicsConsent');
    await app.page.selectOption('#ageRange', '25_34');
    await app.page.selectOption('#locale', 'fr');
    await follow(app.page, '.profile-form button[type=submit]');
    expect(await app.page.getAttribute('html', 'lang')).toBe('fr');
    expect(await app.page.textContent('.notice')).toContain('Votre profil a été enregistré.');
    expect(await app.page.inputValue('#sector')).toBe('civil_society');
    expect(await app.page.inputValue('#ageRange')).toBe('25_34');
    await screenshot(app.page, 'accounts-profile-fr');
    expect(await axeViolations(app.page)).toEqual([]);

    await follow(app.page, '.account-menu button');
    expect(new URL(app.page.url()).pathname).toBe('/fr/sign-in');
    expect(await app.page.textContent('.notice')).toContain('Vous êtes déconnecté.');
  });

  it('when an admin changes a role and deactivates an account, then the admin pages pass WCAG 2.1 AA', async () => {
    const admin = await createUser(app.ctx, { name: 'Ada Admin', roles: ['admin'] });
    const officer = await createUser(app.ctx, { name: 'Omar Officer' });
    await app.page.goto(`${app.baseUrl}/sign-in`);
    await app.page.fill('#email', admin.email);
    await app.page.fill('#password', admin.password);
    await follow(app.page, 'main button[type=submit]');
    await follow(app.page, '.site-nav a[href="/admin/users"]');
    expect(await app.page.textContent('h1')).toBe('Users');
    expect(await axeViolations(app.page)).toEqual([]);

    await app.page.fill('#q', 'omar');
    await follow(app.page, '.admin-search button');
    await follow(app.page, 'text=Omar Officer');
    await app.page.check('#role-officer');
    await follow(app.page, 'text=Save roles');
    expect(await app.page.textContent('.notice')).toContain('The roles were saved.');
    await follow(app.page, 'text=Deactivate this account');
    // a confirmation page first (plain HTML: it works without JavaScript)
    expect(await app.page.textContent('h1')).toBe('Deactivate the account of Omar Officer?');
    expect(await axeViolations(app.page)).toEqual([]);
    await follow(app.page, 'main button:text("Deactivate this account")');
    expect(await app.page.textContent('.notice')).toContain('The account was deactivated');
    expect(await app.page.textContent('.account-menu')).toContain('Ada Admin');
    await screenshot(app.page, 'accounts-admin-user');
    expect(await axeViolations(app.page)).toEqual([]);

    await app.page.goto(`${app.baseUrl}/admin/audit`);
    expect(await app.page.textContent('table')).toContain(officer.email);
    expect(await axeViolations(app.page)).toEqual([]);

    // Organisations (staff scope): the list and its form, with an error summary after a bad code.
    await app.page.goto(`${app.baseUrl}/admin/organisations`);
    expect(await axeViolations(app.page)).toEqual([]);
    await app.page.fill('#code', 'Not a code');
    await follow(app.page, 'main form[action="/admin/organisations"] button[type=submit]');
    expect(await app.page.textContent('.error-summary')).toContain('lower-case letters');
    expect(await axeViolations(app.page)).toEqual([]);
  });

  it('when a phone-sized screen shows the profile and privacy pages, then nothing scrolls sideways', async () => {
    await app.page.setViewportSize({ width: 360, height: 740 });
    for (const path of ['/privacy', '/sign-up', '/sign-in']) {
      await app.page.goto(`${app.baseUrl}${path}`);
      const overflow = await app.page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect({ path, overflow: overflow <= 0 }).toEqual({ path, overflow: true });
      expect(await axeViolations(app.page)).toEqual([]);
    }
    await screenshot(app.page, 'accounts-sign-in-phone');
  });
});
