/**
 * Security class: injection and strictness at the edges. What the API accepts is exactly what it documents (forged
 * fields are refused, not dropped), and what it serves is safe to render: rich text is the sanitised HTML the pages
 * show, and feed descriptions decode to HTML in which markup from a summary is text.
 */
import { XMLParser } from 'fast-xml-parser';
import { Types } from 'mongoose';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import { createRoundAndConsultation } from '../support/factories/consultations';
import { createSurvey } from '../support/factories/surveys';

const HOSTILE_MARKDOWN = [
  '## Context',
  '',
  'Read [the plan](javascript:alert(document.cookie)) and [the annex](https://example.ca/annex).',
  '',
  '<iframe srcdoc="<script>parent.alert(1)</script>"></iframe>',
  '',
  '<a href="javascript:alert(2)" onclick="alert(3)">click</a> <img src=x onerror=alert(4)>',
].join('\n');

describe('injection and strictness', () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(() => ctx.close());

  describe('survey API submissions', () => {
    const valid = {
      answers: { likes: 'no', change: 'More trains', score: 5 },
      sector: 'civil_society',
      region: 'ON',
    };
    const count = (surveyId: string) =>
      ctx.db.connection.collection('responses').countDocuments({ surveyId: new Types.ObjectId(surveyId) });

    it.each([
      ['submittedAt', { submittedAt: '2016-01-01T00:00:00Z' }],
      ['status', { status: 'draft' }],
      ['respondentKey', { respondentKey: 'user:someone-else' }],
      ['surveyVersion', { surveyVersion: 99 }],
      ['userId', { userId: '0123456789abcdef01234567' }],
      ['__proto__', JSON.parse('{"__proto__": {"status": "draft"}}') as object],
    ])(
      'when a submission also sends %s, then it is refused with a 400 problem naming it and nothing is stored',
      async (field, extra) => {
        const { survey } = await createSurvey(ctx);
        const res = await request(ctx.app)
          .post(`/api/v1/surveys/${survey.id}/responses`)
          .set('Idempotency-Key', `forged-${field.replace(/_/g, 'u')}-0001`)
          .set('Content-Type', 'application/json')
          .send(JSON.stringify({ ...valid, ...extra }));
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        const problem = JSON.parse(res.text) as { status: number; detail: string };
        expect(problem.status).toBe(400);
        expect(problem.detail).toContain(`These fields are not accepted: ${field}.`);
        expect(await count(survey.id)).toBe(0);
      },
    );

    it('when several unknown fields are sent, then the problem names each, in French when asked', async () => {
      const { survey } = await createSurvey(ctx);
      const res = await request(ctx.app)
        .post(`/api/v1/surveys/${survey.id}/responses?lang=fr`)
        .set('Idempotency-Key', 'forged-several-0001')
        .send({ ...valid, status: 'submitted', channel: 'paper' });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).detail).toContain(
        'Ces champs ne sont pas acceptés\u00a0: status, channel.',
      );
    });

    it('when answers is not an object, then the problem names the field', async () => {
      const { survey } = await createSurvey(ctx);
      const res = await request(ctx.app)
        .post(`/api/v1/surveys/${survey.id}/responses`)
        .set('Idempotency-Key', 'bad-answers-0001')
        .send({ answers: 'yes' });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).detail).toContain('The field “answers” is missing or has the wrong type.');
    });

    it('when only the documented fields are sent, then the response is stored', async () => {
      const { survey } = await createSurvey(ctx);
      const res = await request(ctx.app)
        .post(`/api/v1/surveys/${survey.id}/responses`)
        .set('Idempotency-Key', 'clean-submission-0001')
        .send(valid);
      expect(res.status).toBe(201);
      expect(await count(survey.id)).toBe(1);
    });
  });

  describe('rich text in the consultations API', () => {
    it('when a description holds raw HTML and javascript: links, then the API serves the sanitised HTML of the page', async () => {
      const { consultation } = await createRoundAndConsultation(ctx, {
        round: { slug: 'injection-round' },
        consultation: { slug: 'hostile-body', body: { en: HOSTILE_MARKDOWN, fr: HOSTILE_MARKDOWN } },
      });
      const res = await request(ctx.app).get(`/api/v1/consultations/${consultation.slug}`);
      expect(res.status).toBe(200);
      const { body, bodyText } = res.body.data as {
        body: { en: string; fr: string };
        bodyText: { en: string };
      };
      for (const html of [body.en, body.fr]) {
        // Every real tag (text "<" is escaped as &lt;) is one of the allowed ones, with safe attributes only.
        const tags = [...html.matchAll(/<([a-zA-Z][\w-]*)([^>]*)>/g)];
        expect(tags.length).toBeGreaterThan(0);
        for (const [, name, attributes] of tags) {
          expect(['h2', 'p', 'a']).toContain(name);
          for (const [, attribute, value] of (attributes ?? '').matchAll(/([\w-]+)="([^"]*)"/g)) {
            expect(['href', 'rel']).toContain(attribute);
            if (attribute === 'href') expect(value).toMatch(/^https:\/\//);
          }
        }
        // The raw HTML is shown as text, as on the page.
        expect(html).toContain('&lt;iframe srcdoc=');
        expect(html).toContain('<h2>Context</h2>');
        expect(html).toContain('<a href="https://example.ca/annex" rel="nofollow noopener">the annex</a>');
      }
      // Exactly what the consultation page renders.
      const page = await request(ctx.app).get(`/consultations/${consultation.slug}`);
      expect(page.text).toContain(body.en);
      expect(bodyText.en).toContain('Read the plan and the annex.');

      const list = await request(ctx.app).get('/api/v1/consultations?round=injection-round');
      expect((list.body.data as { body: { en: string } }[])[0]?.body.en).toBe(body.en);
    });
  });

  describe('RSS descriptions', () => {
    it('when a summary has markup and ampersands, then the description decodes to HTML in which they are text', async () => {
      await createRoundAndConsultation(ctx, {
        round: { slug: 'feed-round' },
        consultation: {
          slug: 'feed-markup',
          summary: { en: 'Trains & buses <b>now</b> <script>alert(1)</script>', fr: 'Trains et bus' },
        },
      });
      const res = await request(ctx.app).get('/feeds/consultations/en.rss');
      expect(res.status).toBe(200);
      const parsed = new XMLParser().parse(res.text) as {
        rss: { channel: { item: { description: string } | { description: string }[] } };
      };
      const items = [parsed.rss.channel.item].flat();
      const description = items.map((i) => i.description).find((d) => d.startsWith('Trains'));
      expect(description).toMatch(
        /^Trains &amp; buses &lt;b&gt;now&lt;\/b&gt; &lt;script&gt;alert\(1\)&lt;\/script&gt; /,
      );
      expect(res.text).not.toMatch(/<script>|&lt;script&gt;/);
    });
  });
});
