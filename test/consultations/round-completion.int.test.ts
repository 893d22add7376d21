import request from 'supertest';
import type { Round } from '../../src/modules/consultations';
import { calendarDate } from '../../src/platform/zoned-time';
import { buildTestApp, type TestApp } from '../support/app';
import { FACTORY_OFFICER, consultationInput } from '../support/factories/consultations';
import { createSurvey } from '../support/factories/surveys';
import { agentAs } from '../support/sign-in';

/**
 * Completing a round closes its surveys and freezes its figures with the date of completion; nothing afterwards
 * (a late submission, a replay, a rebuild) moves them; only an officer can reopen it, with a reason that is
 * audited and shown on the round's page, and completing it again freezes anew.
 */
describe('completing and reopening a round', () => {
  let ctx: TestApp;
  let round: Round;
  let surveyId: string;
  let consultationId: string;
  let seq = 0;
  const roundEnd = new Date(Date.now() + 45 * 24 * 3600 * 1000);

  const answer = (sector: string) => ({
    answers: { likes: 'no', change: 'More trains', score: 5 },
    sector,
    region: 'ON',
  });
  const submit = (sector: string) =>
    request(ctx.app)
      .post(`/api/v1/surveys/${surveyId}/responses`)
      .set('Idempotency-Key', `round-completion-${++seq}`)
      .send(answer(sector));

  /** Every public output that carries the round's figures, as a comparable snapshot. */
  async function publicFigures() {
    const api = await request(ctx.app).get(`/api/v1/rounds/${round.slug}/participation`);
    const trend = await request(ctx.app).get('/api/v1/participation/trend?sector=civil_society');
    const indicators = await request(ctx.app).get('/api/v1/indicators');
    const csv = await request(ctx.app).get('/open-data/participation.csv');
    const json = await request(ctx.app).get('/open-data/participation.json');
    const page = await request(ctx.app).get(`/participation/rounds/${round.slug}`);
    const staff = await (
      await agentAs(ctx, 'analyst')
    ).agent.get(`/api/v1/rounds/${round.slug}/participation`);
    return {
      api: api.body,
      trend: trend.body,
      indicators: indicators.body,
      csv: csv.text,
      json: json.body,
      // The page's figures: every table cell (the page has no clock-dependent text in them).
      page: page.text.match(/<td[^>]*>[^<]*<\/td>/g),
      staff: staff.body,
    };
  }

  beforeAll(async () => {
    ctx = await buildTestApp();
    const created = await createSurvey(ctx, {
      consultation: {
        round: { slug: 'frozen-round', endsOn: roundEnd },
        consultation: { slug: 'frozen-consultation' },
      },
    });
    surveyId = created.survey.id;
    consultationId = created.consultation.id;
    round = await ctx.composition.consultations.consultations.getRoundBySlug('frozen-round');
    for (let i = 0; i < 20; i++)
      expect((await submit(i < 5 ? 'civil_society' : 'academia')).status).toBe(201);
    await ctx.composition.participation.indicators.create(
      {
        slug: 'frozen-share',
        nameEn: 'Civil society share',
        nameFr: 'Part de la société civile',
        kind: 'sector_share',
        sector: 'civil_society',
        targetValue: '25',
        targetDate: '2030-06-30',
        published: 'on',
      },
      { id: 'a', email: 'a@example.ca', name: 'Analyst', roles: ['analyst'], locale: 'en', profile: {} },
    );
  }, 120_000);
  afterAll(() => ctx.close());

  it('when an officer completes a round with an open survey, then a confirmation comes first, then its consultations close and it is completed today', async () => {
    const officer = await agentAs(ctx, 'officer');
    const confirm = await officer.get(`/officer/rounds/${round.id}/complete`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('Its 1 open or upcoming consultation closes now');
    // Without confirm=yes nothing happens.
    const unconfirmed = await officer.post(`/officer/rounds/${round.id}/complete`);
    expect(unconfirmed.status).toBe(303);
    expect((await ctx.composition.consultations.consultations.getRoundById(round.id)).status).toBe('active');

    const done = await officer.post(`/officer/rounds/${round.id}/complete`, { confirm: 'yes' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/officer?done=roundCompleted');
    round = await ctx.composition.consultations.consultations.getRoundById(round.id);
    expect(round.status).toBe('completed');
    expect(round.completedAt).toBeInstanceOf(Date);
    const consultation =
      await ctx.composition.consultations.consultations.getConsultationById(consultationId);
    expect(consultation.status).toBe('closed');
    const audit = await ctx.db.connection.collection('audit').findOne({ action: 'round.completed' });
    expect(audit).toMatchObject({
      details: { slug: 'frozen-round' },
      targetType: 'round',
      targetEmail: null,
    });
    expect(String(audit?.targetId)).toBe(round.id);
  });

  it('when a late response arrives, then it is refused because the survey is closed', async () => {
    const late = await submit('civil_society');
    expect(late.status).toBe(410);
    expect(late.headers['content-type']).toMatch(/problem\+json/);
  });

  it('when the indicator is read, then its latest actual data is dated by the completion, not by the round end ahead', async () => {
    const res = await request(ctx.app).get('/api/v1/indicators');
    const indicator = res.body.indicators.find((i: { slug: string }) => i.slug === 'frozen-share');
    expect(indicator.latest).toMatchObject({ value: 0.25, date: calendarDate(round.completedAt as Date) });
    expect(indicator.latest.date).not.toBe(calendarDate(roundEnd));
  });

  it('when submissions are recorded anyway (a replay, an in-flight request) and participation is rebuilt, then every published figure stays the frozen one', async () => {
    const before = await publicFigures();
    expect(before.api).toMatchObject({ participants: 20 });
    expect(before.page?.length).toBeGreaterThan(5);
    expect(before.csv).toContain('frozen-round,');
    const participation = ctx.composition.participation.participation;
    for (let i = 0; i < 6; i++)
      await participation.recordSubmission({
        responseId: `late-${i}`,
        roundId: round.id,
        consultationId,
        surveyId,
        respondentKey: `anon:late${i}`,
        sector: 'civil_society',
        region: 'QC',
        locale: 'fr',
        channel: 'open',
        submittedAt: new Date(),
      });
    // The live counters did move: the snapshot, not the counters, is what is published.
    expect((await participation.counts('round', round.id)).participants).toBe(26);
    expect(await publicFigures()).toEqual(before);
    await participation.rebuild();
    expect(await publicFigures()).toEqual(before);
  }, 60_000);

  it('when an officer edits a completed round or its consultation, then the status and a future closing date are refused', async () => {
    const service = ctx.composition.consultations.consultations;
    await expect(
      service.updateRound(
        round.id,
        {
          title: round.title,
          description: round.description,
          startsOn: round.startsOn,
          endsOn: round.endsOn,
          status: 'active',
          slug: round.slug,
        },
        FACTORY_OFFICER,
      ),
    ).rejects.toMatchObject({ fieldErrors: [{ field: 'status' }] });
    await expect(
      service.createConsultation(consultationInput(round.id), FACTORY_OFFICER),
    ).rejects.toMatchObject({ fieldErrors: [{ field: 'closesAt' }] });
  });

  it('when an officer reopens without a reason, then the form says so; with one, it is audited and shown publicly in both languages', async () => {
    const analyst = await agentAs(ctx, 'analyst');
    expect((await analyst.get(`/officer/rounds/${round.id}/reopen`)).status).toBe(403);
    const officer = await agentAs(ctx, 'officer');
    const form = await officer.get(`/officer/rounds/${round.id}/reopen`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="reason"');
    const empty = await officer.post(`/officer/rounds/${round.id}/reopen`, { confirm: 'yes', reason: '  ' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Enter the reason for reopening the round.');
    expect((await ctx.composition.consultations.consultations.getRoundById(round.id)).status).toBe(
      'completed',
    );

    const completedAt = round.completedAt as Date;
    const reason = 'Responses received by mail were entered late';
    const done = await officer.post(`/officer/rounds/${round.id}/reopen`, { confirm: 'yes', reason });
    expect(done.status).toBe(303);
    round = await ctx.composition.consultations.consultations.getRoundById(round.id);
    expect(round.status).toBe('active');
    expect(round.completedAt).toBeUndefined();
    expect(round.events.map((e) => e.type)).toEqual(['completed', 'reopened']);
    expect(round.events[1]).toMatchObject({ reason, completedAt });

    const audit = await ctx.db.connection.collection('audit').findOne({ action: 'round.reopened' });
    expect(audit).toMatchObject({ details: { reason }, targetType: 'round' });
    const log = await (await agentAs(ctx, 'admin')).get('/admin/audit');
    expect(log.text).toContain(`Reopened the round: ${reason}`);

    const en = await request(ctx.app).get(`/rounds/${round.slug}`).set('Accept-Language', 'en');
    expect(en.text).toMatch(/Reopened on [A-Z][a-z]+ \d{1,2}, \d{4}:/);
    expect(en.text).toContain(reason);
    const fr = await request(ctx.app).get(`/rounds/${round.slug}`).set('Accept-Language', 'fr');
    expect(fr.text).toMatch(/Rouvert le (1er|\d{1,2}) [a-zéû]+ \d{4}\u00a0:/);
    const list = await request(ctx.app).get('/rounds');
    expect(list.text).toContain(reason);
    const api = await request(ctx.app).get('/api/v1/rounds');
    expect(api.body.rounds.find((r: { slug: string }) => r.slug === round.slug)).toMatchObject({
      status: 'active',
      completedOn: null,
      reopenings: [{ on: calendarDate(round.events[1]?.at as Date), reason }],
    });
  });

  it('when the reopened round is completed again, then its figures are the live ones frozen anew with the new date', async () => {
    // Reopened: the live counters apply again (with the six recorded after the first completion).
    const live = await request(ctx.app).get(`/api/v1/rounds/${round.slug}/participation`);
    expect(live.body.participants).toBe(26);
    const officer = await agentAs(ctx, 'officer');
    await officer.get(`/officer/rounds/${round.id}/complete`);
    expect((await officer.post(`/officer/rounds/${round.id}/complete`, { confirm: 'yes' })).status).toBe(303);
    round = await ctx.composition.consultations.consultations.getRoundById(round.id);
    expect(round.status).toBe('completed');
    expect(round.events.map((e) => e.type)).toEqual(['completed', 'reopened', 'completed']);
    const frozen = await request(ctx.app).get(`/api/v1/rounds/${round.slug}/participation`);
    expect(frozen.body.participants).toBe(26);
    const page = await request(ctx.app).get(`/rounds/${round.slug}`);
    expect(page.text).toContain('Completed on');
    const api = await request(ctx.app).get('/api/v1/rounds');
    expect(api.body.rounds.find((r: { slug: string }) => r.slug === round.slug)).toMatchObject({
      status: 'completed',
      completedOn: calendarDate(round.completedAt as Date),
    });
    const indicators = await request(ctx.app).get('/api/v1/indicators');
    const indicator = indicators.body.indicators.find((i: { slug: string }) => i.slug === 'frozen-share');
    expect(indicator.latest).toMatchObject({ value: 0.4231, date: calendarDate(round.completedAt as Date) });
  });
});
