import request from 'supertest';
import { type TestApp, startAppWithSmtp, closeAppWithSmtp } from '../support/app';
import { personFor } from '../support/sign-in';
import { type TestSmtpServer } from '../support/smtp';
import { OFFICER, agentAs, commitmentInput, createCommitment, createPlan, service, textOf } from './helpers';

const planForm = (overrides: Record<string, string> = {}) => ({
  slug: '',
  titleEn: 'Canada’s 5th National Action Plan',
  titleFr: '',
  summaryEn: 'What we commit to.',
  summaryFr: '',
  organisationEn: 'Government of Canada',
  organisationFr: '',
  periodStart: '2022',
  periodEnd: '2024',
  ...overrides,
});

const commitmentForm = (overrides: Record<string, string | string[]> = {}) => ({
  number: '19',
  themeEn: 'Open dialogue',
  themeFr: 'Dialogue ouvert',
  titleEn: 'Engage civil society',
  titleFr: 'Mobiliser la société civile',
  summaryEn: '',
  summaryFr: '',
  leadDepartmentEn: 'Treasury Board Secretariat',
  leadDepartmentFr: 'Secrétariat du Conseil du Trésor',
  enquiryEmail: 'open@example.gc.ca',
  otherActorsEn: '',
  otherActorsFr: '',
  plannedResultEn: 'Regular two-way dialogue.',
  plannedResultFr: 'Un dialogue régulier dans les deux sens.',
  descriptionEn: 'A forum.',
  descriptionFr: '',
  status: 'not_started',
  ...overrides,
});

describe('action plans: officers, status updates, followers, CSV import and roles', () => {
  let ctx: TestApp;
  let smtp: TestSmtpServer;

  beforeAll(async () => ({ ctx, smtp } = await startAppWithSmtp()));
  afterAll(() => closeAppWithSmtp(ctx, smtp));

  it('when an officer creates a plan with mistakes, then the form comes back (422) with an error summary and the values kept', async () => {
    const officer = await agentAs(ctx, 'officer');
    await officer.get('/officer/plans/new');
    const bad = await officer.post(
      '/officer/plans/new',
      planForm({ titleEn: '', periodStart: '18', periodEnd: '2017' }),
    );
    expect(bad.status).toBe(422);
    const text = textOf(bad.text);
    expect(text).toContain('There are 2 problems');
    expect(text).toContain('Enter a title in at least one language.');
    expect(text).toContain('Enter a year with four digits, between 1990 and 2100.');
    expect(bad.text).toContain('href="#titleEn"');
    expect(bad.text).toContain('value="Government of Canada"');

    const french = await agentAs(ctx, 'officer:francine', 'fr');
    await french.get('/officer/plans/new');
    const frBad = await french.post('/officer/plans/new', planForm({ titleEn: '' }));
    expect(textOf(frBad.text)).toContain('Entrez un titre dans au moins une langue.');
  });

  it('when an officer builds a plan and a commitment through the forms, then the bilingual check blocks publishing until both languages are complete', async () => {
    const officer = await agentAs(ctx, 'officer');
    await officer.get('/officer/plans/new');
    const created = await officer.post('/officer/plans/new', planForm({ slug: 'nap5-forms' }));
    expect(created.status).toBe(303);
    expect(created.headers.location).toBe('/officer/plans/nap5-forms');
    const page = await officer.get('/officer/plans/nap5-forms');
    expect(textOf(page.text)).toContain('The plan needs its title in French.');
    const refused = await officer.post('/officer/plans/nap5-forms/publish');
    expect(refused.status).toBe(422);
    expect(textOf(refused.text)).toContain('There are 3 problems The plan needs its title in French.');
    expect((await request(ctx.app).get('/plans/nap5-forms')).status).toBe(404);

    await officer.get('/officer/plans/nap5-forms/edit');
    const edited = await officer.post(
      '/officer/plans/nap5-forms/edit',
      planForm({
        titleFr: '5e Plan d’action national du Canada',
        summaryFr: 'Nos engagements.',
        organisationFr: 'Gouvernement du Canada',
      }),
    );
    expect(edited.status).toBe(303);
    expect((await officer.post('/officer/plans/nap5-forms/publish')).status).toBe(303);
    expect((await request(ctx.app).get('/plans/nap5-forms')).status).toBe(200);

    await officer.get('/officer/plans/nap5-forms/commitments/new');
    const badNumber = await officer.post(
      '/officer/plans/nap5-forms/commitments/new',
      commitmentForm({ number: '19.1', enquiryEmail: 'nope' }),
    );
    expect(badNumber.status).toBe(422);
    expect(textOf(badNumber.text)).toContain('Enter a number such as 19');
    expect(textOf(badNumber.text)).toContain('Enter an email address like name@example.gc.ca.');
    const c = await officer.post('/officer/plans/nap5-forms/commitments/new', commitmentForm());
    expect(c.headers.location).toBe('/officer/plans/nap5-forms/commitments/19');
    const twice = await officer.post('/officer/plans/nap5-forms/commitments/new', commitmentForm());
    expect(twice.status).toBe(422);
    expect(textOf(twice.text)).toContain('This plan already has a commitment with this number.');

    const base = '/officer/plans/nap5-forms/commitments/19';
    await officer.get(`${base}/milestones/new`);
    const m = await officer.post(`${base}/milestones/new`, {
      number: '19.1',
      textEn: 'Renew the forum.',
      textFr: '',
      status: 'complete',
      startDate: '2022-01-01',
      endDate: '2021-12-31',
    });
    expect(m.status).toBe(422);
    expect(textOf(m.text)).toContain('The end date cannot come before the start date.');
    await officer.post(`${base}/milestones/new`, {
      number: '19.1',
      textEn: 'Renew the forum.',
      textFr: '',
      status: 'complete',
      startDate: '2022-01-01',
      endDate: '2022-06-30',
    });
    await officer.get(`${base}/indicators/new`);
    const noDate = await officer.post(`${base}/indicators/new`, {
      nameEn: 'Initiatives of the forum',
      nameFr: 'Initiatives du forum',
      targetEn: '4',
      targetFr: '4',
      targetDate: '2022-06-30',
      source: 'manual',
      actualEn: 'Three',
      actualFr: 'Trois',
      actualDate: '',
    });
    expect(noDate.status).toBe(422);
    expect(textOf(noDate.text)).toContain('Give the date the data was collected.');
    const noRounds = await officer.post(`${base}/indicators/new`, {
      nameEn: 'Share',
      source: 'rounds',
      sector: 'civil_society',
    });
    expect(textOf(noRounds.text)).toContain('Choose at least one round to compute it from.');
    expect(
      (
        await officer.post(`${base}/indicators/new`, {
          nameEn: 'Initiatives of the forum',
          nameFr: 'Initiatives du forum',
          targetEn: '4',
          targetFr: '4',
          source: 'manual',
          actualEn: 'Three',
          actualFr: 'Trois',
          actualDate: '2022-06-30',
        })
      ).status,
    ).toBe(303);

    const manage = await officer.get(base);
    const missing = textOf(manage.text);
    expect(missing).toContain('The commitment needs its description in French.');
    expect(missing).toContain('Milestone 19.1 needs its text in French.');
    expect(manage.text).toContain(`href="${base}/edit#descriptionFr"`);
    expect((await officer.post(`${base}/publish`)).status).toBe(422);
    const [milestone] = (await service(ctx).getCommitment('nap5-forms', '19', { includeDrafts: true }))
      .milestones;
    await officer.get(`${base}/milestones/${milestone!.id}/edit`);
    await officer.post(`${base}/milestones/${milestone!.id}/edit`, {
      number: '19.1',
      textEn: 'Renew the forum.',
      textFr: 'Renouveler le forum.',
      startDate: '2022-01-01',
      endDate: '2022-06-30',
    });
    await officer.get(`${base}/edit`);
    await officer.post(`${base}/edit`, commitmentForm({ descriptionFr: 'Un forum.' }));
    expect((await officer.post(`${base}/publish`)).status).toBe(303);
    const publicPage = textOf((await request(ctx.app).get('/plans/nap5-forms/commitments/19')).text);
    expect(publicPage).toContain('Initiatives of the forum 4 Three Collected: June 30, 2022');
    expect(publicPage).toContain('19.1 Renew the forum. Complete');

    // Published: a text can no longer be emptied.
    await officer.get(`${base}/edit`);
    const emptied = await officer.post(
      `${base}/edit`,
      commitmentForm({ titleFr: '', descriptionFr: 'Un forum.' }),
    );
    expect(emptied.status).toBe(422);
    expect(textOf(emptied.text)).toContain('The commitment needs its title in French.');
  });

  it('when an officer records a status change, then it is in the timeline and the feeds, followers are emailed in their language, and a replayed form does nothing twice', async () => {
    const plan = await createPlan(ctx);
    const commitment = await createCommitment(ctx, plan.slug, '19');
    const page = `/plans/${plan.slug}/commitments/19`;
    for (const [who, lang] of [
      ['participant:claire', 'fr'],
      ['participant:sam', 'en'],
    ] as const) {
      const agent = await agentAs(ctx, who, lang);
      await agent.get(page);
      expect((await agent.post(`${page}/follow`)).status).toBe(303);
      expect(textOf((await agent.get(page)).text)).toMatch(/You get an email|Vous recevez un courriel/);
    }
    const officer = await agentAs(ctx, 'officer');
    const manage = await officer.get(`/officer${page}`);
    const submissionId = /name="submissionId" value="([^"]+)"/.exec(manage.text)?.[1] as string;
    const milestone = commitment.milestones.find((m) => m.number === '19.2')!;

    const missingFrench = await officer.post(`/officer${page}/status`, {
      submissionId,
      milestoneId: milestone.id,
      status: 'complete',
      date: '2018-09-01',
      noteEn: 'Held in five cities.',
      noteFr: '',
    });
    expect(missingFrench.status).toBe(422);
    expect(textOf(missingFrench.text)).toContain('Write a note about it in this language.');
    expect(missingFrench.text).toContain('Held in five cities.');
    const future = await officer.post(`/officer${page}/status`, {
      submissionId,
      milestoneId: milestone.id,
      status: 'complete',
      date: '2999-01-01',
      noteEn: 'x',
      noteFr: 'x',
    });
    expect(textOf(future.text)).toContain('The date of a change cannot be in the future.');
    expect((await service(ctx).listUpdates(await service(ctx).getCommitment(plan.slug, '19'))).length).toBe(
      0,
    );

    const form = {
      submissionId,
      milestoneId: milestone.id,
      status: 'complete',
      date: '2018-09-01',
      noteEn: 'Held in **five** cities.',
      noteFr: 'Tenue dans **cinq** villes.',
    };
    const recorded = await officer.post(`/officer${page}/status`, form);
    expect(recorded.status).toBe(303);
    expect(recorded.headers.location).toBe(`/officer${page}#update-1`);
    const replay = await officer.post(`/officer${page}/status`, form);
    expect(replay.headers.location).toBe(`/officer${page}#update-1`);

    const publicPage = await request(ctx.app).get(page);
    const text = textOf(publicPage.text);
    expect(text).toContain('September 1, 2018 Milestone 19.2: Limited → Complete Held in five cities.');
    expect(text).toContain('19.2 Targeted engagement. Complete');
    expect(publicPage.text).toContain('<strong>five</strong>');
    const rss = await request(ctx.app).get(`/feeds/plans/${plan.slug}/commitments/19/en.rss`);
    expect(rss.text.match(/<item>/g)).toHaveLength(1);

    await ctx.notifications.drain();
    const [french] = smtp.to(personFor('participant:claire').email);
    expect(smtp.to(personFor('participant:claire').email)).toHaveLength(1);
    expect(french?.subject).toBe('L’engagement 19 est maintenant «\u00a0Terminé\u00a0»');
    expect(french?.text).toContain('Le jalon 19.2 de l’engagement 19');
    expect(french?.text).toContain('Tenue dans **cinq** villes.');
    const [english] = smtp.to(personFor('participant:sam').email);
    expect(english?.subject).toBe('Commitment 19 is now Complete');
    expect(english?.text).toContain(`http://agora.test${page}#update-1`);

    // The emailed link asks (opening it changes nothing: mail scanners fetch links); its button unfollows with no
    // session, and the next page offers to undo it.
    const link = /(http:\/\/agora\.test\/commitments\/unfollow\/\S+)/.exec(
      english?.text ?? '',
    )?.[1] as string;
    const asked = await request(ctx.app).get(new URL(link).pathname);
    expect(textOf(asked.text)).toContain('Stop these emails?');
    expect(asked.text).toContain(`<form method="post" action="${new URL(link).pathname}">`);
    expect(
      await ctx.composition.commitments.followers.isFollowing(commitment, personFor('participant:sam').email),
    ).toBe(true);
    const unfollowed = await request(ctx.app).post(new URL(link).pathname); // RFC 8058 too: no CSRF token
    expect(unfollowed.status).toBe(200);
    expect(textOf(unfollowed.text)).toContain(
      'will not be emailed about “Commitment 19: Engage civil society 19” any more',
    );
    expect((await request(ctx.app).get('/commitments/unfollow/Zm9sbG93Onh4.forged')).status).toBe(404);

    const second = await officer.get(`/officer${page}`);
    await officer.post(`/officer${page}/status`, {
      submissionId: /name="submissionId" value="([^"]+)"/.exec(second.text)?.[1] as string,
      milestoneId: '',
      status: 'complete',
      date: '2018-12-31',
      noteEn: 'All deliverables complete.',
      noteFr: 'Tous les livrables sont terminés.',
    });
    await ctx.notifications.drain();
    expect(smtp.to(personFor('participant:sam').email)).toHaveLength(1);
    expect(smtp.to(personFor('participant:claire').email)).toHaveLength(2);
    const after = await service(ctx).getCommitment(plan.slug, '19');
    expect(after.status).toBe('complete');
    expect((await service(ctx).listUpdates(after)).map((u) => u.seq)).toEqual([2, 1]);
  });

  it('when several status changes are recorded at once, then each gets its own place in the timeline', async () => {
    const plan = await createPlan(ctx);
    const commitment = await createCommitment(ctx, plan.slug, '4');
    const statuses = ['limited', 'substantial', 'complete', 'limited', 'substantial'] as const;
    const results = await Promise.all(
      statuses.map((status, i) =>
        service(ctx).recordStatusChange(
          plan.slug,
          '4',
          {
            milestoneId: i % 2 ? commitment.milestones[0]!.id : '',
            status,
            date: '2018-05-01',
            note: { en: `Note ${i}`, fr: `Note ${i}` },
            submissionId: `parallel-${i}-abcdef`,
          },
          OFFICER,
        ),
      ),
    );
    expect(new Set(results.map((r) => r.update.seq))).toEqual(new Set([1, 2, 3, 4, 5]));
    const after = await service(ctx).getCommitment(plan.slug, '4');
    const timeline = await service(ctx).listUpdates(after);
    expect(timeline.map((u) => u.seq)).toEqual([5, 4, 3, 2, 1]);
    // The overall status is the one of the latest overall update, whatever order the writes landed in.
    const latestOverall = timeline.find((u) => !u.milestoneId)!;
    expect(after.status).toBe(latestOverall.to);
  });

  it('when a plan is imported from CSV, then good rows become drafts and every rejected row is reported with its reasons', async () => {
    const plan = await createPlan(ctx);
    const officer = await agentAs(ctx, 'officer');
    await officer.get(`/officer/plans/${plan.slug}/import`);
    const csv = [
      'type,commitment,milestone,theme_en,theme_fr,title_en,title_fr,lead_department_en,lead_department_fr,enquiry_email,status,planned_result_en,planned_result_fr,description_en,description_fr,start_date,end_date',
      'commitment,19,,Open dialogue,Dialogue ouvert,Engage civil society,Mobiliser la société civile,TBS,SCT,open@example.gc.ca,complete,"Dialogue, regularly","Dialogue, régulier",A forum,Un forum,,',
      'milestone,19,19.1,,,"Renew the ""forum""",Renouveler le forum,,,,complete,,,,,2018-01-01,2018-06-30',
      'milestone,19,,,,First meeting held,Première rencontre tenue,,,,complete,,,,,,2018-01-31',
      'commitment,20,,,,Bad email,Mauvais courriel,,,not-an-email,done,,,,,,',
      'milestone,99,99.1,,,Orphan,Orphelin,,,,complete,,,,,,',
      'milestone,19,19.1,,,Duplicate,Doublon,,,,complete,,,,,,',
      'task,19,,,,x,x,,,,complete,,,,,,',
      'milestone,19,19.2,,,Short row',
    ].join('\r\n');
    const res = await officer.post(`/officer/plans/${plan.slug}/import`, { csv });
    expect(res.status).toBe(200);
    const text = textOf(res.text);
    expect(text).toContain('Imported 1 commitments and 2 milestones, as drafts.');
    expect(text).toContain('5 lines were rejected');
    expect(text).toContain('5 enquiry_email Enter an email address like name@example.gc.ca.');
    expect(text).toContain('status Choose a status.');
    expect(text).toContain('6 commitment No commitment has this number');
    expect(text).toContain('7 milestone This commitment already has a milestone with this number.');
    expect(text).toContain('8 type The type must be “commitment” or “milestone”.');
    expect(text).toContain('9 – This line has 6 cells instead of 17.');
    const imported = await service(ctx).getCommitment(plan.slug, '19', { includeDrafts: true });
    expect(imported).toMatchObject({
      publication: 'draft',
      status: 'complete',
      plannedResult: { en: 'Dialogue, regularly' },
    });
    expect(imported.milestones.map((m) => [m.number, m.text.en])).toEqual([
      ['19.1', 'Renew the "forum"'],
      ['', 'First meeting held'],
    ]);
    expect((await request(ctx.app).get(`/plans/${plan.slug}/commitments/19`)).status).toBe(404);

    // A file upload, with an unknown column: the whole file is refused, nothing is imported.
    const upload = await officer.agent
      .post(
        `/officer/plans/${plan.slug}/import?_csrf=${encodeURIComponent(/name="_csrf" value="([^"]+)"/.exec(res.text)?.[1] as string)}`,
      )
      .attach(
        'file',
        Buffer.from('type,commitment,title_en,title_fr,status,colour\r\ncommitment,30,A,B,complete,red\r\n'),
        'plan.csv',
      );
    expect(upload.status).toBe(422);
    expect(textOf(upload.text)).toContain('Unknown columns: colour.');
    await expect(service(ctx).getCommitment(plan.slug, '30', { includeDrafts: true })).rejects.toThrow();
  });

  it('when milestones are added at the same moment, then none is lost', async () => {
    const plan = await createPlan(ctx);
    await service(ctx).createCommitment(plan.slug, commitmentInput('8'), OFFICER);
    await Promise.all(
      [1, 2, 3, 4].map((n) =>
        service(ctx).addMilestone(
          plan.slug,
          '8',
          {
            number: `8.${n}`,
            text: { en: `M${n}`, fr: `J${n}` },
            status: 'not_started',
            startDate: '',
            endDate: '',
          },
          OFFICER,
        ),
      ),
    );
    const after = await service(ctx).getCommitment(plan.slug, '8', { includeDrafts: true });
    expect(after.milestones.map((m) => m.number)).toEqual(['8.1', '8.2', '8.3', '8.4']);
  });

  describe('roles', () => {
    async function routes() {
      const plan = await createPlan(ctx);
      const c = await createCommitment(ctx, plan.slug, '5');
      const base = `/officer/plans/${plan.slug}/commitments/5`;
      const gets = [
        '/officer/plans',
        '/officer/plans/new',
        `/officer/plans/${plan.slug}`,
        `/officer/plans/${plan.slug}/edit`,
        `/officer/plans/${plan.slug}/import`,
        `/officer/plans/${plan.slug}/commitments/new`,
        base,
        `${base}/edit`,
        `${base}/milestones/new`,
        `${base}/milestones/${c.milestones[0]!.id}/edit`,
        `${base}/indicators/new`,
      ];
      const posts = [
        '/officer/plans/new',
        `/officer/plans/${plan.slug}/edit`,
        `/officer/plans/${plan.slug}/publish`,
        `/officer/plans/${plan.slug}/import`,
        `/officer/plans/${plan.slug}/commitments/new`,
        `${base}/edit`,
        `${base}/publish`,
        `${base}/status`,
        `${base}/milestones/new`,
        `${base}/milestones/${c.milestones[0]!.id}/delete`,
        `${base}/indicators/new`,
      ];
      return { plan, gets, posts };
    }

    it('when someone who is not an officer opens or posts to the officer pages, then anonymous visitors sign in and the others get 403', async () => {
      const { plan, gets, posts } = await routes();
      for (const path of gets) {
        const res = await request(ctx.app).get(path);
        expect({ path, status: res.status, location: res.headers.location }).toEqual({
          path,
          status: 303,
          location: `/sign-in?returnTo=${encodeURIComponent(path)}`,
        });
      }
      for (const role of ['participant', 'analyst', 'reviewer']) {
        const agent = await agentAs(ctx, role);
        for (const path of gets)
          expect({ role, path, status: (await agent.get(path)).status }).toEqual({ role, path, status: 403 });
        await agent.get(`/plans/${plan.slug}/commitments/5`);
        for (const path of posts) {
          const res = await agent.post(path, {
            titleEn: 'Hijacked',
            status: 'complete',
            noteEn: 'x',
            noteFr: 'x',
            date: '2018-01-01',
          });
          expect({ role, path, status: res.status }).toEqual({ role, path, status: 403 });
        }
      }
      const after = await service(ctx).getCommitment(plan.slug, '5');
      expect(after.status).toBe('substantial');
      expect(after.milestones).toHaveLength(3);
    });

    it('when an officer or an admin opens every officer page, then each answers 200', async () => {
      const { gets } = await routes();
      for (const role of ['officer', 'admin']) {
        const agent = await agentAs(ctx, role);
        for (const path of gets)
          expect({ role, path, status: (await agent.get(path)).status }).toEqual({ role, path, status: 200 });
      }
    });

    it('when the independent reviewer rates a commitment, then the rating shows beside the self-assessment, and only reviewers (and admins) may rate', async () => {
      const { plan } = await routes();
      const path = `/review/plans/${plan.slug}/commitments/5`;
      for (const role of ['officer', 'participant', 'analyst']) {
        const agent = await agentAs(ctx, role);
        expect((await agent.get('/review')).status).toBe(403);
        expect((await agent.get(path)).status).toBe(403);
      }
      const reviewer = await agentAs(ctx, 'reviewer');
      const list = await reviewer.get('/review');
      expect(textOf(list.text)).toContain('Engage civil society 5 Substantial Not reviewed yet');
      expect(list.text).toContain('href="/review"'); // the reviewer's menu entry
      await reviewer.get(path);
      const bad = await reviewer.post(path, { rating: 'excellent', noteEn: 'Good.', noteFr: '' });
      expect(bad.status).toBe(422);
      expect(textOf(bad.text)).toContain('There are 2 problems');
      const ok = await reviewer.post(path, {
        rating: 'limited',
        noteEn: 'Only **two** sessions were held.',
        noteFr: 'Seulement **deux** séances ont eu lieu.',
      });
      expect(ok.status).toBe(303);
      const page = await request(ctx.app).get(`/plans/${plan.slug}/commitments/5`);
      const text = textOf(page.text);
      expect(text).toContain('Government (self-assessment) Substantial');
      expect(text).toContain('Independent reviewer Limited Only two sessions were held.');
      const api = await request(ctx.app).get(`/api/v1/plans/${plan.slug}/commitments/5`);
      expect(api.body.data).toMatchObject({ status: 'substantial', reviewRating: 'limited' });
      // The reviewer cannot touch anything else.
      expect((await reviewer.post(`/officer/plans/${plan.slug}/commitments/5/publish`)).status).toBe(403);
      const admin = await agentAs(ctx, 'admin');
      expect((await admin.get(path)).status).toBe(200);
      // A draft cannot be reviewed.
      await createCommitment(ctx, plan.slug, '6', { publish: false });
      expect((await reviewer.get(`/review/plans/${plan.slug}/commitments/6`)).status).toBe(404);
    });
  });
});
