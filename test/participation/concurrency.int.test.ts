import { SECTORS, REGIONS } from '../../src/platform/classifications';
import { GUARD_WINDOW_MS } from '../../src/platform/db/guarded-counters';
import {
  createParticipationModule,
  type ParticipationService,
  type SubmissionRecord,
} from '../../src/modules/participation';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * Two ParticipationService instances stand for two app instances behind a load balancer. Nothing serialises them:
 * their operations interleave freely, and exactness must come from the design. They share the test database's one
 * connection because that is what gives FerretDB MongoDB's guarantee (each single-document operation atomic); on
 * MongoDB two connections give the same guarantee, so the same interleavings are what two instances do there.
 */
let db: TestDatabase;
let a: ParticipationService;
let b: ParticipationService;

beforeEach(async () => {
  db = await createTestDatabase();
  a = createParticipationModule({ connection: db.connection }).participation;
  b = createParticipationModule({ connection: db.connection }).participation;
  await a.init();
});
afterEach(() => db.drop());

let seq = 0;
function submission(overrides: Partial<SubmissionRecord>): SubmissionRecord {
  seq++;
  return {
    responseId: `r${seq}`,
    roundId: 'round-a',
    consultationId: 'cons-1',
    surveyId: 'survey-1',
    respondentKey: `anon:k${seq}`,
    sector: 'individual',
    region: 'ON',
    locale: 'en',
    channel: 'open',
    submittedAt: new Date(Date.UTC(2018, 0, 1, 0, 0, seq)),
    ...overrides,
  };
}

const cells = async (service: ParticipationService) =>
  (await service.liveRollups()).map((r) => `${r._id}=${r.count}`).sort();
const computed = async (service: ParticipationService) =>
  (await service.computeFromLedger()).cells.map((r) => `${r._id}=${r.count}`).sort();

describe('participation under two instances', () => {
  it('when two earlier submissions of one person arrive late and at once on two instances, then the earliest one counts', async () => {
    const people = Array.from({ length: 12 }, (_, i) => `user:late${i}`);
    // First the latest submission of each person, then their two earlier ones in parallel, one per instance.
    for (const [i, key] of people.entries()) {
      await a.recordSubmission(
        submission({
          respondentKey: key,
          responseId: `late-${i}-3`,
          sector: 'private_sector',
          submittedAt: new Date(Date.UTC(2018, 5, 3)),
        }),
      );
    }
    await Promise.all(
      people.flatMap((key, i) => [
        a.recordSubmission(
          submission({
            respondentKey: key,
            responseId: `late-${i}-2`,
            sector: 'academia',
            submittedAt: new Date(Date.UTC(2018, 5, 2)),
          }),
        ),
        b.recordSubmission(
          submission({
            respondentKey: key,
            responseId: `late-${i}-1`,
            sector: 'civil_society',
            submittedAt: new Date(Date.UTC(2018, 5, 1)),
          }),
        ),
      ]),
    );
    const round = await a.counts('round', 'round-a');
    expect(round.participants).toBe(people.length);
    expect(round.responses).toBe(people.length * 3);
    expect(round.by.sector).toEqual({ civil_society: people.length });
    expect(await cells(b)).toEqual(await computed(a));
  });

  it('when the same submissions are recorded again and again on both instances at once, then each counts once', async () => {
    const batch = Array.from({ length: 30 }, (_, i) =>
      submission({ respondentKey: `anon:dup${i % 10}`, sector: SECTORS[i % SECTORS.length] }),
    );
    await Promise.all(
      batch.flatMap((s) => [a.recordSubmission(s), b.recordSubmission(s), a.recordSubmission(s)]),
    );
    const round = await b.counts('round', 'round-a');
    expect(round.responses).toBe(30);
    expect(round.participants).toBe(10);
    expect(await cells(a)).toEqual(await computed(a));
  });

  it('when a request died after the ledger and the participation but before the counters, then the replay counts it exactly once', async () => {
    const s = submission({ respondentKey: 'user:crash', sector: 'academia' });
    await a.recordSubmission(s);
    // What a request that died before its counter writes leaves behind: the ledger entry and the participations.
    await db.connection.collection('participation_rollups').deleteMany({});
    expect((await a.counts('round', 'round-a')).participants).toBe(0);
    // The reconciler on two instances and a retried request, all at once.
    await Promise.all([
      a.replaySubmission(s, new Date()),
      b.replaySubmission(s, new Date()),
      a.recordSubmission(s),
    ]);
    const after = await a.counts('round', 'round-a');
    expect({ participants: after.participants, responses: after.responses, sector: after.by.sector }).toEqual(
      {
        participants: 1,
        responses: 1,
        sector: { academia: 1 },
      },
    );
    // Replays change nothing.
    await Promise.all([a.replaySubmission(s, new Date()), b.recordSubmission(s)]);
    expect(await a.counts('round', 'round-a')).toEqual(after);
    expect(await cells(a)).toEqual(await computed(a));
  });

  it('when only the ledger was written before a crash, then a replay adds the person to every scope', async () => {
    const s = submission({ respondentKey: 'user:half', sector: 'civil_society' });
    await db.connection
      .collection('participation_submissions')
      .insertOne({ _id: s.responseId as never, ...s, recordedAt: new Date() });
    expect((await a.counts('survey', 'survey-1')).participants).toBe(0);
    await Promise.all([a.replaySubmission(s, new Date()), b.replaySubmission(s, new Date())]);
    for (const [scope, id] of [
      ['round', 'round-a'],
      ['consultation', 'cons-1'],
      ['survey', 'survey-1'],
    ] as const) {
      const counts = await a.counts(scope, id);
      expect({
        scope,
        participants: counts.participants,
        responses: counts.responses,
        sector: counts.by.sector,
      }).toEqual({
        scope,
        participants: 1,
        responses: 1,
        sector: { civil_society: 1 },
      });
    }
  });

  it('when a replay comes after the guard window, then a rebuild is asked for and makes the counts exact', async () => {
    const s = submission({ respondentKey: 'user:slow', sector: 'private_sector' });
    await a.recordSubmission(s);
    const late = new Date(Date.now() - GUARD_WINDOW_MS - 5 * 60_000);
    await b.replaySubmission(s, late);
    expect(await a.rebuildIfNeeded()).toBe(true);
    expect(await a.rebuildIfNeeded()).toBe(false);
    const round = await b.counts('round', 'round-a');
    expect(round.responses).toBe(1);
    expect(round.by.sector).toEqual({ private_sector: 1 });
  });

  it('when a rebuild runs on one instance while the other records submissions, then nothing is lost or counted twice', async () => {
    let state = 42;
    const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const all = Array.from({ length: 120 }, (_, i) =>
      submission({
        respondentKey: `anon:p${Math.floor(random() * 40)}`,
        sector: SECTORS[Math.floor(random() * SECTORS.length)],
        region: REGIONS[Math.floor(random() * REGIONS.length)],
        surveyId: `s${i % 3}`,
        submittedAt: new Date(Date.UTC(2018, 0, 1) + Math.floor(random() * 1e9)),
      }),
    );
    for (const s of all.slice(0, 60)) await a.recordSubmission(s);
    // The second half arrives, in parallel batches on instance b, while instance a rebuilds.
    const writing = (async () => {
      const rest = all.slice(60);
      for (let i = 0; i < rest.length; i += 6)
        await Promise.all(rest.slice(i, i + 6).map((s) => b.recordSubmission(s)));
    })();
    const rebuilding = a.rebuild();
    await Promise.all([writing, rebuilding]);
    expect(await cells(b)).toEqual(await computed(a));
    const first = new Map<string, SubmissionRecord>();
    for (const s of [...all].sort(
      (x, y) => x.submittedAt.getTime() - y.submittedAt.getTime() || (x.responseId < y.responseId ? -1 : 1),
    ))
      if (!first.has(s.respondentKey)) first.set(s.respondentKey, s);
    const bySector: Record<string, number> = {};
    for (const s of first.values()) bySector[s.sector] = (bySector[s.sector] ?? 0) + 1;
    const round = await a.counts('round', 'round-a');
    expect({
      participants: round.participants,
      responses: round.responses,
      bySector: round.by.sector,
    }).toEqual({
      participants: first.size,
      responses: all.length,
      bySector,
    });
    // And a second rebuild agrees with the live counters.
    const live = await cells(a);
    await b.rebuild();
    expect(await cells(a)).toEqual(live);
  }, 180_000);
});
