import crypto from 'node:crypto';
import type { Collection, Document } from 'mongodb';
import mongoose, { isValidObjectId } from 'mongoose';
import { PendingEffects } from '../../platform/db/pending-effects';
import { NOT_ASKED, SECTORS } from '../../platform/classifications';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors';
import type { Actor } from '../../platform/http/auth';
import { formatDate, type Locale } from '../../platform/i18n';
import type { Consultation } from '../consultations';
import type { InvitationDoc, InvitationModel } from './invitation.model';
import { parseInvitationEntry, type InviteeEntry } from './invitation-addresses';
import {
  INVITATION_ID_PATTERN,
  invitationId as invitationIdFor,
  nonce,
  MAX_TOKEN_LENGTH,
  NOT_ANSWERED,
  safeEqual,
} from './response-docs';
import { toSurvey, type Survey, type SurveyDoc } from './survey.model';
import type { Availability, SurveysServiceOptions } from './surveys.service';

/** An invitee's status in the officers' list. */
export const INVITEE_STATUSES = ['sent', 'opened', 'answered', 'opted_out', 'bounced'] as const;
export type InviteeStatus = (typeof INVITEE_STATUSES)[number];

/** Scheduled reminders: the first after REMINDER_AFTER_DAYS without an answer, then as often, at most MAX_REMINDERS. */
export const REMINDER_AFTER_DAYS = 7;
export const MAX_REMINDERS = 2;
const DAY_MS = 24 * 3600 * 1000;

export interface InvitationCounts {
  invited: number;
  opened: number;
  started: number;
  submitted: number;
  /** Refused for good by the mail server (see InvitationDoc.bouncedAt). */
  bounced: number;
}

/** A batch of invitations: one intent, replayed by the reconciler until every email is queued. */
export interface InvitationBatch {
  surveyId: string;
  /** The batch's language; each invitation stores its own (the invitee's, when the officer gave one). */
  locale: Locale;
  ids: string[];
  /** Who sent it and what came of it, for the audit entry (written by the request, or by the replay). */
  actor?: { id: string; email?: string | null };
  /** When the batch's invitations were created (their createdAt), and how many entries were refused. */
  at?: Date;
  invalid?: number;
  outcome?: { invited: number; alreadyInvited: number; invalid: number };
}

export interface InvitationsServiceDeps {
  options: SurveysServiceOptions;
  invitations: Collection<InvitationDoc>;
  clock: () => Date;
  effects: PendingEffects;
  Invitations: InvitationModel;
  getSurvey: (id: string) => Promise<Survey>;
  findDoc: (id: string) => Promise<SurveyDoc | null>;
  requireOfficer: (actor: Actor) => void;
  availability: (survey: Survey, consultation: Consultation | null, now: Date) => Availability;
}

export type InvitationsService = ReturnType<typeof createInvitationsService>;

/**
 * Invitations: one per address per survey (`_id` from the survey and the address), sent in the invitee's language
 * through the outbox as one recorded batch, tracked from sent to opened, answered, opted out or bounced, and
 * reminded twice at most. A submission claims its invitation once.
 */
export function createInvitationsService(deps: InvitationsServiceDeps) {
  const {
    options,
    Invitations,
    invitations,
    clock,
    effects,
    getSurvey,
    findDoc,
    requireOfficer,
    availability,
  } = deps;

  async function markInvitation(invitationId: string, field: 'openedAt' | 'startedAt'): Promise<void> {
    if (!INVITATION_ID_PATTERN.test(invitationId)) return;
    await invitations.updateOne({ _id: invitationId, [field]: null } as never, {
      $set: { [field]: clock() },
    });
  }

  /**
   * An invitation answers once: the first submission claims it (by `_id`), any later one is refused. The claim
   * names the draft (the hash of its claim key), so the same draft's retry or replay finds its own claim.
   */
  async function claimInvitation(
    claim: { id: string; claim: string },
    sector: string | undefined,
  ): Promise<void> {
    const claimed = await invitations.updateOne({ _id: claim.id, submittedAt: null } as never, {
      $set: { submittedAt: clock(), claimedBy: claim.claim, ...(sector ? { sector } : {}) },
    });
    if (claimed.matchedCount === 1) return;
    const invitation = await invitations.findOne({ _id: claim.id });
    if (invitation && invitation.claimedBy === claim.claim) return;
    if (!invitation) throw new NotFoundError({ key: 'surveys:invitations.invalid' });
    throw new ConflictError({ key: 'surveys:invitations.used' });
  }

  /** Gives back a claim whose submission was not stored (refused, or given up by the reconciler). */
  async function releaseInvitation(claim: { id: string; claim: string }): Promise<void> {
    await invitations.updateOne(
      { _id: claim.id, claimedBy: claim.claim },
      { $unset: { submittedAt: '', claimedBy: '', sector: '' } },
    );
  }

  const invalidLink = () => new NotFoundError({ key: 'surveys:invitations.invalid' });

  /** The invitation id a link's token (`<invitationId>.<hmac>`) names, if its HMAC is right; a 404 otherwise. */
  function tokenInvitationId(surveyId: string, token: string): string {
    if (token.length > MAX_TOKEN_LENGTH || !isValidObjectId(surveyId)) throw invalidLink();
    const [id, mac, extra] = token.split('.');
    if (extra !== undefined || !id || !mac || !INVITATION_ID_PATTERN.test(id)) throw invalidLink();
    if (!safeEqual(mac, invitationMac(id))) throw invalidLink();
    return id;
  }

  /** The invitation of a link's token (one read by `_id`), if it is one of this survey's; a 404 otherwise. */
  async function invitationOfToken(
    surveyId: string,
    token: string,
  ): Promise<{ id: string; invitation: InvitationDoc }> {
    const id = tokenInvitationId(surveyId, token);
    const invitation = await invitations.findOne({ _id: id });
    if (!invitation || invitation.surveyId.toString() !== surveyId) throw invalidLink();
    return { id, invitation };
  }

  /** Finds the invitation of a link's token (`<invitationId>.<hmac>`: one read by `_id`) and records the opening. */
  async function openInvitation(
    surveyId: string,
    token: string,
  ): Promise<{ invitationId: string; email: string }> {
    const { id, invitation } = await invitationOfToken(surveyId, token);
    if (invitation.submittedAt) throw new ConflictError({ key: 'surveys:invitations.used' });
    await markInvitation(id, 'openedAt');
    return { invitationId: id, email: invitation.email };
  }

  function invitationMac(invitationId: string): string {
    return crypto
      .createHmac('sha256', options.secret)
      .update(`survey-invitation:${invitationId}`)
      .digest('base64url');
  }

  /** The token of an invitation's link: its id and an HMAC of it with SESSION_SECRET (nothing of it is stored). */
  function invitationToken(invitationId: string): string {
    return `${invitationId}.${invitationMac(invitationId)}`;
  }

  function invitationUrl(surveyId: string, invitationId: string): string {
    return `${options.baseUrl}/surveys/${surveyId}/invitation/${invitationToken(invitationId)}`;
  }

  /**
   * What an invitation or reminder says: who asks (the consultation's lead organisation), why (its summary), until
   * when (the earlier of the survey's and the consultation's closing, in the invitee's language), the personal
   * link, and the opt-out link (a confirmation page: opening it changes nothing).
   */
  function invitationEmailData(
    survey: Survey,
    consultation: Consultation | null,
    invitationId: string,
    locale: Locale,
  ) {
    const dates = [survey.settings.closesAt, consultation?.closesAt].filter((d): d is Date => Boolean(d));
    const closesAt = dates.length ? new Date(Math.min(...dates.map((d) => d.getTime()))) : undefined;
    return {
      surveyTitle: survey.definition.title,
      organisation: consultation?.leadOrganisation ?? null,
      summary: consultation?.summary ?? null,
      contactEmail: consultation?.contactEmail || null,
      inviteUrl: invitationUrl(survey.id, invitationId),
      optOutUrl: `${invitationUrl(survey.id, invitationId)}/opt-out`,
      closesAt: closesAt ? formatDate(closesAt, locale) : null,
    };
  }

  /**
   * Opting out of a survey's invitations (the POST of the confirmation page): no more reminders to this address.
   * The link's token is the capability, as for answering. Idempotent.
   */
  async function optOutOfInvitation(surveyId: string, token: string): Promise<void> {
    const { id } = await invitationOfToken(surveyId, token);
    await invitations.updateOne({ _id: id, optedOutAt: null } as never, { $set: { optedOutAt: clock() } });
  }

  /** Checks an opt-out link without acting on it (the confirmation page). */
  async function checkInvitationToken(surveyId: string, token: string): Promise<Survey> {
    tokenInvitationId(surveyId, token);
    return getSurvey(surveyId);
  }

  /** The batch's audit entry, keyed by the batch: the request and the reconciler's replay write it once. */
  async function auditInvitations(batchKey: string, batch: InvitationBatch): Promise<void> {
    if (!options.audit || !batch.outcome) return;
    await options.audit.record({
      actor: batch.actor ?? null,
      action: 'survey.invitations_sent',
      target: { type: 'survey', id: batch.surveyId },
      details: batch.outcome,
      key: batchKey,
    });
  }

  /** Each invitation's email in the invitee's own language (its subject, body, dates and `/fr/...` links). */
  function invitationEmails(
    survey: Survey,
    consultation: Consultation | null,
    invitations: { id: string; email: string; locale: Locale }[],
  ) {
    return invitations.map(({ id, email, locale }) => ({
      template: 'survey-invitation',
      to: email,
      locale,
      data: invitationEmailData(survey, consultation, id, locale),
      idempotencyKey: `survey-invitation:${id}`,
    }));
  }

  /**
   * Invites a list of addresses (pasted or from a CSV; each entry one address, see invitation-addresses.ts), each
   * in the language given with it or else the batch's. Each address is invited once per survey (its id); addresses
   * already invited are counted, not invited again (in their first language); invalid ones are returned to be
   * shown. The invitations are stored in one write and their emails queued in another, to be rendered and sent by
   * the outbox worker; an intent covers the two.
   */
  async function invite(
    surveyId: string,
    input: { emails: (string | InviteeEntry)[]; locale: Locale },
    actor: Actor,
  ): Promise<{ invited: number; alreadyInvited: number; invalid: string[] }> {
    requireOfficer(actor);
    const survey = await getSurvey(surveyId);
    if (survey.status !== 'published') throw new ConflictError({ key: 'surveys:invitations.notPublished' });
    const invalid: string[] = [];
    const emails = new Map<string, Locale>();
    for (const item of input.emails) {
      const raw = typeof item === 'string' ? item : item.entry;
      const locale = (typeof item === 'string' ? undefined : item.locale) ?? input.locale;
      const email = parseInvitationEntry(raw);
      if (email) {
        if (!emails.has(email)) emails.set(email, locale);
      } else if (raw.trim()) invalid.push(raw.trim().slice(0, 300));
    }
    if (emails.size === 0) {
      throw new ValidationError([{ field: 'emails', message: { key: 'surveys:invitations.errors.none' } }]);
    }
    const now = clock();
    const docs = [...emails].map(([email, locale]) => ({
      _id: invitationIdFor(survey.id, email),
      surveyId: new mongoose.Types.ObjectId(survey.id),
      email,
      locale,
      reminderCount: 0,
      sentAt: now,
      createdAt: now,
    }));
    const batchKey = `${survey.id}:${nonce()}`;
    const batch: InvitationBatch = {
      surveyId: survey.id,
      locale: input.locale,
      ids: docs.map((d) => d._id),
      actor: { id: actor.id, email: actor.email ?? null },
      at: now,
      invalid: invalid.length,
    };
    await effects.begin('invitations', batchKey, batch as unknown as Document);
    const refused = new Set<number>();
    try {
      await invitations.insertMany(docs as InvitationDoc[], { ordered: false });
    } catch (error) {
      const writeErrors = (
        error as { writeErrors?: { index: number; code?: number }[] | { index: number; code?: number } }
      ).writeErrors;
      const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
      if (list.length === 0 || list.some((e) => e.code !== 11000)) {
        await effects.done('invitations', batchKey);
        throw error;
      }
      for (const e of list) refused.add(e.index);
    }
    const created = docs.filter((_, index) => !refused.has(index));
    const consultation = await options.consultations.findConsultationById(survey.consultationId);
    await options.notifications.sendMany(
      invitationEmails(
        survey,
        consultation,
        created.map((d) => ({ id: d._id, email: d.email, locale: d.locale })),
      ),
    );
    await auditInvitations(batchKey, {
      ...batch,
      outcome: { invited: created.length, alreadyInvited: refused.size, invalid: invalid.length },
    });
    await effects.done('invitations', batchKey);
    return { invited: created.length, alreadyInvited: refused.size, invalid };
  }

  /**
   * The reconciler's replay of a batch of invitations: queue the emails of those never opened, reminded or
   * answered (queuing is idempotent by key while the message waits; an email already sent within the crash window
   * could go twice, which is better than never).
   */
  async function replayInvitations(batch: InvitationBatch, intent: { id: string }) {
    const surveyDoc = await findDoc(batch.surveyId);
    if (!surveyDoc) return 'drop' as const;
    const survey = toSurvey(surveyDoc);
    const found: { id: string; email: string; locale: Locale }[] = [];
    let invited = 0;
    for (const id of batch.ids) {
      const invitation = await invitations.findOne({ _id: id });
      // This batch created the invitations stamped with its time; the others were invited before.
      if (invitation && batch.at && invitation.createdAt.getTime() === new Date(batch.at).getTime())
        invited += 1;
      if (
        invitation &&
        !invitation.openedAt &&
        !invitation.submittedAt &&
        !invitation.bouncedAt &&
        invitation.reminderCount === 0
      )
        found.push({ id, email: invitation.email, locale: invitation.locale ?? batch.locale });
    }
    const consultation = await options.consultations.findConsultationById(survey.consultationId);
    await options.notifications.sendMany(invitationEmails(survey, consultation, found));
    await auditInvitations(intent.id, {
      ...batch,
      outcome: { invited, alreadyInvited: batch.ids.length - invited, invalid: batch.invalid ?? 0 },
    });
    return 'done' as const;
  }

  /**
   * Reminds invited people who have not answered. `force` (the officer's button) reminds everyone not reminded in
   * the last day; otherwise (the schedule) only those due. Idempotent: each reminder has its own number, its email
   * an idempotency key, and the counter moves only from the number read, so running twice sends nothing twice.
   */
  async function remind(surveyId: string, opts: { now?: Date; force?: boolean } = {}): Promise<number> {
    const now = opts.now ?? clock();
    const survey = await getSurvey(surveyId);
    const consultation = await options.consultations.findConsultationById(survey.consultationId);
    if (availability(survey, consultation, now) !== 'open') return 0;
    const pending = await Invitations.find({ surveyId: survey.id, submittedAt: null }).lean<
      InvitationDoc[]
    >();
    let sent = 0;
    for (const invitation of pending) {
      const last = invitation.lastRemindedAt ?? invitation.sentAt ?? invitation.createdAt;
      const due = opts.force
        ? now.getTime() - (invitation.lastRemindedAt?.getTime() ?? 0) >= DAY_MS
        : invitation.reminderCount < MAX_REMINDERS &&
          now.getTime() - last.getTime() >= REMINDER_AFTER_DAYS * DAY_MS;
      if (!due || invitation.optedOutAt || invitation.bouncedAt) continue;
      const number = invitation.reminderCount + 1;
      const id = invitation._id;
      const claimed = await invitations.updateOne(
        {
          _id: id,
          reminderCount: invitation.reminderCount,
          submittedAt: null,
          optedOutAt: null,
          bouncedAt: null,
        } as never,
        { $set: { reminderCount: number, lastRemindedAt: now } },
      );
      if (claimed.modifiedCount === 0) continue;
      await options.notifications.send({
        template: 'survey-reminder',
        to: invitation.email,
        locale: invitation.locale,
        data: invitationEmailData(survey, consultation, id, invitation.locale),
        idempotencyKey: `survey-reminder:${id}:${number}`,
      });
      sent += 1;
    }
    return sent;
  }

  /** The scheduled job: reminders due on every open survey that has invitations. */
  async function sendDueReminders(now: Date = clock()): Promise<number> {
    const surveyIds: mongoose.Types.ObjectId[] = await Invitations.distinct('surveyId', {
      submittedAt: null,
    });
    let sent = 0;
    for (const surveyId of surveyIds) sent += await remind(surveyId.toString(), { now });
    return sent;
  }

  /**
   * The mail server refused an invitation's or reminder's address for good (the outbox's bounce listener, with the
   * email's idempotency key): the invitation is marked bounced, once, with the reply's code as the reason.
   */
  async function recordInvitationBounce(bounce: { key: string; reason: string; at: Date }): Promise<boolean> {
    const match = /^survey-(?:invitation|reminder):([^:]+)(?::\d+)?$/.exec(bounce.key);
    const id = match?.[1];
    if (!id || !INVITATION_ID_PATTERN.test(id)) return false;
    await invitations.updateOne({ _id: id, bouncedAt: null } as never, {
      $set: { bouncedAt: bounce.at, bounceReason: bounce.reason.slice(0, 40) },
    });
    return true;
  }

  /**
   * One page of a survey's invitees (by address, after `after`), with each one's status: answered, opted out,
   * bounced, opened the link, or sent. Reads at most a page and one more through the (surveyId, email) index.
   */
  async function listInvitees(
    surveyId: string,
    opts: { after?: string; status?: InviteeStatus; limit?: number } = {},
  ): Promise<{
    items: { email: string; status: InviteeStatus; locale: Locale; sentAt?: Date }[];
    next?: string;
  }> {
    if (!isValidObjectId(surveyId)) throw new NotFoundError();
    const limit = opts.limit ?? 50;
    const filter: Record<string, unknown> = { surveyId: new mongoose.Types.ObjectId(surveyId) };
    if (opts.after) filter.email = { $gt: opts.after };
    if (opts.status === 'answered') filter.submittedAt = { $ne: null };
    if (opts.status === 'opted_out') Object.assign(filter, { submittedAt: null, optedOutAt: { $ne: null } });
    if (opts.status === 'bounced')
      Object.assign(filter, { submittedAt: null, optedOutAt: null, bouncedAt: { $ne: null } });
    if (opts.status === 'opened')
      Object.assign(filter, {
        submittedAt: null,
        optedOutAt: null,
        bouncedAt: null,
        openedAt: { $ne: null },
      });
    if (opts.status === 'sent')
      Object.assign(filter, { submittedAt: null, optedOutAt: null, bouncedAt: null, openedAt: null });
    const docs = await invitations
      .find(filter as never, {
        projection: {
          email: 1,
          locale: 1,
          sentAt: 1,
          openedAt: 1,
          submittedAt: 1,
          optedOutAt: 1,
          bouncedAt: 1,
        },
      })
      .sort({ email: 1 })
      .limit(limit + 1)
      .toArray();
    const page = docs.slice(0, limit);
    return {
      items: page.map((d) => ({
        email: d.email,
        locale: d.locale,
        sentAt: d.sentAt,
        status: d.submittedAt
          ? 'answered'
          : d.optedOutAt
            ? 'opted_out'
            : d.bouncedAt
              ? 'bounced'
              : d.openedAt || d.startedAt
                ? 'opened'
                : 'sent',
      })),
      next: docs.length > limit ? page[page.length - 1]?.email : undefined,
    };
  }

  /** Invited / opened / started / submitted / bounced, overall and by the sector respondents gave. */
  async function invitationCounts(
    surveyId: string,
  ): Promise<{ total: InvitationCounts; bySector: { sector: string; counts: InvitationCounts }[] }> {
    if (!isValidObjectId(surveyId)) throw new NotFoundError();
    const rows = await Invitations.find(
      { surveyId },
      { openedAt: 1, startedAt: 1, submittedAt: 1, bouncedAt: 1, sector: 1 },
    ).lean<InvitationDoc[]>();
    const empty = (): InvitationCounts => ({
      invited: 0,
      opened: 0,
      started: 0,
      submitted: 0,
      bounced: 0,
    });
    const total = empty();
    const bySector = new Map<string, InvitationCounts>();
    for (const row of rows) {
      const key = row.sector ?? NOT_ANSWERED;
      const cell = bySector.get(key) ?? empty();
      for (const counts of [total, cell]) {
        counts.invited += 1;
        if (row.openedAt || row.startedAt || row.submittedAt) counts.opened += 1;
        if (row.startedAt || row.submittedAt) counts.started += 1;
        if (row.submittedAt) counts.submitted += 1;
        if (row.bouncedAt) counts.bounced += 1;
      }
      bySector.set(key, cell);
    }
    const order = [...SECTORS, NOT_ASKED, NOT_ANSWERED] as string[];
    return {
      total,
      bySector: [...bySector.entries()]
        .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
        .map(([sector, counts]) => ({ sector, counts })),
    };
  }

  effects.register<InvitationBatch>('invitations', replayInvitations);

  return {
    // claimed and released by a submission (responses.service.ts)
    claimInvitation,
    releaseInvitation,
    markInvitation,
    openInvitation,
    invitationToken,
    optOutOfInvitation,
    checkInvitationToken,
    invite,
    remind,
    sendDueReminders,
    recordInvitationBounce,
    listInvitees,
    invitationCounts,
  };
}
