import type { Collection, Document } from 'mongodb';
import type { Connection } from 'mongoose';
import { incrementOnce } from '../../platform/db/guarded-counters';
import type { EffectContext, PendingEffects } from '../../platform/db/pending-effects';
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/errors';
import { hasRole, type Role } from '../../platform/http/auth';
import type { Logger } from '../../platform/logger';
import type { AnswerRecorder } from './answer-recorder';
import type { FlagChannel, FlagReason } from './flood-guard';
import { countScopeIds, type ResponseCountsDoc } from './response-docs';
import type { ResponseDoc } from './response.model';
import type { Answers, OtherText } from './survey-answers';

/**
 * Flagged responses and what officers do with them (docs/security.md, "Floods").
 *
 * A flagged response is stored and counted like any other, with `moderation` on it. Officers list a survey's
 * flagged responses (`response_flags`, one small document per flagged response, `_id` = response id: the list
 * never reads the responses) and may **exclude** one (it leaves every count: response counts, participation,
 * answer counters, the answer log that exports read) or **restore** it.
 *
 * An action is a multi-document change, made safe like a submission (docs/ARCHITECTURE.md, "One concurrency
 * model"): the response's `moderation.seq` numbers its actions; an action writes its intent, then wins by
 * compare-and-swap on the response (`seq` and `revision` unchanged), then runs its steps, each idempotent under an
 * operation id of its own (response id + seq): the response counters (guarded `$inc`), participation
 * (`setExcluded`), the answer counters (`moderate`), the listing. Excluding twice is a no-op (the second finds it
 * excluded); a crash midway is finished by the reconciler from the intent. A new action waits until no submission,
 * edit or earlier action of the response is in flight (409, "try again"), so actions never overlap and an edit can
 * never slip between an exclusion and its counters (edits also refuse an excluded response).
 */

export const RESPONSE_FLAGS_COLLECTION = 'response_flags';

export interface FlagDoc extends Document {
  _id: string;
  surveyId: string;
  reason: FlagReason;
  channel: FlagChannel;
  network: string;
  addressHash: string;
  at: Date;
  excluded: boolean;
  seq: number;
  /** Who excluded or restored it, when (the audit trail of this response's moderation). */
  actions: { at: Date; by: string; action: 'exclude' | 'restore'; seq: number }[];
}

export interface FlaggedResponse {
  id: string;
  reason: FlagReason;
  channel: FlagChannel;
  network: string;
  at: Date;
  excluded: boolean;
  actions: FlagDoc['actions'];
}

export interface FlaggedList {
  items: FlaggedResponse[];
  counts: { total: number; excluded: number; byReason: Record<FlagReason, number> };
  /** More than the page shows. */
  truncated: boolean;
}

interface ModerationPayload {
  responseId: string;
  surveyId: string;
  seq: number;
  excluded: boolean;
  actorId: string;
  /** The response as counted when the action won (its answers leave or rejoin the answer counters). */
  revision: number;
  scope: { surveyId: string; consultationId: string; roundId: string };
  answers: Answers;
  otherText: OtherText;
  sector?: string;
  region?: string;
  organisation?: string;
  surveyVersion: number;
  submittedAt: string;
  locale: string;
  channel: 'open' | 'invited';
}

export interface ModerationDeps {
  connection: Connection;
  responses: Collection<ResponseDoc>;
  counters: Collection<ResponseCountsDoc>;
  effects: PendingEffects;
  participation: {
    setExcluded?(responseId: string, excluded: boolean, seq: number, replayedFrom?: Date): Promise<void>;
    setExcludedMany?(items: { responseId: string; excluded: boolean; seq: number }[]): Promise<void>;
    rebuildRunning?(): Promise<boolean>;
  };
  answerRecorder: () => AnswerRecorder | undefined;
  clock: () => Date;
  logger?: Logger;
}

const LIST_LIMIT = 500;
const IN_FLIGHT_KINDS = new Set(['submission', 'answers-edit', 'moderation']);

export function createModeration(deps: ModerationDeps) {
  const flags = deps.connection.collection(RESPONSE_FLAGS_COLLECTION) as unknown as Collection<FlagDoc>;

  function requireOfficer(actor: { id: string; roles: Role[] }): void {
    if (!hasRole(actor as never, 'officer')) throw new ForbiddenError();
  }

  /** Adds a flagged response to its survey's list (a step of its submission: idempotent). */
  async function listFlag(response: ResponseDoc): Promise<void> {
    const flag = response.moderation?.flag;
    if (!flag) return;
    await flags
      .updateOne(
        { _id: response._id },
        {
          $setOnInsert: {
            surveyId: response.surveyId.toString(),
            reason: flag.reason,
            channel: flag.channel,
            network: flag.network,
            addressHash: flag.addressHash,
            at: flag.at,
            excluded: false,
            seq: 0,
            actions: [],
          },
        },
        { upsert: true },
      )
      .catch((error: unknown) => {
        if ((error as { code?: number }).code !== 11000) throw error; // two first upserts: the other wrote it
      });
  }

  /** A survey's flagged responses, newest first, with counts (a staff page: one survey's small list). */
  async function list(surveyId: string, actor: { id: string; roles: Role[] }): Promise<FlaggedList> {
    requireOfficer(actor);
    const docs = await flags
      .find({ surveyId })
      .sort({ at: -1, _id: 1 })
      .limit(LIST_LIMIT + 1)
      .toArray();
    const counts = {
      total: 0,
      excluded: 0,
      byReason: { flood: 0, address: 0 } as Record<FlagReason, number>,
    };
    for (const doc of docs.slice(0, LIST_LIMIT)) {
      counts.total += 1;
      if (doc.excluded) counts.excluded += 1;
      counts.byReason[doc.reason] = (counts.byReason[doc.reason] ?? 0) + 1;
    }
    return {
      items: docs.slice(0, LIST_LIMIT).map((doc) => ({
        id: doc._id,
        reason: doc.reason,
        channel: doc.channel,
        network: doc.network,
        at: doc.at,
        excluded: doc.excluded,
        actions: doc.actions ?? [],
      })),
      counts,
      truncated: docs.length > LIST_LIMIT,
    };
  }

  async function inFlight(responseId: string): Promise<boolean> {
    const pending = await deps.effects.pending();
    return pending.some((p) => IN_FLIGHT_KINDS.has(p.kind) && p.key.startsWith(`${responseId}:`));
  }

  /**
   * Excludes (or restores) one flagged response of the survey. Returns 'unchanged' when it already is (excluding
   * twice changes nothing), 'done' when this call did it.
   */
  async function setExcluded(
    surveyId: string,
    responseId: string,
    excluded: boolean,
    actor: { id: string; roles: Role[] },
  ): Promise<'done' | 'unchanged'> {
    requireOfficer(actor);
    const won = await begin(surveyId, responseId, excluded, actor);
    if (won === 'unchanged') return won;
    await finish([won]);
    return 'done';
  }

  /**
   * Excludes several flagged responses of the survey (an officer clearing a flood): each is won like one, then
   * their steps run together, so participation reads the ledger once for the batch. Responses still in flight are
   * skipped and counted in `busy`.
   */
  async function excludeMany(
    surveyId: string,
    responseIds: string[],
    actor: { id: string; roles: Role[] },
  ): Promise<{ done: number; busy: number }> {
    requireOfficer(actor);
    const won: ModerationPayload[] = [];
    let busy = 0;
    for (const responseId of responseIds) {
      try {
        const outcome = await begin(surveyId, responseId, true, actor);
        if (outcome !== 'unchanged') won.push(outcome);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        busy += 1;
      }
    }
    await finish(won);
    return { done: won.length, busy };
  }

  /** The intent, then the compare-and-swap on the response that decides the action. */
  async function begin(
    surveyId: string,
    responseId: string,
    excluded: boolean,
    actor: { id: string; roles: Role[] },
  ): Promise<ModerationPayload | 'unchanged'> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const doc = await deps.responses.findOne({ _id: responseId });
      if (!doc || doc.status !== 'submitted' || doc.surveyId.toString() !== surveyId || !doc.moderation)
        throw new NotFoundError();
      if (doc.moderation.excluded === excluded) return 'unchanged';
      if ((await inFlight(responseId)) || (await deps.participation.rebuildRunning?.()))
        throw new ConflictError({ key: 'surveys:flagged.busy' });
      const seq = doc.moderation.seq + 1;
      const payload: ModerationPayload = {
        responseId,
        surveyId,
        seq,
        excluded,
        actorId: actor.id,
        revision: doc.revision ?? 1,
        scope: {
          surveyId,
          consultationId: doc.consultationId.toString(),
          roundId: doc.roundId.toString(),
        },
        answers: doc.answers ?? {},
        otherText: doc.otherText ?? {},
        ...(doc.sector !== undefined ? { sector: doc.sector } : {}),
        ...(doc.region !== undefined ? { region: doc.region } : {}),
        ...(doc.organisation !== undefined ? { organisation: doc.organisation } : {}),
        surveyVersion: doc.surveyVersion,
        submittedAt: (doc.submittedAt ?? doc.createdAt).toISOString(),
        locale: doc.locale,
        channel: doc.channel,
      };
      await deps.effects.begin('moderation', keyOf(payload), payload as unknown as Document);
      const won = await deps.responses.updateOne(
        {
          _id: responseId,
          status: 'submitted',
          revision: doc.revision === undefined ? { $exists: false } : doc.revision,
          'moderation.seq': doc.moderation.seq,
        } as never,
        { $set: { 'moderation.excluded': excluded, 'moderation.seq': seq } },
      );
      if (won.modifiedCount === 1) return payload;
      // An edit or another officer got there first: read again.
      await deps.effects.done('moderation', keyOf(payload));
    }
    throw new ConflictError({ key: 'surveys:flagged.busy' });
  }

  function keyOf(payload: Pick<ModerationPayload, 'responseId' | 'seq'>): string {
    return `${payload.responseId}:m${payload.seq}`;
  }

  /** The steps of actions that won, then their intents go. */
  async function finish(payloads: ModerationPayload[]): Promise<void> {
    if (!payloads.length) return;
    if (deps.participation.setExcludedMany) {
      for (const payload of payloads) await countResponse(payload);
      await deps.participation.setExcludedMany(
        payloads.map((p) => ({ responseId: p.responseId, excluded: p.excluded, seq: p.seq })),
      );
      for (const payload of payloads) await afterParticipation(payload);
    } else {
      for (const payload of payloads) await steps(payload);
    }
    for (const payload of payloads) {
      await deps.effects.done('moderation', keyOf(payload));
      deps.logger?.info(
        {
          responseId: payload.responseId,
          surveyId: payload.surveyId,
          action: payload.excluded ? 'exclude' : 'restore',
          actorId: payload.actorId,
        },
        'flagged response moderated',
      );
    }
  }

  /** The steps of an action that won, each idempotent under the action's own operation ids. */
  async function steps(payload: ModerationPayload, replayedFrom?: Date): Promise<void> {
    await countResponse(payload);
    await deps.participation.setExcluded?.(payload.responseId, payload.excluded, payload.seq, replayedFrom);
    await afterParticipation(payload);
  }

  /** The response counters of the survey, its consultation and its round: one submitted fewer (or more). */
  async function countResponse(payload: ModerationPayload): Promise<void> {
    const sign = payload.excluded ? -1 : 1;
    await Promise.all(
      countScopeIds(payload.scope).map((id) =>
        incrementOnce(
          deps.counters as unknown as Collection<Document>,
          id,
          `moderate-${payload.responseId}-${payload.seq}`,
          { 'counts.submitted': sign },
        ),
      ),
    );
  }

  /** The answer counters (and the answer log), then the officers' list. */
  async function afterParticipation(payload: ModerationPayload): Promise<void> {
    await deps.answerRecorder()?.moderate?.({
      surveyId: payload.surveyId,
      responseId: payload.responseId,
      revision: payload.revision,
      answers: payload.answers,
      ...(payload.sector !== undefined ? { sector: payload.sector } : {}),
      ...(payload.region !== undefined ? { region: payload.region } : {}),
      ...(payload.organisation !== undefined ? { organisation: payload.organisation } : {}),
      submittedAt: new Date(payload.submittedAt),
      surveyVersion: payload.surveyVersion,
      otherText: payload.otherText,
      locale: payload.locale,
      channel: payload.channel,
      excluded: payload.excluded,
      seq: payload.seq,
    });
    await flags.updateOne({ _id: payload.responseId, seq: { $lt: payload.seq } }, {
      $set: { excluded: payload.excluded, seq: payload.seq },
      $push: {
        actions: {
          at: deps.clock(),
          by: payload.actorId,
          action: payload.excluded ? 'exclude' : 'restore',
          seq: payload.seq,
        },
      },
    } as never);
  }

  /** The reconciler: an action that won its compare-and-swap is finished; one that lost is dropped. */
  async function replay(payload: ModerationPayload, context: EffectContext) {
    const doc = await deps.responses.findOne({ _id: payload.responseId });
    // Never won (the request died before its compare-and-swap, or lost it): nothing to finish. A later action
    // cannot have started while this intent was open.
    if (!doc?.moderation || doc.moderation.seq !== payload.seq) return 'drop' as const;
    await steps(payload, context.createdAt);
    return 'done' as const;
  }

  return { listFlag, list, setExcluded, excludeMany, replay, collection: flags };
}

export type Moderation = ReturnType<typeof createModeration>;
