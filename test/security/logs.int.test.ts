/**
 * Security class: secrets in logs. Links sent by email carry capabilities (password reset, email verification,
 * survey resume and invitation, unsubscribe) and multipart forms put their CSRF token in the URL: none of them may
 * reach the log, whichever line writes the URL (the request line, the "request failed" line of a 500).
 */
import { Router } from 'express';
import request from 'supertest';
import { redactUrl } from '../../src/platform/http/request-logger';
import { buildTestApp, memoryLogger, type TestApp } from '../support/app';

const SECRET = 'S3cr3tT0ken_abcdefghijklmnopqrstuvwxyz';
const SURVEY = '0123456789abcdef01234567';

describe('secrets in the log', () => {
  let ctx: TestApp;
  const log = memoryLogger();

  beforeAll(async () => {
    const routes = Router();
    routes.get('/test/fails/:anything', () => {
      throw new Error('handler failed');
    });
    ctx = await buildTestApp({ logger: log.logger, routers: [routes] });
  });
  afterAll(() => ctx.close());

  const requests: [string, string, string][] = [
    ['GET', `/password-reset/${SECRET}`, '/password-reset/[redacted]'],
    ['POST', `/password-reset/${SECRET}`, '/password-reset/[redacted]'],
    ['GET', `/verify-email/${SECRET}`, '/verify-email/[redacted]'],
    ['GET', `/surveys/${SURVEY}/resume/${SECRET}`, `/surveys/${SURVEY}/resume/[redacted]`],
    ['GET', `/surveys/${SURVEY}/invitation/${SECRET}`, `/surveys/${SURVEY}/invitation/[redacted]`],
    ['GET', `/unsubscribe/${SECRET}`, '/unsubscribe/[redacted]'],
    ['POST', `/unsubscribe/${SECRET}/undo`, '/unsubscribe/[redacted]/undo'],
    [
      'POST',
      `/manage/surveys/${SURVEY}/import?_csrf=${SECRET}`,
      `/manage/surveys/${SURVEY}/import?_csrf=[redacted]`,
    ],
    [
      'GET',
      `/consultations?q=budget&token=${SECRET}&page=2`,
      '/consultations?q=budget&token=[redacted]&page=2',
    ],
    ['GET', `/consultations?reset_token=${SECRET}`, '/consultations?reset_token=[redacted]'],
    ['GET', `/consultations?email=${SECRET}%40example.ca`, '/consultations?email=[redacted]'],
    [
      'GET',
      `/sign-in?returnTo=${encodeURIComponent(`/password-reset/${SECRET}?_csrf=${SECRET}`)}`,
      `/sign-in?returnTo=${encodeURIComponent('/password-reset/[redacted]?_csrf=[redacted]')}`,
    ],
  ];

  it.each(requests)(
    'when %s %s is requested, then its log line shows %s and not the secret',
    async (method, url, logged) => {
      const before = log.lines().length;
      const res = method === 'GET' ? await request(ctx.app).get(url) : await request(ctx.app).post(url);
      const id = res.headers['x-request-id'] as string;
      const lines = log.lines().slice(before);
      const line = lines.find((l) => (l.req as { id?: string } | undefined)?.id === id);
      expect((line?.req as { url?: string } | undefined)?.url).toBe(logged);
      expect(JSON.stringify(lines)).not.toContain(SECRET);
    },
  );

  it('when a request with a token in its URL fails with a 500, then the "request failed" line has it redacted', async () => {
    const before = log.lines().length;
    const res = await request(ctx.app).get(`/test/fails/x?_csrf=${SECRET}`);
    expect(res.status).toBe(500);
    const lines = log.lines().slice(before);
    const failed = lines.find((l) => l.msg === 'request failed');
    expect(failed?.url).toBe('/test/fails/x?_csrf=[redacted]');
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });

  it.each([
    ['/consultations?q=budget&lang=fr', '/consultations?q=budget&lang=fr'],
    [`/surveys/${SURVEY}/pages/intro`, `/surveys/${SURVEY}/pages/intro`],
    [`/surveys/${SURVEY}/resume`, `/surveys/${SURVEY}/resume`],
    [`/Password-Reset/${SECRET}`, '/Password-Reset/[redacted]'],
    [`/password%2Dreset/${SECRET}`, '/password%2Dreset/[redacted]'],
    [`/x?%5Fcsrf=${SECRET}`, '/x?%5Fcsrf=[redacted]'],
    [`/x?_csrf=${SECRET}&_csrf=${SECRET}`, '/x?_csrf=[redacted]&_csrf=[redacted]'],
  ])('redactUrl(%p) is %p', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
