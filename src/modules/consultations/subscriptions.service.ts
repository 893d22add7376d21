import crypto from 'node:crypto';
import mongoose, { isValidObjectId, type Connection } from 'mongoose';
import { isDuplicateKey } from '../../platform/db/duplicate-key';
import { userList } from '../../platform/db/user-lists';
import { NotFoundError } from '../../platform/errors';
import type { Locale } from '../../platform/i18n';
import type { Consultation } from './consultations.types';
import {
  subscriptionModel,
  type SubscriptionDoc,
  type SubscriptionScope,
  type SubscriptionTarget,
} from './subscription.model';

export interface Subscription {
  id: string;
  email: string;
  locale: Locale;
  targetType: SubscriptionTarget;
  targetId: string;
  scope: SubscriptionScope;
  active: boolean;
}

export interface Recipient {
  email: string;
  locale: Locale;
  subscriptionId: string;
}

function toSubscription(doc: SubscriptionDoc): Subscription {
  return {
    id: String(doc._id),
    email: doc.email,
    locale: doc.locale,
    targetType: doc.targetType,
    targetId: String(doc.targetId),
    scope: doc.scope,
    active: doc.active,
  };
}

export interface SubscriptionsServiceOptions {
  connection: Connection;
  baseUrl: string;
  /** Secret the unsubscribe links are signed with (derived from the session secret). */
  secret: string;
}

export type SubscriptionsService = ReturnType<typeof createSubscriptionsService>;

/**
 * Following a consultation or a round. Emails carry a signed link that unsubscribes in one click without signing
 * in; the link names the subscription and an HMAC of it, so it cannot be forged or pointed at someone else's.
 */
export function createSubscriptionsService(options: SubscriptionsServiceOptions) {
  const Subscriptions = subscriptionModel(options.connection);
  /** A signed-in user's subscriptions, for their dashboard (see platform/db/user-lists.ts). */
  const byUser = userList(options.connection, 'subscriptions');
  const key = crypto.createHmac('sha256', options.secret).update('agora:consultations:unsubscribe').digest();

  function sign(id: string): string {
    return crypto.createHmac('sha256', key).update(id).digest('base64url');
  }

  function unsubscribeToken(subscriptionId: string): string {
    return `${subscriptionId}.${sign(subscriptionId)}`;
  }

  function unsubscribeUrl(subscriptionId: string): string {
    return `${options.baseUrl}/unsubscribe/${unsubscribeToken(subscriptionId)}`;
  }

  /** The subscription a token names, or NotFoundError when the token is malformed or its signature is wrong. */
  async function fromToken(token: string): Promise<Subscription> {
    const [id = '', signature = ''] = String(token).split('.');
    if (!isValidObjectId(id)) throw new NotFoundError();
    const expected = Buffer.from(sign(id));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given))
      throw new NotFoundError();
    const doc = await Subscriptions.findById(id).lean<SubscriptionDoc>();
    if (!doc) throw new NotFoundError();
    return toSubscription(doc);
  }

  async function setActiveByToken(token: string, active: boolean): Promise<Subscription> {
    const subscription = await fromToken(token);
    const doc = await Subscriptions.findOneAndUpdate(
      { _id: subscription.id },
      { active },
      { returnDocument: 'after' },
    ).lean<SubscriptionDoc>();
    if (!doc) throw new NotFoundError();
    return toSubscription(doc);
  }

  /**
   * Follows a target. Following twice is one subscription. A report-only opt-in never narrows an existing
   * full subscription.
   */
  async function subscribe(input: {
    targetType: SubscriptionTarget;
    targetId: string;
    email: string;
    locale: Locale;
    userId?: string;
    scope: SubscriptionScope;
  }): Promise<Subscription> {
    const email = input.email.trim().toLowerCase();
    try {
      return await upsert(input, email);
    } catch (error) {
      // Two first upserts of one (address, target) raced on the unique index: the second is now an update.
      if (!isDuplicateKey(error)) throw error;
      return upsert(input, email);
    }
  }

  async function upsert(input: Parameters<typeof subscribe>[0], email: string): Promise<Subscription> {
    const filter = {
      email,
      targetType: input.targetType,
      targetId: new mongoose.Types.ObjectId(input.targetId),
    };
    const common = { locale: input.locale, ...(input.userId ? { userId: input.userId } : {}) };
    let doc: SubscriptionDoc | null;
    if (input.scope === 'all') {
      doc = await Subscriptions.findOneAndUpdate(
        filter,
        { $set: { ...common, scope: 'all', active: true } },
        { upsert: true, returnDocument: 'after' },
      ).lean<SubscriptionDoc>();
    } else {
      // An earlier, cancelled subscription comes back as report-only; an active one is left as it is.
      await Subscriptions.updateOne(
        { ...filter, active: false },
        { $set: { ...common, scope: 'report', active: true } },
      );
      doc = await Subscriptions.findOneAndUpdate(
        filter,
        { $setOnInsert: { ...common, scope: 'report', active: true } },
        { upsert: true, returnDocument: 'after' },
      ).lean<SubscriptionDoc>();
    }
    if (!doc) throw new Error('subscription upsert returned nothing');
    // After the upsert (the id is drawn by it): following again repairs an entry a crash left out.
    if (input.userId) await byUser.add(input.userId, String(doc._id));
    return toSubscription(doc);
  }

  /**
   * A signed-in user's active subscriptions, newest first: their list, each entry read by `_id` and kept only when
   * it is still theirs (same user id or address) and active.
   */
  async function forUser(user: { id: string; email: string }): Promise<(Subscription & { token: string })[]> {
    const ids = (await byUser.keys(user.id)).filter((id) => isValidObjectId(id)).slice(0, 200);
    const docs = await Promise.all(ids.map((id) => Subscriptions.findById(id).lean<SubscriptionDoc>()));
    return docs
      .filter((doc): doc is SubscriptionDoc => Boolean(doc?.active))
      .filter((doc) => doc.userId === user.id || doc.email === user.email.trim().toLowerCase())
      .map((doc) => ({ ...toSubscription(doc), token: unsubscribeToken(String(doc._id)) }));
  }

  /** A signed-in user stops following (from the page's button). */
  async function unsubscribe(input: {
    targetType: SubscriptionTarget;
    targetId: string;
    email: string;
  }): Promise<void> {
    await Subscriptions.updateOne(
      {
        email: input.email.trim().toLowerCase(),
        targetType: input.targetType,
        targetId: new mongoose.Types.ObjectId(input.targetId),
      },
      { $set: { active: false } },
    );
  }

  /** Whether `email` follows the target fully (a report-only opt-in does not count as following). */
  async function isFollowing(input: { targetType: SubscriptionTarget; targetId: string; email: string }) {
    if (!isValidObjectId(input.targetId)) return false;
    const doc = await Subscriptions.findOne({
      email: input.email.trim().toLowerCase(),
      targetType: input.targetType,
      targetId: new mongoose.Types.ObjectId(input.targetId),
      active: true,
      scope: 'all',
    }).lean<SubscriptionDoc>();
    return Boolean(doc);
  }

  /**
   * Who hears about an event of a consultation: its followers and its round's followers (one email per address,
   * the consultation's own subscription first). Report-only opt-ins hear only about the report.
   */
  async function recipientsFor(
    consultation: Consultation,
    event: 'opened' | 'closing' | 'closed' | 'report',
  ) {
    const scopes: SubscriptionScope[] = event === 'report' ? ['all', 'report'] : ['all'];
    const [own, round] = await Promise.all([
      Subscriptions.find({
        targetType: 'consultation',
        targetId: new mongoose.Types.ObjectId(consultation.id),
        active: true,
        scope: mongoose.trusted({ $in: scopes }),
      })
        .sort({ _id: 1 })
        .lean<SubscriptionDoc[]>(),
      Subscriptions.find({
        targetType: 'round',
        targetId: new mongoose.Types.ObjectId(consultation.roundId),
        active: true,
        scope: 'all',
      })
        .sort({ _id: 1 })
        .lean<SubscriptionDoc[]>(),
    ]);
    const recipients = new Map<string, Recipient>();
    for (const doc of [...own, ...round]) {
      if (!recipients.has(doc.email)) {
        recipients.set(doc.email, { email: doc.email, locale: doc.locale, subscriptionId: String(doc._id) });
      }
    }
    return [...recipients.values()];
  }

  /** The user deleted their account: their subscriptions go, so nothing more is emailed to them. Idempotent. */
  async function forgetUser(userId: string): Promise<void> {
    await Subscriptions.deleteMany({ userId });
    await byUser.forget(userId);
  }

  return {
    async init() {
      await Subscriptions.init();
    },
    forgetUser,
    forUser,
    subscribe,
    unsubscribe,
    isFollowing,
    recipientsFor,
    unsubscribeToken,
    unsubscribeUrl,
    fromToken,
    unsubscribeByToken: (token: string) => setActiveByToken(token, false),
    resubscribeByToken: (token: string) => setActiveByToken(token, true),
  };
}
