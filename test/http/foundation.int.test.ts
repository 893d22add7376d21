import { Router } from 'express';
import request from 'supertest';
import { ValidationError } from '../../src/platform/errors';
import { FormAgent } from '../support/agent';
import { buildTestApp, memoryLogger, type TestApp } from '../support/app';

/** Test-only endpoints: a form (to get a CSRF token), a handler that fails, one that throws a validation error. */
function testRoutes(): Router {
  const router = Router();
  router.get('/test/form', (_req, res) => {
    res.send(
      `<form method="post"><input type="hidden" name="_csrf" value="${res.locals.csrfToken()}"></form>`,
    );
  });
  router.post('/test/form', (req, res) => {
    res.json({ received: req.body });
  });
  router.post('/api/test/echo', (req, res) => {
    res.json({ received: req.body });
  });
  router.get('/test/boom', () => {
    throw new Error('database password is hunter2');
  });
  router.get('/test/invalid', () => {
    throw new ValidationError([{ field: 'email', message: { key: 'errors:400.malformed' } }]);
  });
  return router;
}

describe('HTTP foundation', () => {
  let ctx: TestApp;
  const log = memoryLogger();

  beforeAll(async () => {
    ctx = await buildTestApp({ routers: [testRoutes()], logger: log.logger });
  });
  afterAll(() => ctx.close());

  describe('languages', () => {
    it('when the browser prefers French, then the home page is in French with <html lang="fr">', async () => {
      const res = await request(ctx.app).get('/').set('Accept-Language', 'fr-CA,fr;q=0.9');
      expect(res.status).toBe(200);
      expect(res.text).toContain('<html lang="fr">');
      expect(res.text).toContain('Donnez votre avis sur les politiques publiques');
      expect(res.text).toContain('Passer au contenu principal');
      expect(res.headers['content-language']).toBe('fr');
    });

    it('when nothing is said, then the home page is in English with a toggle to French on the same page', async () => {
      const res = await request(ctx.app).get('/');
      expect(res.text).toContain('<html lang="en">');
      expect(res.text).toContain('Have your say on public policy');
      expect(res.text).toMatch(/<a class="language-toggle" href="\/fr\/\?lang=fr" lang="fr"/);
    });

    it('when the language cookie is mangled, then the page still renders, in the browser language', async () => {
      const res = await request(ctx.app)
        .get('/')
        .set('Cookie', 'agora.lang=%E0%A4%A')
        .set('Accept-Language', 'fr');
      expect(res.status).toBe(200);
      expect(res.text).toContain('<html lang="fr">');
    });

    it('when the toggle is followed, then the choice is remembered and the user stays on the same page', async () => {
      const agent = request.agent(ctx.app);
      const toggle = await agent.get('/some/page?q=x&lang=fr');
      expect(toggle.status).toBe(303);
      expect(toggle.headers.location).toBe('/fr/some/page?q=x');
      const next = await agent.get('/').set('Accept-Language', 'en');
      expect(next.text).toContain('<html lang="fr">');
      const back = await agent.get('/?lang=en');
      expect(back.headers.location).toBe('/en/');
      expect((await agent.get('/')).text).toContain('<html lang="en">');
    });
  });

  describe('error pages', () => {
    it.each([
      ['en', 'We couldn&#39;t find that page'],
      ['fr', 'Nous ne trouvons pas cette page'],
    ])('when a page does not exist, then a 404 page is shown in %s', async (lang, heading) => {
      const res = await request(ctx.app).get('/no/such/page').set('Accept-Language', lang);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain(heading);
      expect(res.text).toContain(`<html lang="${lang}">`);
    });

    it.each([
      ['en', 'Something went wrong'],
      ['fr', 'Un problème est survenu'],
    ])(
      'when a handler fails, then a 500 page in %s shows an error id that matches the log line',
      async (lang, heading) => {
        const res = await request(ctx.app).get('/test/boom').set('Accept-Language', lang);
        expect(res.status).toBe(500);
        expect(res.text).toContain(heading);
        const errorId = res.headers['x-request-id'] as string;
        expect(errorId).toMatch(/^[0-9a-f-]{36}$/);
        expect(res.text).toContain(`<code>${errorId}</code>`);
        expect(res.text).not.toContain('hunter2');
        expect(res.text).not.toMatch(/at .*\.ts:\d+/);
        const line = log.lines().find((l) => l.errorId === errorId && l.msg === 'request failed');
        expect(line).toBeDefined();
        expect(JSON.stringify(line)).toContain('hunter2');
      },
    );

    it('when an /api/ route is missing, then the answer is application/problem+json', async () => {
      const res = await request(ctx.app).get('/api/v1/nothing-here').set('Accept-Language', 'fr');
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(res.text)).toMatchObject({ status: 404, title: 'Nous ne trouvons pas cette page' });
    });

    it('when a validation error reaches the handler, then it is a 422 page listing the fields', async () => {
      const res = await request(ctx.app).get('/test/invalid');
      expect(res.status).toBe(422);
      expect(res.text).toContain('href="#email"');
    });
  });

  describe('request bodies', () => {
    it('when JSON is malformed, then the answer is a 400 with a readable message, not a 500', async () => {
      const res = await request(ctx.app)
        .post('/api/test/echo')
        .set('Content-Type', 'application/json')
        .send('{"a": ');
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).detail).toBe('The request body is not valid JSON or form data.');
    });

    it('when a body is too large, then the answer is a 413 page', async () => {
      const agent = new FormAgent(ctx.app);
      await agent.get('/test/form');
      const res = await agent.post('/test/form', { comment: 'x'.repeat(300 * 1024) });
      expect(res.status).toBe(413);
      expect(res.text).toContain('What you sent is too large');
    });

    it('when a form has too many fields, then the answer is a 413, not a 500', async () => {
      const agent = new FormAgent(ctx.app);
      await agent.get('/test/form');
      const fields = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`f${i}`, 'x']));
      const res = await agent.post('/test/form', fields);
      expect(res.status).toBe(413);
      expect(res.text).toContain('The form has too many fields.');
    });

    it('when form fields look like nested objects or prototype keys, then they stay flat strings', async () => {
      const agent = new FormAgent(ctx.app);
      await agent.get('/test/form');
      const res = await agent.post('/test/form', {
        'email[$ne]': 'x',
        __proto__: 'y',
        'a[b][c]': 'z',
      } as never);
      expect(res.status).toBe(200);
      const received = res.body.received as Record<string, unknown>;
      expect(received['email[$ne]']).toBe('x');
      expect(received['a[b][c]']).toBe('z');
      expect(received.email).toBeUndefined();
      expect(({} as Record<string, unknown>).y).toBeUndefined();
    });
  });

  describe('CSRF protection', () => {
    it('when a POST has no token, then it is refused with 403', async () => {
      const res = await request(ctx.app).post('/test/form').type('form').send('name=x');
      expect(res.status).toBe(403);
      expect(res.text).toContain('This form has expired or was not sent from this site');
    });

    it('when a POST carries the token of its session, then it goes through', async () => {
      const agent = new FormAgent(ctx.app);
      await agent.get('/test/form');
      const res = await agent.post('/test/form', { name: 'Ada' });
      expect(res.status).toBe(200);
      expect(res.body.received).toMatchObject({ name: 'Ada' });
    });

    it("when a POST carries another session's token, then it is refused", async () => {
      const victim = new FormAgent(ctx.app);
      const page = await victim.get('/test/form');
      const stolen = /value="([^"]+)"/.exec(page.text)?.[1] as string;
      const attacker = new FormAgent(ctx.app);
      await attacker.get('/test/form');
      const res = await attacker.agent.post('/test/form').type('form').send({ _csrf: stolen, name: 'x' });
      expect(res.status).toBe(403);
    });

    it('when a JSON request sends the token in the X-CSRF-Token header, then it goes through', async () => {
      const agent = new FormAgent(ctx.app);
      const page = await agent.get('/test/form');
      const token = /value="([^"]+)"/.exec(page.text)?.[1] as string;
      const res = await agent.agent.post('/api/test/echo').set('X-CSRF-Token', token).send({ a: 1 });
      expect(res.status).toBe(200);
    });
  });

  describe('baseline', () => {
    it('when a page is served, then the CSP forbids inline scripts and styles and no session is created', async () => {
      const res = await request(ctx.app).get('/');
      const csp = res.headers['content-security-policy'] as string;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.text).not.toMatch(/<script>(?!<\/script>)|style="/);
    });

    it('when the stylesheet and fonts are requested, then they are served locally', async () => {
      const css = await request(ctx.app).get('/public/css/agora.css');
      expect(css.status).toBe(200);
      expect(css.text).toContain('--color-focus');
      const font = await request(ctx.app).get('/public/fonts/lato/lato-latin-700-normal.woff2');
      expect(font.status).toBe(200);
    });

    it('when /healthz and /readyz are asked with the database up, then both answer 200', async () => {
      expect((await request(ctx.app).get('/healthz')).body).toEqual({ status: 'ok' });
      const ready = await request(ctx.app).get('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body.checks.database).toBe('ok');
    });
  });
});
