import { Router, type Request, type Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { BadRequestError, NotFoundError, ValidationError } from '../../platform/errors';
import { can } from '../../platform/http/access';
import { requireRole } from '../../platform/http/auth';
import { rerenderOnValidationError } from '../../platform/http/form-errors';
import type { AuditAction } from '../audit';
import type { ConsultationsService } from '../consultations';
import {
  BLANK_ROWS,
  conditionFromForm,
  type ConditionTarget,
  conditionTargets,
  describeCondition,
  describePath,
  missingTextMessage,
  pagePath,
  formatLocalDateTime,
  hasOptions,
  questionFieldFor,
  questionFromForm,
  questionToForm,
  rowCount,
  settingsFromForm,
} from './builder-form';
import {
  detailsFormSchema,
  parseBuilderForm,
  sectionFormSchema,
  settingsFormSchema,
  titleAndDescription,
  type SectionForm,
} from './builder.schemas';
import type { FormFields } from './survey-answers';
import { actorOf, fieldMessages, fieldsOf, manageSurveyGuard, surveyIdOf, text } from './manage-routes';
import {
  addQuestion,
  addSection,
  deleteQuestion,
  deleteSection,
  locateQuestion,
  moveQuestion,
  moveSection,
  newQuestion,
  questionsBefore,
  replaceQuestion,
  updateSection,
} from './survey-builder';
import {
  localize,
  newId,
  QUESTION_TYPES,
  type Condition,
  type QuestionType,
  type Section,
} from './survey-definition';
import { pageView } from './survey-page';
import { AUDIENCES } from './survey-settings';
import { type Survey, type SurveysService } from './surveys.service';

const partParam = z.string().regex(/^[A-Za-z0-9-]{1,40}$/);
const direction = z.enum(['up', 'down']);
const questionType = z.enum(QUESTION_TYPES);

/** Uploads (CSV of emails, JSON definitions) are small text files kept in memory. */
const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 512 * 1024, files: 1 } });

/** Officers building surveys: /manage/surveys/... (plain forms with buttons; no JavaScript needed). */
export function builderRouter(surveys: SurveysService, consultations: ConsultationsService): Router {
  const router = Router();
  router.use('/manage/surveys', requireRole('officer'));
  // Every route about one survey (builder, settings, preview, import, export): only officers of its consultation's
  // organisation, and admins; anyone else gets a 404.
  router.use('/manage/surveys/:surveyId', ...manageSurveyGuard(surveys));

  /** The surveys and consultations this officer manages (admins: all). */
  async function manageable(req: Request) {
    const [all, everyConsultation] = await Promise.all([surveys.listAll(), consultations.listAll()]);
    const consultationList = everyConsultation.filter((c) => can(req.user, 'manage', c));
    const ids = new Set(consultationList.map((c) => c.id));
    return { all: all.filter((s) => ids.has(s.consultationId)), consultationList };
  }

  const surveyId = surveyIdOf;
  function part(req: Request, name: string): string {
    const parsed = partParam.safeParse(req.params[name]);
    if (!parsed.success) throw new NotFoundError();
    return parsed.data;
  }

  /** Definition errors as the error summary wants them, with where they are in the survey. */
  function definitionErrors(req: Request, survey: Survey, error: ValidationError) {
    return error.fieldErrors.map((e) => {
      const where = describePath(survey.definition, e.field, req.t, req.locale);
      const message =
        missingTextMessage(e.field, e.message.key, req.t) ?? req.t(e.message.key, e.message.values ?? {});
      return { field: where.anchor, message: `${where.where}: ${message}` };
    });
  }

  /** The overview again, with why a change to the survey was refused (422). */
  async function overviewWithErrors(req: Request, res: Response, id: string, error: ValidationError) {
    const survey = await surveys.getSurvey(id);
    await renderOverview(req, res, survey, { errors: definitionErrors(req, survey, error), status: 422 });
  }

  async function renderOverview(
    req: Request,
    res: Response,
    survey: Survey,
    extra: { errors?: { field: string; message: string }[]; status?: number; notice?: string } = {},
  ) {
    const consultation = await consultations.findConsultationById(survey.consultationId, {
      includeDrafts: true,
    });
    res.status(extra.status ?? 200).render('surveys/manage/survey', {
      title: localize(survey.definition.title, req.locale) || req.t('surveys:builder.untitled'),
      survey,
      consultationTitle: consultation ? localize(consultation.title, req.locale) : '',
      localize: (value: { en: string; fr: string } | undefined) => localize(value, req.locale),
      questionTypes: QUESTION_TYPES,
      describeCondition: (condition: Condition) =>
        describeCondition(survey.definition, condition, req.t, req.locale),
      path: pagePath(survey.definition, survey.settings.selfIdentification, req.t, req.locale),
      errors: extra.errors ?? [],
      notice:
        extra.notice ??
        (typeof req.query.done === 'string'
          ? req.t(`surveys:builder.done.${req.query.done.replace(/[^a-zA-Z]/g, '')}`, { defaultValue: '' })
          : ''),
    });
  }

  /** GET /manage/surveys: every survey, and a form to start one. */
  router.get('/manage/surveys', async (req, res) => {
    const { all, consultationList } = await manageable(req);
    const titles = new Map(consultationList.map((c) => [c.id, localize(c.title, req.locale)]));
    res.render('surveys/manage/index', {
      title: req.t('surveys:builder.listTitle'),
      surveys: all.map((s) => ({
        id: s.id,
        title: localize(s.definition.title, req.locale) || req.t('surveys:builder.untitled'),
        consultation: titles.get(s.consultationId) ?? '',
        status: s.status,
        version: s.version,
      })),
      consultations: consultationList.map((c) => ({ id: c.id, title: localize(c.title, req.locale) })),
      values: {
        consultationId: typeof req.query.consultationId === 'string' ? req.query.consultationId : '',
      },
      errors: [],
    });
  });

  /** POST /manage/surveys: create a survey in a consultation. */
  router.post('/manage/surveys', async (req, res) => {
    const fields = fieldsOf(req.body);
    await rerenderOnValidationError(
      async () => {
        const survey = await surveys.createSurvey(
          {
            consultationId: text(fields, 'consultationId'),
            title: { en: text(fields, 'titleEn'), fr: text(fields, 'titleFr') },
          },
          actorOf(req),
        );
        await req.audit.record({
          action: 'survey.created',
          target: { type: 'survey', id: survey.id },
          key: survey.id,
        });
        res.redirect(303, `/manage/surveys/${survey.id}`);
      },
      async (error) => {
        const { all, consultationList } = await manageable(req);
        const titles = new Map(consultationList.map((c) => [c.id, localize(c.title, req.locale)]));
        res.status(422).render('surveys/manage/index', {
          title: `${req.t('surveys:answer.errorPrefix')} ${req.t('surveys:builder.listTitle')}`,
          surveys: all.map((s) => ({
            id: s.id,
            title: localize(s.definition.title, req.locale),
            consultation: titles.get(s.consultationId) ?? '',
            status: s.status,
            version: s.version,
          })),
          consultations: consultationList.map((c) => ({ id: c.id, title: localize(c.title, req.locale) })),
          values: fields,
          errors: fieldMessages(req, error),
        });
      },
    );
  });

  /** GET /manage/surveys/:surveyId: the builder's overview of pages and questions. */
  router.get('/manage/surveys/:surveyId', async (req, res) => {
    await renderOverview(req, res, await surveys.getSurvey(surveyId(req)));
  });

  // ------------------------------------------------------------ title and description

  function detailsForm(
    req: Request,
    res: Response,
    survey: Survey,
    opts: { values: FormFields; errors: { field: string; message: string }[]; status?: number },
  ) {
    res.status(opts.status ?? 200).render('surveys/manage/details', {
      title: req.t('surveys:builder.details.title'),
      survey,
      surveyTitle: localize(survey.definition.title, req.locale) || req.t('surveys:builder.untitled'),
      values: opts.values,
      errors: opts.errors,
    });
  }

  /** GET /manage/surveys/:surveyId/details: the survey's title and introduction, in both languages. */
  router.get('/manage/surveys/:surveyId/details', async (req, res) => {
    const survey = await surveys.getSurvey(surveyId(req));
    const { title, description } = survey.definition;
    detailsForm(req, res, survey, {
      values: {
        titleEn: title.en,
        titleFr: title.fr,
        descriptionEn: description?.en ?? '',
        descriptionFr: description?.fr ?? '',
      },
      errors: [],
    });
  });

  /** POST /manage/surveys/:surveyId/details */
  router.post('/manage/surveys/:surveyId/details', async (req, res) => {
    const id = surveyId(req);
    const survey = await surveys.getSurvey(id);
    const form = parseBuilderForm(detailsFormSchema, req.body);
    await rerenderOnValidationError(
      async () => {
        await surveys.editDefinition(id, actorOf(req), (definition) => {
          const { description: _previous, ...rest } = definition;
          return { ...rest, ...titleAndDescription(form) };
        });
        await req.audit.record({ action: 'survey.updated', target: { type: 'survey', id } });
        res.redirect(303, `/manage/surveys/${id}?done=details`);
      },
      (error) => {
        const errors = error.fieldErrors.map((e) => {
          const own = /^(title|description)\.(en|fr)$/.test(e.field);
          return {
            field: own ? questionFieldFor(e.field) : 'titleEn',
            message: own
              ? req.t(e.message.key, e.message.values ?? {})
              : `${describePath(survey.definition, e.field, req.t, req.locale).where}: ${req.t(e.message.key, e.message.values ?? {})}`,
          };
        });
        detailsForm(req, res, survey, { values: form, errors, status: 422 });
      },
    );
  });

  // ------------------------------------------------------------ sections

  function sectionForm(
    req: Request,
    res: Response,
    survey: Survey,
    opts: {
      section?: Section;
      values: FormFields;
      errors: { field: string; message: string }[];
      status?: number;
    },
  ) {
    const before = opts.section
      ? questionsBefore(survey.definition, { sectionId: opts.section.id })
      : survey.definition.sections.flatMap((s) => s.questions);
    res.status(opts.status ?? 200).render('surveys/manage/section', {
      title: req.t(opts.section ? 'surveys:builder.section.editTitle' : 'surveys:builder.section.newTitle'),
      survey,
      surveyTitle: localize(survey.definition.title, req.locale),
      section: opts.section,
      values: opts.values,
      errors: opts.errors,
      targets: conditionTargets(before, req.locale, req.t),
      action: opts.section
        ? `/manage/surveys/${survey.id}/sections/${opts.section.id}`
        : `/manage/surveys/${survey.id}/sections`,
    });
  }

  function sectionFromForm(form: SectionForm, targets: ConditionTarget[]): Omit<Section, 'id' | 'questions'> {
    const showIf = conditionFromForm(form, targets);
    return { ...titleAndDescription(form), ...(showIf ? { showIf } : {}) };
  }

  async function saveSection(req: Request, res: Response, sectionId: string | undefined) {
    const id = surveyId(req);
    const survey = await surveys.getSurvey(id);
    const section = sectionId ? survey.definition.sections.find((s) => s.id === sectionId) : undefined;
    if (sectionId && !section) throw new NotFoundError();
    const form = parseBuilderForm(sectionFormSchema, req.body);
    // "Show the answers of this question" (the condition form without JavaScript): show the form again, unsaved.
    if (form.conditionRefresh) return sectionForm(req, res, survey, { section, values: form, errors: [] });
    const before = section
      ? questionsBefore(survey.definition, { sectionId: section.id })
      : survey.definition.sections.flatMap((s) => s.questions);
    const changes = sectionFromForm(form, conditionTargets(before, req.locale, req.t));
    await rerenderOnValidationError(
      async () => {
        await surveys.editDefinition(id, actorOf(req), (definition) =>
          sectionId ? updateSection(definition, sectionId, changes) : addSection(definition, changes),
        );
        await req.audit.record({
          action: sectionId ? 'survey.page_updated' : 'survey.page_added',
          target: { type: 'survey', id },
          details: { page: sectionId ?? String(survey.definition.sections.length + 1) },
        });
        res.redirect(303, `/manage/surveys/${id}#${sectionId ? `section-${sectionId}` : 'sections'}`);
      },
      (error) => {
        const index = sectionId
          ? survey.definition.sections.findIndex((s) => s.id === sectionId)
          : survey.definition.sections.length;
        const own = `sections[${index}]`;
        const errors = error.fieldErrors.map((e) => {
          if (e.field.startsWith(`${own}.`) && !e.field.startsWith(`${own}.questions`)) {
            return {
              field: questionFieldFor(e.field.slice(own.length + 1)),
              message: req.t(e.message.key, e.message.values ?? {}),
            };
          }
          const where = describePath(survey.definition, e.field, req.t, req.locale);
          return {
            field: 'titleEn',
            message: `${where.where}: ${req.t(e.message.key, e.message.values ?? {})}`,
          };
        });
        sectionForm(req, res, survey, { section, values: form, errors, status: 422 });
      },
    );
  }

  /** GET /manage/surveys/:surveyId/sections/new */
  router.get('/manage/surveys/:surveyId/sections/new', async (req, res) => {
    sectionForm(req, res, await surveys.getSurvey(surveyId(req)), { values: {}, errors: [] });
  });
  /** POST /manage/surveys/:surveyId/sections */
  router.post('/manage/surveys/:surveyId/sections', (req, res) => saveSection(req, res, undefined));

  /** GET /manage/surveys/:surveyId/sections/:sectionId */
  router.get('/manage/surveys/:surveyId/sections/:sectionId', async (req, res) => {
    const survey = await surveys.getSurvey(surveyId(req));
    const section = survey.definition.sections.find((s) => s.id === part(req, 'sectionId'));
    if (!section) throw new NotFoundError();
    sectionForm(req, res, survey, {
      section,
      values: {
        titleEn: section.title.en,
        titleFr: section.title.fr,
        descriptionEn: section.description?.en ?? '',
        descriptionFr: section.description?.fr ?? '',
        showIfQuestion: section.showIf?.questionId ?? '',
        showIfOperator: section.showIf?.operator ?? '',
        showIfValues: section.showIf?.values ?? [],
      },
      errors: [],
    });
  });
  /** POST /manage/surveys/:surveyId/sections/:sectionId */
  router.post('/manage/surveys/:surveyId/sections/:sectionId', (req, res) =>
    saveSection(req, res, part(req, 'sectionId')),
  );

  /** A structural edit (move, delete) from a button on the overview; a refused edit shows the overview with why. */
  async function structuralEdit(
    req: Request,
    res: Response,
    edit: Parameters<SurveysService['editDefinition']>[2],
    anchor: string,
    done: string | undefined,
    audit: { action: AuditAction; details: Record<string, string>; key?: string },
  ) {
    const id = surveyId(req);
    await rerenderOnValidationError(
      async () => {
        await surveys.editDefinition(id, actorOf(req), edit);
        await req.audit.record({ ...audit, target: { type: 'survey', id } });
        res.redirect(303, `/manage/surveys/${id}${done ? `?done=${done}` : ''}#${anchor}`);
      },
      (error) => overviewWithErrors(req, res, id, error),
    );
  }

  /** POST /manage/surveys/:surveyId/sections/:sectionId/move */
  router.post('/manage/surveys/:surveyId/sections/:sectionId/move', async (req, res) => {
    const sectionId = part(req, 'sectionId');
    const dir = direction.catch('up').parse((req.body as Record<string, unknown>)?.direction);
    await structuralEdit(req, res, (d) => moveSection(d, sectionId, dir), `section-${sectionId}`, undefined, {
      action: 'survey.page_moved',
      details: { page: sectionId },
    });
  });
  /** Submitted answers to this survey (all versions), for the confirmation pages of deletions. */
  async function submittedCount(survey: Survey): Promise<number> {
    return (await surveys.responseStatusCounts({ surveyId: survey.id })).submitted;
  }

  /** What deleting does to answers already given, for the confirmation pages. */
  function answersNote(req: Request, survey: Survey, submitted: number, what: 'question' | 'page'): string[] {
    if (!submitted) return [];
    return [
      req.t('surveys:builder.confirm.responses', { count: submitted }),
      req.t(`surveys:builder.confirm.kept_${what}`, { version: survey.version }),
    ];
  }

  /** A POST that arrives without `confirm=yes` (an old page, a stray form) is sent to the confirmation page. */
  function confirmed(req: Request): boolean {
    return (req.body as Record<string, unknown> | undefined)?.confirm === 'yes';
  }

  /** GET /manage/surveys/:surveyId/sections/:sectionId/delete: "Delete page N and its questions?" */
  router.get('/manage/surveys/:surveyId/sections/:sectionId/delete', async (req, res) => {
    const survey = await surveys.getSurvey(surveyId(req));
    const index = survey.definition.sections.findIndex((s) => s.id === part(req, 'sectionId'));
    const section = survey.definition.sections[index];
    if (!section) throw new NotFoundError();
    const page = req.t('surveys:builder.confirm.pageName', {
      n: index + 1,
      title: localize(section.title, req.locale) || req.t('surveys:builder.untitled'),
    });
    res.render('common/confirm', {
      title: req.t('surveys:builder.confirm.deletePageTitle', { page }),
      details: [
        req.t('surveys:builder.confirm.deletePageQuestions', { count: section.questions.length }),
        ...answersNote(req, survey, await submittedCount(survey), 'page'),
      ],
      action: `/manage/surveys/${survey.id}/sections/${section.id}/delete`,
      confirmLabel: req.t('surveys:builder.confirm.deletePage'),
      cancelHref: `/manage/surveys/${survey.id}#section-${section.id}`,
    });
  });
  /** POST /manage/surveys/:surveyId/sections/:sectionId/delete (confirm=yes) */
  router.post('/manage/surveys/:surveyId/sections/:sectionId/delete', async (req, res) => {
    const sectionId = part(req, 'sectionId');
    if (!confirmed(req))
      return res.redirect(303, `/manage/surveys/${surveyId(req)}/sections/${sectionId}/delete`);
    await structuralEdit(req, res, (d) => deleteSection(d, sectionId), 'sections', 'pageDeleted', {
      action: 'survey.page_deleted',
      details: { page: sectionId },
      key: sectionId, // element ids are never reused: a retried delete is the same event
    });
  });

  // ------------------------------------------------------------ questions

  /** The questions a question's condition may use: those before it (a new one goes at the end of its page). */
  function questionsBeforeForm(
    survey: Survey,
    opts: { isNew: boolean; sectionId: string; questionId: string },
  ) {
    if (!opts.isNew) return questionsBefore(survey.definition, { questionId: opts.questionId });
    const list = [];
    for (const section of survey.definition.sections) {
      list.push(...section.questions);
      if (section.id === opts.sectionId) break;
    }
    return list;
  }

  function questionForm(
    req: Request,
    res: Response,
    survey: Survey,
    opts: {
      type: QuestionType;
      questionId: string;
      sectionId: string;
      isNew: boolean;
      values: FormFields;
      errors: { field: string; message: string }[];
      status?: number;
    },
  ) {
    const before = questionsBeforeForm(survey, opts);
    res.status(opts.status ?? 200).render('surveys/manage/question', {
      title: req.t(opts.isNew ? 'surveys:builder.question.newTitle' : 'surveys:builder.question.editTitle', {
        type: req.t(`surveys:types.${opts.type}`),
      }),
      survey,
      surveyTitle: localize(survey.definition.title, req.locale),
      type: opts.type,
      typeLabel: req.t(`surveys:types.${opts.type}`),
      isNew: opts.isNew,
      values: opts.values,
      errors: opts.errors,
      targets: conditionTargets(before, req.locale, req.t),
      optionRows: hasOptions(opts.type) ? rowCount(opts.values, 'option') : 0,
      matrixRows: opts.type === 'matrix' ? rowCount(opts.values, 'row') : 0,
      scaleRows: opts.type === 'matrix' ? rowCount(opts.values, 'scale') : 0,
      blankRows: BLANK_ROWS,
      action: opts.isNew
        ? `/manage/surveys/${survey.id}/sections/${opts.sectionId}/questions?type=${opts.type}`
        : `/manage/surveys/${survey.id}/questions/${opts.questionId}`,
    });
  }

  async function saveQuestion(
    req: Request,
    res: Response,
    mode: { sectionId: string; type: QuestionType; isNew: true } | { questionId: string; isNew: false },
  ) {
    const id = surveyId(req);
    const survey = await surveys.getSurvey(id);
    const fields = fieldsOf(req.body);
    let sectionId: string;
    let questionId: string;
    let type: QuestionType;
    if (mode.isNew) {
      if (!survey.definition.sections.some((s) => s.id === mode.sectionId)) throw new NotFoundError();
      ({ sectionId, type } = mode);
      questionId = text(fields, 'questionId') || newId();
    } else {
      const located = locateQuestion(survey.definition, mode.questionId);
      if (!located) throw new NotFoundError();
      sectionId = located.section.id;
      questionId = mode.questionId;
      type = located.question.type;
    }
    if (fields.conditionRefresh) {
      return questionForm(req, res, survey, {
        type,
        questionId,
        sectionId,
        isNew: mode.isNew,
        values: { ...fields, questionId },
        errors: [],
      });
    }
    const targets = conditionTargets(
      questionsBeforeForm(survey, { isNew: mode.isNew, sectionId, questionId }),
      req.locale,
      req.t,
    );
    const question = questionFromForm(type, questionId, fields, targets);
    await rerenderOnValidationError(
      async () => {
        await surveys.editDefinition(id, actorOf(req), (definition) =>
          mode.isNew ? addQuestion(definition, sectionId, question) : replaceQuestion(definition, question),
        );
        await req.audit.record({
          action: mode.isNew ? 'survey.question_added' : 'survey.question_updated',
          target: { type: 'survey', id },
          details: { question: questionId },
          ...(mode.isNew ? { key: questionId } : {}),
        });
        res.redirect(303, `/manage/surveys/${id}#question-${questionId}`);
      },
      (error) => {
        // Paths of this question become the form's field ids; anything else is described by where it is.
        const attempted = mode.isNew
          ? addQuestion(survey.definition, sectionId, question)
          : replaceQuestion(survey.definition, question);
        const location = locateQuestion(attempted, questionId);
        const own = location
          ? `sections[${location.sectionIndex}].questions[${location.section.questions.findIndex((q) => q.id === questionId)}]`
          : '';
        const errors = error.fieldErrors.map((e) => {
          const message = req.t(e.message.key, e.message.values ?? {});
          if (own && e.field.startsWith(`${own}.`))
            return { field: questionFieldFor(e.field.slice(own.length + 1)), message };
          const where = describePath(attempted, e.field, req.t, req.locale);
          return { field: 'labelEn', message: `${where.where}: ${message}` };
        });
        questionForm(req, res, survey, {
          type,
          questionId,
          sectionId,
          isNew: mode.isNew,
          values: { ...fields, questionId },
          errors,
          status: 422,
        });
      },
    );
  }

  /** GET /manage/surveys/:surveyId/sections/:sectionId/questions/new?type=... */
  router.get('/manage/surveys/:surveyId/sections/:sectionId/questions/new', async (req, res) => {
    const survey = await surveys.getSurvey(surveyId(req));
    const sectionId = part(req, 'sectionId');
    if (!survey.definition.sections.some((s) => s.id === sectionId)) throw new NotFoundError();
    const type = questionType.safeParse(req.query.type);
    if (!type.success) throw new BadRequestError({ key: 'surveys:builder.errors.type' });
    const question = newQuestion(type.data);
    questionForm(req, res, survey, {
      type: type.data,
      questionId: question.id,
      sectionId,
      isNew: true,
      values: { ...questionToForm(question), questionId: question.id },
      errors: [],
    });
  });

  /** POST /manage/surveys/:surveyId/sections/:sectionId/questions?type=... */
  router.post('/manage/surveys/:surveyId/sections/:sectionId/questions', async (req, res) => {
    const type = questionType.safeParse(req.query.type ?? (req.body as Record<string, unknown>)?.type);
    if (!type.success) throw new BadRequestError({ key: 'surveys:builder.errors.type' });
    await saveQuestion(req, res, { sectionId: part(req, 'sectionId'), type: type.data, isNew: true });
  });

  /** GET /manage/surveys/:surveyId/questions/:questionId */
  router.get('/manage/surveys/:surveyId/questions/:questionId', async (req, res) => {
    const survey = await surveys.getSurvey(surveyId(req));
    const located = locateQuestion(survey.definition, part(req, 'questionId'));
    if (!located) throw new NotFoundError();
    questionForm(req, res, survey, {
      type: located.question.type,
      questionId: located.question.id,
      sectionId: located.section.id,
      isNew: false,
      values: questionToForm(located.question),
      errors: [],
    });
  });
  /** POST /manage/surveys/:surveyId/questions/:questionId */
  router.post('/manage/surveys/:surveyId/questions/:questionId', (req, res) =>
    saveQuestion(req, res, { questionId: part(req, 'questionId'), isNew: false }),
  );
  /** POST /manage/surveys/:surveyId/questions/:questionId/move */
  router.post('/manage/surveys/:surveyId/questions/:questionId/move', async (req, res) => {
    const questionId = part(req, 'questionId');
    const dir = direction.catch('up').parse((req.body as Record<string, unknown>)?.direction);
    await structuralEdit(
      req,
      res,
      (d) => moveQuestion(d, questionId, dir),
      `question-${questionId}`,
      undefined,
      {
        action: 'survey.question_moved',
        details: { question: questionId },
      },
    );
  });
  /** GET /manage/surveys/:surveyId/questions/:questionId/delete: "Delete the question …?" */
  router.get('/manage/surveys/:surveyId/questions/:questionId/delete', async (req, res) => {
    const survey = await surveys.getSurvey(surveyId(req));
    const located = locateQuestion(survey.definition, part(req, 'questionId'));
    if (!located) throw new NotFoundError();
    const label = localize(located.question.label, req.locale) || req.t('surveys:builder.untitled');
    res.render('common/confirm', {
      title: req.t('surveys:builder.confirm.deleteQuestionTitle', { label }),
      details: answersNote(req, survey, await submittedCount(survey), 'question'),
      action: `/manage/surveys/${survey.id}/questions/${located.question.id}/delete`,
      confirmLabel: req.t('surveys:builder.confirm.deleteQuestion'),
      cancelHref: `/manage/surveys/${survey.id}#question-${located.question.id}`,
    });
  });
  /** POST /manage/surveys/:surveyId/questions/:questionId/delete (confirm=yes) */
  router.post('/manage/surveys/:surveyId/questions/:questionId/delete', async (req, res) => {
    const questionId = part(req, 'questionId');
    if (!confirmed(req))
      return res.redirect(303, `/manage/surveys/${surveyId(req)}/questions/${questionId}/delete`);
    await structuralEdit(req, res, (d) => deleteQuestion(d, questionId), 'sections', 'questionDeleted', {
      action: 'survey.question_deleted',
      details: { question: questionId },
      key: questionId,
    });
  });

  // ------------------------------------------------------------ settings, publishing, copies

  function settingsValues(survey: Survey): FormFields {
    const s = survey.settings;
    return {
      audience: s.audience,
      onePerRespondent: s.onePerRespondent ? 'yes' : '',
      opensAt: formatLocalDateTime(s.opensAt),
      closesAt: formatLocalDateTime(s.closesAt),
      editableUntilClose: s.editableUntilClose ? 'yes' : '',
      thankYouEn: s.thankYou.en,
      thankYouFr: s.thankYou.fr,
      confirmationEmail: s.confirmationEmail ? 'yes' : '',
      selfIdentification: s.selfIdentification ? 'yes' : '',
      askOrganisation: s.askOrganisation ? 'yes' : '',
      anonymous: s.anonymous ? 'yes' : '',
    };
  }

  /** GET /manage/surveys/:surveyId/settings */
  router.get('/manage/surveys/:surveyId/settings', async (req, res) => {
    const survey = await surveys.getSurvey(surveyId(req));
    res.render('surveys/manage/settings', {
      title: req.t('surveys:builder.settings.title'),
      survey,
      surveyTitle: localize(survey.definition.title, req.locale),
      audiences: AUDIENCES,
      values: settingsValues(survey),
      errors: [],
    });
  });

  /** POST /manage/surveys/:surveyId/settings */
  router.post('/manage/surveys/:surveyId/settings', async (req, res) => {
    const id = surveyId(req);
    const survey = await surveys.getSurvey(id);
    const form = parseBuilderForm(settingsFormSchema, req.body);
    await rerenderOnValidationError(
      async () => {
        await surveys.updateSettings(id, settingsFromForm(form, survey.settings), actorOf(req));
        await req.audit.record({ action: 'survey.settings_changed', target: { type: 'survey', id } });
        res.redirect(303, `/manage/surveys/${id}?done=settings`);
      },
      (error) =>
        res.status(422).render('surveys/manage/settings', {
          title: `${req.t('surveys:answer.errorPrefix')} ${req.t('surveys:builder.settings.title')}`,
          survey,
          surveyTitle: localize(survey.definition.title, req.locale),
          audiences: AUDIENCES,
          values: form,
          errors: fieldMessages(req, error),
        }),
    );
  });

  /** POST /manage/surveys/:surveyId/publish: refused, with every missing translation listed, until complete. */
  router.post('/manage/surveys/:surveyId/publish', async (req, res) => {
    const id = surveyId(req);
    await rerenderOnValidationError(
      async () => {
        const published = await surveys.publish(id, actorOf(req));
        // Keyed by the version: publishing again without changes is not a second event.
        await req.audit.record({
          action: 'survey.published',
          target: { type: 'survey', id },
          details: { version: published.version },
          key: `v${published.version}`,
        });
        res.redirect(303, `/manage/surveys/${id}?done=published`);
      },
      (error) => overviewWithErrors(req, res, id, error),
    );
  });

  /** GET /manage/surveys/:surveyId/close: "Close the survey?" (no more answers; it cannot be reopened here). */
  router.get('/manage/surveys/:surveyId/close', async (req, res) => {
    const survey = await surveys.getSurvey(surveyId(req));
    if (survey.status !== 'published') return res.redirect(303, `/manage/surveys/${survey.id}`);
    const counts = await surveys.responseStatusCounts({ surveyId: survey.id });
    res.render('common/confirm', {
      title: req.t('surveys:builder.confirm.closeTitle', {
        survey: localize(survey.definition.title, req.locale) || req.t('surveys:builder.untitled'),
      }),
      details: [
        req.t('surveys:builder.confirm.closeDetails', { count: counts.submitted }),
        req.t('surveys:builder.confirm.closeDrafts', { count: counts.draft }),
      ],
      irreversible: req.t('surveys:builder.confirm.closeIrreversible'),
      action: `/manage/surveys/${survey.id}/close`,
      confirmLabel: req.t('surveys:builder.close'),
      cancelHref: `/manage/surveys/${survey.id}`,
    });
  });

  /** POST /manage/surveys/:surveyId/close (confirm=yes) */
  router.post('/manage/surveys/:surveyId/close', async (req, res) => {
    const id = surveyId(req);
    if (!confirmed(req)) return res.redirect(303, `/manage/surveys/${id}/close`);
    await surveys.close(id, actorOf(req));
    await req.audit.record({ action: 'survey.closed', target: { type: 'survey', id } });
    res.redirect(303, `/manage/surveys/${id}?done=closed`);
  });

  /** POST /manage/surveys/:surveyId/duplicate */
  router.post('/manage/surveys/:surveyId/duplicate', async (req, res) => {
    const copy = await surveys.duplicate(surveyId(req), actorOf(req));
    await req.audit.record({
      action: 'survey.duplicated',
      target: { type: 'survey', id: surveyId(req) },
      details: { copy: copy.id },
      key: copy.id,
    });
    res.redirect(303, `/manage/surveys/${copy.id}?done=duplicated`);
  });

  /** GET /manage/surveys/:surveyId/export: the definition and settings as a JSON file. */
  router.get('/manage/surveys/:surveyId/export', async (req, res) => {
    const id = surveyId(req);
    const exported = await surveys.exportSurvey(id);
    await req.audit.record({ action: 'download.survey_definition', target: { type: 'survey', id } });
    res
      .attachment(`survey-${id}.json`)
      .type('application/json')
      .send(JSON.stringify(exported, null, 2));
  });

  function renderImport(
    req: Request,
    res: Response,
    survey: Survey,
    values: FormFields,
    errors: { field: string; message: string }[],
    status = 200,
  ) {
    res.status(status).render('surveys/manage/import', {
      title: `${errors.length ? `${req.t('surveys:answer.errorPrefix')} ` : ''}${req.t('surveys:builder.import.title')}`,
      survey,
      surveyTitle: localize(survey.definition.title, req.locale),
      values,
      errors,
      problems: errors.filter((e) => e.field === 'json'),
    });
  }

  /** GET /manage/surveys/:surveyId/import */
  router.get('/manage/surveys/:surveyId/import', async (req, res) => {
    renderImport(req, res, await surveys.getSurvey(surveyId(req)), {}, []);
  });

  /** POST /manage/surveys/:surveyId/import (pasted JSON, or a .json file; multipart sends the token in the URL) */
  router.post('/manage/surveys/:surveyId/import', upload.single('file'), async (req, res) => {
    const id = surveyId(req);
    const survey = await surveys.getSurvey(id);
    const fields = fieldsOf(req.body);
    const source = req.file ? req.file.buffer.toString('utf8') : text(fields, 'json');
    let parsed: unknown;
    try {
      parsed = JSON.parse(source);
    } catch {
      return renderImport(
        req,
        res,
        survey,
        { json: source },
        [{ field: 'json', message: req.t('surveys:builder.import.notJson') }],
        422,
      );
    }
    await rerenderOnValidationError(
      async () => {
        await surveys.importSurvey(id, parsed, actorOf(req));
        await req.audit.record({ action: 'survey.imported', target: { type: 'survey', id } });
        res.redirect(303, `/manage/surveys/${id}?done=imported`);
      },
      (error) => {
        const errors = error.fieldErrors.map((e) => ({
          field: 'json',
          message: `${e.field || '(root)'}: ${req.t(e.message.key, e.message.values ?? {})}`,
        }));
        renderImport(req, res, survey, { json: source }, errors, 422);
      },
    );
  });

  /** GET /manage/surveys/:surveyId/preview/:pageId: the participant's page, answers not saved. */
  router.get('/manage/surveys/:surveyId/preview/:pageId', async (req, res) => {
    const survey = await surveys.getSurvey(surveyId(req));
    const pageId = part(req, 'pageId');
    const flow = [
      ...survey.definition.sections.map((s) => s.id),
      ...(survey.settings.selfIdentification ? ['about-you'] : []),
    ];
    if (!flow.includes(pageId)) throw new NotFoundError();
    const page = pageView({
      survey,
      pageId,
      flow,
      answers: {},
      values: {},
      errors: [],
      locale: req.locale,
      t: req.t,
      seed: 'preview',
    });
    res.render('surveys/page', {
      title: `${req.t('surveys:preview.title')}: ${page.heading}`,
      page,
      errors: [],
      editing: false,
      preview: true,
      canSaveByEmail: false,
      action: '#',
      previewPages: flow.map((p, i) => ({
        href: `/manage/surveys/${survey.id}/preview/${p}`,
        label: req.t('surveys:answer.progress', { page: i + 1, count: flow.length }),
        current: p === pageId,
      })),
    });
  });

  return router;
}
