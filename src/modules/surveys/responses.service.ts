import crypto from 'node:crypto';
import type { Collection, Document } from 'mongodb';
import mongoose, { isValidObjectId } from 'mongoose';
import { isDuplicateKey } from '../../platform/db/duplicate-key';
import { incrementOnce } from '../../platform/db/guarded-counters';
import { PendingEffects, type EffectContext } from '../../platform/db/pending-effects';
import { isAgeRange, isGender, isRegion, isSector, NOT_ASKED } from '../../platform/classifications';
import {
  ClosedError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
  type FieldError,
} from '../../platform/errors';
import { type Locale } from '../../platform/i18n';
import type { AttachedSurvey, Consultation, ResponseCountSource, SurveyDirectory } from '../consultations';
import { normaliseEmailAddress } from '../notifications';
import type { ParticipationRecorder, SubmissionRecord } from '../participation';
import type { AnswerRecorder } from './answer-recorder';
import type { ResponseFlag } from './flood-guard';
import { createModeration } from './moderation';
import {
  apiSubmissionId,
  countScopeIds,
  draftId,
  fieldPath,
  nonce,
  requestHash,
  RESPONSE_COUNTS_COLLECTION,
  RESPONSE_ID_PATTERN,
  MAX_TOKEN_LENGTH,
  safeEqual,
  submittedId,
  submittedResponseDoc,
  canonicalJson,
  type ResponseCountsDoc,
} from './response-docs';
import { type ResponseDoc, type ResponseModel } from './response.model';
import { receiptReference } from './review';
import {
  PARTICIPANT_INDEX_COLLECTION,
  participantIndex,
  type ParticipantIndexDoc,
} from './participant-index';
import {
  readPage,
  shownSections,
  validateResponse,
  type AnswerError,
  type Answers,
  type FormFields,
  type OtherText,
} from './survey-answers';
import { type SurveyDefinition } from './survey-definition';
import { toSurvey, type Survey, type SurveyDoc } from './survey.model';

import type { InvitationsService } from './invitations.service';
import type { SurveysServiceOptions } from './surveys.service';

/** Whether a survey can be answered now: not available (a draft, or its consultation's), upcoming, closed or open. */
export type Availability = 'open' | 'not_available' | 'upcoming' | 'closed';

export function availability(survey: Survey, consultation: Consultation | null, now: Date): Availability {
  if (survey.status === 'draft' || !consultation || consultation.publication === 'draft')
    return 'not_available';
  if (survey.status === 'closed' || consultation.status === 'closed' || consultation.status === 'archived') {
    return 'closed';
  }
  if (survey.settings.closesAt && survey.settings.closesAt <= now) return 'closed';
  if (consultation.status === 'upcoming') return 'upcoming';
  if (survey.settings.opensAt && survey.settings.opensAt > now) return 'upcoming';
  return 'open';
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

/** What a participant's dashboard shows of their surveys (see participantActivity). */
export interface ParticipantActivity {
  drafts: {
    surveyId: string;
    title: SurveyDefinition['title'];
    savedAt: Date;
    closesAt?: Date;
    /** Still open for answers (a draft of a closed survey can no longer be submitted). */
    open: boolean;
    resumeAt?: string;
  }[];
  submitted: {
    surveyId: string;
    responseId: string;
    title: SurveyDefinition['title'];
    submittedAt: Date;
    reference: string;
    closesAt?: Date;
    canEdit: boolean;
  }[];
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

/** An Idempotency-Key sent again with a different request body (IETF httpapi-idempotency-key-header: 422). */
export class IdempotencyMismatchError extends ValidationError {
  constructor() {
    super([], { key: 'surveys:api.idempotencyMismatch' }, { code: 'idempotency_mismatch' });
  }
}

/** Invitations whose respondent has not said their sector (yet). */

export type PageOutcome =
  { ok: true; next: string | null; submitted?: ResponseView } | { ok: false; errors: AnswerError[] };

/** Participation, with the reconciler's replay when the module offers one (it may skip what is out of its window). */
export type SubmissionRecorder = ParticipationRecorder & {
  replaySubmission?(record: SubmissionRecord, intentCreatedAt: Date): Promise<void>;
  /** Moderation: a flagged response leaves (or rejoins) the participation figures (see moderation.ts). */
  setExcluded?(responseId: string, excluded: boolean, seq: number, replayedFrom?: Date): Promise<void>;
  setExcludedMany?(items: { responseId: string; excluded: boolean; seq: number }[]): Promise<void>;
  rebuildRunning?(): Promise<boolean>;
};

/**
 * Asked by savePage just before a draft is submitted (the routes' flood and per-address checks): may throw (a 429,
 * or ChallengeRequiredError), or return the flag the response is stored with.
 */
export type SubmitScreen = () => Promise<ResponseFlag | undefined>;

/** An unfinished submission whose response never got stored is given up after this long. */
export const SUBMISSION_GIVE_UP_MS = 30 * 60 * 1000;

export function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

export function toResponse(doc: ResponseDoc): ResponseView {
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

export interface ResponsesServiceDeps {
  options: SurveysServiceOptions;
  Responses: ResponseModel;
  clock: () => Date;
  effects: PendingEffects;
  /** The analysis answer counters (a getter, as moderation.ts takes it). */
  answerRecorder: () => AnswerRecorder | undefined;
  getSurvey: (id: string) => Promise<Survey>;
  findDoc: (id: string) => Promise<SurveyDoc | null>;
  /** Freezes the survey's current version at its first submitted response (the builder's versions). */
  lockVersion: (survey: Survey) => Promise<Survey>;
  /** The surveys a consultation lists (the builder's read). */
  listForConsultation: (consultationId: string, opts?: { includeDrafts?: boolean }) => Promise<Survey[]>;
  invitations: Pick<InvitationsService, 'markInvitation' | 'claimInvitation' | 'releaseInvitation'>;
}

export type ResponsesService = ReturnType<typeof createResponsesService>;

/**
 * Answering and responses: page-by-page drafts (anonymous or signed in), edits of submitted responses, submission
 * exactly once (web and API, with the reconciler's replay), resume links, flagged responses, and the reads other
 * modules make (response counts, submitted responses, a participant's activity).
 */
export function createResponsesService(deps: ResponsesServiceDeps) {
  const {
    options,
    Responses,
    clock,
    effects,
    answerRecorder,
    getSurvey,
    findDoc,
    lockVersion,
    listForConsultation,
  } = deps;
  const { markInvitation, claimInvitation, releaseInvitation } = deps.invitations;

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

  // Respondents' reads and writes go through the driver's collections, always by `_id` (see response-docs.ts).
  const responses = Responses.collection as unknown as Collection<ResponseDoc>;
  const counters = options.connection.collection<ResponseCountsDoc>(RESPONSE_COUNTS_COLLECTION);
  const moderation = createModeration({
    connection: options.connection,
    responses,
    counters,
    effects,
    participation: options.participation,
    answerRecorder,
    clock,
    logger: options.logger,
  });
  const mine = participantIndex(
    options.connection.collection<ParticipantIndexDoc>(PARTICIPANT_INDEX_COLLECTION),
  );

  async function findDraftDoc(surveyId: string, respondentKey: string): Promise<ResponseDoc | null> {
    if (!isValidObjectId(surveyId)) return null;
    const doc = await responses.findOne({ _id: draftId(surveyId, respondentKey) });
    return doc?.status === 'draft' ? doc : null;
  }

  async function findSubmittedDoc(surveyId: string, respondentKey: string): Promise<ResponseDoc | null> {
    if (!isValidObjectId(surveyId)) return null;
    const doc = await responses.findOne({ _id: submittedId(surveyId, respondentKey) });
    return doc?.status === 'submitted' ? doc : null;
  }

  /** The respondent's draft (not a draft of changes to a submitted response). */
  async function findDraft(surveyId: string, respondentKey: string): Promise<ResponseView | null> {
    const doc = await findDraftDoc(surveyId, respondentKey);
    return doc && !doc.edits ? toResponse(doc) : null;
  }

  /**
   * The respondent's submitted response, on a survey that takes one per respondent (the only kind that can be
   * edited or refused as "already answered"); null otherwise.
   */
  async function findSubmitted(surveyId: string, respondentKey: string): Promise<ResponseView | null> {
    const doc = await findSubmittedDoc(surveyId, respondentKey);
    return doc ? toResponse(doc) : null;
  }

  interface RespondentDocs {
    /** The respondent's draft of a new response. */
    draft: ResponseDoc | null;
    /** Their draft of changes to their submitted response (when they may edit it). */
    editDraft: ResponseDoc | null;
    /** A draft of changes that no longer applies (the response is gone, or editing was turned off). */
    staleDraft: ResponseDoc | null;
    submitted: ResponseDoc | null;
    canEditSubmitted: boolean;
    alreadyAnswered: boolean;
  }

  /** Two reads by `_id`: the draft and (one response per respondent) the submitted response. */
  async function respondentDocs(survey: Survey, respondent: Respondent): Promise<RespondentDocs> {
    const [draftDoc, submitted] = await Promise.all([
      findDraftDoc(survey.id, respondent.key),
      survey.settings.onePerRespondent ? findSubmittedDoc(survey.id, respondent.key) : null,
    ]);
    // An excluded response cannot be changed: its answers are out of the counts until an officer restores it.
    const canEditSubmitted = Boolean(
      submitted && survey.settings.editableUntilClose && !submitted.moderation?.excluded,
    );
    const draft = draftDoc && !draftDoc.edits ? draftDoc : null;
    const editDraft =
      draftDoc?.edits && canEditSubmitted && draftDoc.edits === submitted?._id ? draftDoc : null;
    const staleDraft = draftDoc?.edits && !editDraft ? draftDoc : null;
    const alreadyAnswered = Boolean(submitted && !draft);
    return { draft, editDraft, staleDraft, submitted, canEditSubmitted, alreadyAnswered };
  }

  /**
   * Where a respondent stands: their draft (or the response they may still edit, with the changes they have saved
   * so far), and whether they are done.
   */
  async function respondentState(survey: Survey, respondent: Respondent) {
    const docs = await respondentDocs(survey, respondent);
    const submitted = docs.submitted ? toResponse(docs.submitted) : null;
    if (submitted && docs.editDraft) {
      const edit = toResponse(docs.editDraft);
      Object.assign(submitted, {
        answers: edit.answers,
        otherText: edit.otherText,
        sector: edit.sector ?? submitted.sector,
        region: edit.region ?? submitted.region,
        organisation: edit.organisation ?? submitted.organisation,
        resumeAt: edit.resumeAt,
      });
    }
    return {
      draft: docs.draft ? toResponse(docs.draft) : null,
      submitted,
      canEditSubmitted: docs.canEditSubmitted,
      alreadyAnswered: docs.alreadyAnswered,
    };
  }

  /**
   * Someone who started as an anonymous browser and then signed in keeps their draft: it is copied to the
   * account's draft id and then removed from the browser's, unless the account already has a draft (the account's
   * draft wins). The copy keeps the draft's nonce, so counters see one draft, and a copy left by an interrupted
   * move is recognised by it and finished.
   */
  async function adoptBrowserDraft(
    surveyId: string,
    browserKey: string,
    respondent: Respondent,
  ): Promise<void> {
    if (!isValidObjectId(surveyId) || !respondent.userId || browserKey === respondent.key) return;
    const browser = await findDraftDoc(surveyId, browserKey);
    if (!browser || browser.edits) return;
    const target = draftId(surveyId, respondent.key);
    const { resumeEmail: _email, resumeTokenHash: _hash, ...kept } = browser;
    await mine.noteDraft(respondent.key, surveyId, clock());
    try {
      await responses.insertOne({ ...kept, _id: target, respondentKey: respondent.key, updatedAt: clock() });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const existing = await responses.findOne({ _id: target });
      if (existing?.nonce !== browser.nonce) return;
    }
    await responses.deleteOne({ _id: browser._id, nonce: browser.nonce });
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

  /**
   * Saves one page. `action`: 'next' validates and moves on (submitting after the last page), 'back' keeps what
   * is valid and goes back, 'save' keeps what is valid and stops. The draft is written on every page, keyed by the
   * respondent, so a lost session or a closed tab loses nothing that was saved. Only the answers that changed are
   * written, one field per question, so two tabs saving at once both keep theirs.
   */
  async function savePage(input: {
    surveyId: string;
    respondent: Respondent;
    pageId: string;
    fields: FormFields;
    action: 'next' | 'back' | 'save';
    screen?: SubmitScreen;
  }): Promise<PageOutcome> {
    const { survey, consultation } = await openSurvey(input.surveyId, input.respondent);
    const docs = await respondentDocs(survey, input.respondent);
    if (docs.alreadyAnswered && !docs.canEditSubmitted)
      throw new ConflictError({ key: 'surveys:answer.alreadyAnswered' });
    if (docs.staleDraft) {
      await responses.deleteOne({ _id: docs.staleDraft._id, nonce: docs.staleDraft.nonce });
    }
    const editing = !docs.draft && docs.canEditSubmitted ? docs.submitted : null;
    const current = docs.draft ?? docs.editDraft ?? editing;
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
      // Changing a submitted response (allowed until closing): the changes are kept in a draft of changes, and the
      // response itself changes in one write when the respondent is done.
      if (input.action === 'next' && nextPage === null) {
        return finishEdit(survey, editing, docs.editDraft, answers, otherText, selfId);
      }
      await saveEditDraft(survey, editing, docs.editDraft, {
        previous,
        answers,
        otherText,
        resumeAt: nextPage ?? input.pageId,
        selfId,
      });
      return { ok: true, next: nextPage ?? flow[flow.length - 1] ?? null };
    }

    const draft = await upsertDraft(survey, consultation, input.respondent, {
      previous,
      answers,
      otherText,
      resumeAt: nextPage ?? input.pageId,
      selfId,
    });
    if (input.action === 'next' && nextPage === null) {
      const flag = input.screen ? await input.screen() : undefined;
      const submitted = await submitDraft(survey, input.respondent, draft, flag);
      return { ok: true, next: null, submitted };
    }
    return { ok: true, next: nextPage };
  }

  function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
    return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
  }

  interface PageChanges {
    previous: { answers: Answers; otherText: OtherText };
    answers: Answers;
    otherText: OtherText;
    resumeAt: string;
    selfId: { sector?: string; region?: string; organisation?: string };
  }

  /**
   * The per-question writes that take `previous` to the new answers: `$set` of each answer that changed, `$unset`
   * of each one that is gone (cleared, or hidden by a changed condition). An answer this request did not change
   * is not written, so what another tab saved meanwhile stays.
   */
  function answerWrites(changes: Pick<PageChanges, 'previous' | 'answers' | 'otherText'>): {
    set: Document;
    unset: Document;
  } {
    const set: Document = {};
    const unset: Document = {};
    for (const prefix of ['answers', 'otherText'] as const) {
      const before = changes.previous[prefix] as Record<string, unknown>;
      const after = changes[prefix] as Record<string, unknown>;
      for (const [key, value] of Object.entries(after)) {
        if (!Object.hasOwn(before, key) || canonicalJson(before[key]) !== canonicalJson(value))
          set[fieldPath(prefix, key)] = value;
      }
      for (const key of Object.keys(before))
        if (!Object.hasOwn(after, key)) unset[fieldPath(prefix, key)] = '';
    }
    return { set, unset };
  }

  /**
   * Writes a page into the respondent's draft, created on the first page (upsert by `_id`). A new draft draws its
   * nonce (which names its submission) and is added once to the "started" counters.
   */
  async function upsertDraft(
    survey: Survey,
    consultation: Consultation,
    respondent: Respondent,
    changes: PageChanges,
  ): Promise<ResponseDoc> {
    const linkInvitation = respondent.invitationId && !survey.settings.anonymous;
    const now = clock();
    const { set, unset } = answerWrites(changes);
    const update: Document = {
      $set: {
        ...set,
        ...definedOnly(changes.selfId),
        resumeAt: changes.resumeAt,
        surveyVersion: survey.version,
        locale: respondent.locale,
        updatedAt: now,
      },
      ...(Object.keys(unset).length ? { $unset: unset } : {}),
      $setOnInsert: {
        surveyId: new mongoose.Types.ObjectId(survey.id),
        consultationId: new mongoose.Types.ObjectId(consultation.id),
        roundId: new mongoose.Types.ObjectId(consultation.roundId),
        respondentKey: respondent.key,
        status: 'draft',
        channel: respondent.invitationId ? 'invited' : 'open',
        ...(linkInvitation ? { invitationId: respondent.invitationId } : {}),
        nonce: nonce(),
        claimKey: nonce(),
        startCounted: false,
        createdAt: now,
      },
    };
    const id = draftId(survey.id, respondent.key);
    // Only a draft: a submitted response never has a d-id, and a draft of changes is written by saveEditDraft.
    const filter = { _id: id, status: 'draft' as const, edits: { $exists: false } };
    let doc: ResponseDoc | null = null;
    // On MongoDB two first upserts of one _id can both try to insert; the loser retries as an update.
    for (let attempt = 0; !doc; attempt += 1) {
      try {
        doc = await responses.findOneAndUpdate(filter, update, { upsert: true, returnDocument: 'after' });
      } catch (error) {
        if (!isDuplicateKey(error) || attempt > 2) throw error;
      }
    }
    if (!doc.startCounted) {
      // A new draft enters its owner's dashboard before it is flagged as counted, so a crash in between is repeated.
      await mine.noteDraft(respondent.key, survey.id, now);
      await countDraftStart(doc);
      if (respondent.invitationId) await markInvitation(respondent.invitationId, 'startedAt');
      doc = { ...doc, startCounted: true };
    }
    return doc;
  }

  /** Adds a new draft to the "started" counters, once (guarded by its nonce; a crash before the flag is repeated). */
  async function countDraftStart(doc: ResponseDoc): Promise<void> {
    await Promise.all(
      countScopeIds(scopeOf(doc)).map((id) =>
        incrementOnce(counters as unknown as Collection<Document>, id, `start-${doc.nonce ?? ''}`, {
          'counts.started': 1,
        }),
      ),
    );
    await responses.updateOne({ _id: doc._id, nonce: doc.nonce }, { $set: { startCounted: true } });
  }

  function scopeOf(doc: Pick<ResponseDoc, 'surveyId' | 'consultationId' | 'roundId'>) {
    return {
      surveyId: doc.surveyId.toString(),
      consultationId: doc.consultationId.toString(),
      roundId: doc.roundId.toString(),
    };
  }

  /** Writes a page of changes to a submitted response into its draft of changes (created from the response). */
  async function saveEditDraft(
    survey: Survey,
    response: ResponseDoc,
    editDraft: ResponseDoc | null,
    changes: PageChanges,
  ): Promise<void> {
    const id = draftId(survey.id, response.respondentKey);
    const now = clock();
    if (!editDraft) {
      try {
        await responses.insertOne({
          _id: id,
          surveyId: response.surveyId,
          surveyVersion: survey.version,
          consultationId: response.consultationId,
          roundId: response.roundId,
          respondentKey: response.respondentKey,
          status: 'draft',
          edits: response._id,
          answers: changes.answers,
          otherText: changes.otherText,
          resumeAt: changes.resumeAt,
          ...definedOnly({
            sector: response.sector,
            region: response.region,
            organisation: response.organisation,
          }),
          ...definedOnly(changes.selfId),
          locale: response.locale,
          channel: response.channel,
          nonce: nonce(),
          // Not a new response: never in the "started" counters.
          startCounted: true,
          createdAt: now,
          updatedAt: now,
        });
        return;
      } catch (error) {
        // Another tab created it meanwhile: write this page's changes into it.
        if (!isDuplicateKey(error)) throw error;
      }
    }
    const { set, unset } = answerWrites(changes);
    await responses.updateOne(
      { _id: id, edits: response._id },
      {
        $set: { ...set, ...definedOnly(changes.selfId), resumeAt: changes.resumeAt, updatedAt: now },
        ...(Object.keys(unset).length ? { $unset: unset } : {}),
      },
    );
  }

  /** Checks a draft's answers against the survey (after locking its version); throws a ValidationError. */
  function validateDraft(survey: Survey, draft: Pick<ResponseDoc, 'answers' | 'otherText'>) {
    const known = new Set(survey.definition.sections.flatMap((s) => s.questions.map((q) => q.id)));
    const answersIn = Object.fromEntries(Object.entries(draft.answers ?? {}).filter(([id]) => known.has(id)));
    const result = validateResponse(survey.definition, {
      answers: answersIn,
      otherText: draft.otherText ?? {},
    });
    if (result.errors.length) {
      throw new ValidationError(
        result.errors.map((e) => ({ field: e.field, message: e.message })),
        { key: 'surveys:answer.incomplete' },
        { code: 'answers_incomplete' },
      );
    }
    return result;
  }

  /**
   * Submits a draft exactly once. The response's id is decided by the draft (one per respondent, or one per draft
   * nonce), so a double submission of one draft is the same insert, and a second response by the same respondent
   * fails on the `_id`.
   */
  async function submitDraft(
    surveyIn: Survey,
    respondent: Respondent,
    draft: ResponseDoc,
    flag?: ResponseFlag,
  ): Promise<ResponseView> {
    let check = validateDraft(surveyIn, draft);
    const survey = await lockVersion(surveyIn);
    if (JSON.stringify(survey.definition) !== JSON.stringify(surveyIn.definition))
      check = validateDraft(survey, draft);
    if (survey.settings.selfIdentification && (!draft.sector || !draft.region)) {
      throw new ValidationError([
        { field: SELF_ID_FIELDS.sector, message: { key: 'surveys:aboutYou.errors.sector' } },
      ]);
    }
    const id = survey.settings.onePerRespondent
      ? submittedId(survey.id, respondent.key)
      : submittedId(survey.id, respondent.key, draft.nonce);
    const doc = submittedResponseDoc({
      id,
      surveyId: survey.id,
      surveyVersion: survey.version,
      consultationId: draft.consultationId.toString(),
      roundId: draft.roundId.toString(),
      respondentKey: respondent.key,
      answers: check.answers,
      otherText: check.otherText,
      sector: draft.sector,
      region: draft.region,
      organisation: draft.organisation,
      locale: draft.locale,
      channel: draft.channel,
      invitationId: draft.invitationId,
      draftNonce: draft.nonce,
      flag,
      submittedAt: clock(),
    }) as ResponseDoc;
    const stored = await runSubmission(survey, doc, {
      responseId: id,
      surveyId: survey.id,
      attempt: nonce(),
      draft: { id: draft._id, nonce: draft.nonce ?? '', startCounted: Boolean(draft.startCounted) },
      ...(respondent.invitationId && draft.claimKey
        ? { invitation: { id: respondent.invitationId, claim: sha256(draft.claimKey) } }
        : {}),
      draftNonce: draft.nonce,
      demographics: demographicsOf(respondent),
      confirmationTo: respondent.email ?? draft.resumeEmail,
      locale: respondent.locale,
    });
    return toResponse(stored);
  }

  function demographicsOf(respondent: Respondent): Pick<SubmissionRecord, 'gender' | 'ageRange'> {
    // Demographics come only from a signed-in respondent's profile, where they exist only with consent.
    return {
      ...(isGender(respondent.profile?.gender) ? { gender: respondent.profile.gender } : {}),
      ...(isAgeRange(respondent.profile?.ageRange) ? { ageRange: respondent.profile.ageRange } : {}),
    };
  }

  /**
   * Applies the changes of a draft of changes to a submitted response: one write conditional on the response's
   * revision (a parallel edit makes us read again), then the answer counters move from the old answers to the new.
   * An intent covers the steps, so a crash between them is finished by the reconciler.
   */
  async function finishEdit(
    survey: Survey,
    responseIn: ResponseDoc,
    editDraft: ResponseDoc | null,
    answers: Answers,
    otherText: OtherText,
    selfId: { sector?: string; region?: string; organisation?: string },
  ): Promise<PageOutcome> {
    const frozen = await lockVersion(survey);
    const check = validateResponse(frozen.definition, { answers, otherText });
    if (check.errors.length) return { ok: false, errors: check.errors };
    let response: ResponseDoc | null = responseIn;
    for (let attempt = 0; attempt < 5 && response; attempt += 1) {
      const revision = (response.revision ?? 1) + 1;
      const editId = nonce();
      const final = {
        sector: selfId.sector ?? editDraft?.sector ?? response.sector,
        region: selfId.region ?? editDraft?.region ?? response.region,
        organisation: selfId.organisation ?? editDraft?.organisation ?? response.organisation,
      };
      const payload: EditPayload = {
        responseId: response._id,
        surveyId: survey.id,
        revision,
        editId,
        answers: check.answers,
        ...definedOnly({ sector: final.sector, region: final.region }),
        previous: {
          answers: response.answers ?? {},
          ...definedOnly({ sector: response.sector, region: response.region }),
        },
        submittedAt: (response.submittedAt ?? clock()).toISOString(),
        ...(editDraft?.nonce ? { draft: { id: editDraft._id, nonce: editDraft.nonce } } : {}),
        surveyVersion: frozen.version,
        otherText: check.otherText,
        ...definedOnly({ organisation: final.organisation ?? response.organisation }),
        locale: response.locale,
        channel: response.channel,
      };
      const key = `${response._id}:${revision}:${editId}`;
      await effects.begin('answers-edit', key, payload as unknown as Document);
      const updated = await responses.findOneAndUpdate(
        {
          _id: response._id,
          status: 'submitted',
          revision: response.revision === undefined ? { $exists: false } : response.revision,
          'moderation.excluded': { $ne: true },
        },
        {
          $set: {
            answers: check.answers,
            otherText: check.otherText,
            surveyVersion: frozen.version,
            ...definedOnly(final),
            revision,
            [`editIds.${revision}`]: editId,
            updatedAt: clock(),
          },
        },
        { returnDocument: 'after' },
      );
      if (updated) {
        await finishEditSteps(payload);
        await effects.done('answers-edit', key);
        return { ok: true, next: null, submitted: toResponse(updated) };
      }
      // Another edit landed first: apply ours on top of it.
      await effects.done('answers-edit', key);
      response = await responses.findOne({ _id: response._id, status: 'submitted' });
      if (response?.moderation?.excluded) throw new ConflictError({ key: 'surveys:flagged.excludedNoEdit' });
    }
    if (!response) throw new NotFoundError();
    throw new ConflictError({ key: 'surveys:builder.errors.busy' });
  }

  interface EditPayload {
    responseId: string;
    surveyId: string;
    revision: number;
    editId: string;
    answers: Answers;
    sector?: string;
    region?: string;
    previous: { answers: Answers; sector?: string; region?: string };
    submittedAt: string;
    draft?: { id: string; nonce: string };
    /** For the answer log: the rest of the response as exports show it. */
    surveyVersion: number;
    otherText: OtherText;
    organisation?: string;
    locale: string;
    channel: 'open' | 'invited';
  }

  /** After an edit won its revision: the answer counters, then the draft of changes goes (both idempotent). */
  async function finishEditSteps(payload: EditPayload): Promise<void> {
    await answerRecorder()?.recordAnswers({
      surveyId: payload.surveyId,
      responseId: payload.responseId,
      revision: payload.revision,
      answers: payload.answers,
      ...definedOnly({ sector: payload.sector, region: payload.region, organisation: payload.organisation }),
      submittedAt: new Date(payload.submittedAt),
      previous: payload.previous,
      surveyVersion: payload.surveyVersion,
      otherText: payload.otherText ?? {},
      locale: payload.locale,
      channel: payload.channel,
    });
    if (payload.draft) await responses.deleteOne({ _id: payload.draft.id, nonce: payload.draft.nonce });
  }

  /** The reconciler's replay of an edit: finished if it won its revision, dropped if another edit did. */
  async function replayEdit(payload: EditPayload, context: EffectContext) {
    const doc = await responses.findOne({ _id: payload.responseId });
    if (!doc || doc.status !== 'submitted') return 'drop' as const;
    if (doc.editIds?.[String(payload.revision)] === payload.editId) {
      await finishEditSteps(payload);
      return 'done' as const;
    }
    if (
      (doc.revision ?? 1) < payload.revision &&
      clock().getTime() - context.createdAt.getTime() < SUBMISSION_GIVE_UP_MS
    )
      return 'retry' as const;
    return 'drop' as const;
  }

  // ---------------------------------------------------------------- submissions (web and API)

  /** What the reconciler needs to finish a submission (the response itself is read back by `_id`). */
  interface SubmissionPayload {
    responseId: string;
    surveyId: string;
    /** Random per request: names this request's intent, so a request that loses removes only its own. */
    attempt: string;
    /** The draft this submission closes (deleted by `_id` and nonce). */
    draft?: { id: string; nonce: string; startCounted: boolean };
    /** The invitation this submission claims, with the hash of the draft's claim key. */
    invitation?: { id: string; claim: string };
    /** Which stored response is this submission's: the one of the same draft, or of the same key and body. */
    draftNonce?: string;
    idempotencyKey?: string;
    requestHash?: string;
    demographics: Pick<SubmissionRecord, 'gender' | 'ageRange'>;
    confirmationTo?: string;
    locale: Locale;
  }

  function isSameSubmission(doc: ResponseDoc, payload: SubmissionPayload): boolean {
    if (payload.draftNonce !== undefined) return doc.draftNonce === payload.draftNonce;
    return (
      payload.idempotencyKey !== undefined &&
      doc.idempotencyKey === payload.idempotencyKey &&
      doc.requestHash === payload.requestHash
    );
  }

  /**
   * Submitting: the intent first, then the invitation's claim, the insert of the response (the exactly-once
   * decision, by `_id`), and the steps that follow it (finishSubmission). If anything fails or the process dies
   * after the insert, the reconciler finishes the steps from the intent; every step is idempotent.
   * Returns the stored response (this request's, or the same submission stored by a parallel request).
   */
  async function runSubmission(
    survey: Survey,
    doc: ResponseDoc,
    payload: SubmissionPayload,
  ): Promise<ResponseDoc> {
    const key = `${payload.responseId}:${payload.attempt}`;
    await effects.begin('submission', key, payload as unknown as Document);
    let stored: ResponseDoc = doc;
    try {
      if (payload.invitation) await claimInvitation(payload.invitation, doc.sector);
      try {
        await responses.insertOne(doc);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const existing = await responses.findOne({ _id: doc._id });
        if (!existing || existing.status !== 'submitted' || !isSameSubmission(existing, payload)) {
          if (payload.invitation) await releaseInvitation(payload.invitation);
          throw submissionConflict(existing, payload);
        }
        // The same submission (a double click, a retry after a failure): finish its steps, harmlessly again.
        stored = existing;
      }
    } catch (error) {
      await effects.done('submission', key);
      throw error;
    }
    await finishSubmission(survey, stored, payload);
    await effects.done('submission', key);
    return stored;
  }

  /** 422 for an Idempotency-Key reused with another body; 409 for a respondent who already answered. */
  function submissionConflict(existing: ResponseDoc | null, payload: SubmissionPayload): Error {
    if (
      existing &&
      payload.idempotencyKey !== undefined &&
      existing.idempotencyKey === payload.idempotencyKey &&
      existing.requestHash !== payload.requestHash
    )
      return new IdempotencyMismatchError();
    return new ConflictError({ key: 'surveys:answer.alreadyAnswered' });
  }

  /**
   * The steps after a response is stored, each idempotent: the draft goes, the response counters (exactly once per
   * response), participation, the answer counters, the confirmation email. `replayedFrom` is set by the reconciler.
   */
  async function finishSubmission(
    survey: Survey,
    response: ResponseDoc,
    payload: SubmissionPayload,
    replayedFrom?: Date,
  ): Promise<void> {
    if (payload.draft) await responses.deleteOne({ _id: payload.draft.id, nonce: payload.draft.nonce });
    await mine.noteResponse(response.respondentKey, response._id, survey.id, response.submittedAt ?? clock());
    if (response.moderation) {
      // An officer excluded it already (a double submission finishing late): it stays out of every count.
      if (response.moderation.excluded) return;
      await moderation.listFlag(response);
    }
    await Promise.all(
      countScopeIds(scopeOf(response)).map((id) =>
        incrementOnce(counters as unknown as Collection<Document>, id, `submit-${response._id}`, {
          'counts.submitted': 1,
          ...(payload.draft?.startCounted ? { 'counts.draftsEnded': 1 } : {}),
        }),
      ),
    );
    const record: SubmissionRecord = {
      responseId: response._id,
      roundId: response.roundId.toString(),
      consultationId: response.consultationId.toString(),
      surveyId: survey.id,
      respondentKey: response.respondentKey,
      sector: survey.settings.selfIdentification && isSector(response.sector) ? response.sector : NOT_ASKED,
      region: survey.settings.selfIdentification && isRegion(response.region) ? response.region : NOT_ASKED,
      ...payload.demographics,
      locale: response.locale,
      channel: response.channel,
      submittedAt: response.submittedAt ?? clock(),
    };
    if (replayedFrom && options.participation.replaySubmission)
      await options.participation.replaySubmission(record, replayedFrom);
    else await options.participation.recordSubmission(record);
    await answerRecorder()?.recordAnswers({
      surveyId: survey.id,
      responseId: response._id,
      revision: 1,
      answers: response.answers ?? {},
      ...definedOnly({
        sector: response.sector,
        region: response.region,
        organisation: response.organisation,
      }),
      submittedAt: response.submittedAt ?? clock(),
      surveyVersion: response.surveyVersion,
      otherText: response.otherText ?? {},
      locale: response.locale,
      channel: response.channel,
    });
    if (survey.settings.confirmationEmail && payload.confirmationTo) {
      await options.notifications.send({
        template: 'survey-confirmation',
        to: payload.confirmationTo,
        locale: payload.locale,
        data: {
          surveyTitle: survey.definition.title,
          thankYou: survey.settings.thankYou,
          surveyUrl: `${options.baseUrl}/surveys/${survey.id}`,
        },
        idempotencyKey: `survey-confirmation:${response._id}`,
      });
    }
  }

  /**
   * The reconciler's replay of a submission. Stored and ours: the steps are finished (again, harmlessly). Not
   * stored: the request may still be running, so we wait, and give up after SUBMISSION_GIVE_UP_MS (the respondent
   * was told it failed; their draft is still there), releasing the invitation this attempt had claimed.
   */
  async function replaySubmission(payload: SubmissionPayload, context: EffectContext) {
    const doc = await responses.findOne({ _id: payload.responseId });
    if (doc?.status === 'submitted' && isSameSubmission(doc, payload)) {
      const surveyDoc = await findDoc(payload.surveyId);
      if (!surveyDoc) return 'drop' as const;
      await finishSubmission(toSurvey(surveyDoc), doc, payload, context.createdAt);
      return 'done' as const;
    }
    if (!doc && clock().getTime() - context.createdAt.getTime() < SUBMISSION_GIVE_UP_MS)
      return 'retry' as const;
    if (payload.invitation) await releaseInvitation(payload.invitation);
    return 'drop' as const;
  }

  // ---------------------------------------------------------------- JSON API submission

  /**
   * Submits a whole response in one request (the JSON API). Its id comes from the respondent (one response per
   * respondent) or from the Idempotency-Key (several), so the replay check is one read by `_id`: the same key and
   * body replays the response, the same key with another body is refused (422), and a respondent who already
   * answered with another key gets a 409.
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
    /** Flagged by the route (an anonymous API submission during a flood, or too many from one address). */
    flag?: ResponseFlag;
  }): Promise<{ response: ResponseView; replayed: boolean }> {
    const { survey: current, consultation } = await openSurvey(input.surveyId, input.respondent);
    const id = current.settings.onePerRespondent
      ? submittedId(current.id, input.respondent.key)
      : apiSubmissionId(current.id, input.respondent.key, input.idempotencyKey);
    const hash = requestHash({
      answers: input.answers,
      otherText: input.otherText,
      sector: input.sector,
      region: input.region,
      organisation: input.organisation,
    });
    const identity = { idempotencyKey: input.idempotencyKey, requestHash: hash };
    const replay = await responses.findOne({ _id: id });
    if (replay?.status === 'submitted') {
      if (isSameSubmission(replay, identity as SubmissionPayload))
        return { response: toResponse(replay), replayed: true };
      throw submissionConflict(replay, identity as SubmissionPayload);
    }

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
    const survey = await lockVersion(current);
    if (JSON.stringify(survey.definition) !== JSON.stringify(current.definition)) valid = validate(survey);
    const { check, sector, region, organisation } = valid;

    // A signed-in respondent's draft in the browser is superseded on a one-response survey (an API client without
    // a session is its own respondent and has no draft).
    const draft =
      input.respondent.userId && survey.settings.onePerRespondent
        ? await findDraftDoc(survey.id, input.respondent.key)
        : null;
    const doc = submittedResponseDoc({
      id,
      surveyId: survey.id,
      surveyVersion: survey.version,
      consultationId: consultation.id,
      roundId: consultation.roundId,
      respondentKey: input.respondent.key,
      answers: check.answers,
      otherText: check.otherText,
      sector,
      region,
      organisation,
      locale: input.respondent.locale,
      channel: input.respondent.invitationId ? 'invited' : 'open',
      idempotencyKey: input.idempotencyKey,
      requestHash: hash,
      flag: input.flag,
      submittedAt: clock(),
    }) as ResponseDoc;
    const stored = await runSubmission(survey, doc, {
      responseId: id,
      surveyId: survey.id,
      attempt: nonce(),
      ...(draft?.nonce
        ? {
            draft: {
              id: draft._id,
              nonce: draft.nonce,
              startCounted: Boolean(draft.startCounted && !draft.edits),
            },
          }
        : {}),
      idempotencyKey: input.idempotencyKey,
      requestHash: hash,
      demographics: demographicsOf(input.respondent),
      confirmationTo: input.respondent.email,
      locale: input.respondent.locale,
    });
    return { response: toResponse(stored), replayed: stored !== doc };
  }

  // ---------------------------------------------------------------- resume links

  /** A resume link's token: `<draft id>.<random>`; only the hash of the random part is stored, on the draft. */
  const RESUME_TOKEN = /^(d[A-Za-z0-9_-]{32})\.([A-Za-z0-9_-]{20,100})$/;
  /**
   * Emails a one-click link that brings an anonymous respondent back to their draft on any device. A new request
   * replaces the old link.
   */
  async function sendResumeLink(input: {
    surveyId: string;
    respondent: Respondent;
    email: string;
  }): Promise<void> {
    const { survey } = await openSurvey(input.surveyId, input.respondent);
    const email = normaliseEmailAddress(input.email.trim());
    if (!email) {
      throw new ValidationError([{ field: 'resumeEmail', message: { key: 'surveys:answer.errors.email' } }]);
    }
    const id = draftId(survey.id, input.respondent.key);
    const secret = crypto.randomBytes(32).toString('base64url');
    const updated = await responses.updateOne(
      { _id: id, status: 'draft', edits: { $exists: false } },
      { $set: { resumeEmail: email, resumeTokenHash: sha256(secret) } },
    );
    if (updated.matchedCount === 0) throw new NotFoundError({ key: 'surveys:resume.noDraft' });
    await options.notifications.send({
      template: 'survey-resume',
      to: email,
      locale: input.respondent.locale,
      data: {
        surveyTitle: survey.definition.title,
        resumeUrl: `${options.baseUrl}/surveys/${survey.id}/resume/${id}.${secret}`,
        closesAt: survey.settings.closesAt?.toISOString() ?? null,
      },
    });
  }

  /** The respondent key of the draft a resume link belongs to (one read by `_id`); the browser takes it over. */
  async function resumeByToken(
    surveyId: string,
    token: string,
  ): Promise<{ respondentKey: string; resumeAt?: string }> {
    const invalid = () => new NotFoundError({ key: 'surveys:resume.invalid' });
    const match = token.length <= MAX_TOKEN_LENGTH ? RESUME_TOKEN.exec(token) : null;
    if (!isValidObjectId(surveyId) || !match) throw invalid();
    const draft = await responses.findOne({ _id: match[1] as string });
    if (
      !draft ||
      draft.status !== 'draft' ||
      draft.surveyId.toString() !== surveyId ||
      !draft.resumeTokenHash ||
      !safeEqual(draft.resumeTokenHash, sha256(match[2] as string))
    )
      throw invalid();
    return { respondentKey: draft.respondentKey, resumeAt: draft.resumeAt };
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

  /** A scope's counters: one read by `_id`. Open drafts are those started and not yet ended. */
  async function readCounts(id: string): Promise<{ draft: number; submitted: number }> {
    const doc = await counters.findOne({ _id: id }, { projection: { counts: 1 } });
    const counts = doc?.counts ?? {};
    return {
      draft: Math.max(0, (counts.started ?? 0) - (counts.draftsEnded ?? 0)),
      submitted: counts.submitted ?? 0,
    };
  }

  /** For the consultations module: submitted responses per consultation, from the counters (one read each). */
  const responseCounts: ResponseCountSource = {
    async countByConsultation(consultationIds: string[]): Promise<Map<string, number>> {
      const counts = new Map(consultationIds.map((id) => [id, 0]));
      for (const id of consultationIds) {
        if (isValidObjectId(id)) counts.set(id, (await readCounts(`consultation:${id}`)).submitted);
      }
      return counts;
    },
  };

  /** Drafts and submitted responses of a survey, a consultation or a round (for completion rates): one read. */
  async function responseStatusCounts(scope: {
    surveyId?: string;
    consultationId?: string;
    roundId?: string;
  }): Promise<{ draft: number; submitted: number }> {
    const [kind, id] = scope.surveyId
      ? ['survey', scope.surveyId]
      : scope.consultationId
        ? ['consultation', scope.consultationId]
        : ['round', scope.roundId ?? ''];
    if (!isValidObjectId(id)) return { draft: 0, submitted: 0 };
    return readCounts(`${kind}:${id}`);
  }

  /**
   * Recomputes every response counter from the responses (a maintenance command, and the benchmark after a bulk
   * load). It replaces the counts while keeping each document's guard of recent operations; run it while no one
   * answers, as an increment landing between the read and the write would be overwritten.
   */
  async function rebuildResponseCounters(): Promise<number> {
    const totals = new Map<string, { started: number; draftsEnded: number; submitted: number }>();
    const cursor = responses.find(
      {},
      {
        projection: {
          status: 1,
          surveyId: 1,
          consultationId: 1,
          roundId: 1,
          edits: 1,
          draftNonce: 1,
          'moderation.excluded': 1,
        },
      },
    );
    for await (const doc of cursor) {
      if (doc.status === 'draft' && doc.edits) continue;
      for (const id of countScopeIds(scopeOf(doc))) {
        const cell = totals.get(id) ?? { started: 0, draftsEnded: 0, submitted: 0 };
        if (doc.status === 'draft') cell.started += 1;
        else {
          // An excluded response is in no count (its draft did end, though).
          if (!doc.moderation?.excluded) cell.submitted += 1;
          // A web submission closed the draft it came from.
          if (doc.draftNonce) {
            cell.started += 1;
            cell.draftsEnded += 1;
          }
        }
        totals.set(id, cell);
      }
    }
    const existing = await counters.find({}, { projection: { _id: 1 } }).toArray();
    for (const { _id } of existing)
      if (!totals.has(_id)) totals.set(_id, { started: 0, draftsEnded: 0, submitted: 0 });
    for (const [id, counts] of totals) {
      await counters.updateOne({ _id: id }, { $set: { counts } }, { upsert: true });
    }
    return totals.size;
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
      if (doc.moderation?.excluded) continue; // excluded by an officer: in no figure and no export
      yield { ...toResponse(doc), locale: doc.locale, channel: doc.channel };
    }
  }

  /**
   * A signed-in participant's dashboard: their drafts (newest first) and submitted responses (newest first), from
   * their index document, each entry checked by `_id` (see participant-index.ts). Bounded by what they started.
   */
  async function participantActivity(userId: string): Promise<ParticipantActivity> {
    const key = `user:${userId}`;
    const index = await mine.read(key);
    const surveysById = new Map<
      string,
      Promise<{ survey: Survey; consultation: Consultation | null } | null>
    >();
    const surveyOf = (surveyId: string) => {
      let found = surveysById.get(surveyId);
      if (!found) {
        found = findDoc(surveyId).then(async (doc) => {
          if (!doc || doc.status === 'draft') return null;
          const survey = toSurvey(doc);
          return { survey, consultation: await consultationOf(survey) };
        });
        surveysById.set(surveyId, found);
      }
      return found;
    };
    const now = clock();
    const closingOf = (survey: Survey, consultation: Consultation | null) => {
      const dates = [survey.settings.closesAt, consultation?.closesAt].filter((d): d is Date => Boolean(d));
      return dates.length ? new Date(Math.min(...dates.map((d) => d.getTime()))) : undefined;
    };
    const drafts = await Promise.all(
      Object.keys(index?.drafts ?? {}).map(async (surveyId) => {
        const [doc, found] = await Promise.all([findDraftDoc(surveyId, key), surveyOf(surveyId)]);
        if (!doc || doc.edits || !found) return null;
        const { survey, consultation } = found;
        return {
          surveyId,
          title: survey.definition.title,
          savedAt: doc.updatedAt,
          closesAt: closingOf(survey, consultation),
          open: availability(survey, consultation, now) === 'open',
          resumeAt: doc.resumeAt,
        };
      }),
    );
    const submitted = await Promise.all(
      Object.entries(index?.responses ?? {}).map(async ([responseId, entry]) => {
        const [doc, found] = await Promise.all([
          RESPONSE_ID_PATTERN.test(responseId) ? responses.findOne({ _id: responseId }) : null,
          surveyOf(entry.surveyId),
        ]);
        if (!doc || doc.status !== 'submitted' || doc.respondentKey !== key || !found) return null;
        const { survey, consultation } = found;
        const open = availability(survey, consultation, now) === 'open';
        return {
          surveyId: entry.surveyId,
          responseId,
          title: survey.definition.title,
          submittedAt: doc.submittedAt ?? doc.createdAt,
          reference: receiptReference(responseId),
          closesAt: closingOf(survey, consultation),
          // Only a one-per-respondent survey's response can be changed, until it closes (as on its start page).
          canEdit:
            open &&
            survey.settings.onePerRespondent &&
            survey.settings.editableUntilClose &&
            doc._id === submittedId(entry.surveyId, key),
        };
      }),
    );
    const present = <T>(items: (T | null)[]) => items.filter((item): item is T => item !== null);
    return {
      drafts: present(drafts).sort((a, b) => b.savedAt.getTime() - a.savedAt.getTime()),
      submitted: present(submitted).sort((a, b) => b.submittedAt.getTime() - a.submittedAt.getTime()),
    };
  }

  /** A deleted account's dashboard index goes (its responses stay, anonymised by the accounts module's rules). */
  async function forgetParticipant(userId: string): Promise<void> {
    await mine.forget(`user:${userId}`);
  }

  /** A survey form's own anti-forgery token for an anonymous browser (see surveyFormCsrfExempt). */
  function formToken(browserKey: string): string {
    return crypto
      .createHmac('sha256', options.secret)
      .update(`survey-form:${browserKey}`)
      .digest('base64url');
  }

  effects.register<SubmissionPayload>('submission', replaySubmission);
  effects.register('moderation', moderation.replay);
  effects.register<EditPayload>('answers-edit', replayEdit);

  return {
    openSurvey,
    consultationOf,
    pageFlow,
    responses,
    moderation,
    findDraft,
    findSubmitted,
    respondentState,
    adoptBrowserDraft,
    savePage,
    submitComplete,
    sendResumeLink,
    resumeByToken,
    surveyDirectory,
    responseCounts,
    responseStatusCounts,
    rebuildResponseCounters,
    submittedResponses,
    participantActivity,
    forgetParticipant,
    formToken,
  };
}
