import crypto from 'node:crypto';
import type { Connection } from 'mongoose';
import { userList } from '../../platform/db/user-lists';
import { NotFoundError } from '../../platform/errors';
import type { Locale } from '../../platform/i18n';
import type { Notifications } from '../notifications';
import { formatDay } from './presenter';
import { commitmentModels, type FollowerDoc } from './commitments.model';
import { ids } from './commitments.service';
import type { Commitment, StatusUpdate } from './commitments.types';

export interface FollowersServiceOptions {
  connection: Connection;
  notifications: Notifications;
  baseUrl: string;
  /** Signs the unsubscribe links (derived from the session secret). */
  secret: string;
}

export type FollowersService = ReturnType<typeof createFollowersService>;

/**
 * People who follow a commitment get an email for each status update. A follow is one document whose id names the
 * commitment and the address, so following twice is one follow and "am I following?" is a point read. Emails carry
 * a signed link that unfollows in one click, without signing in.
 */
export function createFollowersService(options: FollowersServiceOptions) {
  const { Followers } = commitmentModels(options.connection);
  /** A signed-in user's follows, for their dashboard (see platform/db/user-lists.ts). */
  const byUser = userList(options.connection, 'commitment-follows');
  const key = crypto.createHmac('sha256', options.secret).update('agora:commitments:unfollow').digest();

  const normalise = (email: string) => email.trim().toLowerCase();
  const sign = (id: string) => crypto.createHmac('sha256', key).update(id).digest('base64url');

  function token(followerId: string): string {
    return `${Buffer.from(followerId).toString('base64url')}.${sign(followerId)}`;
  }

  function unsubscribeUrl(followerId: string): string {
    return `${options.baseUrl}/commitments/unfollow/${token(followerId)}`;
  }

  async function fromToken(value: string): Promise<FollowerDoc> {
    const [encoded = '', signature = ''] = String(value).split('.');
    const id = Buffer.from(encoded, 'base64url').toString('utf8');
    const expected = Buffer.from(sign(id));
    const given = Buffer.from(signature);
    if (
      !id.startsWith('follow:') ||
      expected.length !== given.length ||
      !crypto.timingSafeEqual(expected, given)
    )
      throw new NotFoundError();
    const doc = await Followers.findById(id).lean<FollowerDoc>();
    if (!doc) throw new NotFoundError();
    return doc;
  }

  async function follow(commitment: Commitment, person: { email: string; locale: Locale; userId?: string }) {
    const email = normalise(person.email);
    const id = ids.follower(commitment.planSlug, commitment.number, email);
    // The id is known before the follow is written: listed first, so the list never misses a follow.
    if (person.userId) await byUser.add(person.userId, id);
    await Followers.updateOne(
      { _id: id },
      {
        $set: { active: true, locale: person.locale, ...(person.userId ? { userId: person.userId } : {}) },
        $setOnInsert: { planSlug: commitment.planSlug, number: commitment.number, email },
      },
      { upsert: true },
    );
  }

  async function unfollow(commitment: Commitment, email: string) {
    await Followers.updateOne(
      { _id: ids.follower(commitment.planSlug, commitment.number, normalise(email)) },
      { $set: { active: false } },
    );
  }

  async function isFollowing(commitment: Commitment, email: string): Promise<boolean> {
    const doc = await Followers.findById(
      ids.follower(commitment.planSlug, commitment.number, normalise(email)),
    ).lean<FollowerDoc>();
    return Boolean(doc?.active);
  }

  async function setActiveByToken(value: string, active: boolean): Promise<FollowerDoc> {
    const doc = await fromToken(value);
    await Followers.updateOne({ _id: doc._id }, { $set: { active } });
    return { ...doc, active };
  }

  /**
   * Emails every active follower about an update, in their language. Each email's idempotency key names the update
   * and the address, so calling this again (a replayed form, a retry after a failure) sends nothing twice.
   */
  async function notify(commitment: Commitment, update: StatusUpdate, planTitle: { en: string; fr: string }) {
    const followers = await Followers.find({
      planSlug: commitment.planSlug,
      number: commitment.number,
      active: true,
    })
      .sort({ _id: 1 })
      .lean<FollowerDoc[]>();
    const url = `${options.baseUrl}/plans/${commitment.planSlug}/commitments/${commitment.number}`;
    for (const follower of followers) {
      const locale = follower.locale;
      const pick = (t: { en: string; fr: string } | undefined) => (t ? t[locale] || t.en || t.fr : '');
      await options.notifications.send({
        template: 'commitment-status',
        to: follower.email,
        locale,
        idempotencyKey: `commitment-status:${update.id}:${follower.email}`,
        unsubscribeUrl: unsubscribeUrl(follower._id),
        data: {
          number: commitment.number,
          title: pick(commitment.title),
          planTitle: pick(planTitle),
          milestone: update.milestoneId ? update.milestoneNumber || pick(update.milestoneText) : '',
          from: update.from,
          to: update.to,
          date: formatDay(update.date, locale),
          note: pick(update.note),
          url: `${url}#update-${update.seq}`,
        },
      });
    }
    return followers.length;
  }

  /** A deleted account's follows go, so nothing more is emailed to it. */
  async function forgetUser(userId: string): Promise<void> {
    await Followers.deleteMany({ userId: String(userId) });
    await byUser.forget(String(userId));
  }

  /** A signed-in user's active follows, newest first, each read by `_id` and kept only when still theirs. */
  async function forUser(user: { id: string; email: string }) {
    const keys = (await byUser.keys(user.id)).filter((key) => key.startsWith('follow:')).slice(0, 200);
    const docs = await Promise.all(keys.map((key) => Followers.findById(key).lean<FollowerDoc>()));
    return docs
      .filter((doc): doc is FollowerDoc => Boolean(doc?.active))
      .filter((doc) => doc.userId === user.id || doc.email === normalise(user.email))
      .map((doc) => ({ planSlug: doc.planSlug, number: doc.number, token: token(doc._id) }));
  }

  return {
    follow,
    unfollow,
    isFollowing,
    notify,
    forgetUser,
    forUser,
    fromToken,
    unsubscribeUrl,
    unfollowByToken: (value: string) => setActiveByToken(value, false),
    refollowByToken: (value: string) => setActiveByToken(value, true),
  };
}
