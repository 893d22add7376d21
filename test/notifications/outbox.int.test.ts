import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { ValidationError } from '../../src/platform/errors';
import { ROOT } from '../../src/platform/paths';
import { buildTestApp, testConfig, type TestApp } from '../support/app';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';

const templatesDir = path.join(ROOT, 'test', 'fixtures', 'emails');

describe('email outbox', () => {
  let smtp: TestSmtpServer;
  let ctx: TestApp;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    ctx = await buildTestApp({
      config: testConfig({ SMTP_URL: smtp.url, MAIL_FROM: 'Agora <no-reply@agora.test>' }),
      emailTemplatesDir: templatesDir,
    });
  });
  afterAll(async () => {
    await ctx.close();
    await smtp.close();
  });
  beforeEach(() => {
    smtp.failing = false;
  });

  it('when an email is sent, then it reaches the SMTP server in the recipient language with both parts', async () => {
    await ctx.notifications.send({
      template: 'greeting',
      to: 'Zoe@Example.ca',
      locale: 'fr',
      data: { name: 'Zoé' },
    });
    expect(await ctx.notifications.drain()).toEqual({ sent: 1, failed: 0, bounced: 0 });
    const [mail] = smtp.to('zoe@example.ca');
    expect(mail?.subject).toBe('Bonjour, Zoé');
    expect(mail?.text).toContain('Bonjour Zoé,');
    expect(mail?.text).toContain('http://agora.test/consultations');
    expect(mail?.html).toContain('<html lang="fr">');
    expect(mail?.html).toContain('Vous avez reçu ce courriel d&#39;Agora');
    expect(mail?.from?.value[0]).toMatchObject({ name: 'Agora', address: 'no-reply@agora.test' });
  });

  it('when the same idempotency key is sent twice, then one email goes out', async () => {
    const email = {
      template: 'greeting',
      to: 'once@example.ca',
      locale: 'en' as const,
      data: { name: 'Once' },
    };
    await ctx.notifications.send({ ...email, idempotencyKey: 'greeting:once' });
    await ctx.notifications.send({ ...email, idempotencyKey: 'greeting:once' });
    await ctx.notifications.drain();
    expect(smtp.to('once@example.ca')).toHaveLength(1);
  });

  it.each([
    ['a list', 'a@example.ca, b@example.ca'],
    ['a header injection', 'a@example.ca\r\nBcc: victim@example.ca'],
    ['a display name', 'Mallory <a@example.ca>'],
    ['not an address', 'not-an-email'],
    ['nothing', ''],
  ])('when the recipient is %s, then it is refused before anything is queued', async (_case, to) => {
    const before = await ctx.notifications.counts();
    await expect(
      ctx.notifications.send({ template: 'greeting', to, locale: 'en', data: { name: 'x' } }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await ctx.notifications.counts()).toEqual(before);
  });

  it('when the SMTP server fails, then the email waits and is delivered once the server recovers', async () => {
    await ctx.notifications.send({
      template: 'greeting',
      to: 'patient@example.ca',
      locale: 'en',
      data: { name: 'P' },
    });
    smtp.failing = true;
    const now = new Date();
    expect(await ctx.notifications.drain(now)).toEqual({ sent: 0, failed: 1, bounced: 0 });
    // Not due again until its backoff has passed, even if the server is back.
    smtp.failing = false;
    expect(await ctx.notifications.drain(now)).toEqual({ sent: 0, failed: 0, bounced: 0 });
    expect(await ctx.notifications.drain(new Date(now.getTime() + 31_000))).toEqual({
      sent: 1,
      failed: 0,
      bounced: 0,
    });
    expect(smtp.to('patient@example.ca')).toHaveLength(1);
    expect((await ctx.notifications.counts()).pending).toBe(0);
  });

  it('when two senders drain at once, then every email is delivered exactly once', async () => {
    const recipients = Array.from({ length: 12 }, (_, i) => `crowd${i}@example.ca`);
    for (const to of recipients) {
      await ctx.notifications.send({ template: 'greeting', to, locale: 'en', data: { name: to } });
    }
    const [a, b] = await Promise.all([ctx.notifications.drain(), ctx.notifications.drain()]);
    expect((a?.sent ?? 0) + (b?.sent ?? 0)).toBe(12);
    for (const to of recipients) expect(smtp.to(to)).toHaveLength(1);
  });

  it('when many emails are queued in one write, then two senders render and deliver each exactly once', async () => {
    const emails = Array.from({ length: 40 }, (_, i) => ({
      template: 'greeting',
      to: `bulk${i}@example.ca`,
      locale: (i % 2 ? 'fr' : 'en') as 'en' | 'fr',
      data: { name: `Bulk ${i}` },
      idempotencyKey: `bulk:${i}`,
    }));
    expect(await ctx.notifications.sendMany(emails)).toBe(40);
    // Queuing the same keys again queues nothing more.
    expect(await ctx.notifications.sendMany(emails.slice(0, 10))).toBe(0);
    const [a, b] = await Promise.all([ctx.notifications.drain(), ctx.notifications.drain()]);
    expect((a?.sent ?? 0) + (b?.sent ?? 0)).toBe(40);
    for (const [i, email] of emails.entries()) {
      const received = smtp.to(email.to);
      expect(received).toHaveLength(1);
      expect(received[0]?.subject).toBe(i % 2 ? `Bonjour, Bulk ${i}` : `Hello, Bulk ${i}`);
    }
  });

  it('when one address of a batch is invalid, then nothing of the batch is queued', async () => {
    const before = await ctx.notifications.counts();
    await expect(
      ctx.notifications.sendMany([
        { template: 'greeting', to: 'fine@example.ca', locale: 'en', data: { name: 'x' } },
        {
          template: 'greeting',
          to: 'a@example.ca\r\nBcc: victim@example.ca',
          locale: 'en',
          data: { name: 'x' },
        },
      ]),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await ctx.notifications.counts()).toEqual(before);
  });

  it('when an email has an unsubscribe link, then it is in both parts and in the List-Unsubscribe header', async () => {
    const unsubscribeUrl = 'http://agora.test/unsubscribe/abc';
    await ctx.notifications.send({
      template: 'greeting',
      to: 'sub@example.ca',
      locale: 'en',
      data: { name: 'S' },
      unsubscribeUrl,
    });
    await ctx.notifications.drain();
    const [mail] = smtp.to('sub@example.ca');
    const header = mail?.headerLines.find((h) => h.key === 'list-unsubscribe');
    expect(header?.line).toBe(`List-Unsubscribe: <${unsubscribeUrl}>`);
    expect(mail?.text).toContain(unsubscribeUrl);
    expect(mail?.html).toContain(`href="${unsubscribeUrl}"`);
  });

  it('when a mail server is configured, then the development mailbox page does not exist', async () => {
    expect((await request(ctx.app).get('/dev/mail')).status).toBe(404);
  });
});

describe('development mailbox (no SMTP_URL)', () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await buildTestApp({
      // The mailbox exists only for a local BASE_URL (see test/security/dev-mailbox.int.test.ts).
      config: testConfig({ NODE_ENV: 'development', BASE_URL: 'http://localhost:3000' }),
      emailTemplatesDir: templatesDir,
    });
  });
  afterAll(() => ctx.close());

  it('when an email is sent, then it is written as an .eml file and listed at /dev/mail', async () => {
    await ctx.notifications.send({
      template: 'greeting',
      to: 'dev@example.ca',
      locale: 'en',
      data: { name: 'Dev' },
    });
    expect(await ctx.notifications.drain()).toEqual({ sent: 1, failed: 0, bounced: 0 });
    const files = fs.readdirSync(path.join(ctx.config.dataDir, 'mail'));
    expect(files).toHaveLength(1);
    const page = await request(ctx.app).get('/dev/mail');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Hello, Dev');
    const message = await request(ctx.app).get(`/dev/mail/${encodeURIComponent(files[0] as string)}/raw`);
    expect(message.text).toContain('To: dev@example.ca');
    expect((await request(ctx.app).get('/dev/mail/..%2F.session-secret')).status).toBe(404);
  });
});
