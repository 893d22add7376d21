/**
 * Security class: open redirects. Every redirect target that comes from a request (`returnTo` in the query or in
 * the sign-in form, the page a language toggle returns to) must stay on this site, however it is spelled.
 */
import { agentAs, createPerson } from '../support/sign-in';
import { FormAgent } from '../support/agent';
import { buildTestApp, type TestApp } from '../support/app';
import { rawRequest } from './raw-request';

/** Spellings that resolve, or that a browser reads, as another site. */
const OFF_SITE = [
  '/..//evil.example',
  '/.//evil.example',
  '/..//evil.example/path?x=1',
  '/a/../..//evil.example',
  '/./..//evil.example',
  '//evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  'https://evil.example/',
  'http:evil.example',
  '/\t/evil.example',
  'javascript:alert(1)',
];

describe('open redirects', () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(() => ctx.close());

  it.each(OFF_SITE)(
    'when a signed-in user opens /sign-in?returnTo=%p, then they are sent to their dashboard, not off-site',
    async (target) => {
      const agent = await agentAs(ctx, 'participant:alice');
      const res = await agent.agent.get(`/sign-in?returnTo=${encodeURIComponent(target)}`);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/account');
    },
  );

  it('when returnTo is percent-encoded (%2F..%2F%2Fevil.example), then it is refused too', async () => {
    const agent = await agentAs(ctx, 'participant:alice');
    const res = await agent.agent.get('/sign-in?returnTo=%2F..%2F%2Fevil.example');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/account');
  });

  it('when returnTo is a page of this site with dot segments, then the resolved page is where the user goes', async () => {
    const agent = await agentAs(ctx, 'participant:alice');
    const res = await agent.agent.get(
      `/sign-in?returnTo=${encodeURIComponent('/consultations/../rounds?x=1')}`,
    );
    expect(res.headers.location).toBe('/rounds?x=1');
  });

  it.each(['/..//evil.example', '/.//evil.example', '%2F..%2F%2Fevil.example'])(
    'when the sign-in form is posted with returnTo=%p, then the user lands on their dashboard',
    async (target) => {
      const user = await createPerson(ctx);
      const agent = new FormAgent(ctx.app);
      await agent.get('/sign-in');
      // The form field as a tampered form would send it (the url-encoded body is decoded once, like the query).
      const res = await agent.post('/sign-in', {
        email: user.email,
        password: user.password,
        returnTo: decodeURIComponent(target),
      });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/account');
    },
  );

  it('when the sign-in form is posted with a same-site returnTo, then the user goes back there', async () => {
    const user = await createPerson(ctx);
    const agent = new FormAgent(ctx.app);
    await agent.get('/sign-in?returnTo=%2Fconsultations%3Fq%3Dx');
    const res = await agent.post('/sign-in', {
      email: user.email,
      password: user.password,
      returnTo: '/consultations?q=x',
    });
    expect(res.headers.location).toBe('/consultations?q=x');
  });

  it.each([
    '/..//evil.example?lang=fr',
    '/.//evil.example?lang=fr',
    '//evil.example/?lang=fr',
    '/\\evil.example?lang=fr',
  ])('when the language toggle is requested raw as %p, then it redirects on this site', async (path) => {
    const res = await rawRequest(ctx.app, { path });
    expect(res.status).toBe(303);
    const location = res.headers.location ?? '';
    expect(location.startsWith('/')).toBe(true);
    expect(location.startsWith('//')).toBe(false);
    expect(location).not.toContain('\\');
    expect(new URL(location, 'http://agora.test').host).toBe('agora.test');
  });

  it('when a page is requested raw as /..//evil.example, then its language link stays on this site', async () => {
    const res = await rawRequest(ctx.app, {
      path: '/..//evil.example',
      headers: { 'accept-language': 'en' },
    });
    const href = /class="language-toggle" href="([^"]+)"/.exec(res.body)?.[1] ?? '';
    expect(href).toMatch(/^\/(?!\/)/);
    expect(new URL(href.replace(/&amp;/g, '&'), 'http://agora.test').host).toBe('agora.test');
  });

  it('when the toggle is followed on an ordinary page, then the user stays on that page', async () => {
    const res = await rawRequest(ctx.app, { path: '/consultations?q=a%20b&lang=fr' });
    expect(res.headers.location).toBe('/fr/consultations?q=a+b');
  });
});
