import crypto from 'node:crypto';
import mongoose, { isValidObjectId, type Connection } from 'mongoose';
import {
  ClosedError,
  ForbiddenError,
  NotFoundError,
  TooManyRequestsError,
  ValidationError,
} from '../../platform/errors';
import { isDuplicateKey } from '../../platform/db/duplicate-key';
import { hasRole, type AuthenticatedUser } from '../../platform/http/auth';
import type { Notifications } from '../notifications';
import { commentModel, HIDE_REASONS, type CommentDoc, type HideReason } from './comment.model';
import type { ConsultationsService } from './consultations.service';
import type { Consultation } from './consultations.types';

export const COMMENT_MAX = 5000;
/** At most this many comments per person in COMMENT_WINDOW_MS (an approximate count is enough for a limit). */
export const COMMENT_LIMIT = 10;
export const COMMENT_WINDOW_MS = 10 * 60 * 1000;

export interface Comment {
  id: string;
  consultationId: string;
  parentId: string | undefined;
  authorId: string;
  /** Empty when the author deleted their account (authorDeleted). */
  authorName: string;
  authorDeleted: boolean;
  /** Empty when hidden: the text is kept for the record but never shown. */
  body: string;
  official: boolean;
  hidden: { reason: HideReason; at: Date } | undefined;
  createdAt: Date;
}

export const MODERATION_STATUSES = ['pending', 'reported', 'replied', 'hidden', 'all'] as const;
export type ModerationStatus = (typeof MODERATION_STATUSES)[number];

/** A comment in the moderation queue: its text even when hidden, whether it was answered, how often reported. */
export interface ModerationItem extends Comment {
  rawBody: string;
  replied: boolean;
  reports: number;
}

/** A top-level comment with the official replies that answer it. */
export interface CommentThread extends Comment {
  replies: Comment[];
}

function toComment(doc: CommentDoc): Comment {
  return {
    id: String(doc._id),
    consultationId: String(doc.consultationId),
    parentId: doc.parentId ? String(doc.parentId) : undefined,
    authorId: doc.authorId,
    authorName: doc.authorDeleted ? '' : doc.authorName,
    authorDeleted: Boolean(doc.authorDeleted),
    body: doc.hidden ? '' : doc.body,
    official: doc.official,
    hidden: doc.hidden ? { reason: doc.hidden.reason, at: doc.hidden.at } : undefined,
    createdAt: doc.createdAt,
  };
}

export interface CommentsServiceOptions {
  connection: Connection;
  consultations: ConsultationsService;
  notifications: Notifications;
  baseUrl: string;
  /** Called after a comment is posted with a report opt-in: subscribes the author to the report. */
  onReportOptIn?: (input: { consultationId: string; user: AuthenticatedUser }) => Promise<void>;
}

export type CommentsService = ReturnType<typeof createCommentsService>;

/** The two-way dialogue: participants' comments, officers' official replies, and moderation. */
export function createCommentsService(options: CommentsServiceOptions) {
  const Comments = commentModel(options.connection);
  const { consultations, notifications } = options;

  function validateBody(body: string): string {
    const text = (body ?? '').replace(/\r\n/g, '\n').trim();
    if (!text)
      throw new ValidationError([
        { field: 'comment', message: { key: 'consultations:comments.errors.empty' } },
      ]);
    if (text.length > COMMENT_MAX) {
      throw new ValidationError([
        { field: 'comment', message: { key: 'consultations:errors.tooLong', values: { max: COMMENT_MAX } } },
      ]);
    }
    return text;
  }

  /** A new one-time id for a comment form (double submissions store one comment). */
  function newSubmissionId(): string {
    return crypto.randomUUID();
  }

  async function insert(fields: Omit<CommentDoc, '_id' | 'createdAt' | 'updatedAt'>): Promise<Comment> {
    try {
      const doc = await Comments.create(fields);
      return toComment(doc.toObject());
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // The same form was sent twice: answer with the comment the first submission stored.
      const existing = await Comments.findOne({
        authorId: fields.authorId,
        submissionId: fields.submissionId,
      }).lean<CommentDoc>();
      if (!existing) throw error;
      return toComment(existing);
    }
  }

  /** A signed-in participant comments on an open consultation. */
  async function postComment(input: {
    consultation: Consultation;
    user: AuthenticatedUser;
    body: string;
    submissionId: string;
    optInReport?: boolean;
  }): Promise<Comment> {
    const body = validateBody(input.body);
    const current = await consultations.getConsultationById(input.consultation.id);
    if (!current.isOpen) throw new ClosedError({ key: 'consultations:comments.closed' });
    const recent = await Comments.countDocuments({
      authorId: input.user.id,
      createdAt: mongoose.trusted({ $gt: new Date(Date.now() - COMMENT_WINDOW_MS) }),
    });
    if (recent >= COMMENT_LIMIT) {
      throw new TooManyRequestsError(COMMENT_WINDOW_MS / 1000, { key: 'consultations:comments.tooMany' });
    }
    const comment = await insert({
      consultationId: new mongoose.Types.ObjectId(current.id),
      authorId: input.user.id,
      authorName: input.user.name,
      authorEmail: input.user.email,
      authorLocale: input.user.locale,
      body,
      official: false,
      submissionId: String(input.submissionId || newSubmissionId()).slice(0, 64),
    });
    if (input.optInReport && options.onReportOptIn) {
      await options.onReportOptIn({ consultationId: current.id, user: input.user });
    }
    return comment;
  }

  async function getComment(
    id: string,
  ): Promise<Comment & { authorEmail: string; authorLocale: 'en' | 'fr'; rawBody: string }> {
    if (!isValidObjectId(id)) throw new NotFoundError();
    const doc = await Comments.findById(id).lean<CommentDoc>();
    if (!doc) throw new NotFoundError();
    return {
      ...toComment(doc),
      authorEmail: doc.authorEmail,
      authorLocale: doc.authorLocale,
      rawBody: doc.body,
    };
  }

  /**
   * An officer answers a comment on behalf of the organisation. The comment's author is emailed (once per reply,
   * whatever retries happen), unless the author is the one replying.
   */
  async function replyOfficially(input: {
    commentId: string;
    officer: AuthenticatedUser;
    body: string;
    submissionId: string;
  }): Promise<Comment> {
    if (!hasRole(input.officer, 'officer')) throw new ForbiddenError();
    const body = validateBody(input.body);
    const parent = await getComment(input.commentId);
    if (parent.parentId) throw new NotFoundError();
    const consultation = await consultations.getConsultationById(parent.consultationId, {
      includeDrafts: true,
    });
    const reply = await insert({
      consultationId: new mongoose.Types.ObjectId(parent.consultationId),
      parentId: new mongoose.Types.ObjectId(parent.id),
      authorId: input.officer.id,
      authorName: input.officer.name,
      authorEmail: input.officer.email,
      authorLocale: input.officer.locale,
      body,
      official: true,
      submissionId: String(input.submissionId || newSubmissionId()).slice(0, 64),
    });
    // Marks the comment as answered for the moderation queue (idempotent; the reply itself is the record).
    await Comments.updateOne({ _id: parent.id }, { $set: { repliedAt: reply.createdAt } });
    if (parent.authorEmail && parent.authorId !== input.officer.id) {
      const locale = parent.authorLocale;
      await notifications.send({
        template: 'consultation-comment-reply',
        to: parent.authorEmail,
        locale,
        idempotencyKey: `reply:${reply.id}`,
        data: {
          consultationTitle: consultation.title[locale] || consultation.title.en || consultation.title.fr,
          comment: parent.rawBody,
          reply: reply.body,
          url: `${options.baseUrl}/consultations/${consultation.slug}#comment-${parent.id}`,
        },
      });
    }
    return reply;
  }

  /** Hides a comment; its place shows the reason instead. Hiding again changes the reason. */
  async function hideComment(input: {
    commentId: string;
    officer: AuthenticatedUser;
    reason: string;
  }): Promise<Comment> {
    if (!hasRole(input.officer, 'officer')) throw new ForbiddenError();
    if (!(HIDE_REASONS as readonly string[]).includes(input.reason)) {
      throw new ValidationError([
        { field: 'reason', message: { key: 'consultations:moderation.errors.reason' } },
      ]);
    }
    if (!isValidObjectId(input.commentId)) throw new NotFoundError();
    const doc = await Comments.findOneAndUpdate(
      { _id: input.commentId },
      { hidden: { reason: input.reason as HideReason, by: input.officer.id, at: new Date() } },
      { returnDocument: 'after' },
    ).lean<CommentDoc>();
    if (!doc) throw new NotFoundError();
    return toComment(doc);
  }

  async function unhideComment(input: { commentId: string; officer: AuthenticatedUser }): Promise<Comment> {
    if (!hasRole(input.officer, 'officer')) throw new ForbiddenError();
    if (!isValidObjectId(input.commentId)) throw new NotFoundError();
    const doc = await Comments.findOneAndUpdate(
      { _id: input.commentId },
      { $unset: { hidden: 1 } },
      { returnDocument: 'after' },
    ).lean<CommentDoc>();
    if (!doc) throw new NotFoundError();
    return toComment(doc);
  }

  /** A signed-in person reports a comment to the moderators; reporting again changes nothing. */
  async function reportComment(input: { commentId: string; user: AuthenticatedUser }): Promise<Comment> {
    if (!isValidObjectId(input.commentId)) throw new NotFoundError();
    const doc = await Comments.findOneAndUpdate(
      { _id: input.commentId },
      { $addToSet: { reportedBy: input.user.id }, $set: { reportedAt: new Date() } },
      { returnDocument: 'after' },
    ).lean<CommentDoc>();
    if (!doc) throw new NotFoundError();
    return toComment(doc);
  }

  /**
   * The officers' moderation queue, newest first, one page at a time (bounded: `limit` rows plus one to know
   * whether there is a next page). `pending`: participants' comments with no official reply that are not hidden;
   * `reported`: reported and not hidden; `replied`; `hidden`; `all`.
   */
  async function listForModeration(query: {
    status: ModerationStatus;
    consultationId?: string;
    /** Only comments on these consultations (the moderator's scope); undefined means every consultation. */
    consultationIds?: string[];
    page: number;
    limit?: number;
  }): Promise<{ items: ModerationItem[]; hasNext: boolean }> {
    const limit = Math.min(Math.max(query.limit ?? 25, 1), 100);
    const page = Math.min(Math.max(Math.floor(query.page) || 1, 1), 1000);
    const filter: Record<string, unknown> = { official: false };
    if (query.consultationId) {
      if (!isValidObjectId(query.consultationId)) return { items: [], hasNext: false };
      filter.consultationId = new mongoose.Types.ObjectId(query.consultationId);
    } else if (query.consultationIds) {
      if (!query.consultationIds.length) return { items: [], hasNext: false };
      filter.consultationId = mongoose.trusted({
        $in: query.consultationIds.map((id) => new mongoose.Types.ObjectId(id)),
      });
    }
    const exists = (yes: boolean) => mongoose.trusted({ $exists: yes });
    if (query.status === 'pending')
      Object.assign(filter, { hidden: exists(false), repliedAt: exists(false) });
    if (query.status === 'reported')
      Object.assign(filter, { hidden: exists(false), reportedAt: exists(true) });
    if (query.status === 'replied') filter.repliedAt = exists(true);
    if (query.status === 'hidden') filter.hidden = exists(true);
    const docs = await Comments.find(filter)
      .sort({ createdAt: -1, _id: -1 })
      .skip((page - 1) * limit)
      .limit(limit + 1)
      .lean<CommentDoc[]>();
    const shown = docs.slice(0, limit);
    // Replies of the comments shown (at most `limit` parents), for comments answered before `repliedAt` existed.
    const answered = new Set<string>();
    if (shown.length) {
      const replies = await Comments.find({
        parentId: mongoose.trusted({ $in: shown.map((d) => d._id) }),
      })
        .select({ parentId: 1 })
        .limit(limit * 20)
        .lean<Pick<CommentDoc, 'parentId'>[]>();
      for (const reply of replies) answered.add(String(reply.parentId));
    }
    return {
      items: shown.map((doc) => ({
        ...toComment(doc),
        rawBody: doc.body,
        replied: Boolean(doc.repliedAt) || answered.has(String(doc._id)),
        reports: doc.reportedBy?.length ?? 0,
      })),
      hasNext: docs.length > limit,
    };
  }

  /** The discussion of a consultation: comments oldest first, each with its official replies. */
  async function listThreads(consultationId: string): Promise<CommentThread[]> {
    if (!isValidObjectId(consultationId)) return [];
    const docs = await Comments.find({ consultationId: new mongoose.Types.ObjectId(consultationId) })
      .sort({ createdAt: 1, _id: 1 })
      .lean<CommentDoc[]>();
    const threads: CommentThread[] = [];
    const byId = new Map<string, CommentThread>();
    for (const doc of docs.filter((d) => !d.parentId)) {
      const thread = { ...toComment(doc), replies: [] };
      threads.push(thread);
      byId.set(thread.id, thread);
    }
    for (const doc of docs.filter((d) => d.parentId)) {
      byId.get(String(doc.parentId))?.replies.push(toComment(doc));
    }
    return threads;
  }

  /** Comments per consultation (top-level, visible), for the officer workspace. */
  async function countByConsultation(ids: string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const valid = ids.filter((id) => isValidObjectId(id));
    if (!valid.length) return counts;
    const rows = await Comments.aggregate<{ _id: mongoose.Types.ObjectId; n: number }>([
      {
        $match: {
          consultationId: { $in: valid.map((id) => new mongoose.Types.ObjectId(id)) },
          official: false,
        },
      },
      { $group: { _id: '$consultationId', n: { $sum: 1 } } },
    ]);
    for (const row of rows) counts.set(String(row._id), row.n);
    return counts;
  }

  /**
   * The author deleted their account: their name and email are erased from their comments (the comments stay, so
   * the discussion and its replies still make sense). Idempotent.
   */
  async function forgetAuthor(userId: string): Promise<void> {
    await Comments.updateMany(
      { authorId: userId },
      { $set: { authorName: '', authorEmail: '', authorDeleted: true } },
    );
  }

  return {
    async init() {
      await Comments.init();
    },
    forgetAuthor,
    newSubmissionId,
    postComment,
    getComment,
    replyOfficially,
    hideComment,
    unhideComment,
    listThreads,
    countByConsultation,
    reportComment,
    listForModeration,
  };
}
