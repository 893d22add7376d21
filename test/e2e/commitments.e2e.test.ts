import type { BrowserContext, Page } from 'playwright-core';
import { axeViolations, follow, screenshot, useBrowserApp } from '../support/browser';
import { signInPage, userAs } from '../support/sign-in';
import { OFFICER, createCommitment, createPlan, service } from '../commitments/helpers';

// Many pages, each checked with axe, on a machine shared with other test runs: generous, not a speed requirement.
jest.setTimeout(180_000);

const SIZES = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

describe('action plans in a real browser', () => {
  let planSlug = '';
  const app = useBrowserApp({
    setup: async (ctx) => {
      const plan = await createPlan(ctx, { slug: 'nap-e2e' });
      planSlug = plan.slug;
      await createCommitment(ctx, plan.slug, '19');
      await createCommitment(ctx, plan.slug, '3', {
        overrides: {
          theme: { en: 'Open data', fr: 'Données ouvertes' },
          leadDepartment: { en: 'Statistics Canada', fr: 'Statistique Canada' },
          status: 'complete',
        },
      });
      await service(ctx).saveIndicator(
        plan.slug,
        '19',
        undefined,
        {
          name: { en: 'Initiatives of the forum', fr: 'Initiatives du forum' },
          target: { en: '4', fr: '4' },
          targetDate: '2018-06-30',
          source: 'manual',
          actual: { en: 'Three so far.', fr: 'Trois jusqu’ici.' },
          actualDate: '2018-06-30',
          sector: '',
          roundIds: [],
        },
        OFFICER,
      );
      await service(ctx).recordStatusChange(
        plan.slug,
        '19',
        {
          milestoneId: '',
          status: 'complete',
          date: '2018-12-31',
          note: { en: 'All deliverables complete.', fr: 'Tous les livrables sont terminés.' },
          submissionId: 'e2e-setup-0001',
        },
        OFFICER,
      );
    },
  });

  const contexts: BrowserContext[] = [];
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });

  async function open(options: {
    locale: string;
    width: number;
    height: number;
    js: boolean;
    who?: string;
  }): Promise<Page> {
    const context = await app.browser.newContext({
      locale: options.locale,
      viewport: { width: options.width, height: options.height },
    });
    contexts.push(context);
    // "Without JavaScript": the site's own scripts never load (axe still needs the page's JavaScript engine).
    if (!options.js) await context.route('**/public/js/**', (route) => route.abort());
    const page = await context.newPage();
    if (options.who)
      await signInPage(
        page,
        app.baseUrl,
        await userAs(app.ctx, options.who, options.locale.startsWith('fr') ? 'fr' : 'en'),
      );
    return page;
  }

  async function expectAccessible(page: Page, name: string) {
    await screenshot(page, name);
    expect({ name, violations: await axeViolations(page) }).toEqual({ name, violations: [] });
    // Nothing sticks out sideways on a phone: the page does not scroll horizontally.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect({ name, overflow: overflow <= 1 }).toEqual({ name, overflow: true });
  }

  for (const size of SIZES) {
    for (const [locale, lang] of [
      ['en-CA', 'en'],
      ['fr-CA', 'fr'],
    ] as const) {
      it(`when a ${lang} reader on a ${size.name} (${size.width} px) browses the plan, filters it and opens a commitment, then every page passes axe (JavaScript ${size.name === 'phone' ? 'off' : 'on'})`, async () => {
        const page = await open({
          locale,
          width: size.width,
          height: size.height,
          js: size.name !== 'phone',
        });
        await page.goto(`${app.baseUrl}/plans`);
        expect(await page.getAttribute('html', 'lang')).toBe(lang);
        await expectAccessible(page, `plans-${lang}-${size.width}`);
        await follow(page, `a[href$="/plans/${planSlug}"]`);
        expect(await page.textContent('h1')).toContain(
          lang === 'en' ? 'National Action Plan' : 'Plan d’action national',
        );
        expect(await page.locator('svg[role="img"]').count()).toBe(1);
        await expectAccessible(page, `plan-${lang}-${size.width}`);
        // Filter with the plain GET form.
        await page.selectOption('#status', 'complete');
        await follow(page, '.filters button[type=submit]');
        expect(page.url()).toContain('status=complete');
        const titles = await page.locator('.commitment-card__title').allTextContents();
        expect(titles.map((t) => t.replace(/\s+/g, ' ').trim())).toEqual(
          lang === 'en'
            ? ['Commitment 3 Engage civil society 3', 'Commitment 19 Engage civil society 19']
            : ['Engagement 3 Mobiliser la société civile 3', 'Engagement 19 Mobiliser la société civile 19'],
        );
        await follow(page, `a[href$="/plans/${planSlug}/commitments/19"]`);
        const text = (await page.textContent('main'))?.replace(/\s+/g, ' ') ?? '';
        expect(text).toContain(
          lang === 'en' ? 'All deliverables complete.' : 'Tous les livrables sont terminés.',
        );
        expect(text).toContain(lang === 'en' ? 'Three so far.' : 'Trois jusqu’ici.');
        await expectAccessible(page, `commitment-${lang}-${size.width}`);
      });
    }
  }

  it('when an officer builds a commitment, fixes a mistake from the error summary and records a status change, then the public timeline shows it (desktop, JavaScript on, English)', async () => {
    const page = await open({ locale: 'en-CA', width: 1280, height: 900, js: true, who: 'officer' });
    await page.goto(`${app.baseUrl}/officer/plans`);
    await expectAccessible(page, 'officer-plans-en-1280');
    await follow(page, `a[href="/officer/plans/${planSlug}"]`);
    await follow(page, `a[href="/officer/plans/${planSlug}/commitments/new"]`);
    await page.fill('#number', '21');
    await page.fill('#titleEn', 'Open science');
    await page.fill('#titleFr', 'Science ouverte');
    await page.fill('#themeEn', 'Open science');
    await page.fill('#themeFr', 'Science ouverte');
    await page.fill('#enquiryEmail', 'not an email');
    await follow(page, 'main form button[type=submit]');
    // enhance.js moves focus to the error summary.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-error-summary'))).toBe('');
    await expectAccessible(page, 'officer-commitment-error-en-1280');
    await page.click('.error-summary a[href="#enquiryEmail"]');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('enquiryEmail');
    await page.fill('#enquiryEmail', 'science@example.gc.ca');
    for (const [id, value] of [
      ['leadDepartmentEn', 'Natural Resources Canada'],
      ['leadDepartmentFr', 'Ressources naturelles Canada'],
      ['plannedResultEn', 'Research is open by default.'],
      ['plannedResultFr', 'La recherche est ouverte par défaut.'],
      ['descriptionEn', 'Publish research openly.'],
      ['descriptionFr', 'Publier la recherche ouvertement.'],
    ] as const)
      await page.fill(`#${id}`, value);
    await follow(page, 'main form button[type=submit]');
    expect(await page.textContent('h1')).toBe('Commitment 21: Open science');
    await follow(page, 'a[href$="/milestones/new"]');
    await page.fill('#number', '21.1');
    await page.fill('#textEn', 'Adopt an open science roadmap.');
    await page.fill('#textFr', 'Adopter une feuille de route pour la science ouverte.');
    await page.check('#status-limited');
    await follow(page, 'main form button[type=submit]');
    await follow(page, '#publish-checklist button[type=submit]');
    expect(await page.textContent('#publish-checklist')).toContain('Published: the public can see it.');
    await page.selectOption('#milestoneId', { label: 'Milestone 21.1 (Limited)' });
    await page.check('#status-complete');
    await page.fill('#date', '2019-03-01');
    await page.fill('#noteEn', 'The roadmap was adopted.');
    await page.fill('#noteFr', 'La feuille de route a été adoptée.');
    await follow(page, '#status-change button[type=submit]');
    await expectAccessible(page, 'officer-commitment-en-1280');
    await page.goto(`${app.baseUrl}/plans/${planSlug}/commitments/21`);
    expect((await page.textContent('#timeline'))?.replace(/\s+/g, ' ')).toContain(
      'March 1, 2019 Milestone 21.1: Limited → Complete The roadmap was adopted.',
    );
  });

  it('when a French officer on a phone without JavaScript records a change without its French note, then the error summary says so and the page passes axe', async () => {
    const page = await open({ locale: 'fr-CA', width: 390, height: 844, js: false, who: 'officer:florence' });
    await page.goto(`${app.baseUrl}/officer/plans/${planSlug}/commitments/3`);
    await page.check('#status-substantial');
    await page.fill('#noteEn', 'Partly done.');
    await follow(page, '#status-change button[type=submit]');
    expect(await page.textContent('.error-summary')).toContain(
      'Rédigez une note à ce sujet dans cette langue.',
    );
    await expectAccessible(page, 'officer-commitment-error-fr-390');
    await page.goto(`${app.baseUrl}/officer/plans/${planSlug}/import`);
    await page.fill('#csv', 'type,commitment,title_en,title_fr,status\r\ncommitment,40,A,B,done\r\n');
    await follow(page, 'main form button[type=submit]');
    expect(await page.textContent('#import-report')).toContain('1 ligne a été rejetée');
    await expectAccessible(page, 'officer-import-report-fr-390');
  });

  it('when a participant follows a commitment and the reviewer rates it, then both work without JavaScript on a phone, in both languages', async () => {
    const participant = await open({
      locale: 'en-CA',
      width: 390,
      height: 844,
      js: false,
      who: 'participant:pat',
    });
    await participant.goto(`${app.baseUrl}/plans/${planSlug}/commitments/3`);
    await follow(participant, '#follow button[type=submit]');
    expect(await participant.textContent('#follow')).toContain('You get an email');
    await expectAccessible(participant, 'commitment-following-en-390');

    const reviewer = await open({ locale: 'fr-CA', width: 390, height: 844, js: false, who: 'reviewer' });
    await reviewer.goto(`${app.baseUrl}/review`);
    await expectAccessible(reviewer, 'review-list-fr-390');
    await follow(reviewer, `a[href$="/review/plans/${planSlug}/commitments/3"]`);
    await follow(reviewer, 'main form button[type=submit]');
    expect(await reviewer.textContent('.error-summary')).toContain('Choisissez un état.');
    await expectAccessible(reviewer, 'review-form-error-fr-390');
    await reviewer.check('#rating-substantial');
    await reviewer.fill('#noteEn', 'Most deliverables were met.');
    await reviewer.fill('#noteFr', 'La plupart des livrables ont été produits.');
    await follow(reviewer, 'main form button[type=submit]');
    expect((await reviewer.textContent('#assessment'))?.replace(/\s+/g, ' ')).toContain(
      'Examinateur indépendant Substantiel La plupart des livrables ont été produits.',
    );
    await expectAccessible(reviewer, 'commitment-reviewed-fr-390');
  });
});
