import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Express } from 'express';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from '../../src/platform/paths';
import { buildTestApp, testConfig, type TestApp } from './app';
import { startSmtpServer, type TestSmtpServer } from './smtp';

const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'screenshots');

/**
 * Playwright's default of 30 s per step (a click, a navigation, a wait) is sized for a quiet machine; on a loaded
 * 2-core machine one page load of the app plus axe has taken longer. Every context gets this instead; a test's
 * own Jest timeout bounds the whole.
 */
export const BROWSER_STEP_TIMEOUT_MS = 90_000;

/** Debian's Chromium, driven by playwright-core (Playwright's own browser downloads are not reachable here). */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Browser tests need Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\``,
    );
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
  // Every context (browser.newPage() makes one too) gets the step timeout, including those tests create.
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...args: Parameters<Browser['newContext']>) => {
    const context = await newContext(...args);
    context.setDefaultTimeout(BROWSER_STEP_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(BROWSER_STEP_TIMEOUT_MS);
    return context;
  };
  return browser;
}

export async function listen(app: Express): Promise<{ server: Server; baseUrl: string }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, baseUrl: `http://127.0.0.1:${port}` };
}

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core (WCAG 2.1 A and AA rules) on the page; returns the violations, simplified for messages. */
export async function axeViolations(
  page: Page,
): Promise<{ id: string; impact: string; help: string; targets: string[] }[]> {
  const source = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol, so the page's strict CSP does not apply to it.
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations;
  });
  return violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(' ')),
  }));
}

/** Clicks something that loads a new page (a link or a form), and waits until that page has loaded. */
export async function follow(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

export interface BrowserAppOptions {
  /** Start a test SMTP server and send the app's emails to it (then `smtp` is available). */
  smtp?: boolean;
  /** Runs once the app is built and before it listens: module start-up, seed data. */
  setup?: (ctx: TestApp) => Promise<void>;
}

export interface BrowserApp {
  readonly ctx: TestApp;
  /** Only with `smtp: true`. */
  readonly smtp: TestSmtpServer;
  readonly baseUrl: string;
  readonly browser: Browser;
  /** A page of the current test's own (locale en-CA), closed after the test. */
  readonly page: Page;
  /** Another page in a browser context of its own (its own cookies), closed after the test. */
  newPage(locale?: string): Promise<Page>;
}

/**
 * A browser test file's fixture: the real app on a private database listening on loopback, one Chromium for the
 * file, a fresh page for each test. Call it at the top of a describe block; read the getters inside tests and hooks.
 */
export function useBrowserApp(options: BrowserAppOptions = {}): BrowserApp {
  let ctx: TestApp | undefined;
  let smtp: TestSmtpServer | undefined;
  let server: Server | undefined;
  let baseUrl: string | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let contexts: BrowserContext[] = [];

  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useBrowserApp: ${what} is not available here`);
    return value;
  };

  beforeAll(async () => {
    if (options.smtp) smtp = await startSmtpServer();
    ctx = await buildTestApp(
      smtp ? { config: testConfig({ SMTP_URL: smtp.url, MAIL_FROM: 'Agora <no-reply@agora.test>' }) } : {},
    );
    await options.setup?.(ctx);
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
    page = await ready(browser, 'the browser').newPage({ locale: 'en-CA' });
  });
  afterEach(async () => {
    await page?.close();
    page = undefined;
    await Promise.all(contexts.map((context) => context.close()));
    contexts = [];
  });

  return {
    get ctx() {
      return ready(ctx, 'the app');
    },
    get smtp() {
      return ready(smtp, 'smtp (pass `smtp: true`)');
    },
    get baseUrl() {
      return ready(baseUrl, 'baseUrl');
    },
    get browser() {
      return ready(browser, 'the browser');
    },
    get page() {
      return ready(page, 'the page (only inside a test)');
    },
    async newPage(locale = 'en-CA') {
      const context = await ready(browser, 'the browser').newContext({ locale });
      contexts.push(context);
      return context.newPage();
    },
  };
}
