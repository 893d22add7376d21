import type { Collection } from 'mongodb';

/**
 * A signed-in participant's own list of surveys they started and responses they submitted, so their dashboard reads
 * a bounded set of documents by `_id` (drafts of several-per-respondent surveys and submitted responses carry
 * random nonces in their ids, which cannot be derived).
 *
 * One document per user (`_id` = the respondent key `user:<id>`), maps keyed by survey id and response id (safe field
 * names: hex and base64url), written by single-document `$set`s, so parallel writes never lose each other. The index
 * may hold more than exists (it is written before, or in the same idempotent step as, the thing it points at; a
 * submitted draft leaves its entry): readers look every entry up by `_id` and skip what is gone.
 */
export const PARTICIPANT_INDEX_COLLECTION = 'survey_participant_index';

export interface ParticipantIndexDoc {
  _id: string;
  drafts?: Record<string, { at: Date }>;
  responses?: Record<string, { surveyId: string; at: Date }>;
}

const SAFE = /^[A-Za-z0-9_-]{1,64}$/;

/** Only accounts have a dashboard: anonymous and invited respondents are not indexed. */
export function indexedKey(respondentKey: string): string | undefined {
  return respondentKey.startsWith('user:') ? respondentKey : undefined;
}

export function participantIndex(collection: Collection<ParticipantIndexDoc>) {
  return {
    async noteDraft(respondentKey: string, surveyId: string, at: Date): Promise<void> {
      const key = indexedKey(respondentKey);
      if (!key || !SAFE.test(surveyId)) return;
      await collection.updateOne(
        { _id: key },
        { $set: { [`drafts.${surveyId}`]: { at } } },
        { upsert: true },
      );
    },
    async noteResponse(respondentKey: string, responseId: string, surveyId: string, at: Date): Promise<void> {
      const key = indexedKey(respondentKey);
      if (!key || !SAFE.test(responseId)) return;
      await collection.updateOne(
        { _id: key },
        { $set: { [`responses.${responseId}`]: { surveyId, at } } },
        { upsert: true },
      );
    },
    async read(respondentKey: string): Promise<ParticipantIndexDoc | null> {
      return collection.findOne({ _id: respondentKey });
    },
    async forget(respondentKey: string): Promise<void> {
      await collection.deleteOne({ _id: respondentKey });
    },
  };
}
