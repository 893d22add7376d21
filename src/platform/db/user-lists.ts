import type { Connection } from 'mongoose';

/**
 * Small per-user lists kept at write time, so a person's own pages (their dashboard) read one document by `_id`
 * instead of scanning a collection for their user id (on FerretDB any other filter scans).
 *
 * One document per (list, user): `_id` = `<list>:<userId>`, `items.<encoded key>` = { key, at }. Adding is one
 * single-document `$set` (atomic, so parallel adds never lose each other; adding twice is one entry). A list may name
 * more than exists, never less when the add comes first: readers look each key up by `_id` and skip what is gone or
 * no longer theirs.
 */
const COLLECTION = 'user_lists';

interface UserListDoc {
  _id: string;
  items?: Record<string, { key: string; at: Date }>;
}

/** A field name for any key: base64url has no `.` or `$`. */
const field = (key: string) => Buffer.from(key).toString('base64url');

export function userList(connection: Connection, list: string) {
  const collection = connection.collection<UserListDoc>(COLLECTION);
  const id = (userId: string) => `${list}:${userId}`;
  return {
    async add(userId: string, key: string, at: Date = new Date()): Promise<void> {
      await collection.updateOne(
        { _id: id(userId) },
        { $set: { [`items.${field(key)}`]: { key, at } } },
        { upsert: true },
      );
    },
    /** The keys, newest first. */
    async keys(userId: string): Promise<string[]> {
      const doc = await collection.findOne({ _id: id(userId) });
      return Object.values(doc?.items ?? {})
        .sort((a, b) => b.at.getTime() - a.at.getTime())
        .map((item) => item.key);
    },
    async forget(userId: string): Promise<void> {
      await collection.deleteOne({ _id: id(userId) });
    },
  };
}
