import crypto from 'node:crypto';
import mongoose, { isValidObjectId, type Connection } from 'mongoose';
import { isDuplicateKey } from '../../platform/db/duplicate-key';
import { isAgeRange, isGender, isRegion, isSector, NOT_ASKED, SECTORS } from '../../platform/classifications';
import {
  ClosedError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
  type FieldError,
} from '../../platform/errors';
import { hasRole, type Role } from '../../platform/http/auth';
import { formatDate, type Locale } from '../../platform/i18n';
import type {
  AttachedSurvey,
  Consultation,
  ConsultationsService,
  ResponseCountSource,
  SurveyDirectory,
} from '../consultations';
import { normaliseEmailAddress, type Notifications } from '../notifications';
import type { ParticipationRecorder } from '../participation/participation.types';
import { invitationModel, type InvitationDoc } from './invitation.model';
import { responseModel, type ResponseDoc } from './response.model';
import {
  readPage,
  shownSections,
  validateResponse,
  type AnswerError,
  type Answers,
  type FormFields,
  type OtherText,
} from './survey-answers';
import { emptyDefinition } from './survey-builder';
import {
  checkDefinition,
  type DefinitionError,
  type Localized,
  type SurveyDefinition,
} from './survey-definition';
import { settingsSchema, defaultSettings, type SurveySettings } from './survey-settings';
import { surveyModels, type SurveyDoc, type SurveyStatus } from './survey.model';

export interface Actor {
  id: string;
  roles: Role[];
}

/** The person answering, as the routes establish them (see respondentKey in docs/surveys.md). */
export interface Respondent {
  /** `user:<id>`, `invite:<invitationId>` or `anon:<browser key>`. */
  key: string;
  userId?: string;
  email?: string;
  /** The invitation this browser came in with (kept out of the response on anonymous surveys). */
  invitationId?: string;
  profile?: { sector?: string; region?: string; organisation?: string; gender?: string; ageRange?: string };
  /** The long-lived browser key of an anonymous respondent (see respondent.ts). */
  browserKey?: string;
  locale: Locale;
}

export interface Survey {
  id: string;
  consultationId: string;
  roundId: string;
  status: SurveyStatus;
  version: number;
  revision: number;
  /** True when the current version has responses: the next edit makes a new version. */
  frozen: boolean;
  definition: SurveyDefinition;
  settings: SurveySettings;
  publishedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface ResponseView {
  id: string;
  surveyId: string;
  surveyVersion: number;
  status: 'draft' | 'submitted';
  respondentKey: string;
  answers: Answers;
  otherText: OtherText;
  resumeAt?: string;
  sector?: string;
  region?: string;
  organisation?: string;
  submittedAt?: Date;
  hasResumeEmail: boolean;
}

/** The page after the survey's own sections: sector, region, organisation. */
export const ABOUT_YOU = 'about-you';
export const SELF_ID_FIELDS = {
  sector: 'si_sector',
  region: 'si_region',
  organisation: 'si_organisation',
} as const;

/** Invitations whose respondent has not said their sector (yet). */
export const NOT_ANSWERED = 'not_answered';

export type Availability = 'open' | 'not_available' | 'upcoming' | 'closed';

export type PageOutcome =
  { ok: true; next: string | null; submitted?: ResponseView } | { ok: false; errors: AnswerError[] };

export interface SurveysServiceOptions {
  connection: Connection;
  consultations: Pick<ConsultationsService, 'getConsultationById' | 'findConsultationById'>;
  participation: ParticipationRecorder;
  notifications: Notifications;
  baseUrl: string;
  /** Signs invitation tokens, so a reminder can repeat the original link without the token being stored. */
  secret: string;
  clock?: () => Date;
}

/** Scheduled reminders: the first after REMINDER_AFTER_DAYS without an answer, then as often, at most MAX_REMINDERS. */
export const REMINDER_AFTER_DAYS = 7;
export const MAX_REMINDERS = 2;
const DAY_MS = 24 * 3600 * 1000;

export interface InvitationCounts {
  invited: number;
  opened: number;
  started: number;
  submitted: number;
}

export type SurveysService = ReturnType<typeof createSurveysService>;

function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

function toSurvey(doc: SurveyDoc): Survey {
  return {
    id: doc._id.toString(),
    consultationId: doc.consultationId.toString(),
    roundId: doc.roundId.toString(),
    status: doc.status,
    version: doc.version,
    revision: doc.revision,
    frozen: doc.lockedVersion === doc.version,
    definition: doc.definition,
    settings: settingsSchema.parse(doc.settings ?? {}),
    publishedAt: doc.publishedAt,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

function toResponse(doc: ResponseDoc): ResponseView {
  return {
    id: doc._id.toString(),
    surveyId: doc.surveyId.toString(),
    surveyVersion: doc.surveyVersion,
    status: doc.status,
    respondentKey: doc.respondentKey,
    answers: doc.answers ?? {},
    otherText: doc.otherText ?? {},
    resumeAt: doc.resumeAt,
    sector: doc.sector,
    region: doc.region,
    organisation: doc.organisation,
    submittedAt: doc.submittedAt,
    hasResumeEmail: Boolean(doc.resumeEmail),
  };
}

function definitionErrors(errors: DefinitionError[]): ValidationError {
  return new ValidationError(
    errors.map((e) => ({ field: e.path, message: e.message })),
    { key: 'surveys:builder.errors.invalid' },
  );
}

/**
 * Surveys and their responses: the builder's edits (with frozen versions), answering page by page with drafts,
 * submission exactly once, resume links and invitations.
 */
export function createSurveysService(options: SurveysServiceOptions) {
  const { Surveys, SurveyVersions } = surveyModels(options.connection);
  const Responses = responseModel(options.connection);
  const Invitations = invitationModel(options.connection);
  const clock = options.clock ?? (() => new Date());

  function requireOfficer(actor: Actor): void {
    if (!hasRole(actor as never, 'officer')) throw new ForbiddenError();
  }

  async function findDoc(id: string): Promise<SurveyDoc | null> {
    if (!isValidObjectId(id)) return null;
    return Surveys.findById(id).lean<SurveyDoc>();
  }

  async function getSurvey(id: string): Promise<Survey> {
    const doc = await findDoc(id);
    if (!doc) throw new NotFoundError();
    return toSurvey(doc);
  }

  // ---------------------------------------------------------------- builder

  async function createSurvey(
    input: { consultationId: string; title: Localized },
    actor: Actor,
  ): Promise<Survey> {
    requireOfficer(actor);
    const consultation = await options.consultations.findConsultationById(input.consultationId, {
      includeDrafts: true,
    });
    if (!consultation) {
      throw new ValidationError([
        { field: 'consultationId', message: { key: 'surveys:builder.errors.consultation' } },
      ]);
    }
    const title = { en: input.title.en.trim(), fr: input.title.fr.trim() };
    if (!title.en && !title.fr) {
      throw new ValidationError([{ field: 'titleEn', message: { key: 'surveys:builder.errors.title' } }]);
    }
    const check = checkDefinition(emptyDefinition(title));
    if (!check.ok) throw definitionErrors(check.errors);
    const doc = await Surveys.create({
      consultationId: consultation.id,
      roundId: consultation.roundId,
      status: 'draft',
      version: 1,
      revision: 0,
      definition: check.definition,
      settings: defaultSettings(),
      createdBy: actor.id,
    });
    return toSurvey(doc.toObject());
  }

  /**
   * Applies an edit to the definition. A version that has responses is never changed in place: the edit becomes
   * the next version. Writes are conditional on the revision read, so a concurrent edit or a first response landing
   * meanwhile makes us read again and re-apply, rather than overwrite.
   */
  async function editDefinition(
    id: string,
    actor: Actor,
    edit: (definition: SurveyDefinition, survey: Survey) => SurveyDefinition,
  ): Promise<Survey> {
    requireOfficer(actor);
    return applyEdit(id, edit);
  }

  async function applyEdit(
    id: string,
    edit: (definition: SurveyDefinition, survey: Survey) => SurveyDefinition,
  ): Promise<Survey> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const doc = await findDoc(id);
      if (!doc) throw new NotFoundError();
      const survey = toSurvey(doc);
      const check = checkDefinition(edit(structuredClone(survey.definition), survey), {
        forPublishing: survey.status !== 'draft',
      });
      if (!check.ok) throw definitionErrors(check.errors);
      if (survey.frozen) await snapshot(doc);
      const updated = await Surveys.findOneAndUpdate(
        { _id: doc._id, revision: doc.revision },
        {
          $set: { definition: check.definition, ...(survey.frozen ? { version: doc.version + 1 } : {}) },
          $inc: { revision: 1 },
        },
        { returnDocument: 'after' },
      ).lean<SurveyDoc>();
      if (updated) return toSurvey(updated);
    }
    throw new ConflictError({ key: 'surveys:builder.errors.busy' });
  }

  /** Keeps a copy of the current version (idempotent: a frozen version's content never changes). */
  async function snapshot(doc: SurveyDoc): Promise<void> {
    await SurveyVersions.updateOne(
      { surveyId: doc._id, version: doc.version },
      { $setOnInsert: { definition: doc.definition } },
      { upsert: true },
    ).catch((error: unknown) => {
      if (!isDuplicateKey(error)) throw error;
    });
  }

  async function updateSettings(
    id: string,
    settings: SurveySettings | Record<string, unknown>,
    actor: Actor,
  ): Promise<Survey> {
    requireOfficer(actor);
    const result = settingsSchema.safeParse(settings);
    if (!result.success) {
      throw new ValidationError(
        result.error.issues.map((issue) => ({
          field: String(issue.path[0] ?? 'audience'),
          message: {
            key:
              issue.path[0] === 'opensAt' || issue.path[0] === 'closesAt'
                ? 'surveys:builder.errors.date'
                : 'surveys:definition.errors.value',
          },
        })),
      );
    }
    const parsed = result.data;
    if (parsed.opensAt && parsed.closesAt && parsed.closesAt < parsed.opensAt) {
      throw new ValidationError([
        { field: 'closesAt', message: { key: 'surveys:builder.errors.closesBeforeOpens' } },
      ]);
    }
    if (!isValidObjectId(id)) throw new NotFoundError();
    const updated = await Surveys.findOneAndUpdate(
      { _id: id },
      { $set: { settings: parsed }, $inc: { revision: 1 } },
      { returnDocument: 'after' },
    ).lean<SurveyDoc>();
    if (!updated) throw new NotFoundError();
    return toSurvey(updated);
  }

  /** Publishing needs every label in both languages; the error lists every missing one with its path. */
  async function publish(id: string, actor: Actor): Promise<Survey> {
    requireOfficer(actor);
    // Checked and written at one revision: an edit landing in between makes us check again.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const survey = await getSurvey(id);
      const check = checkDefinition(survey.definition, { forPublishing: true });
      if (!check.ok) throw definitionErrors(check.errors);
      const updated = await Surveys.findOneAndUpdate(
        { _id: id, revision: survey.revision },
        { $set: { status: 'published', publishedAt: survey.publishedAt ?? clock() }, $inc: { revision: 1 } },
        { returnDocument: 'after' },
      ).lean<SurveyDoc>();
      if (updated) return toSurvey(updated);
    }
    throw new ConflictError({ key: 'surveys:builder.errors.busy' });
  }

  async function close(id: string, actor: Actor): Promise<Survey> {
    requireOfficer(actor);
    if (!isValidObjectId(id)) throw new NotFoundError();
    const updated = await Surveys.findOneAndUpdate(
      { _id: id, status: 'published' },
      { $set: { status: 'closed' }, $inc: { revision: 1 } },
      { returnDocument: 'after' },
    ).lean<SurveyDoc>();
    if (!updated) throw new ConflictError({ key: 'surveys:builder.errors.notPublished' });
    return toSurvey(updated);
  }

  /** A new draft with the same questions and settings (the same question ids, so results compare). */
  async function duplicate(id: string, actor: Actor): Promise<Survey> {
    requireOfficer(actor);
    const survey = await getSurvey(id);
    const definition = structuredClone(survey.definition);
    const suffix = { en: ' (copy)', fr: ' (copie)' };
    for (const locale of ['en', 'fr'] as const) {
      if (definition.title[locale]) definition.title[locale] = `${definition.title[locale]}${suffix[locale]}`;
    }
    const doc = await Surveys.create({
      consultationId: survey.consultationId,
      roundId: survey.roundId,
      status: 'draft',
      version: 1,
      revision: 0,
      definition,
      settings: survey.settings,
      createdBy: actor.id,
    });
    return toSurvey(doc.toObject());
  }

  /** The portable JSON form of a survey: definition and settings. */
  async function exportSurvey(
    id: string,
  ): Promise<{ format: string; definition: SurveyDefinition; settings: SurveySettings }> {
    const survey = await getSurvey(id);
    return { format: 'agora-survey/1', definition: survey.definition, settings: survey.settings };
  }

  /**
   * Replaces a survey's definition (and settings, when given) by imported JSON. Every problem is listed with its
   * path; nothing is stored unless all is well. A frozen version is kept, as for any edit.
   */
  async function importSurvey(id: string, json: unknown, actor: Actor): Promise<Survey> {
    requireOfficer(actor);
    const body = json && typeof json === 'object' ? (json as Record<string, unknown>) : {};
    const definitionInput = 'definition' in body ? body.definition : json;
    const check = checkDefinition(definitionInput);
    const errors: DefinitionError[] = check.ok
      ? []
      : check.errors.map((e) => ({ ...e, path: 'definition' in body ? `definition.${e.path}` : e.path }));
    let settings: SurveySettings | undefined;
    if ('settings' in body) {
      const parsed = settingsSchema.safeParse(body.settings);
      if (parsed.success) settings = parsed.data;
      else
        errors.push(
          ...parsed.error.issues.map((issue) => ({
            path: ['settings', ...issue.path].join('.'),
            message: { key: 'surveys:definition.errors.value' },
          })),
        );
    }
    if (errors.length || !check.ok) throw definitionErrors(errors);
    const updated = await editDefinition(id, actor, () => check.definition);
    return settings ? updateSettings(id, settings, actor) : updated;
  }

  async function listForConsultation(
    consultationId: string,
    opts: { includeDrafts?: boolean } = {},
  ): Promise<Survey[]> {
    if (!isValidObjectId(consultationId)) return [];
    const filter: Record<string, unknown> = { consultationId };
    if (!opts.includeDrafts) filter.status = mongoose.trusted({ $in: ['published', 'closed'] });
    const docs = await Surveys.find(filter).sort({ createdAt: 1 }).lean<SurveyDoc[]>();
    return docs.map(toSurvey);
  }

  async function listAll(): Promise<Survey[]> {
    const docs = await Surveys.find({}).sort({ createdAt: -1 }).limit(500).lean<SurveyDoc[]>();
    return docs.map(toSurvey);
  }

  /** The definition a response answered (the current one, or the frozen copy of an earlier version). */
  async function definitionFor(surveyId: string, version: number): Promise<SurveyDefinition> {
    const doc = await findDoc(surveyId);
    if (!doc) throw new NotFoundError();
    if (doc.version === version) return doc.definition;
    const frozen = await SurveyVersions.findOne({ surveyId: doc._id, version }).lean();
    if (!frozen) throw new NotFoundError();
    return frozen.definition;
  }

  // ---------------------------------------------------------------- answering

  function availability(survey: Survey, consultation: Consultation | null, now: Date): Availability {
    if (survey.status === 'draft' || !consultation || consultation.publication === 'draft')
      return 'not_available';
    if (
      survey.status === 'closed' ||
      consultation.status === 'closed' ||
      consultation.status === 'archived'
    ) {
      return 'closed';
    }
    if (survey.settings.closesAt && survey.settings.closesAt <= now) return 'closed';
    if (consultation.status === 'upcoming') return 'upcoming';
    if (survey.settings.opensAt && survey.settings.opensAt > now) return 'upcoming';
    return 'open';
  }

  /** The survey if this respondent may answer it now; otherwise the error that says why (a clear page). */
  async function openSurvey(
    id: string,
    respondent: Pick<Respondent, 'userId' | 'invitationId'> | undefined,
  ): Promise<{ survey: Survey; consultation: Consultation }> {
    const survey = await getSurvey(id);
    const consultation = await options.consultations.findConsultationById(survey.consultationId);
    const state = availability(survey, consultation, clock());
    if (state === 'not_available' || !consultation)
      throw new NotFoundError({ key: 'surveys:answer.notAvailable' });
    if (state === 'closed') throw new ClosedError({ key: 'surveys:answer.closed' });
    if (state === 'upcoming') throw new ForbiddenError({ key: 'surveys:answer.upcoming' });
    if (respondent) {
      if (survey.settings.audience === 'signed_in' && !respondent.userId) {
        throw new UnauthenticatedError({ key: 'surveys:answer.signInRequired' });
      }
      if (survey.settings.audience === 'invited' && !respondent.invitationId) {
        throw new ForbiddenError({ key: 'surveys:answer.inviteOnly' });
      }
    }
    return { survey, consultation };
  }

  /** The consultation a survey belongs to, for links back to it (null if it is gone or not public). */
  async function consultationOf(survey: Survey): Promise<Consultation | null> {
    return (await options.consultations.findConsultationById(survey.consultationId)) ?? null;
  }

  /** The pages a respondent goes through, given their answers so far: shown sections, then "About you". */
  function pageFlow(survey: Survey, answers: Answers): string[] {
    const sections = shownSections(survey.definition, answers).map(
      (i) => survey.definition.sections[i]?.id as string,
    );
    return survey.settings.selfIdentification ? [...sections, ABOUT_YOU] : sections;
  }

  async function findDraft(surveyId: string, respondentKey: string): Promise<ResponseView | null> {
    if (!isValidObjectId(surveyId)) return null;
    const doc = await Responses.findOne({
      surveyId,
      dedupeKey: `draft:${respondentKey}`,
    }).lean<ResponseDoc>();
    return doc ? toResponse(doc) : null;
  }

  /** The respondent's latest submitted response to this survey, if any. */
  async function findSubmitted(surveyId: string, respondentKey: string): Promise<ResponseView | null> {
    if (!isValidObjectId(surveyId)) return null;
    const doc = await Responses.findOne({ surveyId, respondentKey, status: 'submitted' })
      .sort({ submittedAt: -1 })
      .lean<ResponseDoc>();
    return doc ? toResponse(doc) : null;
  }

  /**
   * Someone who started as an anonymous browser and then signed in keeps their draft: it becomes the account's
   * draft, unless the account already has one (the unique index decides; the account's draft wins).
   */
  async function adoptBrowserDraft(
    surveyId: string,
    browserKey: string,
    respondent: Respondent,
  ): Promise<void> {
    if (!isValidObjectId(surveyId) || !respondent.userId || browserKey === respondent.key) return;
    try {
      await Responses.updateOne(
        { surveyId, dedupeKey: `draft:${browserKey}`, status: 'draft' },
        { $set: { respondentKey: respondent.key, dedupeKey: `draft:${respondent.key}` } },
      );
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  /** Where a respondent stands: their draft (or the response they may still edit), and whether they are done. */
  async function respondentState(survey: Survey, respondent: Respondent) {
    const draft = await findDraft(survey.id, respondent.key);
    const submitted = await findSubmitted(survey.id, respondent.key);
    const canEditSubmitted = Boolean(
      submitted && survey.settings.editableUntilClose && survey.settings.onePerRespondent,
    );
    const alreadyAnswered = Boolean(submitted && survey.settings.onePerRespondent && !draft);
    return { draft, submitted, canEditSubmitted, alreadyAnswered };
  }

  function selfIdErrors(
    survey: Survey,
    fields: FormFields,
  ): { errors: AnswerError[]; values: { sector?: string; region?: string; organisation?: string } } {
    const one = (name: string) => {
      const value = fields[name];
      return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
    };
    const sector = one(SELF_ID_FIELDS.sector);
    const region = one(SELF_ID_FIELDS.region);
    const organisation = one(SELF_ID_FIELDS.organisation);
    const errors: AnswerError[] = [];
    if (!isSector(sector)) {
      errors.push({
        questionId: 'sector',
        field: SELF_ID_FIELDS.sector,
        message: { key: 'surveys:aboutYou.errors.sector' },
      });
    }
    if (!isRegion(region)) {
      errors.push({
        questionId: 'region',
        field: SELF_ID_FIELDS.region,
        message: { key: 'surveys:aboutYou.errors.region' },
      });
    }
    if (organisation.length > 200) {
      errors.push({
        questionId: 'organisation',
        field: SELF_ID_FIELDS.organisation,
        message: { key: 'surveys:answer.errors.maxLength', values: { max: 200 } },
      });
    }
    const asksOrganisation = survey.settings.askOrganisation && !survey.settings.anonymous;
    return {
      errors,
      values: {
        sector: isSector(sector) ? sector : undefined,
        region: isRegion(region) ? region : undefined,
        organisation: asksOrganisation && organisation ? organisation : undefined,
      },
    };
  }

  /**
   * Saves one page. `action`: 'next' validates and moves on (submitting after the last page), 'back' keeps what
   * is valid and goes back, 'save' keeps what is valid and stops. The draft is written on every page, keyed by the
   * respondent, so a lost session or a closed tab loses nothing that was saved.
   */
  async function savePage(input: {
    surveyId: string;
    respondent: Respondent;
    pageId: string;
    fields: FormFields;
    action: 'next' | 'back' | 'save';
  }): Promise<PageOutcome> {
    return savePageNow(input);
  }

  async function savePageNow(input: {
    surveyId: string;
    respondent: Respondent;
    pageId: string;
    fields: FormFields;
    action: 'next' | 'back' | 'save';
  }): Promise<PageOutcome> {
    const { survey, consultation } = await openSurvey(input.surveyId, input.respondent);
    const state = await respondentState(survey, input.respondent);
    if (state.alreadyAnswered && !state.canEditSubmitted)
      throw new ConflictError({ key: 'surveys:answer.alreadyAnswered' });
    const editing = !state.draft && state.canEditSubmitted ? state.submitted : null;
    const current = state.draft ?? editing;
    const previous = { answers: current?.answers ?? {}, otherText: current?.otherText ?? {} };

    let answers: Answers;
    let otherText: OtherText;
    let errors: AnswerError[];
    let selfId: { sector?: string; region?: string; organisation?: string } = {};
    if (input.pageId === ABOUT_YOU) {
      if (!survey.settings.selfIdentification) throw new NotFoundError();
      const result = selfIdErrors(survey, input.fields);
      ({ answers, otherText } = previous);
      errors = result.errors;
      selfId = result.values;
    } else {
      const sectionIndex = survey.definition.sections.findIndex((s) => s.id === input.pageId);
      if (sectionIndex < 0) throw new NotFoundError();
      ({ answers, otherText, errors } = readPage(survey.definition, sectionIndex, input.fields, previous));
    }
    if (errors.length && input.action === 'next') return { ok: false, errors };

    const flow = pageFlow(survey, answers);
    const position = flow.indexOf(input.pageId);
    const nextPage = input.action === 'back' ? (flow[position - 1] ?? null) : (flow[position + 1] ?? null);

    if (editing) {
      // Changing a submitted response (allowed until closing): the response is updated in place when it is done.
      if (input.action === 'next' && nextPage === null) {
        return finishEdit(survey, editing, answers, otherText, selfId);
      }
      await Responses.updateOne(
        { _id: editing.id, status: 'submitted' },
        { $set: { answers, otherText, ...definedOnly(selfId) } },
      );
      return { ok: true, next: nextPage ?? flow[flow.length - 1] ?? null };
    }

    const draft = await upsertDraft(survey, consultation, input.respondent, {
      answers,
      otherText,
      resumeAt: nextPage ?? input.pageId,
      ...definedOnly(selfId),
    });
    if (input.action === 'next' && nextPage === null) {
      const submitted = await submitDraft(survey, input.respondent, draft);
      return { ok: true, next: null, submitted };
    }
    return { ok: true, next: nextPage };
  }

  function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
    return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
  }

  async function upsertDraft(
    survey: Survey,
    consultation: Consultation,
    respondent: Respondent,
    changes: Partial<
      Pick<ResponseDoc, 'answers' | 'otherText' | 'resumeAt' | 'sector' | 'region' | 'organisation'>
    >,
  ): Promise<ResponseDoc> {
    const linkInvitation = respondent.invitationId && !survey.settings.anonymous;
    const update = {
      $set: { ...changes, surveyVersion: survey.version, locale: respondent.locale },
      $setOnInsert: {
        consultationId: consultation.id,
        roundId: consultation.roundId,
        respondentKey: respondent.key,
        status: 'draft',
        channel: respondent.invitationId ? 'invited' : 'open',
        ...(linkInvitation ? { invitationId: respondent.invitationId } : {}),
      },
    };
    const filter = { surveyId: survey.id, dedupeKey: `draft:${respondent.key}` };
    // Two tabs saving their first page at once both upsert; the loser of the unique index simply updates.
    for (let attempt = 0; ; attempt += 1) {
      try {
        const doc = await Responses.findOneAndUpdate(filter, update, {
          upsert: true,
          returnDocument: 'after',
        }).lean<ResponseDoc>();
        if (respondent.invitationId) await markInvitation(respondent.invitationId, 'startedAt');
        return doc as ResponseDoc;
      } catch (error) {
        if (!isDuplicateKey(error) || attempt > 2) throw error;
      }
    }
  }

  /** Freezes the survey's current version the first time a response to it is submitted (see editDefinition). */
  async function lockVersion(surveyId: string): Promise<Survey> {
    const current = await findDoc(surveyId);
    if (!current) throw new NotFoundError();
    if (current.lockedVersion === current.version) return toSurvey(current);
    return lockOnce(surveyId);
  }

  async function lockOnce(surveyId: string): Promise<Survey> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const doc = await findDoc(surveyId);
      if (!doc) throw new NotFoundError();
      if (doc.lockedVersion === doc.version) return toSurvey(doc);
      const locked = await Surveys.findOneAndUpdate(
        { _id: doc._id, revision: doc.revision },
        { $set: { lockedVersion: doc.version }, $inc: { revision: 1 } },
        { returnDocument: 'after' },
      ).lean<SurveyDoc>();
      if (locked) {
        await snapshot(locked);
        return toSurvey(locked);
      }
    }
    throw new ConflictError({ key: 'surveys:builder.errors.busy' });
  }

  /**
   * Submits a draft exactly once: the draft document flips to submitted in one conditional update, and its new
   * dedupeKey is unique per survey, so a second submission by the same respondent fails on the index.
   */
  async function submitDraft(
    surveyIn: Survey,
    respondent: Respondent,
    draft: ResponseDoc,
  ): Promise<ResponseView> {
    const validate = (survey: Survey) => {
      const known = new Set(survey.definition.sections.flatMap((s) => s.questions.map((q) => q.id)));
      const answersIn = Object.fromEntries(
        Object.entries(draft.answers ?? {}).filter(([id]) => known.has(id)),
      );
      const result = validateResponse(survey.definition, { answers: answersIn, otherText: draft.otherText });
      if (result.errors.length) {
        throw new ValidationError(
          result.errors.map((e) => ({ field: e.field, message: e.message })),
          { key: 'surveys:answer.incomplete' },
        );
      }
      return result;
    };
    let check = validate(surveyIn);
    const survey = await lockVersion(surveyIn.id);
    if (JSON.stringify(survey.definition) !== JSON.stringify(surveyIn.definition)) check = validate(survey);
    if (survey.settings.selfIdentification && (!draft.sector || !draft.region)) {
      throw new ValidationError([
        { field: SELF_ID_FIELDS.sector, message: { key: 'surveys:aboutYou.errors.sector' } },
      ]);
    }
    const now = clock();
    const dedupeKey = survey.settings.onePerRespondent ? respondent.key : `response:${draft._id.toString()}`;
    if (respondent.invitationId) {
      try {
        await claimInvitation(respondent.invitationId, draft.sector);
      } catch (error) {
        // The invitation was claimed by this very draft in a parallel request: answer with that submission.
        const existing = await Responses.findById(draft._id).lean<ResponseDoc>();
        if (existing?.status === 'submitted') return toResponse(existing);
        throw error;
      }
    }
    let submitted: ResponseDoc | null;
    try {
      submitted = await Responses.findOneAndUpdate(
        { _id: draft._id, status: 'draft' },
        {
          $set: {
            status: 'submitted',
            dedupeKey,
            surveyVersion: survey.version,
            answers: check.answers,
            otherText: check.otherText,
            submittedAt: now,
          },
          $unset: { resumeAt: 1, resumeTokenHash: 1 },
        },
        { returnDocument: 'after' },
      ).lean<ResponseDoc>();
    } catch (error) {
      if (isDuplicateKey(error)) throw new ConflictError({ key: 'surveys:answer.alreadyAnswered' });
      throw error;
    }
    if (!submitted) {
      // Already submitted by a parallel request (two tabs, a double click): the same response, not a second one.
      const existing = await Responses.findById(draft._id).lean<ResponseDoc>();
      if (existing?.status === 'submitted') return toResponse(existing);
      throw new ConflictError({ key: 'surveys:answer.alreadyAnswered' });
    }
    await afterSubmission(survey, respondent, submitted);
    return toResponse(submitted);
  }

  async function finishEdit(
    survey: Survey,
    response: ResponseView,
    answers: Answers,
    otherText: OtherText,
    selfId: { sector?: string; region?: string; organisation?: string },
  ): Promise<PageOutcome> {
    const frozen = await lockVersion(survey.id);
    const check = validateResponse(frozen.definition, { answers, otherText });
    if (check.errors.length) return { ok: false, errors: check.errors };
    const updated = await Responses.findOneAndUpdate(
      { _id: response.id, status: 'submitted' },
      {
        $set: {
          answers: check.answers,
          otherText: check.otherText,
          surveyVersion: frozen.version,
          ...definedOnly(selfId),
        },
      },
      { returnDocument: 'after' },
    ).lean<ResponseDoc>();
    if (!updated) throw new NotFoundError();
    return { ok: true, next: null, submitted: toResponse(updated) };
  }

  async function afterSubmission(
    survey: Survey,
    respondent: Respondent,
    response: ResponseDoc,
  ): Promise<void> {
    await options.participation.recordSubmission({
      responseId: response._id.toString(),
      roundId: response.roundId.toString(),
      consultationId: response.consultationId.toString(),
      surveyId: survey.id,
      respondentKey: response.respondentKey,
      sector: survey.settings.selfIdentification && isSector(response.sector) ? response.sector : NOT_ASKED,
      region: survey.settings.selfIdentification && isRegion(response.region) ? response.region : NOT_ASKED,
      // Demographics come only from a signed-in respondent's profile, where they exist only with consent.
      ...(isGender(respondent.profile?.gender) ? { gender: respondent.profile.gender } : {}),
      ...(isAgeRange(respondent.profile?.ageRange) ? { ageRange: respondent.profile.ageRange } : {}),
      locale: response.locale,
      channel: response.channel,
      submittedAt: response.submittedAt ?? clock(),
    });
    const to = respondent.email ?? response.resumeEmail;
    if (survey.settings.confirmationEmail && to) {
      await options.notifications.send({
        template: 'survey-confirmation',
        to,
        locale: respondent.locale,
        data: {
          surveyTitle: survey.definition.title,
          thankYou: survey.settings.thankYou,
          surveyUrl: `${options.baseUrl}/surveys/${survey.id}`,
        },
        idempotencyKey: `survey-confirmation:${response._id.toString()}`,
      });
    }
  }

  // ---------------------------------------------------------------- JSON API submission

  /**
   * Submits a whole response in one request (the JSON API). The same Idempotency-Key returns the same response;
   * a respondent who already answered gets a ConflictError; both are decided by the unique index, not by a read.
   */
  async function submitComplete(input: {
    surveyId: string;
    respondent: Respondent;
    idempotencyKey: string;
    answers: Record<string, unknown>;
    otherText?: Record<string, unknown>;
    sector?: unknown;
    region?: unknown;
    organisation?: unknown;
  }): Promise<{ response: ResponseView; replayed: boolean }> {
    const { survey: current, consultation } = await openSurvey(input.surveyId, input.respondent);
    const replay = await Responses.findOne({
      surveyId: current.id,
      idempotencyKey: input.idempotencyKey,
      status: 'submitted',
    }).lean<ResponseDoc>();
    if (replay) return { response: toResponse(replay), replayed: true };

    const validate = (survey: Survey) => {
      const check = validateResponse(survey.definition, {
        answers: input.answers,
        otherText: input.otherText,
      });
      const errors: FieldError[] = check.errors.map((e) => ({ field: e.questionId, message: e.message }));
      let sector: string | undefined;
      let region: string | undefined;
      if (survey.settings.selfIdentification) {
        if (isSector(input.sector)) sector = input.sector;
        else errors.push({ field: 'sector', message: { key: 'surveys:aboutYou.errors.sector' } });
        if (isRegion(input.region)) region = input.region;
        else errors.push({ field: 'region', message: { key: 'surveys:aboutYou.errors.region' } });
      }
      const organisation =
        survey.settings.selfIdentification &&
        survey.settings.askOrganisation &&
        !survey.settings.anonymous &&
        typeof input.organisation === 'string'
          ? input.organisation.trim().slice(0, 200) || undefined
          : undefined;
      if (errors.length) throw new ValidationError(errors);
      return { check, sector, region, organisation };
    };
    // Validate first, so an invalid request never freezes a version; then freeze, and check again only if the
    // definition changed in between.
    let valid = validate(current);
    const survey = await lockVersion(current.id);
    if (JSON.stringify(survey.definition) !== JSON.stringify(current.definition)) valid = validate(survey);
    const { check, sector, region, organisation } = valid;

    const dedupeKey = survey.settings.onePerRespondent
      ? input.respondent.key
      : `idem:${input.idempotencyKey}`;
    const now = clock();
    let doc: ResponseDoc;
    try {
      const created = await Responses.create({
        surveyId: survey.id,
        surveyVersion: survey.version,
        consultationId: consultation.id,
        roundId: consultation.roundId,
        respondentKey: input.respondent.key,
        dedupeKey,
        status: 'submitted',
        answers: check.answers,
        otherText: check.otherText,
        sector,
        region,
        organisation,
        locale: input.respondent.locale,
        channel: input.respondent.invitationId ? 'invited' : 'open',
        idempotencyKey: input.idempotencyKey,
        submittedAt: now,
      });
      doc = created.toObject();
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const existing = await Responses.findOne({ surveyId: survey.id, dedupeKey }).lean<ResponseDoc>();
      if (existing && existing.idempotencyKey === input.idempotencyKey)
        return { response: toResponse(existing), replayed: true };
      throw new ConflictError({ key: 'surveys:answer.alreadyAnswered' });
    }
    // A draft the same respondent left in the browser is now superseded.
    await Responses.deleteOne({ surveyId: survey.id, dedupeKey: `draft:${input.respondent.key}` });
    await afterSubmission(survey, input.respondent, doc);
    return { response: toResponse(doc), replayed: false };
  }

  // ---------------------------------------------------------------- resume links

  /**
   * Emails a one-click link that brings an anonymous respondent back to their draft on any device. The link holds
   * a random token; only its hash is stored, and a new request replaces the old link.
   */
  async function sendResumeLink(input: {
    surveyId: string;
    respondent: Respondent;
    email: string;
  }): Promise<void> {
    const { survey } = await openSurvey(input.surveyId, input.respondent);
    const email = input.email.trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) {
      throw new ValidationError([{ field: 'resumeEmail', message: { key: 'surveys:answer.errors.email' } }]);
    }
    const token = crypto.randomBytes(32).toString('base64url');
    const updated = await Responses.findOneAndUpdate(
      { surveyId: survey.id, dedupeKey: `draft:${input.respondent.key}` },
      { $set: { resumeEmail: email, resumeTokenHash: sha256(token) } },
      { returnDocument: 'after' },
    ).lean<ResponseDoc>();
    if (!updated) throw new NotFoundError({ key: 'surveys:resume.noDraft' });
    await options.notifications.send({
      template: 'survey-resume',
      to: email,
      locale: input.respondent.locale,
      data: {
        surveyTitle: survey.definition.title,
        resumeUrl: `${options.baseUrl}/surveys/${survey.id}/resume/${token}`,
        closesAt: survey.settings.closesAt?.toISOString() ?? null,
      },
    });
  }

  /** The respondent key of the draft a resume link belongs to; the browser takes it over. */
  async function resumeByToken(
    surveyId: string,
    token: string,
  ): Promise<{ respondentKey: string; resumeAt?: string }> {
    if (!isValidObjectId(surveyId) || !/^[\w-]{20,100}$/.test(token))
      throw new NotFoundError({ key: 'surveys:resume.invalid' });
    const draft = await Responses.findOne({
      surveyId,
      resumeTokenHash: sha256(token),
      status: 'draft',
    }).lean<ResponseDoc>();
    if (!draft) throw new NotFoundError({ key: 'surveys:resume.invalid' });
    return { respondentKey: draft.respondentKey, resumeAt: draft.resumeAt };
  }

  // ---------------------------------------------------------------- invitations

  async function markInvitation(invitationId: string, field: 'openedAt' | 'startedAt'): Promise<void> {
    if (!isValidObjectId(invitationId)) return;
    await Invitations.updateOne({ _id: invitationId, [field]: null }, { $set: { [field]: clock() } });
  }

  /** An invitation answers once: the first submission claims it, any later one is refused. */
  async function claimInvitation(invitationId: string, sector: string | undefined): Promise<void> {
    const claimed = await Invitations.updateOne(
      { _id: invitationId, submittedAt: null },
      { $set: { submittedAt: clock(), ...(sector ? { sector } : {}) } },
    );
    if (claimed.matchedCount === 0) throw new ConflictError({ key: 'surveys:invitations.used' });
  }

  /** Finds the invitation of a link's token and records that it was opened. */
  async function openInvitation(
    surveyId: string,
    token: string,
  ): Promise<{ invitationId: string; email: string }> {
    if (!/^[\w-]{20,100}$/.test(token) || !isValidObjectId(surveyId))
      throw new NotFoundError({ key: 'surveys:invitations.invalid' });
    const invitation = await Invitations.findOne({
      surveyId,
      tokenHash: sha256(token),
    }).lean<InvitationDoc>();
    if (!invitation) throw new NotFoundError({ key: 'surveys:invitations.invalid' });
    if (invitation.submittedAt) throw new ConflictError({ key: 'surveys:invitations.used' });
    await markInvitation(invitation._id.toString(), 'openedAt');
    return { invitationId: invitation._id.toString(), email: invitation.email };
  }

  function invitationToken(invitationId: string): string {
    return crypto
      .createHmac('sha256', options.secret)
      .update(`survey-invitation:${invitationId}`)
      .digest('base64url');
  }

  function invitationUrl(surveyId: string, invitationId: string): string {
    return `${options.baseUrl}/surveys/${surveyId}/invitation/${invitationToken(invitationId)}`;
  }

  function invitationEmailData(survey: Survey, invitationId: string, locale: Locale) {
    const closesAt = survey.settings.closesAt;
    return {
      surveyTitle: survey.definition.title,
      inviteUrl: invitationUrl(survey.id, invitationId),
      closesAt: closesAt ? formatDate(closesAt, locale) : null,
    };
  }

  /**
   * Invites a list of addresses (pasted or from a CSV). Each address is invited once per survey (a unique index);
   * addresses already invited are counted, not invited again; invalid ones are returned to be shown.
   */
  async function invite(
    surveyId: string,
    input: { emails: string[]; locale: Locale },
    actor: Actor,
  ): Promise<{ invited: number; alreadyInvited: number; invalid: string[] }> {
    requireOfficer(actor);
    const survey = await getSurvey(surveyId);
    if (survey.status !== 'published') throw new ConflictError({ key: 'surveys:invitations.notPublished' });
    const invalid: string[] = [];
    const emails = new Set<string>();
    for (const raw of input.emails) {
      const email = normaliseEmailAddress(raw.trim());
      if (email) emails.add(email);
      else if (raw.trim()) invalid.push(raw.trim());
    }
    if (emails.size === 0) {
      throw new ValidationError([{ field: 'emails', message: { key: 'surveys:invitations.errors.none' } }]);
    }
    let invited = 0;
    let alreadyInvited = 0;
    for (const email of emails) {
      const id = new mongoose.Types.ObjectId();
      try {
        await Invitations.create({
          _id: id,
          surveyId: survey.id,
          email,
          locale: input.locale,
          tokenHash: sha256(invitationToken(id.toString())),
          reminderCount: 0,
        });
      } catch (error) {
        if (isDuplicateKey(error)) {
          alreadyInvited += 1;
          continue;
        }
        throw error;
      }
      await options.notifications.send({
        template: 'survey-invitation',
        to: email,
        locale: input.locale,
        data: invitationEmailData(survey, id.toString(), input.locale),
        idempotencyKey: `survey-invitation:${id.toString()}`,
      });
      await Invitations.updateOne({ _id: id }, { $set: { sentAt: clock() } });
      invited += 1;
    }
    return { invited, alreadyInvited, invalid };
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
      if (!due) continue;
      const number = invitation.reminderCount + 1;
      const id = invitation._id.toString();
      const claimed = await Invitations.updateOne(
        { _id: invitation._id, reminderCount: invitation.reminderCount, submittedAt: null },
        { $set: { reminderCount: number, lastRemindedAt: now } },
      );
      if (claimed.modifiedCount === 0) continue;
      await options.notifications.send({
        template: 'survey-reminder',
        to: invitation.email,
        locale: invitation.locale,
        data: invitationEmailData(survey, id, invitation.locale),
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

  /** Invited / opened / started / submitted, overall and by the sector respondents gave. */
  async function invitationCounts(
    surveyId: string,
  ): Promise<{ total: InvitationCounts; bySector: { sector: string; counts: InvitationCounts }[] }> {
    if (!isValidObjectId(surveyId)) throw new NotFoundError();
    const rows = await Invitations.find(
      { surveyId },
      { openedAt: 1, startedAt: 1, submittedAt: 1, sector: 1 },
    ).lean<InvitationDoc[]>();
    const empty = (): InvitationCounts => ({ invited: 0, opened: 0, started: 0, submitted: 0 });
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

  /** For the consultations module: the surveys a consultation page lists. */
  const surveyDirectory: SurveyDirectory = {
    async listForConsultation(consultationId: string): Promise<AttachedSurvey[]> {
      const list = await listForConsultation(consultationId);
      const consultation = await options.consultations.findConsultationById(consultationId);
      const now = clock();
      return list.map((survey) => ({
        id: survey.id,
        title: survey.definition.title,
        href: `/surveys/${survey.id}`,
        isOpen: availability(survey, consultation, now) === 'open',
      }));
    },
  };

  /** For the consultations module: submitted responses per consultation ($match/$group/$sum only). */
  const responseCounts: ResponseCountSource = {
    async countByConsultation(consultationIds: string[]): Promise<Map<string, number>> {
      const ids = consultationIds
        .filter((id) => isValidObjectId(id))
        .map((id) => new mongoose.Types.ObjectId(id));
      const counts = new Map(consultationIds.map((id) => [id, 0]));
      if (ids.length === 0) return counts;
      const rows = await Responses.aggregate<{ _id: mongoose.Types.ObjectId; count: number }>([
        { $match: { consultationId: { $in: ids }, status: 'submitted' } },
        { $group: { _id: '$consultationId', count: { $sum: 1 } } },
      ]);
      for (const row of rows) counts.set(row._id.toString(), row.count);
      return counts;
    },
  };

  /**
   * Every submitted response of a survey, oldest first, read in batches (for analysis and exports). Answers are keyed
   * by stable question ids, so responses to different versions can be summarised together.
   */
  /** Drafts and submitted responses of a survey, a consultation or a round (for completion rates). */
  async function responseStatusCounts(scope: {
    surveyId?: string;
    consultationId?: string;
    roundId?: string;
  }): Promise<{ draft: number; submitted: number }> {
    const [field, id] = scope.surveyId
      ? ['surveyId', scope.surveyId]
      : scope.consultationId
        ? ['consultationId', scope.consultationId]
        : ['roundId', scope.roundId ?? ''];
    const counts = { draft: 0, submitted: 0 };
    if (!isValidObjectId(id)) return counts;
    const rows = await Responses.aggregate<{ _id: string; count: number }>([
      { $match: { [field]: new mongoose.Types.ObjectId(id) } },
      { $group: { _id: '$status', count: { $sum: 1 } } },
    ]);
    for (const row of rows) if (row._id === 'draft' || row._id === 'submitted') counts[row._id] = row.count;
    return counts;
  }

  /** Every version's definition of a survey, newest first (analysis maps answers across versions by question id). */
  async function allDefinitions(
    surveyId: string,
  ): Promise<{ version: number; definition: SurveyDefinition }[]> {
    const doc = await findDoc(surveyId);
    if (!doc) throw new NotFoundError();
    const frozen = await SurveyVersions.find({ surveyId: doc._id }).sort({ version: -1 }).lean();
    return [
      { version: doc.version, definition: doc.definition },
      ...frozen
        .filter((v) => v.version !== doc.version)
        .map((v) => ({ version: v.version, definition: v.definition })),
    ];
  }

  async function* submittedResponses(
    surveyId: string,
    filter: { sector?: string; region?: string } = {},
  ): AsyncGenerator<ResponseView & { locale: Locale; channel: string }> {
    if (!isValidObjectId(surveyId)) return;
    // Analysis filters: plain string equality ('not_asked' matches responses that never answered the question).
    const bySelfId = (value: string | undefined) =>
      value === undefined ? {} : value === 'not_asked' ? { $exists: false } : value;
    const sector = bySelfId(filter.sector);
    const region = bySelfId(filter.region);
    const cursor = Responses.find({
      surveyId,
      status: 'submitted',
      ...(filter.sector !== undefined
        ? { sector: typeof sector === 'string' ? sector : mongoose.trusted(sector) }
        : {}),
      ...(filter.region !== undefined
        ? { region: typeof region === 'string' ? region : mongoose.trusted(region) }
        : {}),
    })
      .sort({ submittedAt: 1, _id: 1 })
      .lean<ResponseDoc[]>()
      .cursor({ batchSize: 500 });
    for await (const doc of cursor as AsyncIterable<ResponseDoc>) {
      yield { ...toResponse(doc), locale: doc.locale, channel: doc.channel };
    }
  }

  /** A survey form's own anti-forgery token for an anonymous browser (see surveyFormCsrfExempt). */
  function formToken(browserKey: string): string {
    return crypto
      .createHmac('sha256', options.secret)
      .update(`survey-form:${browserKey}`)
      .digest('base64url');
  }

  return {
    formToken,
    submittedResponses,
    responseStatusCounts,
    allDefinitions,
    surveyDirectory,
    responseCounts,
    async init(): Promise<void> {
      await Surveys.init();
      await SurveyVersions.init();
      await Responses.init();
      await Invitations.init();
    },
    models: { Responses, Invitations },
    now: clock,
    sha256,
    // builder
    getSurvey,
    createSurvey,
    editDefinition,
    updateSettings,
    publish,
    close,
    duplicate,
    exportSurvey,
    importSurvey,
    listForConsultation,
    listAll,
    definitionFor,
    // answering
    availability,
    openSurvey,
    consultationOf,
    pageFlow,
    findDraft,
    findSubmitted,
    adoptBrowserDraft,
    respondentState,
    savePage,
    submitComplete,
    sendResumeLink,
    resumeByToken,
    // invitations
    invite,
    remind,
    sendDueReminders,
    invitationCounts,
    invitationToken,
    openInvitation,
    markInvitation,
  };
}
