/**
 * Security class: bad input. Whatever a client sends (an oversized token, a JSON object where a form has text), the
 * answer is a clear 4xx in the user's language, never a 500, and nothing is written.
 */
import request from 'supertest';
import { csrfTokenFrom } from '../support/agent';
import { buildTestApp, type TestApp } from '../support/app';
import { createRoundAndConsultation } from '../support/factories/consultations';
import { createSurvey } from '../support/factories/surveys';
import { agentAs, userAs } from '../support/sign-in';

describe('bad input', () => {
  let ctx: TestApp;
  let surveyId: string;
  let roundId: string;
  let consultationId: string;
  let consultationSlug: string;
  let commentId: string;

  beforeAll(async () => {
    ctx = await buildTestApp();
    const { survey } = await createSurvey(ctx);
    surveyId = survey.id;
    const { round, consultation } = await createRoundAndConsultation(ctx, {
      round: { slug: 'bad-input-round' },
    });
    roundId = round.id;
    consultationId = consultation.id;
    consultationSlug = consultation.slug;
    // A real comment of the officer's organisation: a comment they may not moderate would be a 404 before any parsing.
    const author = await userAs(ctx, 'participant:bad-input');
    commentId = (
      await ctx.consultations.comments.postComment({
        consultation,
        user: { ...author, roles: ['participant'] },
        body: 'A comment to moderate',
        submissionId: 'bad-input-comment',
      })
    ).id;
  });
  afterAll(() => ctx.close());

  describe('oversized tokens', () => {
    it.each([
      ['resume', 101],
      ['resume', 5000],
      ['invitation', 101],
      ['invitation', 5000],
    ])(
      'when a %s link has a %d-character token, then the answer is a clean 404 page',
      async (kind, length) => {
        const res = await request(ctx.app)
          .get(`/surveys/${surveyId}/${kind}/${'a'.repeat(length)}`)
          .set('Accept-Language', 'fr');
        expect(res.status).toBe(404);
        expect(res.headers['content-type']).toMatch(/text\/html/);
        expect(res.text).toContain('<html lang="fr">');
        // The page says what is wrong with the link, in the user's language.
        expect(res.text).toContain(
          kind === 'resume' ? 'Ce lien pour reprendre un sondage' : 'Ce lien d’invitation',
        );
      },
    );
  });

  describe('JSON bodies with object values', () => {
    /** A signed-in browser tab of `who`, and the CSRF token of its session (sent as X-CSRF-Token with JSON). */
    async function jsonClient(who: string, formPage: string) {
      const agent = await agentAs(ctx, who);
      const token = csrfTokenFrom((await agent.agent.get(formPage)).text);
      if (!token) throw new Error(`no form at ${formPage}`);
      return (path: string, body: unknown) =>
        agent.agent
          .post(path)
          .set('X-CSRF-Token', token)
          .set('Accept-Language', 'en')
          .send(body as object);
    }

    const roundBody = (field: string, value: unknown) => ({
      slug: 'x-round',
      titleEn: 'Round',
      titleFr: 'Cycle',
      startsOn: '2027-01-01T09:00',
      endsOn: '2027-06-01T09:00',
      status: 'planned',
      [field]: value,
    });
    const consultationBody = (field: string, value: unknown) => ({
      slug: 'x-consultation',
      roundId,
      titleEn: 'Title',
      titleFr: 'Titre',
      [field]: value,
    });

    it.each([
      ['POST /officer/rounds', () => '/officer/rounds', roundBody('titleEn', { $gt: '' }), 'titleEn'],
      ['POST /officer/rounds/:id', () => `/officer/rounds/${roundId}`, roundBody('slug', { a: 1 }), 'slug'],
      [
        'POST /officer/consultations',
        () => '/officer/consultations',
        consultationBody('bodyEn', { x: 1 }),
        'bodyEn',
      ],
      [
        'POST /officer/consultations/:id',
        () => `/officer/consultations/${consultationId}`,
        consultationBody('themes', { $ne: null }),
        'themes',
      ],
      [
        'POST /officer/consultations (a number)',
        () => '/officer/consultations',
        consultationBody('summaryEn', 12),
        'summaryEn',
      ],
      [
        'POST /officer/comments/:id/reply',
        () => `/officer/comments/${commentId}/reply`,
        { reply: { a: 1 } },
        'reply',
      ],
      [
        'POST /officer/comments/:id/hide',
        () => `/officer/comments/${commentId}/hide`,
        { reason: { a: 1 } },
        'reason',
      ],
    ])(
      'when an officer sends %s with an object value, then it is a 400 naming the field',
      async (_name, path, body, field) => {
        const post = await jsonClient('officer', '/officer/rounds/new');
        const res = await post(path(), body);
        expect(res.status).toBe(400);
        expect(res.text).toContain(`The field “${field}” must be text`);
      },
    );

    it('when a participant comments with an object value, then it is a 400 naming the field and nothing is stored', async () => {
      const post = await jsonClient('participant:carla', `/consultations/${consultationSlug}`);
      const res = await post(`/consultations/${consultationSlug}/comments`, {
        comment: { $gt: '' },
        submissionId: 'x',
      });
      expect(res.status).toBe(400);
      expect(res.text).toContain('The field “comment” must be text');
      const page = await request(ctx.app).get(`/consultations/${consultationSlug}`);
      expect(page.text).not.toContain('$gt');
      expect(await ctx.db.connection.collection('comments').countDocuments()).toBe(0);
    });

    it('when the message is asked for in French, then it is in French', async () => {
      const post = await jsonClient('officer', '/officer/rounds/new');
      const res = await post('/officer/rounds?lang=fr', roundBody('titleFr', { a: 1 }));
      expect(res.status).toBe(400);
      expect(res.text).toContain('<html lang="fr">');
      expect(res.text).toContain('Le champ «\u00a0titleFr\u00a0» doit être du texte');
    });
  });
});
