import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey } from '../../platform/db/duplicate-key';
import type { ScopeCounts } from './participation.service';

/**
 * The figures of a completed round, as they were when it was completed. A completed round's public and staff
 * figures (participation by every dimension, shares, trend points, indicators, open data, API) are read from here
 * and never from the live counters, so nothing that happens afterwards (a late submission, a reconciler replay,
 * `metrics:rebuild`, an exclusion) moves them. Reopening the round makes the live counters apply again; completing
 * it anew takes a new snapshot under the new date.
 *
 * `_id` = `round:<roundId>:<completedAt in ms>`: the round document names its snapshot through its completion
 * date, so reading it is one point read, and a snapshot of a completion that did not happen is never read.
 */
export interface FrozenRoundDoc {
  _id: string;
  roundId: string;
  completedAt: Date;
  counts: ScopeCounts;
  frozenAt: Date;
}

const frozenSchema = new Schema<FrozenRoundDoc>(
  {
    _id: { type: String, required: true },
    roundId: { type: String, required: true },
    completedAt: { type: Date, required: true },
    counts: { type: Schema.Types.Mixed, required: true },
    frozenAt: { type: Date, required: true },
  },
  { collection: 'participation_frozen_rounds', versionKey: false, minimize: false },
);

export type FrozenRoundModel = Model<FrozenRoundDoc>;

export function frozenRoundModel(connection: Connection): FrozenRoundModel {
  return (
    (connection.models.FrozenRound as FrozenRoundModel | undefined) ??
    connection.model<FrozenRoundDoc>('FrozenRound', frozenSchema)
  );
}

export function frozenRoundId(roundId: string, completedAt: Date): string {
  return `round:${roundId}:${completedAt.getTime()}`;
}

/** Keeps `counts` as the snapshot of this completion; the first write wins (a retried completion keeps it). */
export async function saveSnapshot(
  model: FrozenRoundModel,
  roundId: string,
  completedAt: Date,
  counts: ScopeCounts,
): Promise<void> {
  try {
    await model.collection.insertOne({
      _id: frozenRoundId(roundId, completedAt) as never,
      roundId,
      completedAt,
      counts,
      frozenAt: new Date(),
    });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
}

export async function readSnapshot(
  model: FrozenRoundModel,
  roundId: string,
  completedAt: Date,
): Promise<ScopeCounts | null> {
  const doc = await model.findById(frozenRoundId(roundId, completedAt)).lean<FrozenRoundDoc>();
  return doc ? doc.counts : null;
}
