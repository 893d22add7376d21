import type { TestApp } from '../support/app';
import { axeViolations, screenshot, useBrowserApp } from '../support/browser';
import { FACTORY_OFFICER, consultationsServiceFor, roundInput } from '../support/factories/consultations';

describe('participation pages in a real browser', () => {
  const app = useBrowserApp({ setup: seedTwoRounds });

  /** Two rounds of 50 submissions each: 4 from civil society in 2016, 10 in 2018. */
  async function seedTwoRounds(ctx: TestApp): Promise<void> {
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
  }

  it('when the overview is opened, then the trend chart and its table pass the WCAG checks', async () => {
    await app.page.goto(`${app.baseUrl}/participation`);
    expect(await app.page.locator('figure svg[role="img"]').count()).toBe(1);
    expect(await app.page.locator('table tbody tr').count()).toBe(2);
    await screenshot(app.page, 'participation-overview');
    expect(await axeViolations(app.page)).toEqual([]);
  });

  it('when a keyboard user picks another sector without JavaScript help, then the page shows that sector', async () => {
    await app.page.goto(`${app.baseUrl}/participation`);
    await app.page.focus('#sector');
    await app.page.selectOption('#sector', 'academia');
    await app.page.keyboard.press('Tab');
    await app.page.keyboard.press('Enter');
    await app.page.waitForURL(/sector=academia/);
    expect(await app.page.textContent('h2#trend-heading')).toContain('Academia or research');
  });

  it('when a round is opened in French, then every breakdown has a chart and a table and passes the WCAG checks', async () => {
    await app.page.goto(`${app.baseUrl}/participation/rounds/nap-2018?lang=fr`);
    expect(await app.page.getAttribute('html', 'lang')).toBe('fr');
    expect(await app.page.locator('section.breakdown').count()).toBe(6);
    await screenshot(app.page, 'participation-round-fr');
    expect(await axeViolations(app.page)).toEqual([]);
  });
});
