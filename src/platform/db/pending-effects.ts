import type { Connection } from 'mongoose';
import type { Collection, Document } from 'mongodb';
import type { Logger } from '../logger';

/**
 * Work that spans several documents, made safe without transactions: an intent is written first, the steps follow
 * (each idempotent), and the intent is deleted last. If the process dies in between, the reconciler (started with
 * the app, on every instance) finds intents older than a grace period and replays their handler, which finishes the
 * steps that did not happen and repeats the others harmlessly. Several reconcilers may replay one intent at the same
 * time: handlers must be idempotent under any interleaving, which is what makes them safe at all.
 *
 * The collection holds only work in flight, so scanning it is cheap on any engine.
 */
export type EffectOutcome = 'done' | 'drop' | 'retry';

export interface EffectContext {
  id: string;
  createdAt: Date;
  attempts: number;
}

export type EffectHandler<P> = (payload: P, context: EffectContext) => Promise<EffectOutcome>;

interface EffectDoc extends Document {
  _id: string;
  kind: string;
  key: string;
  payload: Document;
  createdAt: Date;
  attempts: number;
  lastError?: string;
}

export const PENDING_EFFECTS_COLLECTION = 'pending_effects';

/** An intent younger than this is assumed to be in progress in the request that wrote it. */
export const DEFAULT_GRACE_MS = 60_000;

export class PendingEffects {
  private readonly collection: Collection<EffectDoc>;
  private readonly handlers = new Map<string, EffectHandler<never>>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    connection: Connection,
    private readonly logger?: Logger,
  ) {
    this.collection = connection.collection<EffectDoc>(PENDING_EFFECTS_COLLECTION) as never;
  }

  /** How the reconciler finishes an intent of this kind. */
  register<P>(kind: string, handler: EffectHandler<P>): void {
    this.handlers.set(kind, handler as EffectHandler<never>);
  }

  /** Records the intent (idempotent: the first payload written for an id is kept). */
  async begin(kind: string, key: string, payload: Document, now = new Date()): Promise<void> {
    await this.collection
      .updateOne(
        { _id: `${kind}:${key}` },
        { $setOnInsert: { kind, key, payload, createdAt: now, attempts: 0 } },
        { upsert: true },
      )
      .catch((error: unknown) => {
        // Two parallel begins of the same intent: the other one wrote it.
        if ((error as { code?: number }).code !== 11000) throw error;
      });
  }

  /** The intent's steps are all done. */
  async done(kind: string, key: string): Promise<void> {
    await this.collection.deleteOne({ _id: `${kind}:${key}` });
  }

  /** Intents still open (for tests and the health of the reconciler). */
  async pending(kind?: string): Promise<{ kind: string; key: string; createdAt: Date; attempts: number }[]> {
    const docs = await this.collection.find(kind ? { kind } : {}).toArray();
    return docs.map(({ kind: k, key, createdAt, attempts }) => ({ kind: k, key, createdAt, attempts }));
  }

  /**
   * Replays every intent older than `graceMs` (all of them with graceMs 0). Returns how many were finished.
   * Runs one pass at a time per process; other instances may run theirs concurrently.
   */
  async reconcile(options: { now?: Date; graceMs?: number } = {}): Promise<number> {
    const now = options.now ?? new Date();
    const cutoff = now.getTime() - (options.graceMs ?? DEFAULT_GRACE_MS);
    const due = (await this.collection.find({}).toArray()).filter((doc) => doc.createdAt.getTime() <= cutoff);
    let finished = 0;
    for (const doc of due) {
      const handler = this.handlers.get(doc.kind);
      if (!handler) continue;
      let outcome: EffectOutcome;
      try {
        outcome = await handler(doc.payload as never, {
          id: doc.key,
          createdAt: doc.createdAt,
          attempts: doc.attempts,
        });
      } catch (error) {
        this.logger?.error(
          { err: error, kind: doc.kind, key: doc.key },
          'replaying an unfinished step failed',
        );
        await this.collection.updateOne(
          { _id: doc._id },
          {
            $inc: { attempts: 1 },
            $set: { lastError: String((error as Error).message ?? error).slice(0, 500) },
          },
        );
        continue;
      }
      if (outcome === 'retry') {
        await this.collection.updateOne({ _id: doc._id }, { $inc: { attempts: 1 } });
        continue;
      }
      await this.collection.deleteOne({ _id: doc._id });
      finished += 1;
      if (outcome === 'done')
        this.logger?.warn({ kind: doc.kind, key: doc.key }, 'finished a step left unfinished by a request');
    }
    return finished;
  }

  /** Reconciles now and then every `intervalMs` (unref'd); errors are logged, never thrown. */
  start(intervalMs: number): void {
    if (this.timer) return;
    const tick = () => {
      if (this.running) return;
      this.running = this.reconcile()
        .catch((error: unknown) => this.logger?.error({ err: error }, 'reconciler pass failed'))
        .finally(() => {
          this.running = undefined;
        });
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
