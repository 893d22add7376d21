import mongoose, { isValidObjectId, type Connection } from 'mongoose';
import { isDuplicateKey } from '../../platform/db/duplicate-key';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type FieldError,
} from '../../platform/errors';
import { assertCan, can, DEFAULT_ORGANISATION_ID, organisationOf } from '../../platform/http/access';
import type { Locale } from '../../platform/i18n';
import { consultationModel, type ConsultationDoc, type ConsultationModel } from './consultation.model';
import { consultationStatus, escapeRegExp, SLUG_MAX, SLUG_PATTERN, slugify } from './consultation-status';
import {
  CONSULTATION_STATUSES,
  ROUND_STATUSES,
  type Actor,
  type BilingualText,
  type Consultation,
  type ConsultationInput,
  type ConsultationStatus,
  type Round,
  type RoundAuditLog,
  type RoundFreezer,
  type RoundInput,
  isOfficer,
} from './consultations.types';
import { roundModel, type RoundDoc, type RoundModel } from './round.model';
import { isTheme } from './themes';

export const LIMITS = { title: 200, summary: 1000, body: 50_000, organisation: 200, email: 254 } as const;
const EMAIL_PATTERN = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

/** The bilingual text fields of a consultation, in form order; each side is a form field `<name>En` / `<name>Fr`. */
export const CONSULTATION_TEXT_FIELDS = ['title', 'summary', 'body', 'leadOrganisation'] as const;
const TEXT_LIMITS: Record<(typeof CONSULTATION_TEXT_FIELDS)[number], number> = {
  title: LIMITS.title,
  summary: LIMITS.summary,
  body: LIMITS.body,
  leadOrganisation: LIMITS.organisation,
};

export function fieldId(name: string, locale: Locale): string {
  return `${name}${locale === 'en' ? 'En' : 'Fr'}`;
}

export interface ConsultationListQuery {
  status?: ConsultationStatus;
  theme?: string;
  roundId?: string;
  /** Free text, matched case-insensitively and literally against the title and summary in `locale`. */
  q?: string;
  locale: Locale;
  page?: number;
  pageSize?: number;
  /** Staff see drafts too; the public never does. */
  includeDrafts?: boolean;
  /** With includeDrafts: only the drafts of these organisations (platform/http/access.ts draftScope); default all. */
  draftOrganisations?: 'all' | string[];
  now?: Date;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
  pageCount: number;
}

function toRound(doc: RoundDoc): Round {
  return {
    id: String(doc._id),
    slug: doc.slug,
    title: { en: doc.title?.en ?? '', fr: doc.title?.fr ?? '' },
    description: { en: doc.description?.en ?? '', fr: doc.description?.fr ?? '' },
    startsOn: doc.startsOn,
    endsOn: doc.endsOn,
    status: doc.status,
    completedAt: doc.status === 'completed' && doc.completedAt ? doc.completedAt : undefined,
    events: (doc.events ?? []).map((e) => ({
      type: e.type,
      at: e.at,
      actorId: e.actorId,
      ...(e.reason ? { reason: e.reason } : {}),
      ...(e.completedAt ? { completedAt: e.completedAt } : {}),
    })),
    organisationId: organisationOf(doc),
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

/** The longest reason an officer may give for reopening a round. */
export const REOPEN_REASON_MAX = 1000;

function text(value: BilingualText | undefined): BilingualText {
  return { en: value?.en ?? '', fr: value?.fr ?? '' };
}

function toConsultation(doc: ConsultationDoc, now: Date): Consultation {
  const status = consultationStatus(doc, now);
  return {
    id: String(doc._id),
    slug: doc.slug,
    roundId: String(doc.roundId),
    title: text(doc.title),
    summary: text(doc.summary),
    body: text(doc.body),
    themes: [...(doc.themes ?? [])],
    leadOrganisation: text(doc.leadOrganisation),
    contactEmail: doc.contactEmail ?? '',
    opensAt: doc.opensAt,
    closesAt: doc.closesAt,
    publication: doc.publication,
    status,
    isOpen: status === 'open',
    publishedAt: doc.publishedAt ?? undefined,
    createdBy: doc.createdBy,
    organisationId: organisationOf(doc),
    sharedWith: [...(doc.sharedWith ?? [])],
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

/**
 * Both dates are required, and `to` must come after `from` (or be the same, when `sameAllowed`); an error on
 * the order is reported on `to`.
 */
function dateRangeErrors<F extends string, T extends string>(
  input: Record<F | T, unknown>,
  from: F,
  to: T,
  order: { sameAllowed: boolean; key: string; dateOnly?: boolean },
): FieldError[] {
  const start = input[from];
  const end = input[to];
  const errors: FieldError[] = [];
  // A round's dates are days; a consultation's are days and times: the message says which is expected.
  const missing = order.dateOnly
    ? 'consultations:errors.dateOnlyRequired'
    : 'consultations:errors.dateRequired';
  if (!isValidDate(start)) errors.push({ field: from, message: { key: missing } });
  if (!isValidDate(end)) errors.push({ field: to, message: { key: missing } });
  if (isValidDate(start) && isValidDate(end)) {
    const gap = end.getTime() - start.getTime();
    if (gap < 0 || (gap === 0 && !order.sameAllowed)) errors.push({ field: to, message: { key: order.key } });
  }
  return errors;
}

function trimText(value: BilingualText | undefined): BilingualText {
  return { en: (value?.en ?? '').trim(), fr: (value?.fr ?? '').trim() };
}

/** Mongo filter for a computed status at `now` (operators built here, never from the request). */
function statusFilter(status: ConsultationStatus, now: Date): Record<string, unknown> {
  switch (status) {
    case 'draft':
      return { publication: 'draft' };
    case 'archived':
      return { publication: 'archived' };
    case 'upcoming':
      return { publication: 'published', opensAt: mongoose.trusted({ $gt: now }) };
    case 'open':
      return {
        publication: 'published',
        opensAt: mongoose.trusted({ $lte: now }),
        closesAt: mongoose.trusted({ $gt: now }),
      };
    case 'closed':
      return { publication: 'published', closesAt: mongoose.trusted({ $lte: now }) };
  }
}

export interface ConsultationsServiceOptions {
  connection: Connection;
  /** The clock; tests pass a fixed one. */
  clock?: () => Date;
  /** Takes the snapshot of a round's figures when it is completed (the participation module). */
  freezer?: RoundFreezer;
  /** Audits completions and reopenings. */
  audit?: RoundAuditLog;
}

export type ConsultationsService = ReturnType<typeof createConsultationsService>;

/** Rounds and consultations: creation, editing, publishing rules, lookups and the public listing. */
export function createConsultationsService(options: ConsultationsServiceOptions) {
  const Rounds: RoundModel = roundModel(options.connection);
  const Consultations: ConsultationModel = consultationModel(options.connection);
  const clock = options.clock ?? (() => new Date());
  const { freezer, audit } = options;

  function requireOfficer(actor: Actor): void {
    if (!isOfficer(actor)) throw new ForbiddenError();
  }

  /**
   * Inserts with a slug. A slug the officer typed is theirs: taken means a 422 on that field. A slug left empty is
   * made from the title, and when that one is taken the next free `-2`, `-3`… is used (the unique index decides, so
   * two officers creating the same title at once both succeed), instead of refusing a field the officer left empty.
   */
  async function insertWithSlug<T>(
    typed: string,
    slug: string,
    insert: (slug: string) => Promise<T>,
  ): Promise<T> {
    const attempts = typed.trim() ? 1 : 20;
    for (let n = 1; ; n += 1) {
      const suffix = n === 1 ? '' : `-${n}`;
      const candidate = `${slug.slice(0, SLUG_MAX - suffix.length).replace(/-+$/, '')}${suffix}`;
      try {
        return await insert(candidate);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        if (n >= attempts) {
          throw new ValidationError([{ field: 'slug', message: { key: 'consultations:errors.slugTaken' } }]);
        }
      }
    }
  }

  // ---------- rounds ----------

  function validateRound(input: RoundInput): { errors: FieldError[]; slug: string } {
    const errors: FieldError[] = [];
    const title = trimText(input.title);
    if (!title.en && !title.fr) {
      errors.push({ field: 'titleEn', message: { key: 'consultations:errors.titleRequired' } });
    }
    for (const locale of ['en', 'fr'] as const) {
      if (title[locale].length > LIMITS.title) {
        errors.push({
          field: fieldId('title', locale),
          message: { key: 'consultations:errors.tooLong', values: { max: LIMITS.title } },
        });
      }
      if ((input.description?.[locale] ?? '').length > LIMITS.body) {
        errors.push({
          field: fieldId('description', locale),
          message: { key: 'consultations:errors.tooLong', values: { max: LIMITS.body } },
        });
      }
    }
    const slug = (input.slug ?? '').trim() || slugify(title.en || title.fr);
    if (!SLUG_PATTERN.test(slug) || slug.length > SLUG_MAX) {
      errors.push({ field: 'slug', message: { key: 'consultations:errors.slugFormat' } });
    }
    errors.push(
      ...dateRangeErrors(input, 'startsOn', 'endsOn', {
        dateOnly: true,
        sameAllowed: true,
        key: 'consultations:errors.endsBeforeStarts',
      }),
    );
    if (!(ROUND_STATUSES as readonly string[]).includes(input.status)) {
      errors.push({ field: 'status', message: { key: 'consultations:errors.unknownStatus' } });
    } else if (input.status !== 'draft') {
      // A public round is shown in both languages, so its texts must exist in both.
      for (const name of ['title', 'description'] as const) {
        for (const locale of ['en', 'fr'] as const) {
          if (!(input[name]?.[locale] ?? '').trim()) {
            errors.push({
              field: fieldId(name, locale),
              message: { key: `consultations:roundMissing.${fieldId(name, locale)}` },
            });
          }
        }
      }
    }
    return { errors, slug };
  }

  /**
   * Creates a round. One created as completed (a past round entered afterwards) is created active and completed at
   * once, through completeRound, so it has a completion date and a (then empty) snapshot like any other.
   */
  async function createRound(input: RoundInput, actor: Actor): Promise<Round> {
    requireOfficer(actor);
    const { errors, slug } = validateRound(input);
    if (errors.length) throw new ValidationError(errors);
    if (input.status === 'completed') {
      const created = await createRound({ ...input, status: 'active' }, actor);
      return completeRound(created.id, actor);
    }
    return insertWithSlug(input.slug ?? '', slug, async (free) => {
      const doc = await Rounds.create({
        slug: free,
        title: trimText(input.title),
        description: { en: input.description.en.trim(), fr: input.description.fr.trim() },
        startsOn: input.startsOn,
        endsOn: input.endsOn,
        status: input.status,
        createdBy: actor.id,
        organisationId: organisationOf(actor),
      });
      return toRound(doc.toObject());
    });
  }

  /**
   * Edits a round's texts, dates and draft/active status. Completing and reopening are their own actions
   * (completeRound, reopenRound): they close surveys, freeze or unfreeze figures and are audited.
   */
  async function updateRound(id: string, input: RoundInput, actor: Actor): Promise<Round> {
    requireOfficer(actor);
    const existing = await getRoundById(id, { includeDrafts: true });
    assertCan(actor, 'manage', existing);
    const { errors, slug } = validateRound(input);
    if (existing.status === 'completed' && input.status !== 'completed') {
      errors.push({ field: 'status', message: { key: 'consultations:errors.reopenToChange' } });
    } else if (existing.status !== 'completed' && input.status === 'completed') {
      errors.push({ field: 'status', message: { key: 'consultations:errors.completeWithAction' } });
    }
    if (errors.length) throw new ValidationError(errors);
    try {
      const doc = await Rounds.findOneAndUpdate(
        // Conditional on the status read above, so a completion landing in between is not undone.
        { _id: id, status: existing.status },
        {
          slug,
          title: trimText(input.title),
          description: { en: input.description.en.trim(), fr: input.description.fr.trim() },
          startsOn: input.startsOn,
          endsOn: input.endsOn,
          status: input.status,
        },
        { returnDocument: 'after' },
      ).lean<RoundDoc>();
      if (!doc) throw new ConflictError({ key: 'consultations:errors.roundChanged' });
      return toRound(doc);
    } catch (error) {
      if (isDuplicateKey(error)) {
        throw new ValidationError([{ field: 'slug', message: { key: 'consultations:errors.slugTaken' } }]);
      }
      throw error;
    }
  }

  /**
   * Completes a round: closes its consultations (so their surveys take no more responses), has the participation
   * module freeze the round's figures as of now, then marks the round completed with that date, in this order, so
   * that a completed round always has its snapshot (a crash in between leaves it active, and completing again
   * finishes the job). Completing a completed round changes nothing.
   */
  async function completeRound(id: string, actor: Actor): Promise<Round> {
    requireOfficer(actor);
    const round = await getRoundById(id, { includeDrafts: true });
    assertCan(actor, 'manage', round);
    if (round.status === 'completed') return round;
    if (round.status === 'draft') throw new ConflictError({ key: 'consultations:errors.completeDraft' });
    if (!freezer)
      throw new Error('completeRound: no freezer is set (the participation module keeps the snapshot)');
    for (const consultation of await listByRound(id, { includeDrafts: true })) {
      if (consultation.status === 'open' || consultation.status === 'upcoming')
        await closeConsultationNow(consultation.id, actor);
    }
    const at = clock();
    await freezer.freeze(id, at);
    const doc = await Rounds.findOneAndUpdate(
      { _id: id, status: 'active' },
      {
        $set: { status: 'completed', completedAt: at },
        $push: { events: { type: 'completed', at, actorId: actor.id } },
      },
      { returnDocument: 'after' },
    ).lean<RoundDoc>();
    if (!doc) {
      // Another officer completed (or changed) it meanwhile: theirs stands.
      const now = await getRoundById(id, { includeDrafts: true });
      if (now.status === 'completed') return now;
      throw new ConflictError({ key: 'consultations:errors.roundChanged' });
    }
    await audit?.record({ action: 'round.completed', actor, roundId: id, at, detail: round.slug });
    return toRound(doc);
  }

  /**
   * Reopens a completed round, with the officer's reason (required, shown publicly on the round's page): its
   * figures are live again until it is completed anew, which freezes them with the new date.
   */
  async function reopenRound(id: string, reason: string, actor: Actor): Promise<Round> {
    requireOfficer(actor);
    const round = await getRoundById(id, { includeDrafts: true });
    assertCan(actor, 'manage', round);
    const why = String(reason ?? '').trim();
    if (!why)
      throw new ValidationError([
        { field: 'reason', message: { key: 'consultations:errors.reasonRequired' } },
      ]);
    if (why.length > REOPEN_REASON_MAX) {
      throw new ValidationError([
        {
          field: 'reason',
          message: { key: 'consultations:errors.tooLong', values: { max: REOPEN_REASON_MAX } },
        },
      ]);
    }
    if (round.status !== 'completed' || !round.completedAt)
      throw new ConflictError({ key: 'consultations:errors.reopenNotCompleted' });
    const at = clock();
    const doc = await Rounds.findOneAndUpdate(
      { _id: id, status: 'completed', completedAt: round.completedAt },
      {
        $set: { status: 'active', completedAt: null },
        $push: {
          events: { type: 'reopened', at, actorId: actor.id, reason: why, completedAt: round.completedAt },
        },
      },
      { returnDocument: 'after' },
    ).lean<RoundDoc>();
    if (!doc) throw new ConflictError({ key: 'consultations:errors.roundChanged' });
    await audit?.record({ action: 'round.reopened', actor, roundId: id, at, detail: why });
    return toRound(doc);
  }

  /** A round by id; drafts only with includeDrafts (staff). Throws NotFoundError otherwise. */
  async function getRoundById(id: string, opts: { includeDrafts?: boolean } = {}): Promise<Round> {
    if (!isValidObjectId(id)) throw new NotFoundError();
    const doc = await Rounds.findById(id).lean<RoundDoc>();
    if (!doc || (doc.status === 'draft' && !opts.includeDrafts)) throw new NotFoundError();
    return toRound(doc);
  }

  async function getRoundBySlug(slug: string, opts: { includeDrafts?: boolean } = {}): Promise<Round> {
    const doc = await Rounds.findOne({ slug: String(slug) }).lean<RoundDoc>();
    if (!doc || (doc.status === 'draft' && !opts.includeDrafts)) throw new NotFoundError();
    return toRound(doc);
  }

  async function listRounds(opts: { includeDrafts?: boolean } = {}): Promise<Round[]> {
    const filter: Record<string, unknown> = opts.includeDrafts
      ? {}
      : { status: mongoose.trusted({ $in: ['active', 'completed'] }) };
    const docs = await Rounds.find(filter).sort({ startsOn: -1, _id: -1 }).lean<RoundDoc[]>();
    return docs.map(toRound);
  }

  // ---------- consultations ----------

  async function validateConsultation(
    input: ConsultationInput,
    actor: Actor,
  ): Promise<{ errors: FieldError[]; slug: string; roundStatus: Round['status'] | undefined }> {
    const errors: FieldError[] = [];
    const title = trimText(input.title);
    if (!title.en && !title.fr) {
      errors.push({ field: 'titleEn', message: { key: 'consultations:errors.titleRequired' } });
    }
    for (const name of CONSULTATION_TEXT_FIELDS) {
      for (const locale of ['en', 'fr'] as const) {
        if ((input[name]?.[locale] ?? '').length > TEXT_LIMITS[name]) {
          errors.push({
            field: fieldId(name, locale),
            message: { key: 'consultations:errors.tooLong', values: { max: TEXT_LIMITS[name] } },
          });
        }
      }
    }
    const slug = (input.slug ?? '').trim() || slugify(title.en || title.fr);
    if (!SLUG_PATTERN.test(slug) || slug.length > SLUG_MAX) {
      errors.push({ field: 'slug', message: { key: 'consultations:errors.slugFormat' } });
    }
    let roundStatus: Round['status'] | undefined;
    if (!isValidObjectId(input.roundId)) {
      errors.push({ field: 'roundId', message: { key: 'consultations:errors.unknownRound' } });
    } else {
      const found = await Rounds.findById(input.roundId).lean<RoundDoc>();
      // A round of another organisation is, to this officer, a round that does not exist.
      const round = found && can(actor, 'manage', toRound(found)) ? found : null;
      if (!round) errors.push({ field: 'roundId', message: { key: 'consultations:errors.unknownRound' } });
      roundStatus = round?.status;
      // A completed round takes no more responses: none of its consultations may close in the future.
      if (
        round?.status === 'completed' &&
        isValidDate(input.closesAt) &&
        input.closesAt.getTime() > clock().getTime()
      ) {
        errors.push({ field: 'closesAt', message: { key: 'consultations:errors.roundCompleted' } });
      }
    }
    if (!Array.isArray(input.themes) || input.themes.some((theme) => !isTheme(theme))) {
      errors.push({ field: 'themes', message: { key: 'consultations:errors.unknownTheme' } });
    }
    const email = (input.contactEmail ?? '').trim();
    if (email && (email.length > LIMITS.email || !EMAIL_PATTERN.test(email))) {
      errors.push({ field: 'contactEmail', message: { key: 'consultations:errors.email' } });
    }
    errors.push(
      ...dateRangeErrors(input, 'opensAt', 'closesAt', {
        sameAllowed: false,
        key: 'consultations:errors.closesBeforeOpens',
      }),
    );
    return { errors, slug, roundStatus };
  }

  function consultationFields(input: ConsultationInput, slug: string) {
    return {
      slug,
      roundId: new mongoose.Types.ObjectId(input.roundId),
      title: trimText(input.title),
      summary: trimText(input.summary),
      body: { en: input.body.en.trim(), fr: input.body.fr.trim() },
      themes: [...new Set(input.themes)],
      leadOrganisation: trimText(input.leadOrganisation),
      contactEmail: input.contactEmail.trim(),
      opensAt: input.opensAt,
      closesAt: input.closesAt,
    };
  }

  /**
   * What still stops a consultation from being published: every text in both languages, a contact email, at
   * least one theme, and a round that is not a draft. Field ids match the form's inputs.
   */
  function missingForPublication(
    consultation: Pick<
      Consultation,
      'title' | 'summary' | 'body' | 'leadOrganisation' | 'contactEmail' | 'themes' | 'closesAt'
    >,
    roundStatus: Round['status'] | undefined,
  ): FieldError[] {
    const missing: FieldError[] = [];
    for (const name of CONSULTATION_TEXT_FIELDS) {
      for (const locale of ['en', 'fr'] as const) {
        if (!consultation[name][locale].trim()) {
          missing.push({
            field: fieldId(name, locale),
            message: { key: `consultations:missing.${fieldId(name, locale)}` },
          });
        }
      }
    }
    if (!consultation.contactEmail.trim()) {
      missing.push({ field: 'contactEmail', message: { key: 'consultations:missing.contactEmail' } });
    }
    if (!consultation.themes.length) {
      missing.push({ field: 'themes', message: { key: 'consultations:missing.themes' } });
    }
    if (roundStatus === 'draft') {
      missing.push({ field: 'roundId', message: { key: 'consultations:missing.roundDraft' } });
    }
    if (roundStatus === 'completed' && consultation.closesAt.getTime() > clock().getTime()) {
      missing.push({ field: 'closesAt', message: { key: 'consultations:errors.roundCompleted' } });
    }
    return missing;
  }

  async function createConsultation(input: ConsultationInput, actor: Actor): Promise<Consultation> {
    requireOfficer(actor);
    const { errors, slug } = await validateConsultation(input, actor);
    if (errors.length) throw new ValidationError(errors);
    return insertWithSlug(input.slug ?? '', slug, async (free) => {
      const doc = await Consultations.create({
        ...consultationFields(input, free),
        publication: 'draft',
        createdBy: actor.id,
        organisationId: organisationOf(actor),
      });
      return toConsultation(doc.toObject(), clock());
    });
  }

  /** Edits a consultation. A published one must stay complete in both languages. */
  async function updateConsultation(
    id: string,
    input: ConsultationInput,
    actor: Actor,
  ): Promise<Consultation> {
    requireOfficer(actor);
    const existing = assertCan(actor, 'manage', await getConsultationById(id, { includeDrafts: true }));
    const { errors, slug, roundStatus } = await validateConsultation(input, actor);
    if (errors.length) throw new ValidationError(errors);
    const fields = consultationFields(input, slug);
    if (existing.publication !== 'draft') {
      const missing = missingForPublication({ ...fields, body: fields.body }, roundStatus);
      if (missing.length)
        throw new ValidationError(missing, { key: 'consultations:publish.mustStayComplete' });
    }
    try {
      const doc = await Consultations.findOneAndUpdate({ _id: id }, fields, {
        returnDocument: 'after',
      }).lean<ConsultationDoc>();
      if (!doc) throw new NotFoundError();
      return toConsultation(doc, clock());
    } catch (error) {
      if (isDuplicateKey(error)) {
        throw new ValidationError([{ field: 'slug', message: { key: 'consultations:errors.slugTaken' } }]);
      }
      throw error;
    }
  }

  /** The fields still missing before `id` can be published (empty when it can be). */
  async function publicationChecklist(id: string): Promise<FieldError[]> {
    const consultation = await getConsultationById(id, { includeDrafts: true });
    const round = await Rounds.findById(consultation.roundId).lean<RoundDoc>();
    return missingForPublication(consultation, round?.status);
  }

  /** Publishes a draft; throws ValidationError listing what is missing. Publishing twice is harmless. */
  async function publishConsultation(id: string, actor: Actor): Promise<Consultation> {
    requireOfficer(actor);
    assertCan(actor, 'manage', await getConsultationById(id, { includeDrafts: true }));
    const missing = await publicationChecklist(id);
    if (missing.length) throw new ValidationError(missing, { key: 'consultations:publish.incomplete' });
    const doc = await Consultations.findOneAndUpdate(
      { _id: id, publication: 'draft' },
      { publication: 'published', publishedAt: clock() },
      { returnDocument: 'after' },
    ).lean<ConsultationDoc>();
    return doc ? toConsultation(doc, clock()) : getConsultationById(id, { includeDrafts: true });
  }

  /** Closes an open (or upcoming) consultation now, by moving its closing date to the present. */
  async function closeConsultationNow(id: string, actor: Actor): Promise<Consultation> {
    requireOfficer(actor);
    const existing = assertCan(actor, 'manage', await getConsultationById(id, { includeDrafts: true }));
    if (existing.status !== 'open' && existing.status !== 'upcoming') return existing;
    const now = clock();
    const opensAt = existing.opensAt.getTime() > now.getTime() ? now : existing.opensAt;
    const doc = await Consultations.findOneAndUpdate(
      { _id: id },
      { closesAt: now, opensAt },
      { returnDocument: 'after' },
    ).lean<ConsultationDoc>();
    if (!doc) throw new NotFoundError();
    return toConsultation(doc, now);
  }

  async function archiveConsultation(id: string, actor: Actor): Promise<Consultation> {
    requireOfficer(actor);
    const existing = assertCan(actor, 'manage', await getConsultationById(id, { includeDrafts: true }));
    if (existing.publication === 'draft') {
      throw new ValidationError([
        { field: 'publication', message: { key: 'consultations:errors.archiveDraft' } },
      ]);
    }
    const doc = await Consultations.findOneAndUpdate(
      { _id: id },
      { publication: 'archived' },
      { returnDocument: 'after' },
    ).lean<ConsultationDoc>();
    if (!doc) throw new NotFoundError();
    return toConsultation(doc, clock());
  }

  /**
   * A consultation by id, with its status at `now`. Drafts are found only with includeDrafts (staff); otherwise
   * a draft, like an unknown id, is a NotFoundError.
   */
  async function getConsultationById(
    id: string,
    opts: { includeDrafts?: boolean; now?: Date } = {},
  ): Promise<Consultation> {
    const found = await findConsultationById(id, opts);
    if (!found) throw new NotFoundError();
    return found;
  }

  /** Like getConsultationById, but resolves null instead of throwing. */
  async function findConsultationById(
    id: string,
    opts: { includeDrafts?: boolean; now?: Date } = {},
  ): Promise<Consultation | null> {
    if (!isValidObjectId(id)) return null;
    const doc = await Consultations.findById(id).lean<ConsultationDoc>();
    if (!doc || (doc.publication === 'draft' && !opts.includeDrafts)) return null;
    return toConsultation(doc, opts.now ?? clock());
  }

  async function getConsultationBySlug(
    slug: string,
    opts: { includeDrafts?: boolean; now?: Date } = {},
  ): Promise<Consultation> {
    const doc = await Consultations.findOne({ slug: String(slug) }).lean<ConsultationDoc>();
    if (!doc || (doc.publication === 'draft' && !opts.includeDrafts)) throw new NotFoundError();
    return toConsultation(doc, opts.now ?? clock());
  }

  /** "Is this consultation open now?" — for surveys and comments. Unknown ids and drafts are not open. */
  async function isOpenNow(id: string, now: Date = clock()): Promise<boolean> {
    const found = await findConsultationById(id, { now });
    return Boolean(found?.isOpen);
  }

  async function listConsultations(query: ConsultationListQuery): Promise<Page<Consultation>> {
    const now = query.now ?? clock();
    const pageSize = Math.min(Math.max(query.pageSize ?? 10, 1), 100);
    const page = Math.max(query.page ?? 1, 1);
    const filter: Record<string, unknown> = {};
    if (query.status && (CONSULTATION_STATUSES as readonly string[]).includes(query.status)) {
      if (query.status === 'draft' && !query.includeDrafts)
        return { items: [], total: 0, page, pageSize, pageCount: 0 };
      Object.assign(filter, statusFilter(query.status, now));
    } else if (!query.includeDrafts) {
      filter.publication = mongoose.trusted({ $in: ['published', 'archived'] });
    }
    const scope = query.draftOrganisations ?? 'all';
    if (query.includeDrafts && scope !== 'all') {
      // Drafts only of the given organisations (records without one belong to the default organisation).
      const owners: (string | null)[] = [...scope];
      if (scope.includes(DEFAULT_ORGANISATION_ID)) owners.push(null);
      filter.$and = [
        {
          $or: [
            { publication: mongoose.trusted({ $in: ['published', 'archived'] }) },
            { organisationId: mongoose.trusted({ $in: owners }) },
            { sharedWith: mongoose.trusted({ $in: scope }) },
          ],
        },
      ];
    }
    if (query.theme) filter.themes = String(query.theme);
    if (query.roundId) {
      if (!isValidObjectId(query.roundId)) return { items: [], total: 0, page, pageSize, pageCount: 0 };
      filter.roundId = new mongoose.Types.ObjectId(query.roundId);
    }
    const q = (query.q ?? '').trim().slice(0, 200);
    if (q) {
      const pattern = new RegExp(escapeRegExp(q), 'i');
      filter.$or = [{ [`title.${query.locale}`]: pattern }, { [`summary.${query.locale}`]: pattern }];
    }
    const total = await Consultations.countDocuments(filter);
    const docs = await Consultations.find(filter)
      .sort({ opensAt: -1, _id: -1 })
      .skip((page - 1) * pageSize)
      .limit(pageSize)
      .lean<ConsultationDoc[]>();
    return {
      items: docs.map((doc) => toConsultation(doc, now)),
      total,
      page,
      pageSize,
      pageCount: Math.ceil(total / pageSize),
    };
  }

  /** Open now, soonest closing first (the home page and the "closing soon" list). */
  async function listOpen(now: Date = clock(), limit = 20): Promise<Consultation[]> {
    const docs = await Consultations.find(statusFilter('open', now))
      .sort({ closesAt: 1, _id: 1 })
      .limit(limit)
      .lean<ConsultationDoc[]>();
    return docs.map((doc) => toConsultation(doc, now));
  }

  /** Every consultation of a round (drafts only for staff), newest opening first. */
  async function listByRound(roundId: string, opts: { includeDrafts?: boolean; now?: Date } = {}) {
    if (!isValidObjectId(roundId)) return [];
    const filter: Record<string, unknown> = { roundId: new mongoose.Types.ObjectId(roundId) };
    if (!opts.includeDrafts) filter.publication = mongoose.trusted({ $in: ['published', 'archived'] });
    const docs = await Consultations.find(filter).sort({ opensAt: -1, _id: -1 }).lean<ConsultationDoc[]>();
    return docs.map((doc) => toConsultation(doc, opts.now ?? clock()));
  }

  /** Published (and archived) consultations, for feeds, calendars and scheduled notices. */
  async function listPublished(opts: { roundId?: string; now?: Date; limit?: number } = {}) {
    const filter: Record<string, unknown> = {
      publication: mongoose.trusted({ $in: ['published', 'archived'] }),
    };
    if (opts.roundId) filter.roundId = new mongoose.Types.ObjectId(opts.roundId);
    const docs = await Consultations.find(filter)
      .sort({ opensAt: -1, _id: -1 })
      .limit(opts.limit ?? 500)
      .lean<ConsultationDoc[]>();
    return docs.map((doc) => toConsultation(doc, opts.now ?? clock()));
  }

  /**
   * Published consultations with an opening or closing date near `now` (from `now - lookbackMs` to
   * `now + aheadMs`), for the scheduled notices.
   */
  async function listForNotices(now: Date, lookbackMs: number, aheadMs: number): Promise<Consultation[]> {
    const from = new Date(now.getTime() - lookbackMs);
    const docs = await Consultations.find({
      publication: 'published',
      $or: [
        { opensAt: mongoose.trusted({ $gte: from, $lte: now }) },
        { closesAt: mongoose.trusted({ $gte: from, $lte: new Date(now.getTime() + aheadMs) }) },
      ],
    })
      .sort({ _id: 1 })
      .lean<ConsultationDoc[]>();
    return docs.map((doc) => toConsultation(doc, now));
  }

  /** Every consultation, drafts included, soonest closing first (the officer workspace). */
  async function listAll(now: Date = clock()): Promise<Consultation[]> {
    const docs = await Consultations.find({}).sort({ closesAt: 1, _id: 1 }).lean<ConsultationDoc[]>();
    return docs.map((doc) => toConsultation(doc, now));
  }

  /**
   * Moves a consultation to another organisation (admins only; the caller checks that the organisation exists).
   * Its surveys follow: a survey belongs to its consultation's organisation.
   */
  async function setConsultationOrganisation(id: string, organisationId: string, actor: Actor) {
    if (!actor.roles.includes('admin')) throw new ForbiddenError();
    await getConsultationById(id, { includeDrafts: true });
    await Consultations.updateOne({ _id: id }, { $set: { organisationId } });
  }

  /** Shares a consultation (and its surveys) with other organisations for viewing and analysis (admins only). */
  async function setConsultationSharing(id: string, organisationIds: string[], actor: Actor) {
    if (!actor.roles.includes('admin')) throw new ForbiddenError();
    const existing = await getConsultationById(id, { includeDrafts: true });
    const sharedWith = [...new Set(organisationIds)].filter((o) => o !== existing.organisationId).sort();
    await Consultations.updateOne({ _id: id }, { $set: { sharedWith } });
  }

  /** Moves a round to another organisation (admins only). Its consultations keep their own organisation. */
  async function setRoundOrganisation(id: string, organisationId: string, actor: Actor) {
    if (!actor.roles.includes('admin')) throw new ForbiddenError();
    await getRoundById(id, { includeDrafts: true });
    await Rounds.updateOne({ _id: id }, { $set: { organisationId } });
  }

  return {
    async init(): Promise<void> {
      await Rounds.init();
      await Consultations.init();
    },
    now: clock,
    createRound,
    updateRound,
    completeRound,
    reopenRound,
    getRoundById,
    getRoundBySlug,
    listRounds,
    createConsultation,
    updateConsultation,
    publicationChecklist,
    publishConsultation,
    closeConsultationNow,
    archiveConsultation,
    getConsultationById,
    findConsultationById,
    getConsultationBySlug,
    isOpenNow,
    listConsultations,
    listOpen,
    listByRound,
    listPublished,
    listForNotices,
    listAll,
    setConsultationOrganisation,
    setConsultationSharing,
    setRoundOrganisation,
  };
}
