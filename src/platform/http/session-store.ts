import { Store, type SessionData } from 'express-session';
import type { Connection } from 'mongoose';
import type { Logger } from '../logger';

export const SESSIONS_COLLECTION = 'sessions';

/**
 * One stored session. `session` is express-session's data as plain JSON (the shape connect-mongo wrote with
 * `stringify: false`, so sessions written before this store still read). `userId` repeats Passport's user id at the
 * top level so "sign out everywhere" is a plain filter. `storedAt` is when `expires` was last written (the touch
 * throttle).
 */
export interface SessionDoc {
  _id: string;
  expires: Date;
  storedAt?: Date;
  userId?: string;
  session: Record<string, unknown>;
}

export interface SessionStoreOptions {
  /** Lifetime of a session whose cookie has no expiry (ours always has one: SESSION_MAX_AGE_HOURS). */
  defaultMaxAgeMs: number;
  /** An unchanged session's expiry is rewritten at most this often (connect-mongo's `touchAfter`). */
  touchAfterMs?: number;
  /** How often expired sessions are deleted; 0 turns the background clean-up off. */
  cleanupIntervalMs?: number;
  /** At most this many expired sessions are deleted per batch, and at most `maxBatches` batches per run. */
  cleanupBatchSize?: number;
  maxBatches?: number;
  logger?: Pick<Logger, 'error'>;
  now?: () => Date;
}

/**
 * Carried on the loaded session (express-session copies every enumerable property of what `get` returns onto
 * `req.session`) so `touch` knows when the stored expiry was written without reading the document again. Never
 * stored inside `session`: `set` strips it.
 */
const STORED_AT = '_storedAt';

/**
 * express-session's store on the app's own connection, built for FerretDB v1 as much as for MongoDB:
 * - every read and write of a request addresses one document by `_id` (FerretDB turns only `_id` equality into an
 *   index lookup; connect-mongo's `{_id, $or: [...expires]}` read scanned the whole collection);
 * - expiry is checked in code: an expired document reads as absent, whether or not the clean-up has run;
 * - the clean-up (FerretDB has no TTL indexes) uses acknowledged writes only. connect-mongo's interval clean-up
 *   sent an unacknowledged (`w: 0`) deleteMany; FerretDB v1 replied to it anyway, and that stray reply was read as
 *   the answer to the connection's next query. It is bounded per run, never overlaps itself, is unref'd, and
 *   `close()` stops it and waits for a run in flight.
 */
export class MongoSessionStore extends Store {
  private readonly options: Required<Omit<SessionStoreOptions, 'logger'>> &
    Pick<SessionStoreOptions, 'logger'>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private closed = false;
  /** Resolves once the `expires` index (for the clean-up's filter on MongoDB) exists. */
  readonly ready: Promise<void>;

  constructor(
    private readonly connection: Connection,
    options: SessionStoreOptions,
  ) {
    super();
    this.options = {
      touchAfterMs: 60_000,
      cleanupIntervalMs: 10 * 60_000,
      cleanupBatchSize: 1000,
      maxBatches: 10,
      now: () => new Date(),
      ...options,
    };
    this.ready = this.collection()
      .createIndex({ expires: 1 })
      .then(() => undefined);
    this.ready.catch((error: unknown) => this.options.logger?.error({ err: error }, 'session index failed'));
    if (this.options.cleanupIntervalMs > 0) {
      this.timer = setInterval(() => void this.runCleanup(), this.options.cleanupIntervalMs);
      this.timer.unref();
    }
  }

  private collection() {
    return this.connection.collection<SessionDoc>(SESSIONS_COLLECTION);
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    this.read(String(sid)).then(
      (session) => callback(null, session),
      (error: unknown) => callback(error),
    );
  }

  override set(sid: string, session: SessionData, callback?: (err?: unknown) => void): void {
    this.write(String(sid), session).then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }

  override touch(sid: string, session: SessionData, callback?: (err?: unknown) => void): void {
    this.refresh(String(sid), session).then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.collection()
      .deleteOne({ _id: String(sid) })
      .then(
        () => callback?.(),
        (error: unknown) => callback?.(error),
      );
  }

  /** The session, or null when there is none or it has expired. */
  async read(sid: string): Promise<SessionData | null> {
    const doc = await this.collection().findOne({ _id: sid });
    if (!doc || !isObject(doc.session) || !(doc.expires instanceof Date)) return null;
    if (doc.expires.getTime() <= this.options.now().getTime()) return null;
    // Sessions written by connect-mongo have no storedAt: they are touched on their first request.
    return { ...doc.session, [STORED_AT]: doc.storedAt?.getTime() ?? 0 } as unknown as SessionData;
  }

  private async write(sid: string, session: SessionData): Promise<void> {
    const now = this.options.now();
    // A JSON round trip gives the plain data (the cookie's toJSON, dates as strings), as express-session expects
    // back from `get`; the throttle's own property stays out.
    const data = JSON.parse(JSON.stringify(session)) as Record<string, unknown>;
    delete data[STORED_AT];
    const passport = data.passport;
    const userId = isObject(passport) && typeof passport.user === 'string' ? passport.user : undefined;
    const doc: Omit<SessionDoc, '_id'> = {
      expires: this.expiryOf(session, now),
      storedAt: now,
      ...(userId ? { userId } : {}),
      session: data,
    };
    await this.collection().replaceOne({ _id: sid }, doc, { upsert: true });
  }

  private async refresh(sid: string, session: SessionData): Promise<void> {
    const now = this.options.now();
    const storedAt = (session as unknown as Record<string, unknown>)[STORED_AT];
    // An unchanged session is rewritten at most once a minute; its stored expiry lags the cookie's by less.
    if (typeof storedAt === 'number' && now.getTime() - storedAt < this.options.touchAfterMs) return;
    // No upsert: a session deleted meanwhile (signed out elsewhere, cleaned up) stays deleted.
    await this.collection().updateOne(
      { _id: sid },
      { $set: { expires: this.expiryOf(session, now), storedAt: now } },
    );
  }

  private expiryOf(session: SessionData, now: Date): Date {
    const expires = session.cookie?.expires;
    if (expires) {
      const date = new Date(expires);
      if (!Number.isNaN(date.getTime())) return date;
    }
    return new Date(now.getTime() + this.options.defaultMaxAgeMs);
  }

  /**
   * Deletes sessions that expired by `now`, in batches of at most `cleanupBatchSize`, and at most `maxBatches`
   * batches (the next run takes the rest). Returns how many were deleted.
   */
  async removeExpired(now: Date = this.options.now()): Promise<number> {
    let removed = 0;
    for (let batch = 0; batch < this.options.maxBatches; batch++) {
      const expired = await this.collection()
        .find({ expires: { $lte: now } }, { projection: { _id: 1 }, limit: this.options.cleanupBatchSize })
        .toArray();
      if (expired.length === 0) break;
      // The expiry is checked again: a session touched since it was found is not deleted.
      const result = await this.collection().deleteMany({
        _id: { $in: expired.map((doc) => doc._id) },
        expires: { $lte: now },
      });
      removed += result.deletedCount;
      if (expired.length < this.options.cleanupBatchSize) break;
    }
    return removed;
  }

  /** One background run; never two at once. */
  private runCleanup(): Promise<number> {
    if (this.closed) return Promise.resolve(0);
    this.running ??= this.removeExpired()
      .catch((error: unknown) => {
        this.options.logger?.error({ err: error }, 'expired sessions clean-up failed');
        return 0;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** Stops the clean-up and waits for a run in flight and the index build (before the connection closes). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([this.running, this.ready]);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
