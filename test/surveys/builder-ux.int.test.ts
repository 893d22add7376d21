import request from 'supertest';
import type { FormAgent } from '../support/agent';
import { buildTestApp, type TestApp } from '../support/app';
import { createSurvey, surveysServiceFor } from '../support/factories/surveys';
import { signInAs } from '../support/sign-in';
import { conditionAnswerId } from './builder-helpers';

describe('survey builder: conditions by answer, confirmations, layout', () => {
  let ctx: TestApp;

  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(() => ctx.close());

  async function officer(): Promise<FormAgent> {
    return (await signInAs(ctx, { roles: ['officer'] })).agent;
  }
  const submit = (surveyId: string, key: string) =>
    request(ctx.app)
      .post(`/api/v1/surveys/${surveyId}/responses`)
      .set('Idempotency-Key', key)
      .send({ answers: { likes: 'no', change: 'x' }, sector: 'civil_society', region: 'ON' });

  it('when an officer makes a question conditional, then they pick the question and tick its answers by label, without ids', async () => {
    const { survey } = await createSurvey(ctx, { status: 'draft' });
    const agent = await officer();
    const form = await agent.get(`/manage/surveys/${survey.id}/sections/s3/questions/new?type=short_text`);
    expect(form.status).toBe(200);
    // earlier questions by their labels; matrix and ranking cannot be compared, so they are not offered
    expect(form.text).toContain('<option value="likes">Do you like the plan?</option>');
    // no question chosen yet: every answer group is hidden and disabled (sends nothing), none is an id to type
    expect(form.text).toMatch(/data-condition-for="likes" hidden disabled/);
    expect(form.text).not.toContain('<code>');
    expect(form.text).toContain('Show its answers');

    // without JavaScript: "Show its answers" sends the form back, unsaved, with the chosen question's answers
    const refreshed = await agent.post(`/manage/surveys/${survey.id}/sections/s3/questions?type=short_text`, {
      questionId: 'follow',
      labelEn: 'Tell us why',
      labelFr: 'Dites-nous pourquoi',
      maxLength: '100',
      showIfQuestion: 'likes',
      conditionRefresh: '1',
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.text).toMatch(/data-condition-for="likes" id="showIfValues"/);
    expect(refreshed.text).toContain('<label for="showIf-likes-1">No</label>');
    expect(refreshed.text).toContain('value="Tell us why"');
    const service = await surveysServiceFor(ctx);
    expect((await service.getSurvey(survey.id)).definition.sections[2]?.questions).toHaveLength(1);

    // nothing ticked: asked to choose an answer, in words
    const none = await agent.post(`/manage/surveys/${survey.id}/sections/s3/questions?type=short_text`, {
      questionId: 'follow',
      labelEn: 'Tell us why',
      labelFr: 'Dites-nous pourquoi',
      maxLength: '100',
      showIfQuestion: 'likes',
      showIfOperator: 'one_of',
    });
    expect(none.status).toBe(422);
    expect(none.text).toContain('href="#showIfValues"');
    expect(none.text).toContain('Choose at least one answer (or type one) to compare with.');

    const saved = await agent.post(`/manage/surveys/${survey.id}/sections/s3/questions?type=short_text`, {
      questionId: 'follow',
      labelEn: 'Tell us why',
      labelFr: 'Dites-nous pourquoi',
      maxLength: '100',
      showIfQuestion: 'likes',
      showIfOperator: 'one_of',
      showIfValues: conditionAnswerId(refreshed.text, 'likes', 'No'),
    });
    expect(saved.status).toBe(303);
    const stored = (await service.getSurvey(survey.id)).definition.sections[2]?.questions[1];
    expect(stored?.showIf).toEqual({ questionId: 'likes', operator: 'one_of', values: ['no'] });

    // the form shows the saved condition ticked; the overview says it in words, with the page path
    const edit = await agent.get(`/manage/surveys/${survey.id}/questions/follow`);
    expect(edit.text).toMatch(/id="showIf-likes-1" name="showIfValues" value="no" checked/);
    const overview = await agent.get(`/manage/surveys/${survey.id}`);
    expect(overview.text).toContain('Shown only if the answer to “Do you like the plan?” is “No”.');
    expect(overview.text).toContain('<h2 id="path">Page path</h2>');
    expect(overview.text).toMatch(
      /Page 2: What to change<\/span> <span class="builder-path__condition">Shown only if the answer to “Do you like the plan\?” is “No”\./,
    );
    expect(overview.text).toContain('Check your answers');

    await agent.agent.get('/?lang=fr');
    const french = await agent.get(`/manage/surveys/${survey.id}`);
    expect(french.text).toContain(
      'Affiché seulement si la réponse à «\u00a0Aimez-vous le plan?\u00a0» est «\u00a0Non\u00a0».',
    );
  });

  it('when the chosen question changes and old answers are still ticked, then they are dropped and the officer is asked to choose', async () => {
    const { survey } = await createSurvey(ctx, { status: 'draft' });
    const agent = await officer();
    await agent.get(`/manage/surveys/${survey.id}/questions/change`);
    const res = await agent.post(`/manage/surveys/${survey.id}/questions/change`, {
      labelEn: 'What would you change?',
      labelFr: 'Que changeriez-vous?',
      maxLength: '200',
      required: 'yes',
      showIfQuestion: 'why',
      showIfOperator: 'contains',
      showIfValues: 'budget',
    });
    // a text question: the typed value is compared with the answer (not an id), so it is accepted
    expect(res.status).toBe(303);
    const service = await surveysServiceFor(ctx);
    expect((await service.getSurvey(survey.id)).definition.sections[1]?.questions[0]?.showIf).toEqual({
      questionId: 'why',
      operator: 'contains',
      values: ['budget'],
    });
    const stale = await agent.post(`/manage/surveys/${survey.id}/questions/change`, {
      labelEn: 'What would you change?',
      labelFr: 'Que changeriez-vous?',
      maxLength: '200',
      showIfQuestion: 'likes',
      showIfValues: 'budget',
    });
    expect(stale.status).toBe(422);
    expect(stale.text).not.toContain('“budget” is not an answer');
    expect(stale.text).toContain('Choose at least one answer (or type one) to compare with.');
  });

  it('when the builder is shown, then Publish is the one main button, deletes are links and edges have no impossible moves', async () => {
    const { survey } = await createSurvey(ctx, { status: 'draft' });
    const agent = await officer();
    const page = await agent.get(`/manage/surveys/${survey.id}`);
    expect(page.text.match(/class="button"/g)).toHaveLength(1);
    expect(page.text).toMatch(/<button class="button" type="submit">Publish<\/button>/);
    expect(page.text).not.toContain('button--danger');
    // "likes" is the first question of the survey, "score" the last: no move beyond the ends
    expect(page.text).not.toContain('Move up<span class="visually-hidden"> “Do you like the plan?”');
    expect(page.text).not.toContain('Move down<span class="visually-hidden"> “How important is this?”');
    expect(page.text).toContain('Move down<span class="visually-hidden"> “Do you like the plan?”');
    // at a page's edge, a move goes to the next page, and says so
    expect(page.text).toContain('Move to page 3<span class="visually-hidden"> “What would you change?”');
    expect(page.text).toContain('Move to page 2<span class="visually-hidden"> “How important is this?”');
    expect(page.text).not.toContain('Move up<span class="visually-hidden"> (Page 1)');
    expect(page.text).not.toContain('Move down<span class="visually-hidden"> (Page 3)');

    const form = await agent.get(`/manage/surveys/${survey.id}/questions/likes`);
    expect(form.text).toContain(
      '<label class="visually-hidden" for="option_0_en">Option 1 (English)</label>',
    );
    expect(form.text).not.toContain('Options 1');
  });

  it('when a question of a published survey with responses is deleted, then a confirmation says what happens to the answers first', async () => {
    const { survey } = await createSurvey(ctx);
    expect((await submit(survey.id, 'builder-ux-1')).status).toBe(201);
    const agent = await officer();
    const overview = await agent.get(`/manage/surveys/${survey.id}`);
    expect(overview.text).toContain(`href="/manage/surveys/${survey.id}/questions/change/delete"`);

    const confirm = await agent.get(`/manage/surveys/${survey.id}/questions/change/delete`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('<h1>Delete the question “What would you change?”?</h1>');
    expect(confirm.text).toContain('This survey has 1 submitted response.');
    expect(confirm.text).toContain('Answers already given to this question are kept with version 1');
    expect(confirm.text).toContain('name="confirm" value="yes"');

    // a POST without the confirmation deletes nothing and goes to the confirmation page
    const unconfirmed = await agent.post(`/manage/surveys/${survey.id}/questions/change/delete`);
    expect(unconfirmed.status).toBe(303);
    expect(unconfirmed.headers.location).toBe(`/manage/surveys/${survey.id}/questions/change/delete`);
    const service = await surveysServiceFor(ctx);
    expect((await service.getSurvey(survey.id)).definition.sections[1]?.questions).toHaveLength(1);

    const done = await agent.post(`/manage/surveys/${survey.id}/questions/change/delete`, { confirm: 'yes' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`/manage/surveys/${survey.id}?done=questionDeleted#sections`);
    const after = await service.getSurvey(survey.id);
    expect(after.definition.sections[1]?.questions).toHaveLength(0);
    expect(after.version).toBe(2);
    expect((await service.definitionFor(survey.id, 1)).sections[1]?.questions).toHaveLength(1);
  });

  it('when a page is deleted, then a confirmation comes first, in French too', async () => {
    const { survey } = await createSurvey(ctx, { status: 'draft' });
    const agent = await officer();
    await agent.get(`/manage/surveys/${survey.id}`);
    await agent.agent.get('/?lang=fr');
    const fr = await agent.get(`/manage/surveys/${survey.id}/sections/s3/delete`);
    expect(fr.text).toContain('<h1>Supprimer la page 3 «\u00a0Priorités\u00a0»?</h1>');
    expect(fr.text).toContain('Sa question (1) sera aussi supprimée.');
    await agent.agent.get('/?lang=en');
    const en = await agent.get(`/manage/surveys/${survey.id}/sections/s3/delete`);
    expect(en.text).toContain('<h1>Delete page 3 “Priorities”?</h1>');
    expect(en.text).toContain(`href="/manage/surveys/${survey.id}#section-s3">Cancel, go back</a>`);
    const unconfirmed = await agent.post(`/manage/surveys/${survey.id}/sections/s3/delete`);
    expect(unconfirmed.headers.location).toBe(`/manage/surveys/${survey.id}/sections/s3/delete`);
    const service = await surveysServiceFor(ctx);
    expect((await service.getSurvey(survey.id)).definition.sections).toHaveLength(3);
    await agent.post(`/manage/surveys/${survey.id}/sections/s3/delete`, { confirm: 'yes' });
    expect((await service.getSurvey(survey.id)).definition.sections.map((s) => s.id)).toEqual(['s1', 's2']);
  });

  it('when a survey is closed, then a confirmation with its response counts comes first', async () => {
    const { survey } = await createSurvey(ctx);
    await submit(survey.id, 'builder-ux-close');
    const agent = await officer();
    const overview = await agent.get(`/manage/surveys/${survey.id}`);
    expect(overview.text).toContain(`<a class="link--warning" href="/manage/surveys/${survey.id}/close">`);
    const confirm = await agent.get(`/manage/surveys/${survey.id}/close`);
    expect(confirm.text).toContain('<h1>Close “Budget survey”?</h1>');
    expect(confirm.text).toContain('It has 1 submitted response, which is kept.');
    expect(confirm.text).toContain('cannot be opened again');
    const unconfirmed = await agent.post(`/manage/surveys/${survey.id}/close`);
    expect(unconfirmed.headers.location).toBe(`/manage/surveys/${survey.id}/close`);
    const service = await surveysServiceFor(ctx);
    expect((await service.getSurvey(survey.id)).status).toBe('published');
    const closed = await agent.post(`/manage/surveys/${survey.id}/close`, { confirm: 'yes' });
    expect(closed.headers.location).toBe(`/manage/surveys/${survey.id}?done=closed`);
    expect((await service.getSurvey(survey.id)).status).toBe('closed');
    // the confirmation of a survey that is no longer open leads back to the survey
    expect((await agent.get(`/manage/surveys/${survey.id}/close`)).headers.location).toBe(
      `/manage/surveys/${survey.id}`,
    );
  });
});
