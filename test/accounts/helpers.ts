import type { ParsedMail } from 'mailparser';
import { buildTestApp, testConfig, type TestApp } from '../support/app';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';

export interface AccountsTestContext {
  ctx: TestApp;
  smtp: TestSmtpServer;
}

/** The real app with a real SMTP server, trusting X-Forwarded-For so each agent can have its own address. */
export async function startAccountsApp(): Promise<AccountsTestContext> {
  const smtp = await startSmtpServer();
  const ctx = await buildTestApp({
    config: testConfig({ SMTP_URL: smtp.url, MAIL_FROM: 'Agora <no-reply@agora.test>', TRUST_PROXY: 'true' }),
  });
  return { ctx, smtp };
}

export async function stopAccountsApp(t: AccountsTestContext | undefined): Promise<void> {
  await t?.ctx.close();
  await t?.smtp.close();
}

/** Delivers queued emails and returns the newest one sent to `address`. */
export async function lastEmailTo(t: AccountsTestContext, address: string): Promise<ParsedMail> {
  await t.ctx.notifications.drain();
  const mails = t.smtp.to(address);
  const mail = mails[mails.length - 1];
  if (!mail) throw new Error(`no email to ${address}`);
  return mail;
}

/** The first link in an email's text part that starts with `prefix`. */
export function linkIn(mail: ParsedMail, prefix: string): string {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}[A-Za-z0-9_-]+`).exec(mail.text ?? '');
  if (!match) throw new Error(`no link starting with ${prefix} in:\n${mail.text}`);
  return match[0];
}

/** The page's text with the per-session CSRF token removed, to compare two answers. */
export function withoutToken(html: string): string {
  return html.replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value=""');
}

/** The path part of an absolute link from an email. */
export function pathOf(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}
