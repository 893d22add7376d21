import request from 'supertest';
import { FormAgent } from '../support/agent';
import { type TestApp, startAppWithSmtp, closeAppWithSmtp } from '../support/app';
import { createRoundAndConsultation } from '../support/factories/consultations';
import { createSurvey, surveysServiceFor } from '../support/factories/surveys';
import { type TestSmtpServer } from '../support/smtp';
import { signInAs } from '../support/sign-in';
import { conditionAnswerId } from './builder-helpers';

describe('survey builder for officers', () => {
  let smtp: TestSmtpServer;
  let ctx: TestApp;

  beforeAll(async () => ({ ctx, smtp } = await startAppWithSmtp()));
  afterAll(() => closeAppWithSmtp(ctx, smtp));

  async function officer(): Promise<FormAgent> {
    return (await signInAs(ctx, { roles: ['officer'] })).agent;
  }
  const idFrom = (location: string | undefined) =>
    /\/manage\/surveys\/([a-f0-9]{24})/.exec(location ?? '')?.[1] as string;

  it('when a participant or a visitor opens the builder, then they are refused or sent to sign in', async () => {
    expect((await request(ctx.app).get('/manage/surveys')).headers.location).toBe(
      '/sign-in?returnTo=%2Fmanage%2Fsurveys',
    );
    const { agent: participant } = await signInAs(ctx, { roles: ['participant'] });
    expect((await participant.get('/manage/surveys')).status).toBe(403);
  });

  it('when an officer builds a survey page by page, then publishing waits for French and then it can be answered', async () => {
    const { consultation } = await createRoundAndConsultation(ctx);
    const agent = await officer();
    const list = await agent.get('/manage/surveys');
    expect(list.text).toContain(consultation.title.en);
    const missing = await agent.post('/manage/surveys', { consultationId: '', titleEn: '', titleFr: '' });
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('href="#consultationId"');

    const created = await agent.post('/manage/surveys', {
      consultationId: consultation.id,
      titleEn: 'Transit survey',
      titleFr: '',
    });
    expect(created.status).toBe(303);
    const id = idFrom(created.headers.location);
    const overview = await agent.get(`/manage/surveys/${id}`);
    expect(overview.text).toContain('Transit survey');
    const firstSection = /\/sections\/([a-z0-9]+)\/questions\/new/.exec(overview.text)?.[1] as string;

    // a single-choice question, with options as rows of inputs
    const form = await agent.get(
      `/manage/surveys/${id}/sections/${firstSection}/questions/new?type=single_choice`,
    );
    expect(form.status).toBe(200);
    expect(form.text).toContain('New question: Single choice');
    const add = await agent.post(
      `/manage/surveys/${id}/sections/${firstSection}/questions?type=single_choice`,
      {
        questionId: 'bus',
        labelEn: 'Do you take the bus?',
        labelFr: '',
        required: 'yes',
        option_0_en: 'Yes',
        option_0_fr: 'Oui',
        option_1_en: 'No',
        option_1_fr: '',
        option_2_en: '',
        option_2_fr: '',
      },
    );
    expect(add.status).toBe(303);
    // a follow-up shown only for "yes", pointing back at the first question
    const busYes = conditionAnswerId(
      (await agent.get(`/manage/surveys/${id}/sections/${firstSection}/questions/new?type=long_text`)).text,
      'bus',
      'Yes',
    );
    expect(busYes).toBeDefined();
    const follow = await agent.post(
      `/manage/surveys/${id}/sections/${firstSection}/questions?type=long_text`,
      {
        questionId: 'why',
        labelEn: 'Why?',
        labelFr: 'Pourquoi?',
        maxLength: '300',
        showIfQuestion: 'bus',
        showIfOperator: 'one_of',
        showIfValues: busYes as string,
      },
    );
    expect(follow.status).toBe(303);

    // a bad setting is refused on the form itself, values kept
    const bad = await agent.post(`/manage/surveys/${id}/sections/${firstSection}/questions?type=number`, {
      questionId: 'trips',
      labelEn: 'Trips per week',
      labelFr: 'Trajets par semaine',
      min: '10',
      max: 'five',
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('href="#max"');
    expect(bad.text).toContain('value="five"');

    // deleting a question another depends on is refused with the reason
    const refused = await agent.post(`/manage/surveys/${id}/questions/bus/delete`, { confirm: 'yes' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('The condition refers to a question that does not exist (bus).');

    const publish = await agent.post(`/manage/surveys/${id}/publish`);
    expect(publish.status).toBe(422);
    expect(publish.text).toContain('Survey: The French survey title is missing.');
    expect(publish.text).toContain('Page 1: The French page title is missing.');
    expect(publish.text).toContain(
      'Page 1, question 1 “Do you take the bus?”: The French question text is missing.',
    );
    expect(publish.text).toContain(
      'Page 1, question 1 “Do you take the bus?”: The French text of option 2 is missing.',
    );

    await agent.post(`/manage/surveys/${id}/sections/${firstSection}`, {
      titleEn: 'Travel',
      titleFr: 'Déplacements',
    });
    await agent.post(`/manage/surveys/${id}/questions/bus`, {
      labelEn: 'Do you take the bus?',
      labelFr: 'Prenez-vous l’autobus?',
      required: 'yes',
      option_0_id: busYes as string,
      option_0_en: 'Yes',
      option_0_fr: 'Oui',
      option_1_id: conditionAnswerId(
        (await agent.get(`/manage/surveys/${id}/questions/why`)).text,
        'bus',
        'No',
      ),
      option_1_en: 'No',
      option_1_fr: 'Non',
    });
    const service = await surveysServiceFor(ctx);
    await service.editDefinition(id, { id: 'o', roles: ['officer'] }, (d) => ({
      ...d,
      title: { en: 'Transit survey', fr: 'Sondage sur le transport' },
    }));
    const published = await agent.post(`/manage/surveys/${id}/publish`);
    expect(published.headers.location).toBe(`/manage/surveys/${id}?done=published`);
    expect((await agent.get(`/manage/surveys/${id}?done=published`)).text).toContain(
      'The survey is published.',
    );

    const participant = new FormAgent(ctx.app);
    const page = await participant.get(`/surveys/${id}/pages/${firstSection}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Do you take the bus?');
    const french = await request(ctx.app)
      .get(`/surveys/${id}/pages/${firstSection}`)
      .set('Accept-Language', 'fr');
    expect(french.text).toContain('Prenez-vous l’autobus?');
  });

  it('when questions are moved, then their order changes, across pages at the edges', async () => {
    const { survey } = await createSurvey(ctx, { status: 'draft' });
    const agent = await officer();
    await agent.get(`/manage/surveys/${survey.id}`);
    await agent.post(`/manage/surveys/${survey.id}/questions/score/move`, { direction: 'up' });
    const service = await surveysServiceFor(ctx);
    const moved = await service.getSurvey(survey.id);
    expect(moved.definition.sections[1]?.questions.map((q) => q.id)).toEqual(['change', 'score']);
    await agent.post(`/manage/surveys/${survey.id}/sections/s3/move`, { direction: 'up' });
    expect((await service.getSurvey(survey.id)).definition.sections.map((s) => s.id)).toEqual([
      's1',
      's3',
      's2',
    ]);
  });

  it('when a survey is previewed, exported, re-imported with mistakes, duplicated, then each works and import lists every problem', async () => {
    const { survey } = await createSurvey(ctx);
    const agent = await officer();
    const preview = await agent.get(`/manage/surveys/${survey.id}/preview/s1`);
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Preview: this is how participants see this page');
    expect(preview.text).toContain('Do you like the plan?');

    const exported = await agent.get(`/manage/surveys/${survey.id}/export`);
    expect(exported.headers['content-disposition']).toContain(`survey-${survey.id}.json`);
    const json = JSON.parse(exported.text);
    expect(json.definition.sections).toHaveLength(3);

    json.definition.sections[0].questions[0].type = 'telepathy';
    json.definition.sections[2].showIf = { questionId: 'nope', operator: 'equals', values: ['x'] };
    await agent.get(`/manage/surveys/${survey.id}/import`);
    const refused = await agent.post(`/manage/surveys/${survey.id}/import`, { json: JSON.stringify(json) });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain(
      'definition.sections[0].questions[0].type: This value is not allowed here.',
    );
    const notJson = await agent.post(`/manage/surveys/${survey.id}/import`, { json: '{oops' });
    expect(notJson.text).toContain('This is not valid JSON.');

    json.definition.sections[0].questions[0].type = 'single_choice';
    delete json.definition.sections[2].showIf;
    json.definition.title.en = 'Imported title';
    const upload = await agent.agent
      .post(
        `/manage/surveys/${survey.id}/import?_csrf=${encodeURIComponent(/name="_csrf" value="([^"]+)"/.exec(notJson.text)?.[1] ?? '')}`,
      )
      .attach('file', Buffer.from(JSON.stringify(json)), 'survey.json');
    expect(upload.status).toBe(303);
    const service = await surveysServiceFor(ctx);
    expect((await service.getSurvey(survey.id)).definition.title.en).toBe('Imported title');

    const copy = await agent.post(`/manage/surveys/${survey.id}/duplicate`);
    const copyId = idFrom(copy.headers.location);
    expect(copyId).not.toBe(survey.id);
    const duplicated = await service.getSurvey(copyId);
    expect(duplicated).toMatchObject({ status: 'draft', version: 1 });
    expect(duplicated.definition.title.en).toBe('Imported title (copy)');
  });

  it('when settings are saved, then they apply; turning off "About you" warns about "not asked"', async () => {
    const { survey } = await createSurvey(ctx, { status: 'draft' });
    const agent = await officer();
    await agent.get(`/manage/surveys/${survey.id}/settings`);
    const badDate = await agent.post(`/manage/surveys/${survey.id}/settings`, {
      audience: 'signed_in',
      closesAt: 'tomorrow',
    });
    expect(badDate.status).toBe(422);
    expect(badDate.text).toContain('href="#closesAt"');
    const saved = await agent.post(`/manage/surveys/${survey.id}/settings`, {
      audience: 'signed_in',
      onePerRespondent: 'yes',
      thankYouEn: 'Merci!',
      thankYouFr: 'Merci!',
    });
    expect(saved.status).toBe(303);
    const overview = await agent.get(`/manage/surveys/${survey.id}`);
    expect(overview.text).toContain('will count as “not asked”');
    const service = await surveysServiceFor(ctx);
    expect((await service.getSurvey(survey.id)).settings).toMatchObject({
      audience: 'signed_in',
      selfIdentification: false,
    });
  });

  it('when an officer invites by pasting and by CSV, then emails go out and the counts show', async () => {
    const { survey } = await createSurvey(ctx, { settings: { audience: 'invited' } });
    const agent = await officer();
    const page = await agent.get(`/manage/surveys/${survey.id}/invitations`);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
    const res = await agent.agent
      .post(`/manage/surveys/${survey.id}/invitations`)
      .field('_csrf', token)
      .field('emails', 'gia@example.ca\nnot-an-address')
      .field('locale', 'en')
      .attach('file', Buffer.from('name,email\nHal,hal@example.ca\nIan,ian@example.ca\n'), 'people.csv');
    // the outcome is shown after a redirect to the page's own address, without the token in it
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/manage/surveys/${survey.id}/invitations`);
    const shown = await agent.get(res.headers.location as string);
    expect(shown.text).toContain('3 invited; 0 were already invited.');
    expect(shown.text).toContain('Not valid, not invited: not-an-address');
    expect(shown.text).toMatch(/<th scope="row">Total<\/th><td class="number">3<\/td>/);
    // shown once: a reload shows the page without the outcome
    expect((await agent.get(res.headers.location as string)).text).not.toContain('3 invited');
    await ctx.notifications.drain();
    expect(smtp.to('hal@example.ca')[0]?.subject).toBe('You are invited to answer: Budget survey');

    const withoutToken = await agent.agent
      .post(`/manage/surveys/${survey.id}/invitations`)
      .field('emails', 'x@example.ca')
      .attach('file', Buffer.from('x'), 'a.csv');
    expect(withoutToken.status).toBe(403);
  });

  it('when a survey was created without its French title, then the officer adds it on the title page and can publish', async () => {
    const { consultation } = await createRoundAndConsultation(ctx);
    const agent = await officer();
    await agent.get('/manage/surveys');
    const created = await agent.post('/manage/surveys', {
      consultationId: consultation.id,
      titleEn: 'Housing survey',
      titleFr: '',
    });
    const id = idFrom(created.headers.location);
    const overview = await agent.get(`/manage/surveys/${id}`);
    expect(overview.text).toContain(`href="/manage/surveys/${id}/details"`);
    const section = /\/sections\/([a-z0-9]+)\/questions\/new/.exec(overview.text)?.[1] as string;
    await agent.post(`/manage/surveys/${id}/sections/${section}`, { titleEn: 'Homes', titleFr: 'Logements' });
    await agent.post(`/manage/surveys/${id}/sections/${section}/questions?type=short_text`, {
      questionId: 'where',
      labelEn: 'Where do you live?',
      labelFr: 'Où habitez-vous?',
      maxLength: '100',
    });
    const refused = await agent.post(`/manage/surveys/${id}/publish`);
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Survey: The French survey title is missing.');

    const form = await agent.get(`/manage/surveys/${id}/details`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('<h1>Title and introduction</h1>');
    expect(form.text).toContain('value="Housing survey"');
    const saved = await agent.post(`/manage/surveys/${id}/details`, {
      titleEn: 'Housing survey',
      titleFr: 'Sondage sur le logement',
      descriptionEn: 'Five minutes about where you live.',
      descriptionFr: 'Cinq minutes sur votre logement.',
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe(`/manage/surveys/${id}?done=details`);
    expect((await agent.get(saved.headers.location as string)).text).toContain(
      'The title and introduction are saved.',
    );
    const published = await agent.post(`/manage/surveys/${id}/publish`);
    expect(published.headers.location).toBe(`/manage/surveys/${id}?done=published`);
    const start = await request(ctx.app).get(`/surveys/${id}`).set('Accept-Language', 'fr');
    expect(start.text).toContain('Sondage sur le logement');
    expect(start.text).toContain('Cinq minutes sur votre logement.');
  });

  it('when the title form is sent with a title too long, then it comes back with 422 and the values kept', async () => {
    const { consultation } = await createRoundAndConsultation(ctx);
    const agent = await officer();
    await agent.get('/manage/surveys');
    const created = await agent.post('/manage/surveys', {
      consultationId: consultation.id,
      titleEn: 'Parks survey',
      titleFr: 'Sondage sur les parcs',
    });
    const id = idFrom(created.headers.location);
    await agent.get(`/manage/surveys/${id}/details`);
    const long = 'x'.repeat(5000);
    const res = await agent.post(`/manage/surveys/${id}/details`, {
      titleEn: long,
      titleFr: 'Sondage sur les parcs',
      descriptionEn: '',
      descriptionFr: '',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('href="#titleEn"');
    expect(res.text).toContain(`value="${long}"`);
    const service = await surveysServiceFor(ctx);
    expect((await service.getSurvey(id)).definition.title.en).toBe('Parks survey');
  });
});
