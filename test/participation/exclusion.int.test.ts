import {
  createParticipationModule,
  type ParticipationService,
  type SubmissionRecord,
} from '../../src/modules/participation';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * Excluding and restoring a submission in the participation metric (an officer's action on a flagged response):
 * the participation moves to the respondent's earliest submission still counted, or to none; each action counts
 * once; live counters equal the recomputation from the ledger after every step, also when a submission of the
 * same respondent arrives in parallel.
 */

let db: TestDatabase;
let service: ParticipationService;
let n = 0;

function submission(overrides: Partial<SubmissionRecord>): SubmissionRecord {
  n += 1;
  return {
    responseId: `r${n}`,
    roundId: 'round-a',
    consultationId: 'cons-1',
    surveyId: 'survey-1',
    respondentKey: `anon:k${n}`,
    sector: 'individual',
    region: 'ON',
    locale: 'en',
    channel: 'open',
    submittedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
    ...overrides,
  };
}

async function expectLiveEqualsRebuilt() {
  const live = (await service.liveRollups()).map((r) => `${r._id}=${r.count}`).sort();
  const computed = (await service.computeFromLedger()).cells.map((r) => `${r._id}=${r.count}`).sort();
  expect(live).toEqual(computed);
}

beforeEach(async () => {
  db = await createTestDatabase();
  service = createParticipationModule({ connection: db.connection }).participation;
  await service.init();
});
afterEach(() => db.drop());

describe('excluding a submission from participation', () => {
  it('when the earliest of two submissions is excluded, then the participant is counted as the other; when both are, not at all; a restore brings them back', async () => {
    const first = submission({ respondentKey: 'anon:r', surveyId: 's1', sector: 'academia' });
    const second = submission({ respondentKey: 'anon:r', surveyId: 's2', sector: 'private_sector' });
    const other = submission({ respondentKey: 'anon:o', surveyId: 's1', sector: 'academia' });
    for (const s of [first, second, other]) await service.recordSubmission(s);
    expect((await service.counts('round', 'round-a')).by.sector).toEqual({ academia: 2 });

    await service.setExcluded(first.responseId, true, 1);
    let round = await service.counts('round', 'round-a');
    expect(round).toMatchObject({ participants: 2, responses: 2 });
    expect(round.by.sector).toEqual({ academia: 1, private_sector: 1 });
    expect(await service.counts('survey', 's1')).toMatchObject({ participants: 1, responses: 1 });
    await expectLiveEqualsRebuilt();

    // The same action again (a retry, the reconciler): nothing moves.
    await service.setExcluded(first.responseId, true, 1);
    expect(await service.counts('round', 'round-a')).toEqual(round);

    await service.setExcludedMany([{ responseId: second.responseId, excluded: true, seq: 1 }]);
    round = await service.counts('round', 'round-a');
    expect(round).toMatchObject({ participants: 1, responses: 1 });
    expect(round.by.sector).toEqual({ academia: 1 });
    await expectLiveEqualsRebuilt();

    // A replay of a submission an officer has excluded since counts nothing.
    await service.recordSubmission(first);
    expect(await service.counts('round', 'round-a')).toEqual(round);

    await service.setExcluded(first.responseId, false, 2);
    round = await service.counts('round', 'round-a');
    expect(round).toMatchObject({ participants: 2, responses: 2 });
    expect(round.by.sector).toEqual({ academia: 2 });
    await expectLiveEqualsRebuilt();

    // A rebuild from the ledger agrees, and a later action still applies in the new generation.
    await service.rebuild();
    expect(await service.counts('round', 'round-a')).toEqual(round);
    await service.setExcluded(second.responseId, false, 2);
    expect(await service.counts('round', 'round-a')).toMatchObject({ participants: 2, responses: 3 });
    await expectLiveEqualsRebuilt();
  });

  it('when submissions of the same respondents arrive while their earlier ones are excluded, then live equals rebuilt', async () => {
    const earlier = Array.from({ length: 12 }, (_, i) =>
      submission({ respondentKey: `anon:p${i}`, surveyId: `s${i % 3}`, sector: 'academia' }),
    );
    for (const s of earlier) await service.recordSubmission(s);
    const later = earlier.map((s, i) =>
      submission({
        respondentKey: s.respondentKey,
        surveyId: `s${(i + 1) % 3}`,
        sector: 'civil_society',
        submittedAt: new Date(Date.UTC(2026, 0, 2, 0, 0, i)),
      }),
    );
    // Exclusions (one batch, and one by one) interleaved with the new submissions, nothing serialising them.
    await Promise.all([
      service.setExcludedMany(
        earlier.slice(0, 6).map((s) => ({ responseId: s.responseId, excluded: true, seq: 1 })),
      ),
      ...earlier.slice(6).map((s) => service.setExcluded(s.responseId, true, 1)),
      ...later.map((s) => service.recordSubmission(s)),
    ]);
    await expectLiveEqualsRebuilt();
    const round = await service.counts('round', 'round-a');
    expect(round).toMatchObject({ participants: 12, responses: 12 });
    expect(round.by.sector).toEqual({ civil_society: 12 });
  });
});
