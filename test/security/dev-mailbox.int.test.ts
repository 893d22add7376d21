/**
 * Security class: exposure of secrets through development tools. The development mailbox shows every reset and
 * invitation link, so it answers only on a development instance whose links are local, and only to requests from
 * this machine, straight; everywhere else it is a 404, as if it did not exist.
 */
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Request } from 'express';
import request from 'supertest';
import { isLocalRequest } from '../../src/modules/notifications/dev-mail.routes';
import { FormAgent } from '../support/agent';
import { buildTestApp, testConfig, type TestApp } from '../support/app';
import { createPerson } from '../support/sign-in';

const LOCAL = { NODE_ENV: 'development', BASE_URL: 'http://localhost:3000' };

/** A non-loopback address of this machine, if it has one. */
function externalAddress(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
}

describe('development mailbox', () => {
  describe('on a local development instance', () => {
    let ctx: TestApp;
    beforeAll(async () => {
      ctx = await buildTestApp({ config: testConfig(LOCAL) });
    });
    afterAll(() => ctx.close());

    it('when a reset email was written, then a local request lists it and shows it decoded with its link clickable', async () => {
      const user = await createPerson(ctx, { locale: 'fr' });
      const agent = new FormAgent(ctx.app);
      await agent.get('/password-reset');
      expect((await agent.post('/password-reset', { email: user.email })).status).toBe(200);
      expect((await ctx.notifications.drain()).sent).toBe(1);

      const list = await request(ctx.app).get('/dev/mail');
      expect(list.status).toBe(200);
      expect(list.headers['cache-control']).toBe('no-store');
      const href = /href="(\/dev\/mail\/[^"]+\.eml)"/.exec(list.text)?.[1];
      expect(href).toBeDefined();
      // The subject is decoded (RFC 2047), not =?UTF-8?Q?...
      expect(list.text).not.toContain('=?UTF-8?');

      const message = await request(ctx.app).get(href as string);
      expect(message.status).toBe(200);
      expect(message.text).toContain(user.email);
      expect(message.text).not.toMatch(/=3D|=\n|=C3=/);
      const link = /<a href="http:\/\/localhost:3000((?:\/fr)?\/password-reset\/[\w-]+)">/.exec(
        message.text,
      )?.[1];
      expect(link).toBeDefined();
      const reset = await request(ctx.app).get(link as string);
      expect(reset.status).toBe(200);
      expect(reset.text).toContain('name="password"');

      const raw = await request(ctx.app).get(`${href as string}/raw`);
      expect(raw.text).toContain(`To: ${user.email}`);
      expect((await request(ctx.app).get('/dev/mail/..%2F.session-secret')).status).toBe(404);
    });

    it.each([
      ['X-Forwarded-For', '203.0.113.9'],
      ['Forwarded', 'for=203.0.113.9'],
      ['X-Real-IP', '203.0.113.9'],
      ['Host', 'evil.example'],
      ['Host', 'agora.example.ca:3000'],
    ])('when a request carries %s: %s, then the mailbox is a 404', async (header, value) => {
      for (const path of ['/dev/mail', '/dev/mail/x.eml', '/dev/mail/x.eml/raw']) {
        const res = await request(ctx.app).get(path).set(header, value);
        expect(res.status).toBe(404);
        expect(res.text).not.toContain('Development mailbox');
      }
    });

    const address = externalAddress();
    (address ? it : it.skip)(
      `when the request comes from another address (${address ?? 'none on this machine'}), then it is a 404`,
      async () => {
        const server = http.createServer(ctx.app);
        await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
        try {
          const { port } = server.address() as AddressInfo;
          const status = await new Promise<number>((resolve, reject) => {
            http
              .get(
                { host: address, port, path: '/dev/mail', headers: { host: `localhost:${port}` } },
                (res) => {
                  res.resume();
                  resolve(res.statusCode ?? 0);
                },
              )
              .on('error', reject);
          });
          expect(status).toBe(404);
        } finally {
          server.closeAllConnections();
          await new Promise<void>((resolve) => server.close(() => resolve()));
        }
      },
    );
  });

  it.each([
    ['BASE_URL is not local', { NODE_ENV: 'development', BASE_URL: 'http://agora.test' }],
    [
      'BASE_URL is a public name served on loopback',
      { NODE_ENV: 'development', BASE_URL: 'https://engage.example.ca' },
    ],
    ['a mail server is configured', { ...LOCAL, SMTP_URL: 'smtp://127.0.0.1:2525' }],
  ])('when %s, then /dev/mail is a 404 even from this machine', async (_name, env) => {
    const ctx = await buildTestApp({ config: testConfig(env) });
    try {
      expect((await request(ctx.app).get('/dev/mail')).status).toBe(404);
    } finally {
      await ctx.close();
    }
  });

  describe('isLocalRequest', () => {
    const req = (remote: string, ip: string, headers: Record<string, string> = { host: 'localhost:3000' }) =>
      ({ socket: { remoteAddress: remote }, ip, headers }) as unknown as Request;

    it.each([
      ['127.0.0.1', '127.0.0.1', 'localhost:3000'],
      ['::1', '::1', '[::1]:3000'],
      ['::ffff:127.0.0.1', '::ffff:127.0.0.1', '127.0.0.1:3000'],
    ])('when the peer is %s (ip %s, Host %s), then it is local', (remote, ip, host) => {
      expect(isLocalRequest(req(remote, ip, { host }))).toBe(true);
    });

    it.each([
      ['another peer', req('192.0.2.7', '192.0.2.7')],
      ['a loopback peer whose trusted proxy says another client', req('127.0.0.1', '198.51.100.4')],
      [
        'a relayed request',
        req('127.0.0.1', '127.0.0.1', { host: 'localhost', 'x-forwarded-for': '127.0.0.1' }),
      ],
      ['a rebinding name', req('127.0.0.1', '127.0.0.1', { host: 'attacker.example' })],
      ['no Host', req('127.0.0.1', '127.0.0.1', {})],
    ])('when it is %s, then it is not local', (_name, r) => {
      expect(isLocalRequest(r)).toBe(false);
    });
  });
});
