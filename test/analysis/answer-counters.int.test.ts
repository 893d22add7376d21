import pino from 'pino';
import { compose, type Composition } from '../../src/composition-root';
import { REGIONS, SECTORS } from '../../src/platform/classifications';
import {
  QuestionAccumulator,
  TEXT_PAGE,
  type AnswerCounters,
  type SummaryQuestion,
} from '../../src/modules/analysis';
import { slicesOf, summaryFromCounts } from '../../src/modules/analysis/answer-counts';
import type { Answers, Question, Survey } from '../../src/modules/surveys';
import type { SubmittedAnswers } from '../../src/modules/surveys/answer-recorder';
import { buildTestApp, type TestApp } from '../support/app';
import { both, createSurvey, everyTypeQuestions } from '../support/factories/surveys';

/**
 * The answer counters under the conditions they must survive: two app instances (two compositions on one
 * database) recording at once, replays of the same recording (a retry, the reconciler), edits whose recordings
 * arrive in any order, respondents moving between sectors and regions. The live counters must equal a recomputation
 * from the answer log and, independently, what QuestionAccumulator computes from the answers themselves.
 */

/** A small deterministic random generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T,
    chance: (p: number) => next() < p,
  };
}

type Rng = ReturnType<typeof random>;

function randomAnswers(rng: Rng): { answers: Answers; otherText: Record<string, string> } {
  const answers: Answers = {};
  const otherText: Record<string, string> = {};
  const opts = ['a', 'b', 'c'];
  if (rng.chance(0.9)) {
    answers.single = rng.pick([...opts, 'other']);
    if (answers.single === 'other') otherText.single = `other ${rng.int(5)}`;
  }
  if (rng.chance(0.7)) answers.multi = [...new Set([rng.pick(opts), rng.pick(opts)])];
  if (rng.chance(0.6)) answers.drop = rng.pick(opts);
  if (rng.chance(0.5)) answers.short = rng.pick(['yes', 'no', 'maybe']);
  if (rng.chance(0.5)) answers.long = `text ${rng.int(20)}`;
  if (rng.chance(0.7)) answers.num = 1 + rng.int(10);
  if (rng.chance(0.4)) answers.day = `2026-0${1 + rng.int(9)}-1${rng.int(10)}`;
  if (rng.chance(0.3)) answers.mail = `p${rng.int(100)}@example.ca`;
  if (rng.chance(0.8)) answers.stars = 1 + rng.int(5);
  if (rng.chance(0.9)) {
    const grid: Record<string, string> = {};
    for (const row of ['r1', 'r2']) if (rng.chance(0.8)) grid[row] = rng.pick(['no', 'yes']);
    if (Object.keys(grid).length) answers.grid = grid;
  }
  if (rng.chance(0.6)) {
    const order = [...opts].sort(() => rng.next() - 0.5);
    answers.rank = order.slice(0, 2 + rng.int(2));
  }
  return { answers, otherText };
}

interface State {
  revision: number;
  answers: Answers;
  otherText: Record<string, string>;
  sector?: string;
  region?: string;
}

describe('answer counters', () => {
  let ctx: TestApp;
  let second: Composition;
  let a: AnswerCounters;
  let b: AnswerCounters;

  beforeAll(async () => {
    ctx = await buildTestApp();
    // A second app instance on the same database: its own services, nothing shared in memory.
    second = compose(ctx.config, pino({ level: 'silent' }), ctx.db);
    a = ctx.composition.answerCounters;
    b = second.answerCounters;
  });
  afterAll(async () => {
    await second.stop();
    await ctx.close();
  });

  async function everyTypeSurvey(): Promise<Survey> {
    const { survey } = await createSurvey(ctx, {
      definition: {
        title: both('Counted survey'),
        sections: [{ id: 'all', title: both('All'), questions: everyTypeQuestions() }],
      },
    });
    return survey;
  }

  function recording(survey: Survey, id: string, state: State, previous?: State): SubmittedAnswers {
    return {
      surveyId: survey.id,
      responseId: id,
      revision: state.revision,
      answers: state.answers,
      otherText: state.otherText,
      ...(state.sector ? { sector: state.sector } : {}),
      ...(state.region ? { region: state.region } : {}),
      submittedAt: new Date(Date.UTC(2026, 0, 1)),
      surveyVersion: survey.version,
      locale: 'en',
      channel: 'open',
      ...(previous
        ? {
            previous: {
              answers: previous.answers,
              ...(previous.sector ? { sector: previous.sector } : {}),
              ...(previous.region ? { region: previous.region } : {}),
            },
          }
        : {}),
    };
  }

  /** Every slice's summaries from the counters equal QuestionAccumulator's over the final answers. */
  async function expectSummariesMatch(survey: Survey, finals: Map<string, State>) {
    const questions = everyTypeQuestions() as unknown as SummaryQuestion[];
    const bySlice = new Map<string, State[]>();
    for (const state of finals.values())
      for (const slice of slicesOf(state.sector, state.region))
        bySlice.set(slice, [...(bySlice.get(slice) ?? []), state]);
    for (const [slice, states] of bySlice) {
      const counts = await a.read(survey.id, slice);
      expect({ slice, n: counts.n }).toEqual({ slice, n: states.length });
      for (const question of questions) {
        const accumulator = new QuestionAccumulator(question);
        for (const s of states) accumulator.add(s.answers[question.id]);
        const expected = accumulator.result();
        const live = summaryFromCounts(question, counts.q?.[question.id], undefined);
        if (expected.kind === 'numeric' && question.type === 'number') {
          // Medians and distributions of numbers come from the snapshot; the mean and count are live.
          expect(live).toMatchObject({ answered: expected.answered });
          expect(live.kind === 'numeric' && live.mean).toBeCloseTo(expected.mean ?? NaN, 10);
        } else if (expected.kind === 'date') {
          expect(live.answered).toBe(expected.answered);
        } else if (expected.kind === 'text' || expected.kind === 'choice') {
          const { otherTexts: _o, ...rest } = expected as typeof expected & { otherTexts?: string[] };
          void _o;
          expect({ question: question.id, ...live, ...(live.kind === 'text' ? { texts: [] } : {}) }).toEqual({
            question: question.id,
            ...rest,
            ...(rest.kind === 'text' ? { texts: [] } : {}),
          });
        } else {
          expect({ question: question.id, ...live }).toEqual({ question: question.id, ...expected });
        }
      }
    }
  }

  it('when submissions, edits and replays interleave on two instances, then the counters equal a recomputation and the answers themselves', async () => {
    const survey = await everyTypeSurvey();
    const rng = random(20261202);
    const states = new Map<string, State>();
    /** Every recording ever made, so any of them can be replayed later. */
    const made: SubmittedAnswers[] = [];
    const sectors = [...SECTORS.slice(0, 3), undefined];
    const regions = [...REGIONS.slice(0, 3), undefined];
    const fresh = (revision: number): State => ({
      revision,
      ...randomAnswers(rng),
      sector: rng.pick(sectors),
      region: rng.pick(regions),
    });

    for (let round = 0; round < 8; round++) {
      const batch: SubmittedAnswers[] = [];
      // New submissions.
      for (let i = 0; i < 8; i++) {
        const id = `r${round}x${i}`;
        const state = fresh(1);
        states.set(id, state);
        batch.push(recording(survey, id, state));
      }
      // Edits of earlier responses; some twice in a row, so revision r+1 may be recorded before r.
      for (const id of [...states.keys()].filter(() => rng.chance(0.25))) {
        const edits = rng.chance(0.3) ? 2 : 1;
        for (let e = 0; e < edits; e++) {
          const previous = states.get(id) as State;
          const next = fresh(previous.revision + 1);
          states.set(id, next);
          batch.push(recording(survey, id, next, previous));
        }
      }
      // Replays of recordings already made (some applied long ago, some in this very batch).
      for (const old of made) if (rng.chance(0.1)) batch.push(old);
      for (const current of batch.slice()) if (rng.chance(0.2)) batch.push(current);
      made.push(...batch);
      // All at once, spread over the two instances, in a shuffled order.
      const shuffled = batch.sort(() => rng.next() - 0.5);
      await Promise.all(shuffled.map((r, i) => (i % 2 ? a : b).recordAnswers(r)));
    }

    const live = await a.stored(survey.id);
    expect(live).toEqual(await b.compute(survey.id));
    await expectSummariesMatch(survey, states);

    // The answer log holds each response's last revision.
    const logged = new Map<string, number | undefined>();
    for await (const r of a.log.responses(survey.id)) logged.set(r.id, r.revision);
    expect(logged).toEqual(new Map([...states].map(([id, s]) => [id, s.revision])));

    // A rebuild from the stored responses gives the same counters.
    await a.rebuild(
      survey.id,
      (async function* () {
        for (const [id, s] of states)
          yield {
            id,
            revision: s.revision,
            surveyVersion: survey.version,
            locale: 'en',
            channel: 'open',
            sector: s.sector,
            region: s.region,
            answers: s.answers,
            otherText: s.otherText,
          };
      })(),
    );
    expect(await a.stored(survey.id)).toEqual(live);
  }, 300_000);

  it('when a response is edited to another sector, then it leaves the old sector slice and joins the new one', async () => {
    const survey = await everyTypeSurvey();
    const first: State = {
      revision: 1,
      answers: { single: 'a', stars: 5 },
      otherText: {},
      sector: 'academia',
      region: 'ON',
    };
    const second: State = { ...first, revision: 2, answers: { single: 'b', stars: 3 }, sector: 'government' };
    await a.recordAnswers(recording(survey, 'moved', first));
    await b.recordAnswers(recording(survey, 'moved', second, first));
    await a.recordAnswers(recording(survey, 'moved', second, first)); // replayed: no effect
    const academia = await a.read(survey.id, 's:academia');
    const government = await a.read(survey.id, 's:government');
    const ontario = await a.read(survey.id, 'r:ON');
    expect(academia.n ?? 0).toBe(0);
    expect(government).toMatchObject({ n: 1, q: { single: { a: 1, o: { b: 1 } } } });
    expect(ontario.q?.single?.o).toEqual({ b: 1 });
    expect(ontario.q?.stars).toMatchObject({ a: 1, sum: 3, v: { '3': 1 } });
  });

  // Keys of stored answers are question and row ids (the engines refuse `.` in keys); values can be anything.
  it('when answers carry values that are not safe in a counter path, then they are hashed, never written as paths', async () => {
    const survey = await everyTypeSurvey();
    await a.recordAnswers(
      recording(survey, 'odd', {
        revision: 1,
        answers: {
          single: 'a.b',
          multi: ['$where'],
          grid: { r1: 'x.$y' },
          stars: 2.5,
          rank: ['.'],
        } as Answers,
        otherText: {},
        sector: 'not.a.sector',
      }),
    );
    const stored = await a.stored(survey.id);
    const paths = [...stored.values()].flatMap((flat) => Object.keys(flat));
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths)
      expect(path.split('.').every((part) => /^[~A-Za-z0-9_-]+$/.test(part))).toBe(true);
  });

  it('when the snapshot is taken, then number medians and date ranges are exact per slice and written answers page forward and back', async () => {
    const survey = await everyTypeSurvey();
    const count = TEXT_PAGE * 2 + 37;
    for (let i = 0; i < count; i++) {
      await a.recordAnswers(
        recording(survey, `t${i}`, {
          revision: 1,
          answers: {
            long: `answer ${i}${i % 10 === 0 ? ' tenth' : ''}`,
            num: (i % 7) + 1,
            day: `2026-02-${10 + (i % 9)}`,
          },
          otherText: {},
          sector: i % 2 ? 'academia' : 'civil_society',
          region: 'QC',
        }),
      );
    }
    expect((await a.snapshots.head(survey.id)).at).toBeNull();
    expect(await a.snapshots.refresh(survey.id, new Date('2026-03-01T12:00:00Z'))).toBe(true);
    const head = await a.snapshots.head(survey.id);
    expect(head.at).toEqual(new Date('2026-03-01T12:00:00Z'));
    expect(head.texts.long).toBe(count);

    const nums = Array.from({ length: count }, (_, i) => (i % 7) + 1);
    const academiaNums = nums.filter((_, i) => i % 2 === 1);
    const medianOf = (values: number[]) => {
      const acc = new QuestionAccumulator({ id: 'n', type: 'number', label: both('n') });
      values.forEach((v) => acc.add(v));
      const r = acc.result();
      return r.kind === 'numeric' ? { median: r.median, min: r.min, max: r.max } : undefined;
    };
    const all = await a.snapshots.figures(survey.id, head.gen, 'all');
    expect(all?.numbers?.num).toMatchObject(medianOf(nums) as object);
    expect(all?.dates?.day).toEqual({ earliest: '2026-02-10', latest: '2026-02-18' });
    const academia = await a.snapshots.figures(survey.id, head.gen, 's:academia');
    expect(academia?.numbers?.num).toMatchObject(medianOf(academiaNums) as object);

    // Unfiltered: pages of 50 follow each other exactly, forward and back.
    const first = await a.snapshots.texts(survey.id, head, 'long', { limit: 50, budget: 2 });
    expect(first.items.map((i) => i.index)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(first.previous).toBeNull();
    const secondPage = await a.snapshots.texts(survey.id, head, 'long', {
      from: first.next as number,
      limit: 50,
      budget: 2,
    });
    expect(secondPage.items[0]?.text).toBe('answer 50 tenth');
    const back = await a.snapshots.texts(survey.id, head, 'long', {
      before: secondPage.previous as number,
      limit: 50,
      budget: 2,
    });
    expect(back.items).toEqual(first.items);

    // Filtered and searched: only academia's "tenth" answers (none: tenths are even) vs civil society's.
    const tenthsAcademia = await a.snapshots.texts(survey.id, head, 'long', {
      sector: 'academia',
      q: 'TENTH',
      limit: 50,
      budget: 10,
    });
    expect(tenthsAcademia.items).toEqual([]);
    const tenths = await a.snapshots.texts(survey.id, head, 'long', {
      sector: 'civil_society',
      q: 'tenth',
      limit: 5,
      budget: 10,
    });
    expect(tenths.items.map((i) => i.text)).toEqual([0, 10, 20, 30, 40].map((n) => `answer ${n} tenth`));
    // A bounded read: with a budget of one page, the search stops and says where to continue.
    const bounded = await a.snapshots.texts(survey.id, head, 'long', {
      q: 'tenth',
      from: 0,
      limit: 50,
      budget: 1,
    });
    expect(bounded).toMatchObject({ partial: true, next: TEXT_PAGE });
    expect(bounded.items).toHaveLength(10);

    // A second run replaces the first generation; a run already holding the lease makes a second one wait.
    await a.recordAnswers(
      recording(survey, 'late', {
        revision: 1,
        answers: { long: 'late answer' },
        otherText: {},
        region: 'QC',
      }),
    );
    const [one, two] = await Promise.all([a.snapshots.refresh(survey.id), b.snapshots.refresh(survey.id)]);
    expect([one, two].sort()).toEqual([false, true]);
    const after = await a.snapshots.head(survey.id);
    expect(after.texts.long).toBe(count + 1);
    expect(after.gen).not.toBe(head.gen);
    expect(await a.snapshots.figures(survey.id, head.gen, 'all')).toEqual({});
  });

  it('when a question type is looked up, then every version is used, the current type first', async () => {
    const survey = await everyTypeSurvey();
    const types = await a.types(survey.id);
    expect(types.get('rank')).toBe('ranking');
    expect(types.size).toBe((everyTypeQuestions() as Question[]).length);
  });
});
