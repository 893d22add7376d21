import crypto from 'node:crypto';
import type { Connection } from 'mongoose';
import type { Collection, Document } from 'mongodb';
import { isDuplicateKey } from '../../platform/db/duplicate-key';
import type { SubmittedAnswers } from '../surveys';
import type { Answers, OtherText } from '../surveys';

/**
 * The answer log: one collection per survey (`answer_log_<surveyId>`) holding a copy of each submitted response as
 * last recorded, `_id` = response id. It is what exports and the "as of" snapshot read, so their time is linear in
 * that survey's responses and not in every survey's: on FerretDB any filter other than `_id` equality reads the
 * whole collection, and response ids are hashes (`r<hash>`), so no range of the shared `responses` collection
 * belongs to one survey. Reading a collection without a filter is one sequential pass on both engines.
 *
 * Written by the recorder at each submission and edit: a replace conditional on a lower revision, so a replay or a
 * late, older recording never overwrites a newer one (upsert: the first recording inserts; a duplicate key means a
 * same or newer revision is already there).
 */

export interface LoggedResponse {
  id: string;
  revision?: number;
  surveyVersion: number;
  submittedAt?: Date;
  locale: string;
  channel: string;
  sector?: string;
  region?: string;
  organisation?: string;
  answers: Answers;
  otherText?: OtherText;
}

interface LogDoc extends Document {
  _id: string;
  rev: number;
  v: number;
  at?: Date;
  locale: string;
  channel: string;
  sector?: string;
  region?: string;
  organisation?: string;
  answers: Answers;
  otherText: OtherText;
  /** Excluded by an officer (a flagged response): kept, but read by nothing (exports, snapshot, recomputation). */
  excluded?: boolean;
}

const PREFIX = 'answer_log_';
const BATCH = 500;

/** The survey's log collection name; ids other than plain ones (ObjectId hex) are hashed to stay a valid name. */
export function logCollectionName(surveyId: string): string {
  const safe = /^[A-Za-z0-9-]{1,64}$/.test(surveyId)
    ? surveyId
    : crypto.createHash('sha256').update(surveyId).digest('hex').slice(0, 32);
  return `${PREFIX}${safe}`;
}

function toDoc(r: LoggedResponse): LogDoc {
  return {
    _id: r.id,
    rev: r.revision ?? 1,
    v: r.surveyVersion,
    ...(r.submittedAt ? { at: r.submittedAt } : {}),
    locale: r.locale,
    channel: r.channel,
    ...(r.sector ? { sector: r.sector } : {}),
    ...(r.region ? { region: r.region } : {}),
    ...(r.organisation ? { organisation: r.organisation } : {}),
    answers: r.answers ?? {},
    otherText: r.otherText ?? {},
  };
}

export class AnswerLog {
  constructor(private readonly connection: Connection) {}

  private collection(surveyId: string): Collection<LogDoc> {
    return this.connection.collection(logCollectionName(surveyId)) as unknown as Collection<LogDoc>;
  }

  async record(input: SubmittedAnswers): Promise<void> {
    const doc = toDoc({
      id: input.responseId,
      revision: input.revision,
      surveyVersion: input.surveyVersion,
      submittedAt: input.submittedAt,
      locale: input.locale,
      channel: input.channel,
      sector: input.sector,
      region: input.region,
      organisation: input.organisation,
      answers: input.answers,
      otherText: input.otherText,
    });
    const collection = this.collection(input.surveyId);
    // An excluded copy is never replaced (its response cannot be edited while excluded; this keeps a replayed
    // recording from bringing it back).
    await collection
      .replaceOne({ _id: doc._id, rev: { $lt: doc.rev }, excluded: { $ne: true } }, doc, { upsert: true })
      .catch((error: unknown) => {
        // The log already holds this revision or a newer one.
        if (!isDuplicateKey(error)) throw error;
      });
  }

  /** Every logged response of the survey, in the order they were first recorded, read in batches. */
  async *responses(surveyId: string): AsyncGenerator<LoggedResponse> {
    const cursor = this.collection(surveyId).find({}).batchSize(BATCH);
    for await (const doc of cursor) {
      if (doc.excluded) continue;
      yield {
        id: doc._id,
        revision: doc.rev,
        surveyVersion: doc.v,
        submittedAt: doc.at,
        locale: doc.locale,
        channel: doc.channel,
        sector: doc.sector,
        region: doc.region,
        organisation: doc.organisation,
        answers: doc.answers ?? {},
        otherText: doc.otherText ?? {},
      };
    }
  }

  /** Marks a response's copy excluded (or not): an exclusion is one write, and so is a restore. */
  async setExcluded(surveyId: string, responseId: string, excluded: boolean): Promise<void> {
    await this.collection(surveyId).updateOne({ _id: responseId }, { $set: { excluded } });
  }

  /** Replaces the survey's log with `source` (a rebuild from the stored responses). */
  async refill(surveyId: string, source: AsyncIterable<LoggedResponse>): Promise<number> {
    await this.drop(surveyId);
    const collection = this.collection(surveyId);
    let batch: LogDoc[] = [];
    let count = 0;
    const flush = async () => {
      if (!batch.length) return;
      await collection.insertMany(batch, { ordered: false });
      count += batch.length;
      batch = [];
    };
    for await (const response of source) {
      batch.push(toDoc(response));
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    return count;
  }

  async drop(surveyId: string): Promise<void> {
    await this.collection(surveyId)
      .drop()
      .catch(() => undefined); // absent already
  }
}
