import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import { createRoundAndConsultation, createRound } from '../support/factories/consultations';
import { createSurvey } from '../support/factories/surveys';
import { wallClock } from '../support/wall-clock';
import { agentAs, textOf } from './helpers';

const DAY = 24 * 3600 * 1000;

describe('officer workspace', () => {
  let ctx: TestApp;

  beforeAll(async () => {
    ctx = await buildTestApp();
    await ctx.consultations.init();
  });
  afterAll(() => ctx.close());

  async function officerRoutes() {
    const { round, consultation } = await createRoundAndConsultation(ctx);
    const thread = await ctx.consultations.comments.postComment({
      consultation,
      user: {
        id: 'u1',
        email: 'u1@example.test',
        name: 'U One',
        roles: ['participant'],
        locale: 'en',
        profile: {},
      },
      body: 'A comment',
      submissionId: `s-${Date.now()}`,
    });
    const gets = [
      '/officer',
      '/officer/rounds/new',
      `/officer/rounds/${round.id}/edit`,
      '/officer/consultations/new',
      `/officer/consultations/${consultation.id}`,
      `/officer/consultations/${consultation.id}/edit`,
      `/officer/consultations/${consultation.id}/report`,
      `/officer/comments/${thread.id}`,
    ];
    const posts = [
      '/officer/rounds',
      `/officer/rounds/${round.id}`,
      '/officer/consultations',
      `/officer/consultations/${consultation.id}`,
      `/officer/consultations/${consultation.id}/publish`,
      `/officer/consultations/${consultation.id}/close`,
      `/officer/consultations/${consultation.id}/archive`,
      `/officer/consultations/${consultation.id}/report`,
      `/officer/comments/${thread.id}/reply`,
      `/officer/comments/${thread.id}/hide`,
      `/officer/comments/${thread.id}/show`,
    ];
    return { round, consultation, gets, posts };
  }

  it('when an anonymous visitor opens any officer page, then they are sent to sign in', async () => {
    const { gets } = await officerRoutes();
    for (const path of gets) {
      const res = await request(ctx.app).get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 303 });
      expect(res.headers.location).toBe(`/sign-in?returnTo=${encodeURIComponent(path)}`);
    }
  });

  it.each(['participant', 'analyst'])(
    'when a %s opens or posts to any officer route, then it is refused with 403 and nothing changes',
    async (role) => {
      const { consultation, gets, posts } = await officerRoutes();
      const agent = await agentAs(ctx, role);
      for (const path of gets) {
        const res = await agent.get(path);
        expect({ path, status: res.status }).toEqual({ path, status: 403 });
      }
      await agent.get(`/consultations/${consultation.slug}`); // a page with a form, for the CSRF token
      for (const path of posts) {
        const res = await agent.post(path, { titleEn: 'Hijacked', reason: 'spam', reply: 'x' });
        expect({ path, status: res.status }).toEqual({ path, status: 403 });
      }
      const after = await ctx.consultations.consultations.getConsultationById(consultation.id);
      expect(after).toMatchObject({ status: 'open', title: consultation.title });
    },
  );

  it('when an officer or an admin opens every officer page, then each answers 200', async () => {
    const { gets } = await officerRoutes();
    for (const role of ['officer', 'admin']) {
      for (const path of gets) {
        const res = await (await agentAs(ctx, role)).get(path);
        expect({ role, path, status: res.status }).toEqual({ role, path, status: 200 });
      }
    }
  });

  it('when an officer creates a round, then it is listed in the workspace with its status', async () => {
    const officer = await agentAs(ctx, 'officer');
    await officer.get('/officer/rounds/new');
    const res = await officer.post('/officer/rounds', {
      titleEn: 'Open Government 2018',
      titleFr: 'Gouvernement ouvert 2018',
      descriptionEn: 'The 2018 round.',
      descriptionFr: 'Le cycle 2018.',
      startsOn: '2018-01-15',
      endsOn: '2018-06-30',
      status: 'active',
      slug: '',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/officer?done=roundCreated');
    const workspace = await officer.get('/officer?done=roundCreated');
    expect(textOf(workspace.text)).toContain('The round is created.');
    expect(textOf(workspace.text)).toContain('Open Government 2018 Active');
    expect((await request(ctx.app).get('/rounds/open-government-2018')).status).toBe(200);
  });

  it('when a round is created with the web address left empty and its title already used, then a free address is made', async () => {
    const officer = await agentAs(ctx, 'officer');
    await officer.get('/officer/rounds/new');
    const fields = {
      titleEn: 'Citizen dialogue 2030',
      titleFr: 'Dialogue citoyen 2030',
      descriptionEn: 'A round.',
      descriptionFr: 'Un cycle.',
      startsOn: '2030-01-15',
      endsOn: '2030-06-30',
      status: 'active',
      slug: '',
    };
    expect((await officer.post('/officer/rounds', fields)).status).toBe(303);
    const again = await officer.post('/officer/rounds', fields);
    expect(again.status).toBe(303);
    expect((await request(ctx.app).get('/rounds/citizen-dialogue-2030')).status).toBe(200);
    expect((await request(ctx.app).get('/rounds/citizen-dialogue-2030-2')).status).toBe(200);
    // an address the officer typed is theirs: taken is an error on that field
    const typed = await officer.post('/officer/rounds', { ...fields, slug: 'citizen-dialogue-2030' });
    expect(typed.status).toBe(422);
    expect(typed.text).toContain('href="#slug"');
  });

  it('when a round has a date that is not a date, then the message asks for a date (not a time)', async () => {
    const officer = await agentAs(ctx, 'officer');
    await officer.get('/officer/rounds/new');
    const res = await officer.post('/officer/rounds', {
      titleEn: 'Dates round',
      titleFr: 'Cycle des dates',
      startsOn: '2030-02-30',
      endsOn: '',
      status: 'draft',
    });
    expect(res.status).toBe(422);
    const text = textOf(res.text);
    expect(text).toContain('Enter a valid date, for example 2026-03-31');
    expect(text).not.toContain('date and time');
    await officer.agent.get('/?lang=fr');
    const fr = await officer.post('/officer/rounds', { titleEn: 'x', startsOn: 'demain', status: 'draft' });
    expect(textOf(fr.text)).toContain('Entrez une date valide, par exemple 2026-03-31');
  });

  it('when a round ends before it starts, then the form comes back with 422 and the values kept', async () => {
    const officer = await agentAs(ctx, 'officer');
    await officer.get('/officer/rounds/new');
    const res = await officer.post('/officer/rounds', {
      titleEn: 'Backwards <b>round</b>',
      titleFr: '',
      descriptionEn: '',
      descriptionFr: '',
      startsOn: '2026-06-30',
      endsOn: '2026-01-01',
      status: 'active',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('href="#endsOn"');
    expect(res.text).toContain('The end date must be the same as or after the start date');
    expect(res.text).toContain('value="Backwards &lt;b&gt;round&lt;/b&gt;"');
    expect(res.text).toContain('value="2026-06-30"');
  });

  it('when a round is made public without its French texts, then it is refused; as a draft it is kept', async () => {
    const officer = await agentAs(ctx, 'officer');
    await officer.get('/officer/rounds/new');
    const fields = {
      titleEn: 'English only round',
      titleFr: '',
      descriptionEn: 'English only.',
      descriptionFr: '',
      startsOn: '2026-01-01',
      endsOn: '2026-12-31',
      slug: 'english-only-round',
    };
    const refused = await officer.post('/officer/rounds', { ...fields, status: 'active' });
    expect(refused.status).toBe(422);
    expect(textOf(refused.text)).toContain('Title in French is missing: a public round needs both languages');
    expect(refused.text).toContain('href="#descriptionFr"');
    const draft = await officer.post('/officer/rounds', { ...fields, status: 'draft' });
    expect(draft.status).toBe(303);
    expect((await request(ctx.app).get('/rounds/english-only-round')).status).toBe(404);
  });

  describe('consultation form', () => {
    function form(roundId: string, overrides: Record<string, string | string[]> = {}) {
      return {
        roundId,
        slug: '',
        titleEn: 'Open data action plan',
        titleFr: 'Plan d’action sur les données ouvertes',
        summaryEn: 'Help shape the plan.',
        summaryFr: 'Aidez à façonner le plan.',
        bodyEn: '## Context\n\nRead **this**.',
        bodyFr: '## Contexte\n\nLisez **ceci**.',
        leadOrganisationEn: 'Treasury Board Secretariat',
        leadOrganisationFr: 'Secrétariat du Conseil du Trésor',
        contactEmail: 'open@example.gc.ca',
        themes: ['open_data', 'transparency'],
        opensAt: '2026-01-10T09:00',
        closesAt: '2026-03-10T17:00',
        ...overrides,
      };
    }

    it('when an officer creates a consultation, then it is a draft, hidden from the public and shown to staff', async () => {
      const round = await createRound(ctx);
      const officer = await agentAs(ctx, 'officer');
      await officer.get('/officer/consultations/new');
      const res = await officer.post(
        '/officer/consultations',
        form(round.id, { slug: 'open-data-plan-draft' }),
      );
      expect(res.status).toBe(303);
      const manage = await officer.get(res.headers.location as string);
      expect(textOf(manage.text)).toContain('Draft');
      expect((await request(ctx.app).get('/consultations/open-data-plan-draft')).status).toBe(404);
      expect(
        (await (await agentAs(ctx, 'participant')).get('/consultations/open-data-plan-draft')).status,
      ).toBe(404);
      expect((await (await agentAs(ctx, 'analyst')).get('/consultations/open-data-plan-draft')).status).toBe(
        200,
      );
      const staffView = await officer.get('/consultations/open-data-plan-draft');
      expect(staffView.status).toBe(200);
      expect(textOf(staffView.text)).toContain('This consultation is a draft: only staff can see it.');
      expect((await request(ctx.app).get('/api/v1/consultations/open-data-plan-draft')).status).toBe(404);
    });

    it.each([
      [
        'the closing date is before the opening date',
        { opensAt: '2026-03-10T09:00', closesAt: '2026-03-01T09:00' },
        'closesAt',
        'The closing date must be after the opening date',
      ],
      ['a theme is unknown', { themes: ['open_data', 'astrology'] }, 'themes', 'Choose themes from the list'],
      ['the date is not a date', { opensAt: 'next tuesday' }, 'opensAt', 'Enter a valid date and time'],
      [
        'the round does not exist',
        { roundId: '64b7f0000000000000000000' },
        'roundId',
        'Choose a round from the list',
      ],
      ['the email is malformed', { contactEmail: 'not-an-email' }, 'contactEmail', 'Enter an email address'],
    ])(
      'when %s, then the form comes back with 422, the message and the values kept',
      async (_case, overrides, field, message) => {
        const round = await createRound(ctx);
        const officer = await agentAs(ctx, 'officer');
        await officer.get('/officer/consultations/new');
        const res = await officer.post(
          '/officer/consultations',
          form(round.id, { titleEn: '<script>alert("x")</script> Plan', ...overrides }),
        );
        expect(res.status).toBe(422);
        expect(res.text).toContain(`href="#${field}"`);
        expect(res.text).toContain(message);
        expect(res.text).toContain('value="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Plan"');
        expect(res.text).not.toContain('<script>alert');
        expect(res.text).toContain('Aidez à façonner le plan.</textarea>');
      },
    );

    it('when the slug is already used, then the form comes back with 422 on the slug field', async () => {
      const { round, consultation } = await createRoundAndConsultation(ctx);
      const officer = await agentAs(ctx, 'officer');
      await officer.get('/officer/consultations/new');
      const res = await officer.post('/officer/consultations', form(round.id, { slug: consultation.slug }));
      expect(res.status).toBe(422);
      expect(res.text).toContain('href="#slug"');
      expect(res.text).toContain('This web address is already used');
      expect(res.text).toContain(`value="${consultation.slug}"`);
    });

    it('when a draft lacks French texts, then publishing is refused with 422 listing each missing field', async () => {
      const round = await createRound(ctx);
      const officer = await agentAs(ctx, 'officer');
      await officer.get('/officer/consultations/new');
      const created = await officer.post(
        '/officer/consultations',
        form(round.id, { summaryFr: '', bodyFr: '', leadOrganisationFr: '' }),
      );
      const managePath = (created.headers.location as string).replace(/\?done=consultationCreated$/, '');
      const manage = await officer.get(managePath);
      expect(textOf(manage.text)).toContain('Before publishing, complete:');
      const res = await officer.post(`${managePath}/publish`);
      expect(res.status).toBe(422);
      const text = textOf(res.text);
      expect(text).toContain('This consultation cannot be published yet');
      expect(text).toContain('Summary in French is missing');
      expect(text).toContain('Description in French is missing');
      expect(text).toContain('Lead organization in French is missing');
      expect(text).not.toContain('Title in French is missing');
      expect(res.text).toContain(`href="${managePath}/edit#summaryFr"`);
      const id = managePath.split('/').pop() as string;
      expect(
        (await ctx.consultations.consultations.getConsultationById(id, { includeDrafts: true })).status,
      ).toBe('draft');
    });

    it('when the draft is completed and published, then the public sees it and the workspace shows its status', async () => {
      const round = await createRound(ctx);
      const officer = await agentAs(ctx, 'officer');
      await officer.get('/officer/consultations/new');
      const opensAt = new Date(Date.now() - DAY);
      const closesAt = new Date(Date.now() + 10 * DAY);
      const created = await officer.post(
        '/officer/consultations',
        form(round.id, {
          slug: 'published-plan',
          bodyFr: '',
          opensAt: wallClock(opensAt),
          closesAt: wallClock(closesAt),
        }),
      );
      const managePath = (created.headers.location as string).replace(/\?done=consultationCreated$/, '');
      await officer.get(`${managePath}/edit`);
      const edited = await officer.post(
        managePath,
        form(round.id, {
          slug: 'published-plan',
          opensAt: wallClock(opensAt),
          closesAt: wallClock(closesAt),
        }),
      );
      expect(edited.status).toBe(303);
      const published = await officer.post(`${managePath}/publish`);
      expect(published.status).toBe(303);
      const page = await request(ctx.app).get('/consultations/published-plan');
      expect(page.status).toBe(200);
      expect(textOf(page.text)).toContain('Open data action plan');
      const workspace = textOf((await officer.get('/officer')).text);
      expect(workspace).toMatch(/Open data action plan .* Open .* 10 days left 0 0/);
    });

    it('when a published consultation is edited to drop a French text, then it is refused with 422', async () => {
      const { round, consultation } = await createRoundAndConsultation(ctx);
      const officer = await agentAs(ctx, 'officer');
      await officer.get(`/officer/consultations/${consultation.id}/edit`);
      const res = await officer.post(
        `/officer/consultations/${consultation.id}`,
        form(round.id, { slug: consultation.slug, titleFr: '' }),
      );
      expect(res.status).toBe(422);
      expect(textOf(res.text)).toContain('Title in French is missing');
    });

    it('when an officer closes an open consultation now, then it is closed and comments stop', async () => {
      const { consultation } = await createRoundAndConsultation(ctx);
      const officer = await agentAs(ctx, 'officer');
      await officer.get(`/officer/consultations/${consultation.id}`);
      const confirm = await officer.get(`/officer/consultations/${consultation.id}/close`);
      expect(confirm.text).toContain('Subscribers are emailed that it has closed');
      const unconfirmed = await officer.post(`/officer/consultations/${consultation.id}/close`);
      expect(unconfirmed.headers.location).toBe(`/officer/consultations/${consultation.id}/close`);
      expect((await ctx.consultations.consultations.getConsultationById(consultation.id)).status).toBe(
        'open',
      );
      const closed = await officer.post(`/officer/consultations/${consultation.id}/close`, {
        confirm: 'yes',
      });
      expect(closed.headers.location).toBe(`/officer/consultations/${consultation.id}?done=closed`);
      expect(textOf((await officer.get(closed.headers.location as string)).text)).toContain(
        'The consultation is closed.',
      );
      const page = textOf((await request(ctx.app).get(`/consultations/${consultation.slug}`)).text);
      expect(page).toContain('Closed');
      expect(page).toContain('Comments are closed.');
      await officer.get(`/officer/consultations/${consultation.id}`);
      expect((await officer.post(`/officer/consultations/${consultation.id}/archive`)).status).toBe(303);
      const archived = await ctx.consultations.consultations.getConsultationById(consultation.id);
      expect(archived.status).toBe('archived');
    });

    it('when the workspace is shown in French, then it is in French', async () => {
      await createRoundAndConsultation(ctx);
      const res = await (await agentAs(ctx, 'officer:francine', 'fr')).get('/officer');
      expect(res.text).toContain('<html lang="fr">');
      expect(textOf(res.text)).toContain('Espace de travail');
      expect(textOf(res.text)).toContain('Réponses');
    });
  });

  it('when an officer opens a consultation, then its surveys link to the builder and a new one can be started for it', async () => {
    const { survey, consultation } = await createSurvey(ctx);
    const officer = await agentAs(ctx, 'officer');
    const page = await officer.get(`/officer/consultations/${consultation.id}`);
    expect(page.status).toBe(200);
    expect(textOf(page.text)).toContain('Surveys Budget survey (open to answers)');
    expect(page.text).toContain(`href="/manage/surveys/${survey.id}"`);
    const create = /href="(\/manage\/surveys\?consultationId=[a-f0-9]{24})#new"/.exec(page.text)?.[1];
    expect(create).toBe(`/manage/surveys?consultationId=${consultation.id}`);
    const form = await officer.get(create as string);
    expect(form.text).toMatch(new RegExp(`<option value="${consultation.id}" selected`));

    const { consultation: bare } = await createRoundAndConsultation(ctx);
    const french = await (
      await agentAs(ctx, 'officer:francine', 'fr')
    ).get(`/officer/consultations/${bare.id}`);
    expect(textOf(french.text)).toContain('Aucun sondage publié pour l’instant.');
    expect(textOf(french.text)).toContain('Créer un sondage pour cette consultation');
  });
});
