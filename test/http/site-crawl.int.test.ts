import type { Role } from '../../src/platform/http/auth';
import { FormAgent } from '../support/agent';
import { buildTestApp, type TestApp } from '../support/app';
import { createSurvey } from '../support/factories/surveys';
import { signInAs } from '../support/sign-in';

/**
 * The product as a whole: every page a person can reach by following links from the home page, for each role and
 * in both languages, answers without a server error, and shows no untranslated message key.
 */
describe('every reachable page, for every role, in both languages', () => {
  let ctx: TestApp;

  beforeAll(async () => {
    ctx = await buildTestApp();
    // Something in each module: a round, a consultation with a published survey, and a survey in draft.
    await createSurvey(ctx);
    await createSurvey(ctx, { status: 'draft' });
  });
  afterAll(() => ctx.close());

  /** Same-site page links of an HTML page (no downloads or feeds, which are not pages). */
  function linksOf(html: string): string[] {
    const links = [...html.matchAll(/<a [^>]*href="(\/[^"#]*)"/g)].map((m) =>
      (m[1] as string).replace(/&amp;/g, '&'),
    );
    return links.filter((href) => !/\.(csv|json|ics|rss|xml|eml)(\?|$)|^\/api\//.test(href));
  }

  /** An i18n key shown as text, e.g. "surveys:start.title" (what i18next prints when a key is missing). */
  const LEAKED_KEY =
    /(?<![\w/.@-])(?:common|errors|accounts|admin|consultations|surveys|participation|analysis|notifications):[a-zA-Z]+(?:\.[a-zA-Z]+)+/;

  async function crawl(agent: FormAgent, limit = 120) {
    const seen = new Set<string>();
    const queue = ['/'];
    const problems: { path: string; status: number; key?: string }[] = [];
    while (queue.length && seen.size < limit) {
      const path = queue.shift() as string;
      // One page per route shape: ids and slugs vary, the templates do not.
      const shape = path.replace(/[a-f0-9]{24}/g, ':id').replace(/\?.*$/, '');
      if (seen.has(shape)) continue;
      seen.add(shape);
      const res = await agent.get(path);
      if (res.status >= 500) problems.push({ path, status: res.status });
      if (!/html/.test(String(res.headers['content-type']))) continue;
      const text = res.text.replace(/<[^>]+>/g, ' ');
      const leaked = LEAKED_KEY.exec(text)?.[0];
      if (leaked) problems.push({ path, status: res.status, key: leaked });
      if (res.status === 200) queue.push(...linksOf(res.text));
    }
    return { problems, pages: seen.size };
  }

  it.each([
    ['anonymous', [] as Role[]],
    ['participant', ['participant'] as Role[]],
    ['officer', ['officer'] as Role[]],
    ['analyst', ['analyst'] as Role[]],
    ['admin', ['admin'] as Role[]],
  ])(
    'when a %s follows every link in English and in French, then no page fails or shows a message key',
    async (who, roles) => {
      for (const lang of ['en', 'fr'] as const) {
        let agent: FormAgent;
        if (who === 'anonymous') agent = new FormAgent(ctx.app);
        else agent = (await signInAs(ctx, { roles, locale: lang })).agent;
        agent.agent.set('Accept-Language', lang);
        const { problems, pages } = await crawl(agent);
        expect({ who, lang, problems }).toEqual({ who, lang, problems: [] });
        expect(pages).toBeGreaterThan(5);
      }
    },
  );
});
