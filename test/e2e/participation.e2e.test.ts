import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { buildTestApp, type TestApp } from '../support/app';
import { axeViolations, launchBrowser, listen, screenshot } from '../support/browser';
import { FACTORY_OFFICER, consultationsServiceFor, roundInput } from '../support/factories/consultations';

describe('participation pages in a real browser', () => {
  let ctx: TestApp;
  let server: Server;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ctx = await buildTestApp();
    const consultations = await consultationsServiceFor(ctx);
    const rounds = [];
    for (const year of [2016, 2018]) {
      rounds.push(
        await consultations.createRound(
          roundInput({
            slug: `nap-${year}`,
            title: { en: `${year} engagement round`, fr: `Cycle de mobilisation ${year}` },
            startsOn: new Date(Date.UTC(year, 0, 1)),
            endsOn: new Date(Date.UTC(year, 11, 1)),
          }),
          FACTORY_OFFICER,
        ),
      );
    }
    const sectors = ['civil_society', 'academia', 'private_sector', 'individual', 'government'] as const;
    let n = 0;
    for (const [index, round] of rounds.entries()) {
      for (let i = 0; i < 50; i++) {
        n++;
        await ctx.composition.participation.participation.recordSubmission({
          responseId: `e2e-${n}`,
          roundId: round.id,
          consultationId: 'c',
          surveyId: 's',
          respondentKey: `anon:e2e${n}`,
          sector:
            i < (index === 0 ? 4 : 10) ? 'civil_society' : (sectors[1 + (i % 4)] as (typeof sectors)[number]),
          region: (['ON', 'QC', 'BC', 'AB'] as const)[i % 4] as 'ON',
          locale: i % 3 ? 'en' : 'fr',
          channel: i % 5 ? 'open' : 'invited',
          ...(i % 2 ? { gender: 'woman' as const, ageRange: '25_34' as const } : {}),
          submittedAt: new Date(),
        });
      }
    }
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

  it('when the overview is opened, then the trend chart and its table pass the WCAG checks', async () => {
    await page.goto(`${baseUrl}/participation`);
    expect(await page.locator('figure svg[role="img"]').count()).toBe(1);
    expect(await page.locator('table tbody tr').count()).toBe(2);
    await screenshot(page, 'participation-overview');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('when a keyboard user picks another sector without JavaScript help, then the page shows that sector', async () => {
    await page.goto(`${baseUrl}/participation`);
    await page.focus('#sector');
    await page.selectOption('#sector', 'academia');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/sector=academia/);
    expect(await page.textContent('h2#trend-heading')).toContain('Academia or research');
  });

  it('when a round is opened in French, then every breakdown has a chart and a table and passes the WCAG checks', async () => {
    await page.goto(`${baseUrl}/participation/rounds/nap-2018?lang=fr`);
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    expect(await page.locator('section.breakdown').count()).toBe(6);
    await screenshot(page, 'participation-round-fr');
    expect(await axeViolations(page)).toEqual([]);
  });
});
