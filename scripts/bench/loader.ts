/**
 * Bulk loading in the app's own shapes: submitted responses and their ledger entries are inserted in batches
 * (`insertMany`, unordered) straight into the real collections, then every counter is rebuilt through the app's
 * own rebuild functions, so the pages read exactly what live submissions would have left.
 */
import crypto from 'node:crypto';
import type { Connection } from 'mongoose';
import { rebuildAnswerCounters } from '../../src/modules/analysis';
import { submittedId, submittedResponseDoc } from '../../src/modules/surveys/response-docs';
import type { Answers } from '../../src/modules/surveys/survey-answers';
import type { Composition } from '../../src/composition-root';
import type { SubmissionDoc } from '../../src/modules/participation/participation.model';
import { answersFor, type Fixture } from './fixture';
import { nowMs } from './stats';

const BATCH = 1000;
/** Bulk responses are spread over the past, 15 s apart (100,000 of them span 17 days, inside the round). */
const SPACING_MS = 15_000;

/** The browser key of bulk respondent `i` (a valid `agora.respondent` cookie value: 32 base64url characters). */
export function browserKeyOf(kind: 'response' | 'draft', i: number): string {
  return crypto.createHash('sha256').update(`bench-${kind}-${i}`).digest('base64url').slice(0, 32);
}

interface Built {
  response: Record<string, unknown>;
  /** The participation ledger's entry, as recordSubmission writes it. */
  ledger: SubmissionDoc & { _id: string; recordedAt: Date };
}

/** Response number `i` of the page survey, submitted, as the surveys module stores it, and its ledger entry. */
function buildSubmitted(fixture: Fixture, i: number, start: number): Built {
  const { answers, sector, region, locale } = answersFor(i);
  const respondentKey = `anon:${browserKeyOf('response', i)}`;
  const submittedAt = new Date(start + i * SPACING_MS);
  const id = submittedId(fixture.surveyId, respondentKey);
  return {
    response: submittedResponseDoc({
      id,
      surveyId: fixture.surveyId,
      surveyVersion: 1,
      consultationId: fixture.consultationId,
      roundId: fixture.roundId,
      respondentKey,
      answers: answers as Answers,
      otherText: {},
      sector,
      region,
      locale,
      channel: 'open',
      submittedAt,
    }),
    ledger: {
      _id: id,
      responseId: id,
      roundId: fixture.roundId,
      consultationId: fixture.consultationId,
      surveyId: fixture.surveyId,
      respondentKey,
      sector,
      region,
      locale,
      channel: 'open',
      submittedAt,
      // Arrived when submitted: a rebuild replays only what arrived while it ran.
      recordedAt: submittedAt,
    },
  };
}

export class Loader {
  /** Responses of the page survey loaded so far (bulk ones are numbered from 0). */
  loaded = 0;
  private readonly start: number;

  constructor(
    private readonly connection: Connection,
    private readonly composition: Composition,
    private readonly fixture: Fixture,
    /** The largest size this run loads, so submission times stay in the past. */
    maxSize: number,
  ) {
    this.start = Date.now() - (maxSize + 10) * SPACING_MS;
  }

  /**
   * `count` returning respondents with a draft (their browser keys are browserKeyOf('draft', 0..count-1)), saved
   * through the surveys service as their first page would be: page 1 answered, to resume at page 2.
   */
  async loadDrafts(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const browserKey = browserKeyOf('draft', i);
      const outcome = await this.composition.surveys.savePage({
        surveyId: this.fixture.surveyId,
        respondent: { key: `anon:${browserKey}`, browserKey, locale: 'en' },
        pageId: 's1',
        fields: { q_likes: 'yes' },
        action: 'next',
      });
      if (!outcome.ok) throw new Error(`draft ${i}: ${JSON.stringify(outcome.errors)}`);
    }
  }

  /** Adds submitted responses until the page survey has `size`; returns the time taken (ms). */
  async growTo(size: number, onProgress?: (loaded: number) => void): Promise<number> {
    const t0 = nowMs();
    const responses = this.connection.collection('responses');
    const ledger = this.connection.collection('participation_submissions');
    while (this.loaded < size) {
      const n = Math.min(BATCH, size - this.loaded);
      const built = Array.from({ length: n }, (_, k) =>
        buildSubmitted(this.fixture, this.loaded + k, this.start),
      );
      await responses.insertMany(
        built.map((b) => b.response),
        { ordered: false },
      );
      await ledger.insertMany(
        built.map((b) => b.ledger as never),
        { ordered: false },
      );
      this.loaded += n;
      onProgress?.(this.loaded);
    }
    return nowMs() - t0;
  }

  /** Rebuilds every counter from its source records through the app's own functions; returns the time (ms). */
  async rebuildCounters(): Promise<number> {
    const t0 = nowMs();
    await this.composition.participation.participation.rebuild();
    await this.composition.surveys.rebuildResponseCounters();
    await rebuildAnswerCounters(
      { counters: this.composition.answerCounters, surveys: this.composition.surveys },
      this.fixture.surveyId,
    );
    await this.composition.answerCounters.snapshots.refresh(this.fixture.surveyId);
    return nowMs() - t0;
  }
}
