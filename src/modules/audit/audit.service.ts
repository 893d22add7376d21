import crypto from 'node:crypto';
import { ObjectId, type Collection, type Filter } from 'mongodb';
import type { Connection } from 'mongoose';
import { isDuplicateKey } from '../../platform/db/duplicate-key';
import { AUDIT_ACTIONS, type AuditAction, type AuditTargetType } from './audit.actions';

/** Who acted: a signed-in user, or null for the command line and the system. */
export interface AuditActor {
  id: string;
  email?: string | null;
}

export interface AuditTarget {
  type: AuditTargetType;
  id: string;
  /** What a reader recognises it by (a title, an address) as it was at the time. */
  label?: string | null;
}

export type AuditDetails = Record<string, string | number | boolean | null | string[]>;

export interface AuditRecordInput {
  actor: AuditActor | null;
  action: AuditAction;
  target: AuditTarget;
  details?: AuditDetails;
  /**
   * The action's own identity (a version number, a batch's intent key, an element id that is never reused): the
   * entry's `_id` is derived from action, target and key, so a retried request, a second instance or the
   * reconciler recording the same action writes nothing more. Without a key, every call is a new entry.
   */
  key?: string;
  /** When it happened, if not now (a late record of an earlier action). */
  at?: Date;
}

/** A stored entry. `_id`: `k<hash>` for keyed entries, else a time-ordered ObjectId's hex. */
export interface AuditEntryDoc {
  _id: string;
  at: Date;
  action: AuditAction;
  actorId: string | null;
  actorEmail: string | null;
  targetType: AuditTargetType;
  targetId: string;
  /** A user target's address (erased when that account is deleted). */
  targetEmail: string | null;
  targetLabel: string | null;
  details: AuditDetails;
  /** Roles before and after a role change (kept from the first version of the log). */
  before: string[];
  after: string[];
}

export type AuditEntry = AuditEntryDoc & { id: string };

export interface AuditQuery {
  /** An email address (exact, any case) or a user id. */
  actor?: string;
  /** An action, or a group ("survey", "download"). */
  action?: string;
  targetType?: AuditTargetType;
  targetId?: string;
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

/** A position in the log (newest first): the time and `_id` of an entry. */
export interface AuditCursor {
  at: Date;
  id: string;
}

export interface AuditPage {
  items: AuditEntry[];
  /** The cursor of the page of older entries, if any. */
  older?: AuditCursor;
  /** The cursor of the page of newer entries, if any. */
  newer?: AuditCursor;
}

export const AUDIT_PAGE_SIZE = 50;

const READY = new WeakMap<Connection, Promise<void>>();
export const AUDIT_COLLECTION = 'audit';

export function encodeCursor(cursor: AuditCursor): string {
  return `${cursor.at.getTime()}.${cursor.id}`;
}

export function decodeCursor(value: unknown): AuditCursor | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{1,15})\.([A-Za-z0-9]{1,40})$/.exec(value);
  if (!match) return undefined;
  return { at: new Date(Number(match[1])), id: match[2]! };
}

/** Matches an id stored as a string, or as an ObjectId by the first version of the log. */
function anyId(id: string): unknown {
  return ObjectId.isValid(id) && /^[0-9a-f]{24}$/i.test(id) ? { $in: [id, new ObjectId(id)] } : id;
}

/**
 * The audit log: who did what to what, and when, for every staff action, sign-up and data download.
 *
 * Durability: an entry is written right after the action succeeded, by the code that did it. Actions that have
 * an identity of their own pass it as `key`, so the entry's `_id` is deterministic: a retry of the request (the
 * action is then a no-op that still reaches the record) or the reconciler's replay of the action's intent
 * (invitations) writes the missing entry and never a second one. See docs/audit.md.
 */
export class AuditLog {
  private readonly entries: Collection<AuditEntryDoc>;
  private readonly now: () => Date;
  constructor(
    private readonly connection: Connection,
    options: { now?: () => Date } = {},
  ) {
    this.entries = connection.collection<AuditEntryDoc>(AUDIT_COLLECTION);
    this.now = options.now ?? (() => new Date());
  }

  /** Creates the log's indexes, once per connection: services built by tests and scripts share the app's build. */
  init(): Promise<void> {
    let ready = READY.get(this.connection);
    if (!ready) {
      ready = this.build();
      // An instance nobody awaits must not crash the process when its connection closes mid-build.
      ready.catch(() => undefined);
      READY.set(this.connection, ready);
    }
    return ready;
  }

  private async build(): Promise<void> {
    // One index per command, one after another (as Mongoose does): FerretDB v1 dropped the connection on a
    // several-index createIndexes for a collection whose indexes already existed.
    const keys: Record<string, 1 | -1>[] = [
      { at: -1 },
      { actorId: 1, at: -1 },
      { targetId: 1, at: -1 },
      { action: 1, at: -1 },
    ];
    for (const key of keys) {
      await this.entries.createIndex(key);
    }
    await this.upgradeLegacyEntries();
  }

  /**
   * Entries of the first version (account changes only) had ObjectId ids and no target type: each is copied under
   * its id's hex with string ids, then the original is deleted. Idempotent, and bounded by that old log's size.
   */
  private async upgradeLegacyEntries(): Promise<void> {
    const legacy = this.entries.find({ targetType: { $exists: false } } as Filter<AuditEntryDoc>);
    for await (const old of legacy) {
      const raw = old as unknown as Record<string, unknown> & { _id: unknown };
      const id = String(raw._id);
      const copy: AuditEntryDoc = {
        _id: id,
        at: raw.at as Date,
        action: raw.action as AuditAction,
        actorId: raw.actorId ? String(raw.actorId) : null,
        actorEmail: (raw.actorEmail as string | null) ?? null,
        targetType: 'user',
        targetId: String(raw.targetId),
        targetEmail: (raw.targetEmail as string | null) ?? null,
        targetLabel: null,
        details: {},
        before: (raw.before as string[]) ?? [],
        after: (raw.after as string[]) ?? [],
      };
      if (typeof raw._id !== 'string') {
        await this.entries.insertOne(copy).catch((error: unknown) => {
          if (!isDuplicateKey(error)) throw error;
        });
        await this.entries.deleteOne({ _id: raw._id } as Filter<AuditEntryDoc>);
      } else {
        await this.entries.replaceOne({ _id: id }, copy);
      }
    }
  }

  /** Records one action (see AuditRecordInput.key for retries). Returns the entry's id. */
  async record(input: AuditRecordInput): Promise<string> {
    if (!(AUDIT_ACTIONS as readonly string[]).includes(input.action)) throw new Error(`unknown audit action`);
    const id = input.key
      ? `k${crypto
          .createHash('sha256')
          .update([input.action, input.target.type, input.target.id, input.key].join('\u0000'))
          .digest('hex')
          .slice(0, 32)}`
      : new ObjectId().toHexString();
    const isUser = input.target.type === 'user';
    const doc: AuditEntryDoc = {
      _id: id,
      at: input.at ?? this.now(),
      action: input.action,
      actorId: input.actor?.id ?? null,
      actorEmail: input.actor?.email ?? null,
      targetType: input.target.type,
      targetId: input.target.id,
      targetEmail: isUser ? (input.target.label ?? null) : null,
      targetLabel: isUser ? null : (input.target.label ?? null),
      details: input.details ?? {},
      before: [],
      after: [],
    };
    const roles = input.details?.before;
    if (Array.isArray(roles)) doc.before = roles;
    const after = input.details?.after;
    if (Array.isArray(after)) doc.after = after;
    try {
      await this.entries.insertOne(doc);
    } catch (error) {
      // Recorded before (a retry of a keyed action): nothing to add.
      if (!isDuplicateKey(error)) throw error;
    }
    return id;
  }

  private filterOf(query: AuditQuery): Filter<AuditEntryDoc> {
    const and: Record<string, unknown>[] = [];
    if (query.actor) {
      const actor = query.actor.trim();
      and.push(actor.includes('@') ? { actorEmail: actor.toLowerCase() } : { actorId: anyId(actor) });
    }
    if (query.action) {
      const group = AUDIT_ACTIONS.filter((a) => a.startsWith(`${query.action}.`));
      and.push({ action: group.length ? { $in: group } : query.action });
    }
    if (query.targetType) and.push({ targetType: query.targetType });
    if (query.targetId) and.push({ targetId: anyId(query.targetId.trim()) });
    if (query.from || query.to) {
      and.push({
        at: { ...(query.from ? { $gte: query.from } : {}), ...(query.to ? { $lt: query.to } : {}) },
      });
    }
    return (and.length ? { $and: and } : {}) as Filter<AuditEntryDoc>;
  }

  /**
   * One page, newest first, by keyset on (at, _id): `older` continues after a cursor, `newer` goes back before
   * one. Reads at most a page and one entry more; nothing counts the whole log.
   */
  async list(
    query: AuditQuery,
    page: { older?: AuditCursor; newer?: AuditCursor; limit?: number } = {},
  ): Promise<AuditPage> {
    const limit = page.limit ?? AUDIT_PAGE_SIZE;
    const base = this.filterOf(query);
    const position = page.newer ?? page.older;
    const op = page.newer ? '$gt' : '$lt';
    const filter = position
      ? ({
          $and: [
            base,
            { $or: [{ at: { [op]: position.at } }, { at: position.at, _id: { [op]: position.id } }] },
          ],
        } as Filter<AuditEntryDoc>)
      : base;
    const direction = page.newer ? 1 : -1;
    const docs = await this.entries
      .find(filter)
      .sort({ at: direction, _id: direction })
      .limit(limit + 1)
      .toArray();
    const more = docs.length > limit;
    const shown = docs.slice(0, limit);
    if (page.newer) shown.reverse();
    const items = shown.map((doc) => ({ ...doc, id: doc._id }));
    const first = items[0];
    const last = items[items.length - 1];
    const cursorOf = (e: AuditEntry): AuditCursor => ({ at: e.at, id: e.id });
    return {
      items,
      // Going back (newer), there are older entries: the ones the previous page showed.
      older: last && (page.newer || more) ? cursorOf(last) : undefined,
      newer: first && (page.older || (page.newer && more)) ? cursorOf(first) : undefined,
    };
  }

  /** Every matching entry, newest first, streamed (exports). */
  async *each(query: AuditQuery): AsyncGenerator<AuditEntry> {
    const cursor = this.entries.find(this.filterOf(query)).sort({ at: -1, _id: -1 });
    for await (const doc of cursor) yield { ...doc, id: doc._id };
  }

  /** A deleted account's address leaves the log; its entries keep the id. */
  async forgetUser(userId: string): Promise<void> {
    await this.entries.updateMany({ targetId: userId, targetType: 'user' }, { $set: { targetEmail: null } });
    await this.entries.updateMany({ actorId: userId }, { $set: { actorEmail: null } });
  }
}
