import { SECTORS, REGIONS } from '../../src/platform/classifications';
import {
  createParticipationModule,
  type ParticipationService,
  type SubmissionRecord,
} from '../../src/modules/participation';
import { createTestDatabase, type TestDatabase } from '../support/database';

let db: TestDatabase;
let service: ParticipationService;
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

beforeEach(async () => {
  db = await createTestDatabase();
  service = createParticipationModule({ connection: db.connection }).participation;
  await service.init();
});
afterEach(() => db.drop());

describe('who counts as a participant', () => {
  it('when a person answers two surveys of one round, then they count once in the round and once in each survey', async () => {
    await service.recordSubmission(
      submission({ respondentKey: 'user:u1', surveyId: 's1', sector: 'civil_society' }),
    );
    await service.recordSubmission(
      submission({ respondentKey: 'user:u1', surveyId: 's2', sector: 'civil_society' }),
    );
    const round = await service.counts('round', 'round-a');
    expect(round.participants).toBe(1);
    expect(round.responses).toBe(2);
    expect(round.by.sector).toEqual({ civil_society: 1 });
    expect((await service.counts('survey', 's1')).participants).toBe(1);
    expect((await service.counts('survey', 's2')).participants).toBe(1);
  });

  it('when a participant changes sector after taking part, then past counts do not move', async () => {
    await service.recordSubmission(
      submission({ respondentKey: 'user:u2', roundId: '2016', sector: 'individual' }),
    );
    await service.recordSubmission(
      submission({ respondentKey: 'user:u2', roundId: '2016', surveyId: 'sx', sector: 'civil_society' }),
    );
    await service.recordSubmission(
      submission({ respondentKey: 'user:u2', roundId: '2018', sector: 'civil_society' }),
    );
    expect((await service.counts('round', '2016')).by.sector).toEqual({ individual: 1 });
    expect((await service.counts('round', '2018')).by.sector).toEqual({ civil_society: 1 });
  });

  it('when respondents are anonymous, then each browser key counts once', async () => {
    await service.recordSubmission(submission({ respondentKey: 'anon:browser1', surveyId: 's1' }));
    await service.recordSubmission(submission({ respondentKey: 'anon:browser1', surveyId: 's2' }));
    await service.recordSubmission(submission({ respondentKey: 'anon:browser2' }));
    expect((await service.counts('round', 'round-a')).participants).toBe(2);
  });

  it('when people prefer not to say or were not asked, then those are counted as categories of their own', async () => {
    await service.recordSubmission(submission({ sector: 'prefer_not_to_say', region: 'prefer_not_to_say' }));
    await service.recordSubmission(submission({ sector: 'not_asked', region: 'not_asked' }));
    const counts = await service.counts('round', 'round-a');
    expect(counts.by.sector).toEqual({ prefer_not_to_say: 1, not_asked: 1 });
    expect(counts.by.region).toEqual({ prefer_not_to_say: 1, not_asked: 1 });
    expect(counts.by.gender).toEqual({ not_answered: 2 });
  });

  it('when the same response is recorded twice, then it counts once', async () => {
    const record = submission({ gender: 'woman', ageRange: '25_34' });
    await service.recordSubmission(record);
    await service.recordSubmission(record);
    const counts = await service.counts('round', 'round-a');
    expect(counts).toMatchObject({ participants: 1, responses: 1 });
    expect(counts.by.gender).toEqual({ woman: 1 });
    expect(counts.by.ageRange).toEqual({ '25_34': 1 });
  });

  it('when a record is malformed, then it is refused and nothing is counted', async () => {
    await expect(service.recordSubmission(submission({ sector: 'pirates' as never }))).rejects.toThrow();
    await expect(service.recordSubmission(submission({ respondentKey: '{"$ne":null}' }))).rejects.toThrow();
    expect((await service.counts('round', 'round-a')).participants).toBe(0);
  });
});

describe('exact counts without transactions', () => {
  it('when a random workload with duplicates and parallel submissions runs, then live counters equal the rebuilt ones and an independent count', async () => {
    // A seeded generator keeps any failure reproducible.
    let state = 20181104;
    const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

    const rounds = ['2016', '2018', '2020'];
    const surveysByRound: Record<string, [string, string][]> = {
      '2016': [
        ['c16a', 's16a'],
        ['c16a', 's16b'],
        ['c16b', 's16c'],
      ],
      '2018': [
        ['c18a', 's18a'],
        ['c18b', 's18b'],
      ],
      '2020': [['c20a', 's20a']],
    };
    const respondents = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? `user:p${i}` : `anon:p${i}`));
    const unique: SubmissionRecord[] = [];
    let clock = Date.UTC(2016, 0, 1);
    for (const round of rounds) {
      // What each person says about themselves is fixed within a round and may change between rounds.
      const identity = new Map(
        respondents.map((r) => [
          r,
          {
            sector: pick(SECTORS),
            region: pick(REGIONS),
            locale: pick(['en', 'fr'] as const),
            channel: pick(['open', 'invited'] as const),
          },
        ]),
      );
      for (let i = 0; i < 90; i++) {
        const respondentKey = pick(respondents);
        const [consultationId, surveyId] = pick(surveysByRound[round] as [string, string][]);
        unique.push({
          responseId: `${round}-${i}`,
          roundId: round,
          consultationId,
          surveyId,
          respondentKey,
          ...(identity.get(respondentKey) as {
            sector: (typeof SECTORS)[number];
            region: (typeof REGIONS)[number];
            locale: 'en' | 'fr';
            channel: 'open' | 'invited';
          }),
          // Now and then a person says something else in another survey of the same round.
          ...(random() < 0.2 ? { sector: pick(SECTORS) } : {}),
          ...(random() < 0.5 ? { gender: pick(['woman', 'man', 'non_binary'] as const) } : {}),
          submittedAt: new Date((clock += 1000)),
        });
      }
    }
    // Every submission is sent once or more (retries, double clicks), out of order, in parallel batches of 15.
    const deliveries = unique.flatMap((s) => (random() < 0.3 ? [s, s, s] : [s]));
    for (let i = deliveries.length - 1; i > 0; i--) {
      const j = Math.max(0, i - Math.floor(random() * 40));
      [deliveries[i], deliveries[j]] = [deliveries[j] as SubmissionRecord, deliveries[i] as SubmissionRecord];
    }
    for (let i = 0; i < deliveries.length; i += 15) {
      await Promise.all(deliveries.slice(i, i + 15).map((s) => service.recordSubmission(s)));
    }

    const live = (await service.liveRollups()).map((r) => `${r._id}=${r.count}`).sort();
    const computed = (await service.computeFromLedger()).cells.map((r) => `${r._id}=${r.count}`).sort();
    expect(live).toEqual(computed);

    // An independent count, straight from the generated data.
    for (const round of rounds) {
      const inRound = unique.filter((s) => s.roundId === round);
      const first = new Map<string, SubmissionRecord>();
      for (const s of inRound) if (!first.has(s.respondentKey)) first.set(s.respondentKey, s);
      const bySector: Record<string, number> = {};
      for (const s of first.values()) bySector[s.sector] = (bySector[s.sector] ?? 0) + 1;
      const counts = await service.counts('round', round);
      expect({
        round,
        participants: counts.participants,
        responses: counts.responses,
        bySector: counts.by.sector,
      }).toEqual({
        round,
        participants: first.size,
        responses: inRound.length,
        bySector,
      });
    }

    // Rebuilding from the ledger changes nothing.
    const rebuilt = await service.rebuild();
    expect(rebuilt.submissions).toBe(unique.length);
    expect((await service.liveRollups()).map((r) => `${r._id}=${r.count}`).sort()).toEqual(live);
  }, 180_000); // several hundred real database writes: slow on a loaded 2-core machine
});
