import crypto from 'node:crypto';
import mongoose, { isValidObjectId, type Connection } from 'mongoose';
import { isSector } from '../../platform/classifications';
import { isDuplicateKey } from '../../platform/db/duplicate-key';
import { assertCan, can, organisationOf, type ScopedResource } from '../../platform/http/access';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type FieldError,
} from '../../platform/errors';
import {
  commitmentModels,
  type CommitmentDoc,
  type IndicatorDoc,
  type MilestoneDoc,
  type PlanDoc,
  type UpdateDoc,
} from './commitments.model';
import {
  INDICATOR_SOURCES,
  isProgress,
  type Actor,
  type BilingualText,
  type Commitment,
  type CommitmentInput,
  type IndicatorInput,
  type KeyIndicator,
  type Milestone,
  type MilestoneInput,
  type Plan,
  type PlanInput,
  type Progress,
  type StatusChangeInput,
  type StatusUpdate,
} from './commitments.types';
import {
  COMMITMENT_NUMBER,
  LIMITS,
  MILESTONE_NUMBER,
  SLUG_MAX,
  SLUG_PATTERN,
  compareNumbers,
  err,
  fieldId,
  isEmail,
  lengthErrors,
  missingTexts,
  parseDay,
  slugify,
  trimText,
} from './validation';

/** What this module needs from the consultations module: point lookups only (with their organisation). */
export interface EngagementDirectory {
  findConsultationById(
    id: string,
    opts?: { includeDrafts?: boolean },
  ): Promise<({ id: string; publication: string } & ScopedResource) | null>;
  getRoundById(id: string, opts?: { includeDrafts?: boolean }): Promise<{ id: string } & ScopedResource>;
}

/** The ids of a plan's documents: deterministic, so every public read is a point read. */
export const ids = {
  plan: (slug: string) => `plan:${slug}`,
  commitment: (slug: string, number: string) => `commitment:${slug}:${number}`,
  update: (slug: string, number: string, seq: number) => `update:${slug}:${number}:${seq}`,
  follower: (slug: string, number: string, email: string) => `follow:${slug}:${number}:${email}`,
};

/** Up to this many entries of a timeline are read (newest first); the feeds read fewer. */
export const TIMELINE_MAX = 100;
/** A plan holds at most this many commitments, so its page stays a bounded number of point reads. */
export const COMMITMENTS_MAX = 200;
/** Compare-and-swap retries when two officers change one commitment's milestones at the same moment. */
const CAS_ATTEMPTS = 5;

const text = (value: BilingualText | undefined): BilingualText => ({
  en: value?.en ?? '',
  fr: value?.fr ?? '',
});

function toPlan(doc: PlanDoc): Plan {
  return {
    id: doc._id,
    slug: doc.slug,
    title: text(doc.title),
    summary: text(doc.summary),
    organisation: text(doc.organisation),
    organisationId: organisationOf(doc),
    periodStart: doc.periodStart,
    periodEnd: doc.periodEnd,
    publication: doc.publication,
    publishedAt: doc.publishedAt ?? undefined,
    commitmentNumbers: [...(doc.commitmentNumbers ?? [])].sort(compareNumbers),
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

function toMilestone(doc: MilestoneDoc): Milestone {
  return {
    id: doc.id,
    number: doc.number ?? '',
    text: text(doc.text),
    status: doc.status,
    startDate: doc.startDate ?? undefined,
    endDate: doc.endDate ?? undefined,
  };
}

function toIndicator(doc: IndicatorDoc): KeyIndicator {
  return {
    id: doc.id,
    name: text(doc.name),
    target: text(doc.target),
    targetDate: doc.targetDate ?? undefined,
    source: doc.source,
    actual: text(doc.actual),
    actualDate: doc.actualDate ?? undefined,
    sector: doc.sector ?? '',
    roundIds: (doc.rounds ?? '').split(' ').filter(Boolean),
  };
}

function toCommitment(doc: CommitmentDoc): Commitment {
  return {
    id: doc._id,
    planSlug: doc.planSlug,
    number: doc.number,
    theme: text(doc.theme),
    title: text(doc.title),
    summary: text(doc.summary),
    leadDepartment: text(doc.leadDepartment),
    enquiryEmail: doc.enquiryEmail ?? '',
    otherActors: text(doc.otherActors),
    plannedResult: text(doc.plannedResult),
    description: text(doc.description),
    status: doc.status,
    publication: doc.publication,
    publishedAt: doc.publishedAt ?? undefined,
    milestones: [...(doc.milestones ?? [])]
      .map(toMilestone)
      // Planned milestones in number order, then the other (unnumbered) ones in the order they were added.
      .sort((a, b) =>
        a.number && b.number ? compareNumbers(a.number, b.number) : a.number ? -1 : b.number ? 1 : 0,
      ),
    indicators: (doc.indicators ?? []).map(toIndicator),
    consultationIds: [...(doc.consultationIds ?? [])],
    roundIds: [...(doc.roundIds ?? [])],
    review: doc.review?.rating
      ? {
          rating: doc.review.rating,
          note: text(doc.review.note),
          reviewerName: doc.review.reviewerName,
          reviewedAt: doc.review.reviewedAt,
        }
      : undefined,
    updateCount: doc.updateCount ?? 0,
    version: doc.version ?? 0,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

function toUpdate(doc: UpdateDoc): StatusUpdate {
  return {
    id: doc._id,
    planSlug: doc.planSlug,
    number: doc.number,
    seq: doc.seq,
    milestoneId: doc.milestoneId ?? '',
    milestoneNumber: doc.milestoneNumber ?? '',
    milestoneText: doc.milestoneText ? text(doc.milestoneText) : undefined,
    from: doc.from,
    to: doc.to,
    date: doc.date,
    note: text(doc.note),
    recordedAt: doc.recordedAt,
  };
}

function isOfficer(actor: Pick<Actor, 'roles'> | undefined): boolean {
  return Boolean(actor && (actor.roles.includes('officer') || actor.roles.includes('admin')));
}

function requireOfficer(actor: Actor): void {
  if (!isOfficer(actor)) throw new ForbiddenError();
}

function newItemId(): string {
  return crypto.randomBytes(5).toString('hex');
}

export interface StatusChangeResult {
  update: StatusUpdate;
  commitment: Commitment;
  /** False when this submission had already been recorded (a replayed form). */
  created: boolean;
}

export interface CommitmentsServiceOptions {
  connection: Connection;
  engagement: EngagementDirectory;
  clock?: () => Date;
}

export type CommitmentsService = ReturnType<typeof createCommitmentsService>;

/** Action plans, their commitments, milestones and key indicators, status updates and independent reviews. */
export function createCommitmentsService(options: CommitmentsServiceOptions) {
  const { Plans, Commitments, Updates } = commitmentModels(options.connection);
  const clock = options.clock ?? (() => new Date());

  // ---------- plans ----------

  function validatePlan(input: PlanInput, slugFixed?: string): { errors: FieldError[]; slug: string } {
    const errors: FieldError[] = [];
    const title = trimText(input.title);
    if (!title.en && !title.fr) errors.push(err('titleEn', 'titleRequired'));
    errors.push(
      ...lengthErrors(
        { title, summary: input.summary, organisation: input.organisation },
        { title: LIMITS.title, summary: LIMITS.text, organisation: LIMITS.title },
      ),
    );
    const slug = slugFixed ?? ((input.slug ?? '').trim() || slugify(title.en || title.fr));
    // Without a title there is nothing to make an address from: the title's error says what to do.
    const slugTyped = Boolean((input.slug ?? '').trim()) || Boolean(title.en || title.fr);
    if (!slugFixed && slugTyped && (!SLUG_PATTERN.test(slug) || slug.length > SLUG_MAX))
      errors.push(err('slug', 'slug'));
    const start = Number(input.periodStart);
    const end = Number(input.periodEnd);
    const year = (n: number) => Number.isInteger(n) && n >= 1990 && n <= 2100;
    if (!year(start)) errors.push(err('periodStart', 'year'));
    if (!year(end)) errors.push(err('periodEnd', 'year'));
    else if (year(start) && end < start) errors.push(err('periodEnd', 'periodOrder'));
    return { errors, slug };
  }

  function planMissing(plan: Pick<Plan, 'title' | 'summary' | 'organisation'>): FieldError[] {
    return missingTexts(
      { title: plan.title, summary: plan.summary, organisation: plan.organisation },
      'plan',
    );
  }

  async function createPlan(input: PlanInput, actor: Actor): Promise<Plan> {
    requireOfficer(actor);
    const { errors, slug } = validatePlan(input);
    if (errors.length) throw new ValidationError(errors);
    try {
      const doc = await Plans.create({
        _id: ids.plan(slug),
        slug,
        title: trimText(input.title),
        summary: trimText(input.summary),
        organisation: trimText(input.organisation),
        organisationId: organisationOf(actor),
        periodStart: Number(input.periodStart),
        periodEnd: Number(input.periodEnd),
        publication: 'draft',
        commitmentNumbers: [],
        createdBy: actor.id,
      });
      return toPlan(doc.toObject());
    } catch (error) {
      if (isDuplicateKey(error)) throw new ValidationError([err('slug', 'slugTaken')]);
      throw error;
    }
  }

  /** Edits a plan (its address, the slug, never changes). A published plan must stay complete in both languages. */
  async function updatePlan(slug: string, input: PlanInput, actor: Actor): Promise<Plan> {
    const existing = await managedPlan(slug, actor);
    const { errors } = validatePlan(input, existing.slug);
    if (errors.length) throw new ValidationError(errors);
    const fields = {
      title: trimText(input.title),
      summary: trimText(input.summary),
      organisation: trimText(input.organisation),
      periodStart: Number(input.periodStart),
      periodEnd: Number(input.periodEnd),
    };
    if (existing.publication === 'published') {
      const missing = planMissing(fields);
      if (missing.length) throw new ValidationError(missing, { key: 'commitments:publish.mustStayComplete' });
    }
    const doc = await Plans.findOneAndUpdate(
      { _id: existing.id },
      { $set: fields },
      { returnDocument: 'after' },
    ).lean<PlanDoc>();
    if (!doc) throw new NotFoundError();
    return toPlan(doc);
  }

  async function planChecklist(slug: string): Promise<FieldError[]> {
    return planMissing(await getPlan(slug, { includeDrafts: true }));
  }

  async function publishPlan(slug: string, actor: Actor): Promise<Plan> {
    await managedPlan(slug, actor);
    const missing = await planChecklist(slug);
    if (missing.length) throw new ValidationError(missing, { key: 'commitments:publish.incomplete' });
    await Plans.updateOne(
      { _id: ids.plan(slug), publication: 'draft' },
      { $set: { publication: 'published', publishedAt: clock() } },
    );
    return getPlan(slug, { includeDrafts: true });
  }

  async function findPlan(slug: string): Promise<PlanDoc | null> {
    if (!SLUG_PATTERN.test(String(slug))) return null;
    return Plans.findById(ids.plan(String(slug))).lean<PlanDoc>();
  }

  /** A plan by slug; a draft only with includeDrafts (staff), otherwise NotFoundError like an unknown slug. */
  async function getPlan(slug: string, opts: { includeDrafts?: boolean } = {}): Promise<Plan> {
    const doc = await findPlan(slug);
    if (!doc || (doc.publication !== 'published' && !opts.includeDrafts)) throw new NotFoundError();
    return toPlan(doc);
  }

  /**
   * A plan `actor` may manage (officers of its organisation, admins); any other is a NotFoundError, like an unknown
   * slug. Every change below goes through it, so a plan of another organisation is never written.
   */
  async function managedPlan(slug: string, actor: Actor): Promise<Plan> {
    requireOfficer(actor);
    return assertCan(actor, 'manage', await getPlan(slug, { includeDrafts: true }));
  }

  /** Moves a plan (its commitments follow) to another organisation: admins only; the caller checks it exists. */
  async function setPlanOrganisation(slug: string, organisationId: string, actor: Actor): Promise<Plan> {
    if (!actor.roles.includes('admin')) throw new ForbiddenError();
    const plan = await getPlan(slug, { includeDrafts: true });
    await Plans.updateOne({ _id: plan.id }, { $set: { organisationId } });
    return getPlan(slug, { includeDrafts: true });
  }

  /** Every plan (a handful per government), newest period first. */
  async function listPlans(opts: { includeDrafts?: boolean } = {}): Promise<Plan[]> {
    const docs = await Plans.find(opts.includeDrafts ? {} : { publication: 'published' }).lean<PlanDoc[]>();
    return docs.map(toPlan).sort((a, b) => b.periodStart - a.periodStart || a.slug.localeCompare(b.slug));
  }

  // ---------- commitments ----------

  async function validateCommitment(
    input: CommitmentInput,
    creating: boolean,
    actor: Actor,
  ): Promise<{ errors: FieldError[]; number: string }> {
    const errors: FieldError[] = [];
    const number = (input.number ?? '').trim().toLowerCase();
    if (creating && !COMMITMENT_NUMBER.test(number)) errors.push(err('number', 'commitmentNumber'));
    const title = trimText(input.title);
    if (!title.en && !title.fr) errors.push(err('titleEn', 'titleRequired'));
    errors.push(
      ...lengthErrors(
        {
          title,
          theme: input.theme,
          summary: input.summary,
          leadDepartment: input.leadDepartment,
          otherActors: input.otherActors,
          plannedResult: input.plannedResult,
          description: input.description,
        },
        { title: LIMITS.title, theme: LIMITS.title, leadDepartment: LIMITS.title },
      ),
    );
    const email = (input.enquiryEmail ?? '').trim();
    if (email && !isEmail(email)) errors.push(err('enquiryEmail', 'email'));
    if (creating && input.status !== undefined && input.status !== '' && !isProgress(input.status))
      errors.push(err('status', 'status'));
    if (input.consultationIds.length > 50 || input.roundIds.length > 50) errors.push(err('links', 'tooMany'));
    for (const id of input.consultationIds) {
      const found = isValidObjectId(id)
        ? await options.engagement.findConsultationById(id, { includeDrafts: true })
        : null;
      // Another organisation's consultation is unknown to the officer, exactly like one that does not exist.
      if (!can(actor, 'view', found)) {
        errors.push(err('consultationIds', 'unknownConsultation'));
        break;
      }
    }
    for (const id of input.roundIds) {
      const found = isValidObjectId(id)
        ? await options.engagement.getRoundById(id, { includeDrafts: true }).catch(() => null)
        : null;
      if (!can(actor, 'view', found)) {
        errors.push(err('roundIds', 'unknownRound'));
        break;
      }
    }
    return { errors, number };
  }

  function commitmentFields(input: CommitmentInput) {
    return {
      theme: trimText(input.theme),
      title: trimText(input.title),
      summary: trimText(input.summary),
      leadDepartment: trimText(input.leadDepartment),
      enquiryEmail: (input.enquiryEmail ?? '').trim(),
      otherActors: trimText(input.otherActors),
      plannedResult: trimText(input.plannedResult),
      description: trimText(input.description),
      consultationIds: [...new Set(input.consultationIds)],
      roundIds: [...new Set(input.roundIds)],
    };
  }

  /** The bilingual publishing check of a commitment, its milestones and its indicators. */
  function commitmentMissing(c: Commitment): FieldError[] {
    const missing = missingTexts(
      {
        title: c.title,
        theme: c.theme,
        leadDepartment: c.leadDepartment,
        plannedResult: c.plannedResult,
        description: c.description,
      },
      'commitment',
      (id) => `edit#${id}`,
    );
    if (!c.enquiryEmail)
      missing.push({
        field: 'edit#enquiryEmail',
        message: { key: 'commitments:missing.commitment.enquiryEmail' },
      });
    for (const m of c.milestones) {
      missing.push(
        ...missingTexts({ text: m.text }, 'milestone', (id) => `milestones/${m.id}/edit#${id}`, {
          number: m.number || '–',
        }),
      );
    }
    for (const [index, i] of c.indicators.entries()) {
      const texts: Record<string, BilingualText> = { name: i.name, target: i.target };
      if (i.source === 'manual' && (i.actual.en || i.actual.fr)) texts.actual = i.actual;
      missing.push(
        ...missingTexts(texts, 'indicator', (id) => `indicators/${i.id}/edit#${id}`, { number: index + 1 }),
      );
    }
    return missing;
  }

  async function createCommitment(slug: string, input: CommitmentInput, actor: Actor): Promise<Commitment> {
    const plan = await managedPlan(slug, actor);
    const { errors, number } = await validateCommitment(input, true, actor);
    if (errors.length) throw new ValidationError(errors);
    if (plan.commitmentNumbers.length >= COMMITMENTS_MAX)
      throw new ValidationError([err('number', 'planFull')]);
    try {
      const doc = await Commitments.create({
        _id: ids.commitment(plan.slug, number),
        planSlug: plan.slug,
        number,
        ...commitmentFields(input),
        status: isProgress(input.status) ? input.status : 'not_started',
        statusSeq: 0,
        publication: 'draft',
        milestones: [],
        indicators: [],
        updateCount: 0,
        version: 0,
        createdBy: actor.id,
      });
      await Plans.updateOne({ _id: plan.id }, { $addToSet: { commitmentNumbers: number } });
      return toCommitment(doc.toObject());
    } catch (error) {
      if (isDuplicateKey(error)) {
        // Already there (another officer, or this form twice): make sure the plan lists it, and say so.
        await Plans.updateOne({ _id: plan.id }, { $addToSet: { commitmentNumbers: number } });
        throw new ValidationError([err('number', 'numberTaken')]);
      }
      throw error;
    }
  }

  async function updateCommitment(
    slug: string,
    number: string,
    input: CommitmentInput,
    actor: Actor,
  ): Promise<Commitment> {
    await managedPlan(slug, actor);
    const existing = await getCommitment(slug, number, { includeDrafts: true });
    const { errors } = await validateCommitment(input, false, actor);
    if (errors.length) throw new ValidationError(errors);
    const fields = commitmentFields(input);
    if (existing.publication === 'published') {
      const missing = commitmentMissing({ ...existing, ...fields });
      if (missing.length) throw new ValidationError(missing, { key: 'commitments:publish.mustStayComplete' });
    }
    const doc = await Commitments.findOneAndUpdate(
      { _id: existing.id },
      { $set: fields, $inc: { version: 1 } },
      { returnDocument: 'after' },
    ).lean<CommitmentDoc>();
    if (!doc) throw new NotFoundError();
    return toCommitment(doc);
  }

  async function commitmentChecklist(slug: string, number: string): Promise<FieldError[]> {
    return commitmentMissing(await getCommitment(slug, number, { includeDrafts: true }));
  }

  async function publishCommitment(slug: string, number: string, actor: Actor): Promise<Commitment> {
    await managedPlan(slug, actor);
    const missing = await commitmentChecklist(slug, number);
    if (missing.length) throw new ValidationError(missing, { key: 'commitments:publish.incomplete' });
    await Commitments.updateOne(
      { _id: ids.commitment(slug, number), publication: 'draft' },
      { $set: { publication: 'published', publishedAt: clock() } },
    );
    return getCommitment(slug, number, { includeDrafts: true });
  }

  /**
   * A commitment, read by its id. The public sees it only when both it and its plan are published; a draft is a
   * NotFoundError, exactly like an unknown number.
   */
  async function getCommitment(
    slug: string,
    number: string,
    opts: { includeDrafts?: boolean } = {},
  ): Promise<Commitment> {
    const key = String(number).toLowerCase();
    if (!SLUG_PATTERN.test(String(slug)) || !COMMITMENT_NUMBER.test(key)) throw new NotFoundError();
    const [doc, plan] = await Promise.all([
      Commitments.findById(ids.commitment(String(slug), key)).lean<CommitmentDoc>(),
      opts.includeDrafts ? Promise.resolve(null) : findPlan(String(slug)),
    ]);
    if (!doc) throw new NotFoundError();
    if (!opts.includeDrafts && (doc.publication !== 'published' || plan?.publication !== 'published'))
      throw new NotFoundError();
    return toCommitment(doc);
  }

  /**
   * The commitments of a plan, in number order: one point read each, from the plan's list of numbers. Staff get
   * drafts too, and their read first repairs the list from the commitments themselves (it is a rollup: a number
   * added by a request that stopped half-way is put back).
   */
  async function listCommitments(plan: Plan, opts: { includeDrafts?: boolean } = {}): Promise<Commitment[]> {
    let numbers = plan.commitmentNumbers;
    if (opts.includeDrafts) {
      const stored = await Commitments.find({ planSlug: plan.slug }, { number: 1 }).lean<
        { number: string }[]
      >();
      const missing = stored.map((d) => d.number).filter((n) => !numbers.includes(n));
      if (missing.length) {
        await Plans.updateOne(
          { _id: plan.id },
          { $addToSet: { commitmentNumbers: mongoose.trusted({ $each: missing }) } },
        );
        numbers = [...numbers, ...missing].sort(compareNumbers);
      }
    }
    const docs = await Promise.all(
      numbers.map((n) => Commitments.findById(ids.commitment(plan.slug, n)).lean<CommitmentDoc>()),
    );
    return docs
      .filter((d): d is CommitmentDoc => Boolean(d && (opts.includeDrafts || d.publication === 'published')))
      .map(toCommitment);
  }

  /**
   * Changes one commitment by compare-and-swap on its version: `change` computes the new fields from what is
   * stored; if another write got in between, it runs again on the newer document. Correct under any interleaving
   * of single-document atomic operations (MongoDB's model).
   */
  async function mutate(
    slug: string,
    number: string,
    change: (doc: CommitmentDoc) => Record<string, unknown> | null,
  ): Promise<Commitment> {
    const id = ids.commitment(slug, number);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const doc = await Commitments.findById(id).lean<CommitmentDoc>();
      if (!doc) throw new NotFoundError();
      const fields = change(doc);
      if (!fields) return toCommitment(doc);
      const version = doc.version ?? 0;
      const result = await Commitments.updateOne(
        { _id: id, version },
        { $set: { ...fields, version: version + 1 } },
      );
      if (result.modifiedCount === 1) return getCommitment(slug, number, { includeDrafts: true });
    }
    throw new ConflictError({ key: 'commitments:errors.busy' });
  }

  // ---------- milestones ----------

  function validateMilestone(input: MilestoneInput, adding: boolean) {
    const errors: FieldError[] = [];
    const number = (input.number ?? '').trim().toLowerCase();
    if (number && !MILESTONE_NUMBER.test(number)) errors.push(err('number', 'milestoneNumber'));
    const textValue = trimText(input.text);
    if (!textValue.en && !textValue.fr) errors.push(err('textEn', 'textRequired'));
    errors.push(...lengthErrors({ text: textValue }, { text: LIMITS.notes }));
    if (adding && !isProgress(input.status)) errors.push(err('status', 'status'));
    const startDate = parseDay(input.startDate);
    const endDate = parseDay(input.endDate);
    if (input.startDate?.trim() && !startDate) errors.push(err('startDate', 'date'));
    if (input.endDate?.trim() && !endDate) errors.push(err('endDate', 'date'));
    if (startDate && endDate && endDate < startDate) errors.push(err('endDate', 'dateOrder'));
    return { errors, number, text: textValue, startDate, endDate };
  }

  function milestoneNumberTaken(doc: CommitmentDoc, number: string, exceptId?: string): boolean {
    return Boolean(number) && doc.milestones.some((m) => m.number === number && m.id !== exceptId);
  }

  async function addMilestone(slug: string, number: string, input: MilestoneInput, actor: Actor) {
    await managedPlan(slug, actor);
    await getCommitment(slug, number, { includeDrafts: true });
    const v = validateMilestone(input, true);
    if (v.errors.length) throw new ValidationError(v.errors);
    const milestone: MilestoneDoc = {
      id: newItemId(),
      number: v.number,
      text: v.text,
      status: input.status as Progress,
      statusSeq: 0,
      ...(v.startDate ? { startDate: v.startDate } : {}),
      ...(v.endDate ? { endDate: v.endDate } : {}),
    };
    return mutate(slug, number, (doc) => {
      if (milestoneNumberTaken(doc, v.number)) throw new ValidationError([err('number', 'milestoneTaken')]);
      if (doc.milestones.length >= 100) throw new ValidationError([err('number', 'tooMany')]);
      if (doc.publication === 'published' && (!v.text.en || !v.text.fr))
        throw new ValidationError(
          missingTexts({ text: v.text }, 'milestone', (id) => id, { number: v.number || '–' }),
        );
      return { milestones: [...doc.milestones, milestone] };
    });
  }

  async function updateMilestone(
    slug: string,
    number: string,
    milestoneId: string,
    input: MilestoneInput,
    actor: Actor,
  ) {
    await managedPlan(slug, actor);
    const v = validateMilestone(input, false);
    return mutate(slug, number, (doc) => {
      const existing = doc.milestones.find((m) => m.id === milestoneId);
      if (!existing) throw new NotFoundError();
      if (v.errors.length) throw new ValidationError(v.errors);
      if (milestoneNumberTaken(doc, v.number, milestoneId))
        throw new ValidationError([err('number', 'milestoneTaken')]);
      if (doc.publication === 'published' && (!v.text.en || !v.text.fr))
        throw new ValidationError(
          missingTexts({ text: v.text }, 'milestone', (id) => id, { number: v.number || '–' }),
          { key: 'commitments:publish.mustStayComplete' },
        );
      return {
        milestones: doc.milestones.map((m) =>
          m.id === milestoneId
            ? {
                ...m,
                number: v.number,
                text: v.text,
                startDate: v.startDate ?? null,
                endDate: v.endDate ?? null,
              }
            : m,
        ),
      };
    });
  }

  async function removeMilestone(slug: string, number: string, milestoneId: string, actor: Actor) {
    await managedPlan(slug, actor);
    return mutate(slug, number, (doc) =>
      doc.milestones.some((m) => m.id === milestoneId)
        ? { milestones: doc.milestones.filter((m) => m.id !== milestoneId) }
        : null,
    );
  }

  // ---------- key indicators ----------

  function validateIndicator(input: IndicatorInput) {
    const errors: FieldError[] = [];
    const name = trimText(input.name);
    const target = trimText(input.target);
    const actual = trimText(input.actual);
    if (!name.en && !name.fr) errors.push(err('nameEn', 'nameRequired'));
    errors.push(
      ...lengthErrors(
        { name, target, actual },
        { name: LIMITS.title, target: LIMITS.notes, actual: LIMITS.notes },
      ),
    );
    const source = (INDICATOR_SOURCES as readonly string[]).includes(input.source)
      ? (input.source as KeyIndicator['source'])
      : undefined;
    if (!source) errors.push(err('source', 'source'));
    const targetDate = parseDay(input.targetDate);
    if (input.targetDate?.trim() && !targetDate) errors.push(err('targetDate', 'date'));
    const actualDate = parseDay(input.actualDate);
    if (source === 'manual') {
      if (input.actualDate?.trim() && !actualDate) errors.push(err('actualDate', 'date'));
      if ((actual.en || actual.fr) && !actualDate) errors.push(err('actualDate', 'collectionDate'));
    }
    const sector = (input.sector ?? '').trim();
    const roundIds = [...new Set(input.roundIds)].filter(Boolean);
    if (source === 'rounds') {
      if (!isSector(sector)) errors.push(err('sector', 'sector'));
      if (!roundIds.length || roundIds.some((id) => !isValidObjectId(id)))
        errors.push(err('roundIds', 'roundsRequired'));
    }
    return {
      errors,
      doc: (id: string): IndicatorDoc => ({
        id,
        name,
        target,
        ...(targetDate ? { targetDate } : {}),
        source: source ?? 'manual',
        actual: source === 'manual' ? actual : { en: '', fr: '' },
        ...(source === 'manual' && actualDate ? { actualDate } : {}),
        sector: source === 'rounds' ? sector : '',
        rounds: source === 'rounds' ? roundIds.join(' ') : '',
      }),
    };
  }

  async function saveIndicator(
    slug: string,
    number: string,
    indicatorId: string | undefined,
    input: IndicatorInput,
    actor: Actor,
  ) {
    await managedPlan(slug, actor);
    await getCommitment(slug, number, { includeDrafts: true });
    const v = validateIndicator(input);
    if (v.errors.length) throw new ValidationError(v.errors);
    for (const id of input.roundIds) {
      const round = await options.engagement.getRoundById(id, { includeDrafts: true }).catch(() => null);
      if (!can(actor, 'view', round)) throw new ValidationError([err('roundIds', 'unknownRound')]);
    }
    return mutate(slug, number, (doc) => {
      if (indicatorId && !doc.indicators.some((i) => i.id === indicatorId)) throw new NotFoundError();
      const next = v.doc(indicatorId ?? newItemId());
      if (doc.publication === 'published') {
        const missing = commitmentMissing(toCommitment({ ...doc, milestones: [], indicators: [next] }));
        if (missing.length)
          throw new ValidationError(
            missing.map((m) => ({ ...m, field: m.field.split('#')[1] ?? m.field })),
            { key: 'commitments:publish.mustStayComplete' },
          );
      }
      if (!indicatorId && doc.indicators.length >= 20) throw new ValidationError([err('nameEn', 'tooMany')]);
      return {
        indicators: indicatorId
          ? doc.indicators.map((i) => (i.id === indicatorId ? next : i))
          : [...doc.indicators, next],
      };
    });
  }

  async function removeIndicator(slug: string, number: string, indicatorId: string, actor: Actor) {
    await managedPlan(slug, actor);
    return mutate(slug, number, (doc) =>
      doc.indicators.some((i) => i.id === indicatorId)
        ? { indicators: doc.indicators.filter((i) => i.id !== indicatorId) }
        : null,
    );
  }

  // ---------- status updates (the timeline) ----------

  /**
   * Records a status change of the commitment or of one milestone, with a dated bilingual note. The update is
   * inserted first, under the next free sequence number (`update:<slug>:<number>:<seq>`; a unique `_id` makes two
   * simultaneous updates take different numbers) and the form's submission id (unique: a replayed form is one
   * update). Then the commitment takes the new status unless a later update already set it, and its count of
   * updates moves up to `seq`. Every step is idempotent, so a replay after a failure completes the work.
   */
  async function recordStatusChange(
    slug: string,
    number: string,
    input: StatusChangeInput,
    actor: Actor,
  ): Promise<StatusChangeResult> {
    await managedPlan(slug, actor);
    const commitment = await getCommitment(slug, number, { includeDrafts: true });
    const errors: FieldError[] = [];
    if (!isProgress(input.status)) errors.push(err('status', 'status'));
    const date = parseDay(input.date);
    if (!date) errors.push(err('date', 'date'));
    else if (date.getTime() > clock().getTime()) errors.push(err('date', 'future'));
    const note = trimText(input.note);
    if (!note.en) errors.push(err('noteEn', 'noteRequired'));
    if (!note.fr) errors.push(err('noteFr', 'noteRequired'));
    errors.push(...lengthErrors({ note }, { note: LIMITS.notes }));
    const milestone = input.milestoneId
      ? commitment.milestones.find((m) => m.id === input.milestoneId)
      : undefined;
    if (input.milestoneId && !milestone) errors.push(err('milestoneId', 'unknownMilestone'));
    const submissionId = String(input.submissionId ?? '');
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(submissionId)) errors.push(err('status', 'expiredForm'));
    if (errors.length) throw new ValidationError(errors);

    const replay = await Updates.findOne({ submissionId }).lean<UpdateDoc>();
    let update = replay;
    let created = false;
    for (let seq = commitment.updateCount + 1; !update; seq++) {
      const doc: UpdateDoc = {
        _id: ids.update(commitment.planSlug, commitment.number, seq),
        planSlug: commitment.planSlug,
        number: commitment.number,
        seq,
        submissionId,
        milestoneId: milestone?.id ?? '',
        milestoneNumber: milestone?.number ?? '',
        ...(milestone ? { milestoneText: milestone.text } : {}),
        from: milestone ? milestone.status : commitment.status,
        to: input.status as Progress,
        date: date as Date,
        note,
        recordedBy: actor.id,
        recordedAt: clock(),
      };
      try {
        await Updates.create(doc);
        update = doc;
        created = true;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // Either this seq is taken (try the next) or this very submission was recorded meanwhile (use it).
        update = await Updates.findOne({ submissionId }).lean<UpdateDoc>();
        if (seq > commitment.updateCount + 1000) throw error;
      }
    }
    const recorded = update;
    const after = await mutate(commitment.planSlug, commitment.number, (doc) => {
      const fields: Record<string, unknown> = {};
      if ((doc.updateCount ?? 0) < recorded.seq) fields.updateCount = recorded.seq;
      if (!recorded.milestoneId) {
        if ((doc.statusSeq ?? 0) < recorded.seq)
          Object.assign(fields, { status: recorded.to, statusSeq: recorded.seq });
      } else {
        const target = doc.milestones.find((m) => m.id === recorded.milestoneId);
        if (target && (target.statusSeq ?? 0) < recorded.seq) {
          fields.milestones = doc.milestones.map((m) =>
            m.id === recorded.milestoneId ? { ...m, status: recorded.to, statusSeq: recorded.seq } : m,
          );
        }
      }
      return Object.keys(fields).length ? fields : null;
    });
    return { update: toUpdate(recorded), commitment: after, created };
  }

  /**
   * The newest updates of a commitment, newest first: point reads of `<id>:<n>` for n = count+1 down to 1 (the
   * count may lag one update behind a request that stopped half-way; the extra read catches it).
   */
  async function listUpdates(commitment: Commitment, limit = TIMELINE_MAX): Promise<StatusUpdate[]> {
    const top = commitment.updateCount + 1;
    const seqs = Array.from({ length: Math.min(top, limit + 1) }, (_, i) => top - i).filter((n) => n > 0);
    const docs = await Promise.all(
      seqs.map((n) =>
        Updates.findById(ids.update(commitment.planSlug, commitment.number, n)).lean<UpdateDoc>(),
      ),
    );
    return docs
      .filter((d): d is UpdateDoc => Boolean(d))
      .map(toUpdate)
      .slice(0, limit);
  }

  /** The plan's newest updates, for its feed: one bounded, indexed query (feeds are cached for minutes). */
  async function listPlanUpdates(plan: Plan, limit = 50): Promise<StatusUpdate[]> {
    const docs = await Updates.find({ planSlug: plan.slug })
      .sort({ recordedAt: -1, _id: -1 })
      .limit(limit)
      .lean<UpdateDoc[]>();
    return docs.map(toUpdate);
  }

  // ---------- independent review ----------

  /** The independent reviewer's rating and note; only the reviewer role (or an admin) may record it. */
  async function recordReview(
    slug: string,
    number: string,
    input: { rating: string; note: BilingualText },
    actor: Actor,
  ): Promise<Commitment> {
    if (!actor.roles.includes('reviewer') && !actor.roles.includes('admin')) throw new ForbiddenError();
    const commitment = await getCommitment(slug, number);
    const errors: FieldError[] = [];
    if (!isProgress(input.rating)) errors.push(err('rating', 'status'));
    const note = trimText(input.note);
    if (!note.en) errors.push(err('noteEn', 'noteRequired'));
    if (!note.fr) errors.push(err('noteFr', 'noteRequired'));
    errors.push(...lengthErrors({ note }, { note: LIMITS.text }));
    if (errors.length) throw new ValidationError(errors);
    await Commitments.updateOne(
      { _id: commitment.id },
      {
        $set: {
          review: {
            rating: input.rating,
            note,
            reviewerName: actor.name ?? '',
            reviewerId: actor.id,
            reviewedAt: clock(),
          },
        },
      },
    );
    return getCommitment(slug, number);
  }

  return {
    async init(): Promise<void> {
      const models = commitmentModels(options.connection);
      await Promise.all([
        models.Plans.init(),
        models.Commitments.init(),
        models.Updates.init(),
        models.Followers.init(),
      ]);
    },
    now: clock,
    createPlan,
    updatePlan,
    planChecklist,
    publishPlan,
    getPlan,
    managedPlan,
    setPlanOrganisation,
    listPlans,
    createCommitment,
    updateCommitment,
    commitmentChecklist,
    publishCommitment,
    getCommitment,
    listCommitments,
    addMilestone,
    updateMilestone,
    removeMilestone,
    saveIndicator,
    removeIndicator,
    recordStatusChange,
    listUpdates,
    listPlanUpdates,
    recordReview,
    fieldId,
  };
}
