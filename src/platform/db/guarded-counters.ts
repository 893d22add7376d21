import crypto from 'node:crypto';
import type { Collection, Document } from 'mongodb';
import { isDuplicateKey } from './duplicate-key';

/**
 * Counters that can be incremented exactly once per operation, under any interleaving and on replay, without
 * transactions (MongoDB's model: one document's update is atomic).
 *
 * A counter document keeps the ids of the operations applied to it in the last `GUARD_WINDOW_MS`, in `ops`:
 * `{ counts: {...}, ops: { <opId>: <applied at, ms> } }`. An operation's `$inc` is conditional on its id being
 * absent and records it in the same update, so a second attempt (a retry, the reconciler, a parallel replay) does
 * nothing. Ids older than the window are trimmed, so a document stays small; anything that might replay an operation
 * after the window must rebuild instead (see participation's reconciler).
 */
export const GUARD_WINDOW_MS = 30 * 60 * 1000;

/** Trim expired op ids on about one write in TRIM_EVERY (chosen by the op id's hash, so it costs nothing extra). */
const TRIM_EVERY = 32;

/** A short, key-safe id (no dots, no `$`) for an operation: base64url of a SHA-256 of its parts. */
export function opId(...parts: string[]): string {
  return crypto.createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 22);
}

export type Increments = Record<string, number>;

/**
 * Applies `inc` (paths relative to the document, e.g. `counts.sector.academia`) to document `_id` once for `op`.
 * Returns true when this call applied it, false when it had been applied before.
 */
export async function incrementOnce(
  collection: Collection<Document>,
  id: string,
  op: string,
  inc: Increments,
  options: { setOnInsert?: Document; now?: number } = {},
): Promise<boolean> {
  const now = options.now ?? Date.now();
  const guard = `ops.${op}`;
  const nonZero = Object.fromEntries(Object.entries(inc).filter(([, v]) => v !== 0));
  const update: Document = {
    $set: { [guard]: now },
    ...(Object.keys(nonZero).length ? { $inc: nonZero } : {}),
    ...(options.setOnInsert ? { $setOnInsert: options.setOnInsert } : {}),
  };
  const filter = { _id: id as never, [guard]: { $exists: false } };
  let applied: boolean;
  try {
    // Upsert: creates the document the first time. When the document exists and already has the op, the upsert
    // tries to insert a second document with the same _id and fails with a duplicate key: already applied.
    const result = await collection.updateOne(filter, update, { upsert: true });
    applied = result.modifiedCount + result.upsertedCount === 1;
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    // Either the op was applied before, or two first upserts of the document raced; as a plain update the
    // difference is clear: it matches only if the op is still absent.
    const result = await collection.updateOne(filter, update);
    applied = result.modifiedCount === 1;
  }
  if (applied && shouldTrim(op)) await trimExpired(collection, id, now);
  return applied;
}

function shouldTrim(op: string): boolean {
  let hash = 0;
  for (let i = 0; i < op.length; i += 1) hash = (hash * 31 + op.charCodeAt(i)) >>> 0;
  return hash % TRIM_EVERY === 0;
}

/** Forgets op ids older than the guard window. */
export async function trimExpired(
  collection: Collection<Document>,
  id: string,
  now = Date.now(),
): Promise<void> {
  const doc = await collection.findOne({ _id: id as never }, { projection: { ops: 1 } });
  const ops = (doc?.ops ?? {}) as Record<string, number>;
  const expired = Object.entries(ops).filter(([, at]) => now - at > GUARD_WINDOW_MS);
  if (expired.length === 0) return;
  await collection.updateOne(
    { _id: id as never },
    { $unset: Object.fromEntries(expired.map(([key]) => [`ops.${key}`, 1])) },
  );
}
