import type { Collection, Document } from 'mongodb';
import mongoose, { isValidObjectId, type Connection } from 'mongoose';
import { isDuplicateKey } from '../../platform/db/duplicate-key';
import { PendingEffects } from '../../platform/db/pending-effects';
import type { Logger } from '../../platform/logger';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors';
import { can } from '../../platform/http/access';
import { hasRole, type Actor } from '../../platform/http/auth';
import type { Consultation, ConsultationsService } from '../consultations';
import { type BulkNotifications } from '../notifications';
import type { AnswerRecorder } from './answer-recorder';
import type { AuditLog } from '../audit';
import { invitationModel, OBSOLETE_INVITATION_INDEXES, type InvitationDoc } from './invitation.model';
import { OBSOLETE_RESPONSE_INDEXES, responseModel } from './response.model';
import { emptyDefinition } from './survey-builder';
import {
  checkDefinition,
  type DefinitionError,
  type Localized,
  type SurveyDefinition,
} from './survey-definition';
import { settingsSchema, defaultSettings, type SurveySettings } from './survey-settings';
import { surveyModels, toSurvey, type Survey, type SurveyDoc } from './survey.model';

export type { Survey };
import { createInvitationsService } from './invitations.service';
import { availability, createResponsesService, sha256, type SubmissionRecorder } from './responses.service';

export {
  ABOUT_YOU,
  IdempotencyMismatchError,
  SELF_ID_FIELDS,
  SUBMISSION_GIVE_UP_MS,
  type Availability,
  type PageOutcome,
  type ParticipantActivity,
  type Respondent,
  type ResponseView,
  type SubmissionRecorder,
  type SubmitScreen,
} from './responses.service';

export {
  INVITEE_STATUSES,
  MAX_REMINDERS,
  REMINDER_AFTER_DAYS,
  type InvitationCounts,
  type InviteeStatus,
} from './invitations.service';
export { NOT_ANSWERED } from './response-docs';

/** Whom the service acts for (one type for every module). */
export type { Actor };

export interface SurveysServiceOptions {
  connection: Connection;
  consultations: Pick<ConsultationsService, 'getConsultationById' | 'findConsultationById'>;
  participation: SubmissionRecorder;
  notifications: BulkNotifications;
  baseUrl: string;
  /** Signs invitation tokens, so a reminder can repeat the original link without the token being stored. */
  secret: string;
  /** Intents of multi-document work (submissions, edits, bulk invitations); one is made if not given. */
  effects?: PendingEffects;
  /** The analysis answer counters (kept exactly once at each submission and edit). */
  answerRecorder?: AnswerRecorder;
  logger?: Logger;
  clock?: () => Date;
  /** The audit log (invitation batches are recorded as part of their intent). */
  audit?: Pick<AuditLog, 'record'>;
}

export type SurveysService = ReturnType<typeof createSurveysService>;

function definitionErrors(errors: DefinitionError[]): ValidationError {
  return new ValidationError(
    errors.map((e) => ({ field: e.path, message: e.message })),
    { key: 'surveys:builder.errors.invalid' },
  );
}

/**
 * Survey definitions: the builder's edits, settings, publishing, frozen versions and import/export. It builds the
 * module's two other services, invitations (invitations.service.ts) and answering and responses
 * (responses.service.ts), and returns the three as one object: the routes and other modules see one service.
 */
export function createSurveysService(options: SurveysServiceOptions) {
  const { Surveys, SurveyVersions } = surveyModels(options.connection);
  const Responses = responseModel(options.connection);
  const Invitations = invitationModel(options.connection);
  const clock = options.clock ?? (() => new Date());
  const effects = options.effects ?? new PendingEffects(options.connection, options.logger);
  const { answerRecorder } = options;

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

  /**
   * What a survey is to the access rule (platform/http/access.ts): it belongs to its consultation's organisation.
   * Throws NotFoundError for an unknown survey; null when its consultation is gone.
   */
  async function accessScopeOf(id: string): Promise<{ organisationId: string; sharedWith: string[] } | null> {
    const survey = await getSurvey(id);
    const consultation = await options.consultations.findConsultationById(survey.consultationId, {
      includeDrafts: true,
    });
    return consultation
      ? { organisationId: consultation.organisationId, sharedWith: consultation.sharedWith }
      : null;
  }

  /**
   * A survey as the public may see it (API definition, thank-you page, receipts): published or closed, in a
   * consultation that is published or archived. Anything else is a 404 like an unknown id, so a published survey
   * of a draft consultation stays hidden however guessable its id.
   */
  async function getPublicSurvey(id: string): Promise<{ survey: Survey; consultation: Consultation }> {
    const survey = await getSurvey(id);
    const consultation = await options.consultations.findConsultationById(survey.consultationId);
    if (survey.status === 'draft' || !consultation || consultation.publication === 'draft') {
      throw new NotFoundError({ key: 'surveys:answer.notAvailable' });
    }
    return { survey, consultation };
  }

  // ---------------------------------------------------------------- builder

  async function createSurvey(
    input: { consultationId: string; title: Localized },
    actor: Actor,
  ): Promise<Survey> {
    requireOfficer(actor);
    const found = await options.consultations.findConsultationById(input.consultationId, {
      includeDrafts: true,
    });
    // Another organisation's consultation is, to this officer, one that does not exist.
    const consultation = can(actor, 'manage', found) ? found : null;
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

  /** The frozen copy of one version, by its _id (a copy stored by an earlier release is found by its fields). */
  async function frozenVersion(doc: SurveyDoc, version: number): Promise<SurveyDefinition | undefined> {
    const byId = await (SurveyVersions.collection as unknown as Collection<Document>).findOne({
      _id: `${doc._id.toString()}:v${version}` as never,
    });
    if (byId) return byId.definition as SurveyDefinition;
    const legacy = await SurveyVersions.findOne({ surveyId: doc._id, version }).lean();
    return legacy?.definition;
  }

  /** Keeps a copy of the current version (idempotent: a frozen version's content never changes). */
  async function snapshot(doc: SurveyDoc): Promise<void> {
    // By a deterministic _id (one copy per survey and version); a copy stored by an earlier release under another
    // _id makes the unique (surveyId, version) index answer "already there".
    await (SurveyVersions.collection as unknown as Collection<Document>)
      .updateOne(
        { _id: `${doc._id.toString()}:v${doc.version}` as never },
        {
          $setOnInsert: {
            surveyId: doc._id,
            version: doc.version,
            definition: doc.definition,
            createdAt: clock(),
          },
        },
        { upsert: true },
      )
      .catch((error: unknown) => {
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
    const frozen = await frozenVersion(doc, version);
    if (!frozen) throw new NotFoundError();
    return frozen;
  }

  // ---------------------------------------------------------------- versions locked by a first response

  /** Freezes the survey's current version the first time a response to it is submitted (see editDefinition). */
  async function lockVersion(survey: Survey): Promise<Survey> {
    if (survey.frozen) return survey;
    return lockOnce(survey.id);
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
        // A crash before the copy is harmless: the version's content never changes, and the next edit copies it.
        await snapshot(locked);
        return toSurvey(locked);
      }
    }
    throw new ConflictError({ key: 'surveys:builder.errors.busy' });
  }

  /** Every version's definition of a survey, newest first (analysis maps answers across versions by question id). */
  async function allDefinitions(
    surveyId: string,
  ): Promise<{ version: number; definition: SurveyDefinition }[]> {
    const doc = await findDoc(surveyId);
    if (!doc) throw new NotFoundError();
    // Earlier versions by _id (`<survey>:v<n>`): point reads, a handful per survey.
    const frozen: { version: number; definition: SurveyDefinition }[] = [];
    for (let version = doc.version - 1; version >= 1; version -= 1) {
      const copy = await frozenVersion(doc, version);
      if (copy) frozen.push({ version, definition: copy });
    }
    return [{ version: doc.version, definition: doc.definition }, ...frozen];
  }

  // Invitations (invitations.service.ts), then answering and responses (responses.service.ts), which claim them.
  const invitations = Invitations.collection as unknown as Collection<InvitationDoc>;

  const invitationsService = createInvitationsService({
    options,
    Invitations,
    invitations,
    clock,
    effects,
    getSurvey,
    findDoc,
    requireOfficer,
    availability,
  });

  const responsesService = createResponsesService({
    options,
    Responses,
    clock,
    effects,
    answerRecorder: () => answerRecorder,
    getSurvey,
    findDoc,
    lockVersion,
    listForConsultation,
    invitations: invitationsService,
  });

  return {
    // Answering, responses, flagged responses (moderation) and the reads other modules make.
    ...responsesService,
    // Sending, tracking and reminding invitations.
    ...invitationsService,
    allDefinitions,
    /** Intents of unfinished multi-document work; the app runs effects.start(), tests effects.reconcile(). */
    effects,
    async init(): Promise<void> {
      await Surveys.init();
      await SurveyVersions.init();
      await Responses.init();
      await Invitations.init();
      for (const [collection, names] of [
        [responsesService.responses, OBSOLETE_RESPONSE_INDEXES],
        [invitations, OBSOLETE_INVITATION_INDEXES],
      ] as const) {
        for (const name of names)
          await (collection as unknown as Collection<Document>).dropIndex(name).catch(() => undefined);
      }
    },
    models: { Responses, Invitations },
    now: clock,
    sha256,
    // definitions and the builder
    getSurvey,
    accessScopeOf,
    getPublicSurvey,
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
    availability,
  };
}
