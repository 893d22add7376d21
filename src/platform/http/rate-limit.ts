import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import mongoose, { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey } from '../db/duplicate-key';
import { TooManyRequestsError } from '../errors';

/**
 * A fixed-window rate limiter whose counters live in MongoDB, so every app instance shares them.
 *
 * One document per (key, window), addressed by `_id` = `<key>:<window start>`, created or incremented with a single
 * upsert + `$inc` (one atomic operation on MongoDB, and on FerretDB through the app's one connection; a point write
 * on both).
 * FerretDB has no TTL indexes, so windows that have ended are deleted on an interval instead.
 * Keys are hashed: a limit keyed on an email address does not store the address.
 */

export interface RateLimitRule {
  /** Names the counter, e.g. `sign-in:account`. */
  name: string;
  /** Attempts allowed in one window; the next one is refused. */
  limit: number;
  windowSeconds: number;
}

interface RateLimitCounter {
  _id: string;
  key: string;
  windowStart: Date;
  count: number;
  expiresAt: Date;
}

const counterSchema = new Schema<RateLimitCounter>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    windowStart: { type: Date, required: true },
    count: { type: Number, required: true, default: 0 },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'rate_limits', versionKey: false },
);
counterSchema.index({ expiresAt: 1 });

export interface RateLimiterOptions {
  /** How often ended windows are deleted. */
  cleanupIntervalMs?: number;
  now?: () => Date;
}

export class RateLimiter {
  private readonly counters: Model<RateLimitCounter>;
  private readonly now: () => Date;
  private readonly timer: NodeJS.Timeout;
  private indexing?: Promise<void>;

  constructor(connection: Connection, options: RateLimiterOptions = {}) {
    this.counters = connection.model<RateLimitCounter>('RateLimitCounter', counterSchema);
    this.now = options.now ?? (() => new Date());
    this.timer = setInterval(
      () => void this.deleteEnded().catch(() => undefined),
      options.cleanupIntervalMs ?? 60_000,
    );
    this.timer.unref();
  }

  /** Creates the unique index, once (the composition root's init(), or the first consume()). */
  init(): Promise<void> {
    this.indexing ??= this.counters.init().then(() => undefined);
    return this.indexing;
  }

  private window(rule: RateLimitRule, subject: string) {
    const windowMs = rule.windowSeconds * 1000;
    const now = this.now().getTime();
    const start = Math.floor(now / windowMs) * windowMs;
    const key = crypto.createHash('sha256').update(`${rule.name}\u0000${subject}`).digest('hex');
    return {
      id: `${key}:${start}`,
      key,
      windowStart: new Date(start),
      expiresAt: new Date(start + windowMs),
      retryAfterSeconds: Math.max(1, Math.ceil((start + windowMs - now) / 1000)),
    };
  }

  /**
   * Counts one attempt by `subject` (an IP address, a normalised email...). Throws TooManyRequestsError once the
   * count goes over the rule's limit in the current window.
   */
  async consume(rule: RateLimitRule, subject: string): Promise<{ remaining: number }> {
    await this.init();
    const w = this.window(rule, subject);
    const filter = { _id: w.id };
    const update = {
      $inc: { count: 1 },
      $setOnInsert: { key: w.key, windowStart: w.windowStart, expiresAt: w.expiresAt },
    };
    const increment = () =>
      this.counters.findOneAndUpdate(filter, update, { upsert: true, returnDocument: 'after' }).lean();
    const run = async () => {
      try {
        return await increment();
      } catch (error) {
        // Two first attempts raced to insert the window (MongoDB); the loser's upsert fails on _id. Retry once:
        // the document now exists, so it is a plain increment.
        if (!isDuplicateKey(error)) throw error;
        return increment();
      }
    };
    const counter = await run();
    const count = counter?.count ?? 1;
    if (count > rule.limit) throw new TooManyRequestsError(w.retryAfterSeconds);
    return { remaining: rule.limit - count };
  }

  /** Throws TooManyRequestsError when `subject` is already over the limit, without counting an attempt. */
  async check(rule: RateLimitRule, subject: string): Promise<void> {
    await this.init();
    const w = this.window(rule, subject);
    const counter = await this.counters.findById(w.id).lean();
    if (counter && counter.count >= rule.limit) throw new TooManyRequestsError(w.retryAfterSeconds);
  }

  /** Forgets the current window's count (e.g. after a successful sign-in). */
  async reset(rule: RateLimitRule, subject: string): Promise<void> {
    await this.init();
    const w = this.window(rule, subject);
    await this.counters.deleteOne({ _id: w.id });
  }

  /** Deletes the counters of windows that have ended. */
  async deleteEnded(): Promise<number> {
    const result = await this.counters.deleteMany({ expiresAt: mongoose.trusted({ $lte: this.now() }) });
    return result.deletedCount;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * Middleware that counts every request matching the route against `rule`, keyed by `subjectOf(req)` (the client
 * address by default); over the limit, the error handler answers 429 with Retry-After.
 */
export function rateLimit(
  limiter: RateLimiter,
  rule: RateLimitRule,
  subjectOf: (req: Parameters<RequestHandler>[0]) => string = (req) => req.ip ?? 'unknown',
): RequestHandler {
  return async (req, _res, next) => {
    await limiter.consume(rule, subjectOf(req));
    next();
  };
}
