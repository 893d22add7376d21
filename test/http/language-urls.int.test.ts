import { Router } from 'express';
import request from 'supertest';
import { buildTestApp } from '../support/app';
import {
  lastEmailTo,
  startAccountsApp,
  stopAccountsApp,
  type AccountsTestContext,
} from '../accounts/helpers';
import { createRoundAndConsultation } from '../support/factories/consultations';
import { createSurvey } from '../support/factories/surveys';
import { accountsServiceFor, agentFor, createUser, signIn } from '../support/factories/users';

const BASE = 'http://agora.test';

/** Every site-local href/action of a page (`/x`, not `//host` nor `https:`), with `&amp;` decoded. */
function localLinks(html: string): string[] {
  return [...html.matchAll(/\s(?:href|action|formaction)="(\/(?!\/)[^"]*)"/g)].map((m) =>
    (m[1] as string).replace(/&amp;/g, '&'),
  );
}

/** Links that would lose the language: not under /fr, and not an asset, API, or feed address. */
function linksWithoutFrench(html: string): string[] {
  return localLinks(html).filter(
    (href) => !/^\/fr(\/|\?|$)/.test(href) && !/^\/(public|api|feeds)\//.test(href) && !/^\/en\//.test(href),
  );
}

/** A test-only page that sets a cookie scoped to a path, as the survey invitation cookie is. */
function testRoutes(): Router {
  const router = Router();
  router.get('/test/scoped-cookie', (_req, res) => {
    res.cookie('scoped', 'yes', { path: '/surveys/abc' }).send('ok');
  });
  return router;
}

describe('the language in the address', () => {
  let t: AccountsTestContext;

  beforeAll(async () => {
    t = await startAccountsApp();
  });
  afterAll(() => stopAccountsApp(t));

  describe('prefixes', () => {
    it('when /fr/... is asked, then the page is French whatever the cookie and the browser say', async () => {
      const res = await request(t.ctx.app)
        .get('/fr/consultations')
        .set('Accept-Language', 'en')
        .set('Cookie', 'agora.lang=en');
      expect(res.status).toBe(200);
      expect(res.text).toContain('<html lang="fr">');
      expect(res.headers['content-language']).toBe('fr');
    });

    it.each(['/fr', '/fr/', '/fr?x=1'])('when %s is asked, then it is the French home page', async (path) => {
      const res = await request(t.ctx.app).get(path);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<html lang="fr">');
      expect(res.text).toContain('Donnez votre avis sur les politiques publiques');
    });

    it('when /en/... is asked by a French browser with a French cookie, then the page is English', async () => {
      const res = await request(t.ctx.app)
        .get('/en/consultations')
        .set('Accept-Language', 'fr')
        .set('Cookie', 'agora.lang=fr');
      expect(res.text).toContain('<html lang="en">');
      // The English page keeps /en in its links, so the next page is English too.
      expect(localLinks(res.text)).toContain('/en/consultations');
    });

    it('when a path only starts like a prefix (/french, /fr//x), then it is not a language', async () => {
      expect((await request(t.ctx.app).get('/french')).status).toBe(404);
      const twice = await request(t.ctx.app).get('/fr//evil.example');
      expect(twice.status).toBe(404);
    });

    it('when an unprefixed page is asked, then the cookie, then the browser language choose', async () => {
      const byBrowser = await request(t.ctx.app).get('/consultations').set('Accept-Language', 'fr-CA');
      expect(byBrowser.text).toContain('<html lang="fr">');
      const byCookie = await request(t.ctx.app)
        .get('/consultations')
        .set('Accept-Language', 'fr-CA')
        .set('Cookie', 'agora.lang=en');
      expect(byCookie.text).toContain('<html lang="en">');
      expect((await request(t.ctx.app).get('/consultations')).text).toContain('<html lang="en">');
    });
  });

  describe('links, forms and redirects keep the language', () => {
    it('when a French page is rendered, then every site-local link and form keeps /fr', async () => {
      const { consultation } = await createRoundAndConsultation(t.ctx);
      for (const path of [
        '/fr/',
        '/fr/consultations',
        `/fr/consultations/${consultation.slug}`,
        '/fr/sign-in',
      ]) {
        const res = await request(t.ctx.app).get(path);
        expect(res.status).toBe(200);
        expect(linksWithoutFrench(res.text)).toEqual([]);
        expect(localLinks(res.text)).toContain('/fr/consultations');
        // Assets stay where they are.
        expect(res.text).toContain('href="/public/css/agora.css"');
      }
      const signIn = await request(t.ctx.app).get('/fr/sign-in');
      expect(signIn.text).toMatch(/<form[^>]+action="\/fr\/sign-in"/);
    });

    it('when French comes from the browser on an unprefixed page, then its links carry /fr', async () => {
      const res = await request(t.ctx.app).get('/consultations').set('Accept-Language', 'fr');
      expect(linksWithoutFrench(res.text)).toEqual([]);
    });

    it('when an English page is unprefixed, then its links stay unprefixed', async () => {
      const res = await request(t.ctx.app).get('/consultations');
      expect(localLinks(res.text)).toContain('/consultations');
      expect(localLinks(res.text).filter((href) => href.startsWith('/fr/'))).toEqual(
        expect.arrayContaining([expect.stringMatching(/^\/fr\/.*lang=fr/)]),
      );
    });

    it('when a French page redirects, then the redirect stays French (sign-in and back)', async () => {
      const user = await createUser(t.ctx);
      const agent = agentFor(t.ctx);
      const guarded = await agent.get('/fr/profile');
      expect(guarded.status).toBe(303);
      expect(guarded.headers.location).toBe('/fr/sign-in?returnTo=%2Ffr%2Fprofile');
      await agent.get(guarded.headers.location as string);
      const signedIn = await agent.post('/fr/sign-in', {
        email: user.email,
        password: user.password,
        returnTo: '/profile',
      });
      expect(signedIn.status).toBe(303);
      expect(signedIn.headers.location).toBe('/fr/profile');
      const profile = await agent.get('/fr/profile');
      expect(profile.text).toContain('<html lang="fr">');
      expect(linksWithoutFrench(profile.text)).toEqual([]);
    });

    it('when a page sets a cookie scoped to a path, then it reaches that path under every prefix too', async () => {
      const ctx = await buildTestApp({ routers: [testRoutes()] });
      try {
        const res = await request(ctx.app).get('/fr/test/scoped-cookie');
        const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
        const paths = cookies.map((c) => /Path=([^;]+)/.exec(c)?.[1]).sort();
        expect(paths).toEqual(['/en/surveys/abc', '/fr/surveys/abc', '/surveys/abc']);
      } finally {
        await ctx.close();
      }
    });
  });

  describe('the toggle, hreflang and caching', () => {
    it('when a French page is shown, then its toggle goes to the same page in English, and back', async () => {
      const agent = request.agent(t.ctx.app);
      const fr = await agent.get('/fr/consultations?q=eau');
      const toggle = /class="language-toggle" href="([^"]+)"/.exec(fr.text)?.[1]?.replace(/&amp;/g, '&');
      expect(toggle).toBe('/en/consultations?q=eau&lang=en');
      const chosen = await agent.get(toggle as string);
      expect(chosen.status).toBe(303);
      expect(chosen.headers.location).toBe('/en/consultations?q=eau');
      const en = await agent.get(chosen.headers.location as string);
      expect(en.text).toContain('<html lang="en">');
      const back = /class="language-toggle" href="([^"]+)"/.exec(en.text)?.[1]?.replace(/&amp;/g, '&');
      expect(back).toBe('/fr/consultations?q=eau&lang=fr');
    });

    it('when cookies are refused, then the toggle still leads to the other language', async () => {
      const chosen = await request(t.ctx.app).get('/en/consultations?lang=fr').set('Accept-Language', 'en');
      expect(chosen.headers.location).toBe('/fr/consultations');
      const page = await request(t.ctx.app).get('/fr/consultations').set('Accept-Language', 'en');
      expect(page.text).toContain('<html lang="fr">');
    });

    it('when a toggle is asked with a raw path that leaves the site, then it stays on the site', async () => {
      for (const path of ['/fr/..//evil.example?lang=en', '/en/.//evil.example?lang=fr']) {
        const res = await request(t.ctx.app).get(path);
        const location = res.headers.location ?? '';
        expect(location).toMatch(/^\/(en|fr)\//);
        expect(new URL(location, BASE).host).toBe('agora.test');
      }
    });

    it('when any page is shown, then <head> links both languages and the default with hreflang', async () => {
      const res = await request(t.ctx.app).get('/fr/consultations?q=eau');
      expect(res.text).toContain(
        '<link rel="alternate" hreflang="en" href="http://agora.test/en/consultations?q=eau">',
      );
      expect(res.text).toContain(
        '<link rel="alternate" hreflang="fr" href="http://agora.test/fr/consultations?q=eau">',
      );
      expect(res.text).toContain(
        '<link rel="alternate" hreflang="x-default" href="http://agora.test/consultations?q=eau">',
      );
    });

    it('when pages are served, then Vary and Cache-Control say what changes them', async () => {
      const unprefixed = await request(t.ctx.app).get('/consultations');
      expect(unprefixed.headers.vary).toMatch(/Accept-Language/);
      expect(unprefixed.headers.vary).toMatch(/Cookie/);
      expect(unprefixed.headers['cache-control']).toBe('no-cache');

      const prefixed = await request(t.ctx.app).get('/fr/consultations');
      expect(prefixed.headers.vary).not.toMatch(/Accept-Language/);
      expect(prefixed.headers.vary).toMatch(/Cookie/);
      expect(prefixed.headers['cache-control']).toBe('no-cache');

      const withCookie = await request(t.ctx.app).get('/fr/consultations').set('Cookie', 'agora.lang=fr');
      expect(withCookie.headers['cache-control']).toBe('private, no-cache');

      const user = await createUser(t.ctx);
      const agent = await signIn(t.ctx, user);
      const profile = await agent.agent.get('/fr/profile');
      expect(profile.status).toBe(200);
      expect(profile.headers['cache-control']).toBe('private, no-store');
      // A page that sets a cookie (here the language choice) is never stored.
      const toggle = await request(t.ctx.app).get('/consultations?lang=fr');
      expect(toggle.headers['cache-control']).toBe('private, no-store');
      // A route's own choice stands: public feeds may be cached.
      const feed = await request(t.ctx.app).get('/feeds/consultations/fr.rss');
      expect(feed.headers['cache-control']).toBe('public, max-age=300');
    });

    it('when Français is chosen on a closed survey, then the 410 page is French and not cacheable', async () => {
      const { survey } = await createSurvey(t.ctx, { status: 'closed' });
      const agent = request.agent(t.ctx.app);
      const en = await agent.get(`/surveys/${survey.id}`);
      expect(en.status).toBe(410);
      expect(en.text).toContain('<html lang="en">');
      expect(en.headers['cache-control']).toMatch(/no-cache|no-store/);
      const toggle = /class="language-toggle" href="([^"]+)"/.exec(en.text)?.[1]?.replace(/&amp;/g, '&');
      expect(toggle).toBe(`/fr/surveys/${survey.id}?lang=fr`);
      const chosen = await agent.get(toggle as string);
      expect(chosen.headers.location).toBe(`/fr/surveys/${survey.id}`);
      const fr = await agent.get(chosen.headers.location as string);
      expect(fr.status).toBe(410);
      expect(fr.text).toContain('<html lang="fr">');
      expect(fr.headers['content-language']).toBe('fr');
      expect(fr.headers['cache-control']).toMatch(/no-cache|no-store/);
      // The unprefixed address, asked again with the choice remembered, is French as well.
      const again = await agent.get(`/surveys/${survey.id}`);
      expect(again.text).toContain('<html lang="fr">');
    });
  });

  describe('profile language, emails and feeds', () => {
    it('when a signed-in person chooses Français, then their profile and their emails are French, links /fr', async () => {
      const user = await createUser(t.ctx, { locale: 'en' });
      const agent = await signIn(t.ctx, user);
      const chosen = await agent.agent.get('/consultations?lang=fr');
      expect(chosen.status).toBe(303);
      const service = accountsServiceFor(t.ctx);
      const actor = { id: user.id, email: user.email, roles: [] };
      expect((await service.getProfile(actor)).locale).toBe('fr');

      // An email sent to them now (a password reset, asked from an unprefixed page) is French, with /fr links.
      const other = agentFor(t.ctx);
      await other.get('/password-reset');
      await other.post('/password-reset', { email: user.email });
      const mail = await lastEmailTo(t, user.email);
      const text = mail.text ?? '';
      expect(mail.subject).toMatch(/mot de passe/i);
      const links = text.match(/http:\/\/agora\.test\/\S+/g) ?? [];
      expect(links.length).toBeGreaterThan(0);
      for (const link of links) expect(link).toMatch(/^http:\/\/agora\.test\/fr\//);
      expect(String(mail.html)).toContain('href="http://agora.test/fr/');
      // A plain-text part never carries HTML entities.
      expect(text).not.toMatch(/&(#\d+|#x[0-9a-f]+|[a-z]+);/i);

      // Choosing English again changes it back.
      await agent.agent.get('/fr/consultations?lang=en');
      expect((await service.getProfile(actor)).locale).toBe('en');
    });

    it('when the profile language is changed, then the saved page shows in that language at its address', async () => {
      const user = await createUser(t.ctx, { locale: 'fr' });
      const agent = await signIn(t.ctx, user);
      await agent.get('/fr/profile');
      const saved = await agent.post('/fr/profile', { name: user.name, locale: 'en' });
      expect(saved.status).toBe(303);
      expect(saved.headers.location).toBe('/en/profile?notice=profile-saved');
    });

    it('when nobody is signed in, then choosing a language changes no profile and still works', async () => {
      const res = await request(t.ctx.app).get('/consultations?lang=fr');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/fr/consultations');
    });

    it('when a French feed is read, then its links open French pages; the English feed stays unprefixed', async () => {
      const { consultation } = await createRoundAndConsultation(t.ctx);
      const fr = await request(t.ctx.app).get('/feeds/consultations/fr.atom');
      expect(fr.text).toContain(`href="${BASE}/fr/consultations/${consultation.slug}"`);
      // Entry ids never change with the language.
      expect(fr.text).toContain(`<id>${BASE}/consultations/${consultation.slug}#`);
      const en = await request(t.ctx.app).get('/feeds/consultations/en.rss');
      expect(en.text).toContain(`<link>${BASE}/consultations/${consultation.slug}</link>`);
      const ics = await request(t.ctx.app).get('/feeds/consultations/fr.ics');
      expect(ics.text.replace(/\r\n /g, '')).toContain(`${BASE}/fr/consultations/${consultation.slug}`);
    });

    it('when a French consultation page is shown, then its permanent link and citation are French', async () => {
      const { consultation } = await createRoundAndConsultation(t.ctx);
      const res = await request(t.ctx.app).get(`/fr/consultations/${consultation.slug}`);
      const permalink = `${BASE}/fr/consultations/${consultation.slug}`;
      expect(res.text).toContain(`<a href="${permalink}">${permalink}</a>`);
      const en = await request(t.ctx.app).get(`/consultations/${consultation.slug}`);
      const english = `${BASE}/consultations/${consultation.slug}`;
      expect(en.text).toContain(`<a href="${english}">${english}</a>`);
    });
  });
});
