/**
 * Security class: sessions. A signed-in respondent whose session ends while they answer keeps the page they send:
 * it is saved to their own draft (never submitted), they are told so in their language and asked to sign in, and
 * signing in brings them back to that page with their answers. The CSRF check is not weakened: the page is saved
 * only with the proof that this site rendered the form for that user (surveys/session-rescue.ts); a forged request,
 * a tampered proof or an attacker's own proof saves nothing of the victim's, and a live session still needs its token.
 */
import { FormAgent } from '../support/agent';
import { buildTestApp, type TestApp } from '../support/app';
import { createSurvey } from '../support/factories/surveys';
import { signInAs, signInWithForm, type SignedInUser } from '../support/sign-in';
import type { SurveysService } from '../../src/modules/surveys';
import { SESSIONS_COLLECTION } from '../../src/platform/http/session-store';

function rescueTokenFrom(html: string): string | undefined {
  return /name="_respondent" value="([^"]+)"/.exec(html)?.[1];
}
function csrfFrom(html: string): string | undefined {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
}

describe('a signed-in respondent whose session ends mid-survey', () => {
  let ctx: TestApp;
  let surveys: SurveysService;
  let surveyId: string;

  beforeAll(async () => {
    ctx = await buildTestApp();
    const made = await createSurvey(ctx);
    surveyId = made.survey.id;
    surveys = ctx.composition.surveys;
  });
  afterAll(() => ctx.close());

  /** Ends every session now, as the idle timeout would. */
  async function expireSessions() {
    await ctx.db.connection.collection(SESSIONS_COLLECTION).deleteMany({});
  }

  /** A respondent with the first page open: their browser, and the tokens of that page's form. */
  async function respondentOnFirstPage(lang: 'en' | 'fr' = 'en') {
    const { agent, user } = await signInAs(ctx, { locale: lang });
    agent.agent.set('Accept-Language', lang);
    const page = await agent.agent.get(`/surveys/${surveyId}/pages/s1`);
    expect(page.status).toBe(200);
    return {
      agent,
      user,
      csrf: csrfFrom(page.text) as string,
      proof: rescueTokenFrom(page.text) as string,
    };
  }

  function postPage(
    agent: FormAgent,
    fields: Record<string, string>,
    path = `/surveys/${surveyId}/pages/s1`,
  ) {
    return agent.agent.post(path).type('form').send(fields);
  }

  it('when they press Continue after it ended, then the page is saved, they are asked to sign in, and come back to it', async () => {
    const { agent, user, csrf, proof } = await respondentOnFirstPage();
    expect(proof).toBeTruthy();
    await expireSessions();

    const res = await postPage(agent, {
      _csrf: csrf,
      _respondent: proof,
      q_likes: 'yes',
      q_why: 'Shade in summer',
      action: 'next',
    });
    expect(res.status).toBe(401);
    expect(res.text).toContain('Your session has ended');
    expect(res.text).toContain('What you entered on this page is saved');
    const returnTo = `/surveys/${surveyId}/pages/s1`;
    expect(res.text).toContain(`/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
    // Saved as a draft of this user, not submitted; the answers are nowhere in a URL.
    const draft = await surveys.findDraft(surveyId, `user:${user.id}`);
    expect(draft?.answers).toEqual(expect.objectContaining({ likes: 'yes', why: 'Shade in summer' }));
    expect(await surveys.findSubmitted(surveyId, `user:${user.id}`)).toBeNull();
    expect(res.headers.location).toBeUndefined();

    // Signing in again returns to the same page, with what they typed.
    await agent.get(`/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
    const signIn = await agent.post('/sign-in', { email: user.email, password: user.password, returnTo });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.location).toBe(returnTo);
    const back = await agent.agent.get(returnTo);
    expect(back.status).toBe(200);
    expect(back.text).toMatch(/value="yes" checked/);
    expect(back.text).toContain('Shade in summer');
  });

  it('when it ends on “Check your answers”, then nothing is lost or sent, and the message is in their language', async () => {
    const { agent, user, csrf } = await respondentOnFirstPage('fr');
    await postPage(agent, { _csrf: csrf, q_likes: 'no', action: 'next' });
    const change = await postPage(
      agent,
      { _csrf: csrf, q_change: 'Plus de parcs', action: 'next' },
      `/surveys/${surveyId}/pages/s2`,
    );
    expect(change.status).toBe(303);
    const check = await agent.agent.get(`/surveys/${surveyId}/check`);
    const proof = rescueTokenFrom(check.text) as string;
    expect(proof).toBeTruthy();
    await expireSessions();
    const res = await agent.agent
      .post(`/surveys/${surveyId}/check`)
      .type('form')
      .send({ _csrf: csrfFrom(check.text) as string, _respondent: proof });
    expect(res.status).toBe(401);
    expect(res.text).toContain('Votre session a pris fin');
    expect(res.text).toContain('pas encore envoyées');
    expect(await surveys.findSubmitted(surveyId, `user:${user.id}`)).toBeNull();
    const draft = await surveys.findDraft(surveyId, `user:${user.id}`);
    expect(draft?.answers).toEqual(expect.objectContaining({ likes: 'no', change: 'Plus de parcs' }));
  });

  describe('the CSRF check is not weakened', () => {
    let victim: SignedInUser;
    let victimProof: string;

    beforeAll(async () => {
      const first = await respondentOnFirstPage();
      victim = first.user;
      victimProof = first.proof;
      await postPage(first.agent, { _csrf: first.csrf, q_likes: 'no', action: 'save' });
    });

    async function victimDraft() {
      return (await surveys.findDraft(surveyId, `user:${victim.id}`))?.answers;
    }

    it('when a browser without a session posts without a proof, then it is the CSRF refusal and nothing is saved', async () => {
      const before = await victimDraft();
      const stranger = new FormAgent(ctx.app);
      const res = await postPage(stranger, { q_likes: 'yes', action: 'next' });
      expect(res.status).toBe(403);
      expect(await victimDraft()).toEqual(before);
    });

    it('when the proof is tampered with (another user id, another survey, a changed signature), then 403', async () => {
      const [, expires, mac] = victimProof.split('.');
      const otherUser = `${'0'.repeat(23)}1.${expires}.${mac}`;
      const otherMac = `${victim.id}.${expires}.${(mac as string).slice(0, -2)}AA`;
      const later = `${victim.id}.${Number(expires) + 1000}.${mac}`;
      for (const forged of [otherUser, otherMac, later, 'x', '']) {
        const res = await postPage(new FormAgent(ctx.app), {
          _respondent: forged,
          q_likes: 'yes',
          action: 'next',
        });
        expect([forged, res.status]).toEqual([forged, 403]);
      }
      const { survey: other } = await createSurvey(ctx);
      const wrongSurvey = await postPage(
        new FormAgent(ctx.app),
        { _respondent: victimProof, q_likes: 'yes', action: 'next' },
        `/surveys/${other.id}/pages/s1`,
      );
      expect(wrongSurvey.status).toBe(403);
      expect(await victimDraft()).toEqual(expect.objectContaining({ likes: 'no' }));
    });

    it('when an attacker sends their own proof, then only their own draft can change', async () => {
      const attacker = await respondentOnFirstPage();
      const res = await postPage(new FormAgent(ctx.app), {
        _respondent: attacker.proof,
        q_likes: 'yes',
        q_why: 'forged',
        action: 'next',
      });
      expect(res.status).toBe(401);
      expect(await victimDraft()).toEqual(expect.objectContaining({ likes: 'no' }));
      expect((await surveys.findDraft(surveyId, `user:${attacker.user.id}`))?.answers).toEqual(
        expect.objectContaining({ likes: 'yes', why: 'forged' }),
      );
    });

    it('when the session is still alive, then a wrong CSRF token is refused even with a genuine proof', async () => {
      const agent = await signInWithForm(ctx, victim);
      const page = await agent.agent.get(`/surveys/${surveyId}/pages/s1`);
      const proof = rescueTokenFrom(page.text) as string;
      const res = await postPage(agent, {
        _csrf: 'wrong',
        _respondent: proof,
        q_likes: 'yes',
        action: 'next',
      });
      expect(res.status).toBe(403);
      expect(await victimDraft()).toEqual(expect.objectContaining({ likes: 'no' }));
    });
  });
});
