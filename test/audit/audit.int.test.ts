import { buildTestApp, testConfig, type TestApp } from '../support/app';
import { FormAgent } from '../support/agent';
import { createSurvey } from '../support/factories/surveys';
import { signInAs } from '../support/sign-in';
import { AuditLog, type AuditEntry } from '../../src/modules/audit';

describe('the audit log', () => {
  let ctx: TestApp;
  let log: AuditLog;
  let admin: FormAgent;
  let adminEmail: string;

  beforeAll(async () => {
    ctx = await buildTestApp({ config: testConfig({ TRUST_PROXY: 'true' }) });
    log = ctx.composition.audit;
    const signedIn = await signInAs(ctx, { roles: ['admin'] });
    admin = signedIn.agent;
    adminEmail = signedIn.user.email;
  });
  afterAll(() => ctx.close());

  const entries = () => ctx.db.connection.collection<AuditEntry>('audit');

  it('when a person signs up, then one entry names them as the actor, and repeating the sign-up adds none', async () => {
    const agent = new FormAgent(ctx.app);
    agent.agent.set('X-Forwarded-For', '198.51.100.7');
    const fields = {
      name: 'Nadia Singh',
      email: 'nadia.singh@example.ca',
      password: 'lantern orchard quietly north',
    };
    await agent.get('/sign-up');
    expect((await agent.post('/sign-up', fields)).status).toBe(200);
    await agent.get('/sign-up');
    await agent.post('/sign-up', fields);
    const found = await entries()
      .find({ action: 'user.signed_up', actorEmail: 'nadia.singh@example.ca' })
      .toArray();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ targetType: 'user', targetId: found[0]!.actorId });
  });

  it('when an officer closes a survey, deletes a question and downloads responses, then each is one entry', async () => {
    const { survey } = await createSurvey(ctx);
    const { survey: draft } = await createSurvey(ctx, { status: 'draft' });
    const { agent, user } = await signInAs(ctx, { roles: ['officer', 'analyst'] });

    await agent.get(`/manage/surveys/${survey.id}/close`);
    expect((await agent.post(`/manage/surveys/${survey.id}/close`, { confirm: 'yes' })).status).toBe(303);
    await agent.get(`/manage/surveys/${draft.id}/questions/score/delete`);
    expect(
      (await agent.post(`/manage/surveys/${draft.id}/questions/score/delete`, { confirm: 'yes' })).status,
    ).toBe(303);
    expect((await agent.get(`/analysis/surveys/${survey.id}/responses.csv`)).status).toBe(200);
    expect((await agent.get(`/analysis/surveys/${survey.id}/codebook.json`)).status).toBe(200);

    const mine = await entries().find({ actorId: user.id }).sort({ at: 1 }).toArray();
    expect(mine.map((e) => e.action)).toEqual([
      'survey.closed',
      'survey.question_deleted',
      'download.responses',
      'download.codebook',
    ]);
    expect(mine[1]).toMatchObject({
      targetId: draft.id,
      details: { question: 'score' },
      actorEmail: user.email,
    });
    expect(mine[2]!.details).toEqual({ format: 'csv', form: 'coded' });

    // A refused action records nothing: the survey is closed, so closing it again is not a second entry... and a
    // question that is gone cannot be deleted again.
    const before = await entries().countDocuments({ actorId: user.id });
    await agent.get(`/manage/surveys/${draft.id}`);
    await agent.post(`/manage/surveys/${draft.id}/questions/score/delete`, { confirm: 'yes' });
    expect(await entries().countDocuments({ actorId: user.id, action: 'survey.question_deleted' })).toBe(1);
    expect(await entries().countDocuments({ actorId: user.id })).toBeGreaterThanOrEqual(before);
  });

  it('when a keyed action is recorded again (a retry, a replay), then there is still one entry', async () => {
    const input = {
      actor: { id: 'u1', email: 'retry@example.ca' },
      action: 'survey.published' as const,
      target: { type: 'survey' as const, id: 'retry-survey' },
      details: { version: 2 },
      key: 'v2',
    };
    const first = await log.record(input);
    const second = await log.record({ ...input, at: new Date(Date.now() + 1000) });
    expect(second).toBe(first);
    expect(await entries().countDocuments({ targetId: 'retry-survey' })).toBe(1);
    // Without a key, two events are two entries.
    await log.record({ ...input, key: undefined });
    expect(await entries().countDocuments({ targetId: 'retry-survey' })).toBe(2);
  });

  it('when an officer sends invitations, then the batch is one entry, also after the reconciler replays it', async () => {
    const { survey } = await createSurvey(ctx, { settings: { audience: 'invited' } });
    const { user } = await signInAs(ctx, { roles: ['officer'] });
    const result = await ctx.composition.surveys.invite(
      survey.id,
      { emails: ['one@example.ca', 'two@example.ca', 'not an address'], locale: 'en' },
      { id: user.id, roles: ['officer'], email: user.email },
    );
    expect(result.invited).toBe(2);
    const found = await entries().find({ action: 'survey.invitations_sent', targetId: survey.id }).toArray();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      actorEmail: user.email,
      details: { invited: 2, alreadyInvited: 0, invalid: 1 },
    });
  });

  it('when an admin filters the log, then only matching entries show, and a bad date is a clear error', async () => {
    await log.record({
      actor: { id: 'f1', email: 'filter.one@example.ca' },
      action: 'consultation.closed',
      target: { type: 'consultation', id: 'c-filter', label: 'Water' },
      at: new Date('2025-03-10T15:00:00Z'),
    });
    await log.record({
      actor: { id: 'f2', email: 'filter.two@example.ca' },
      action: 'comment.hidden',
      target: { type: 'comment', id: 'k-filter' },
      at: new Date('2025-03-20T15:00:00Z'),
    });
    const byActor = await admin.get('/admin/audit?actor=FILTER.ONE@example.ca');
    expect(byActor.status).toBe(200);
    expect(byActor.text).toContain('Closed the consultation');
    expect(byActor.text).not.toContain('Hid the comment');
    const byGroup = await admin.get('/admin/audit?action=comment');
    expect(byGroup.text).toContain('Hid the comment');
    expect(byGroup.text).not.toContain('Closed the consultation');
    const byDates = await admin.get('/admin/audit?from=2025-03-01&to=2025-03-10');
    expect(byDates.text).toContain('filter.one@example.ca');
    expect(byDates.text).not.toContain('filter.two@example.ca');
    const byTarget = await admin.get('/admin/audit?targetType=comment&targetId=k-filter');
    expect(byTarget.text).toContain('filter.two@example.ca');
    expect(byTarget.text).not.toContain('filter.one@example.ca');
    const bad = await admin.get('/admin/audit?from=10%2F03%2F2025&action=nope');
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Enter a date as YYYY-MM-DD');
    expect(bad.text).toContain('Choose an action from the list');
    const switched = await admin.get('/admin/audit?action=comment&lang=fr');
    const french = await admin.get(
      (switched.headers.location as string | undefined) ?? '/admin/audit?action=comment',
    );
    expect(french.text).toContain('A masqué le commentaire');
  });

  it('when the log is longer than a page, then pages go older and back newer without gaps or repeats', async () => {
    const at = new Date('2024-01-01T12:00:00Z');
    for (let i = 0; i < 120; i += 1) {
      // Pairs share a time, so the order within a time comes from the id.
      await log.record({
        actor: { id: 'pager', email: 'pager@example.ca' },
        action: 'survey.updated',
        target: { type: 'survey', id: `p${i}` },
        at: new Date(at.getTime() + Math.floor(i / 2) * 1000),
      });
    }
    const seen: string[] = [];
    let url: string | undefined = '/admin/audit?actor=pager%40example.ca';
    const pages: string[] = [];
    while (url) {
      const page = await admin.get(url);
      pages.push(url);
      seen.push(...[...page.text.matchAll(/>(p\d+)</g)].map((m) => m[1]!));
      url = /href="([^"]+)" rel="next"/.exec(page.text)?.[1]?.replace(/&amp;/g, '&');
    }
    expect(pages).toHaveLength(3);
    expect(new Set(seen).size).toBe(120);
    expect(seen).toHaveLength(120);
    expect(seen[0]).toMatch(/^p11[89]$/);
    // Back from the last page: the page before it.
    const last = await admin.get(pages[2]!);
    const newer = /href="([^"]+)" rel="prev"/.exec(last.text)?.[1]?.replace(/&amp;/g, '&');
    const back = await admin.get(newer!);
    expect([...back.text.matchAll(/>(p\d+)</g)].map((m) => m[1])).toEqual(seen.slice(50, 100));
  });

  it('when an admin exports the log as CSV, then the filtered entries come out (described in the admin’s language, French since the last test) and the export is recorded', async () => {
    const res = await admin.get('/admin/audit.csv?action=consultation');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('at,actor_id,actor_email,action,description,target_type,target_id,target,details');
    expect(
      lines.some((l) => l.includes('filter.one@example.ca') && l.includes('A fermé la consultation')),
    ).toBe(true);
    expect(lines.some((l) => l.includes('comment.hidden'))).toBe(false);
    const exported = await entries().find({ action: 'download.audit', actorEmail: adminEmail }).toArray();
    expect(exported).toHaveLength(1);
    expect(exported[0]!.details).toEqual({ action: 'consultation' });
  });

  it('when someone who is not an admin asks for the log or its export, then it is refused', async () => {
    const { agent } = await signInAs(ctx, { roles: ['officer'] });
    expect((await agent.get('/admin/audit')).status).toBe(403);
    expect((await agent.get('/admin/audit.csv')).status).toBe(403);
  });
});
