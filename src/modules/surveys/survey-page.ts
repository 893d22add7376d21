import crypto from 'node:crypto';
import { REGIONS, SECTORS } from '../../platform/classifications';
import type { Locale, TFunction } from '../../platform/i18n';
import {
  fieldName,
  isQuestionShown,
  visibleAnswers,
  type AnswerError,
  type Answers,
  type FormFields,
} from './survey-answers';
import { localize, OTHER_OPTION, type Option, type Question } from './survey-definition';
import { ABOUT_YOU, SELF_ID_FIELDS, type Survey } from './surveys.service';

/** What a question looks like on the page: labels in the page's language, options in display order, errors. */
export interface QuestionView {
  id: string;
  type: Question['type'];
  name: string;
  label: string;
  help: string;
  required: boolean;
  options: { id: string; label: string; inputId: string }[];
  allowOther: boolean;
  rows: { id: string; label: string; name: string }[];
  points: number[];
  lowLabel: string;
  highLabel: string;
  maxLength?: number;
  min?: number | string;
  max?: number | string;
  integer: boolean;
  /** Shown only for an answer on this same page: the hint says which; JavaScript hides it until then. */
  condition?: { text: string; questionId: string; operator: string; values: string[] };
  error?: string;
  /** Errors of sub-fields: "other" text, matrix rows. */
  fieldErrors: Record<string, string>;
}

export interface PageView {
  surveyId: string;
  surveyTitle: string;
  pageId: string;
  pageNumber: number;
  pageCount: number;
  heading: string;
  description: string;
  isAboutYou: boolean;
  isFirst: boolean;
  isLast: boolean;
  questions: QuestionView[];
  aboutYou?: {
    sectors: { value: string; label: string; inputId: string }[];
    regions: { value: string; label: string }[];
    askOrganisation: boolean;
    fields: typeof SELF_ID_FIELDS;
    errors: Record<string, string>;
  };
  values: FormFields;
  errors: { field: string; message: string }[];
}

/** A stable shuffle: the same respondent always sees the same order (so a page reload does not reshuffle). */
function seededOrder<T extends { id: string }>(items: T[], seed: string): T[] {
  const rank = (id: string) => crypto.createHash('sha256').update(`${seed}:${id}`).digest('hex');
  return [...items].sort((a, b) => rank(a.id).localeCompare(rank(b.id)));
}

function optionViews(options: Option[], name: string, locale: Locale) {
  return options.map((o) => ({ id: o.id, label: localize(o.label, locale), inputId: `${name}-${o.id}` }));
}

function conditionText(question: Question, questions: Question[], locale: Locale, t: TFunction): string {
  const cond = question.showIf;
  if (!cond) return '';
  const target = questions.find((q) => q.id === cond.questionId);
  if (!target) return '';
  const valueLabel = (value: string) => {
    if ('options' in target) {
      const option = target.options.find((o) => o.id === value);
      if (option) return localize(option.label, locale);
      if (value === OTHER_OPTION) return t('surveys:answer.other');
    }
    return value;
  };
  return t(`surveys:answer.conditionHint.${cond.operator}`, {
    question: localize(target.label, locale),
    values: cond.values.map(valueLabel).join(t('surveys:answer.or')),
  });
}

export function questionView(
  question: Question,
  opts: { locale: Locale; t: TFunction; seed: string; pageQuestions: Question[]; errors: AnswerError[] },
): QuestionView {
  const { locale, t } = opts;
  const name = fieldName(question.id);
  const own = opts.errors.filter((e) => e.questionId === question.id);
  const fieldErrors: Record<string, string> = {};
  for (const e of own) fieldErrors[e.field] = t(e.message.key, e.message.values ?? {});
  const view: QuestionView = {
    id: question.id,
    type: question.type,
    name,
    label: localize(question.label, locale),
    help: localize(question.help, locale),
    required: question.required,
    options: [],
    allowOther: false,
    rows: [],
    points: [],
    lowLabel: '',
    highLabel: '',
    integer: false,
    fieldErrors,
    ...(own[0] ? { error: t(own[0].message.key, own[0].message.values ?? {}) } : {}),
  };
  if (question.showIf && opts.pageQuestions.some((q) => q.id === question.showIf?.questionId)) {
    view.condition = {
      text: conditionText(question, opts.pageQuestions, locale, t),
      questionId: question.showIf.questionId,
      operator: question.showIf.operator,
      values: question.showIf.values,
    };
  }
  switch (question.type) {
    case 'single_choice':
    case 'multiple_choice':
    case 'dropdown': {
      const ordered = question.randomize
        ? seededOrder(question.options, `${opts.seed}:${question.id}`)
        : question.options;
      view.options = optionViews(ordered, name, locale);
      view.allowOther = question.allowOther;
      break;
    }
    case 'ranking': {
      const ordered = question.randomize
        ? seededOrder(question.options, `${opts.seed}:${question.id}`)
        : question.options;
      view.options = optionViews(ordered, name, locale).map((o) => ({
        ...o,
        inputId: fieldName(question.id, o.id),
      }));
      view.points = ordered.map((_, i) => i + 1);
      break;
    }
    case 'matrix':
      view.rows = question.rows.map((r) => ({
        id: r.id,
        label: localize(r.label, locale),
        name: fieldName(question.id, r.id),
      }));
      view.options = optionViews(question.scale, name, locale);
      break;
    case 'rating':
      view.points = Array.from({ length: question.points }, (_, i) => i + 1);
      view.lowLabel = localize(question.lowLabel, locale);
      view.highLabel = localize(question.highLabel, locale);
      break;
    case 'short_text':
    case 'long_text':
      view.maxLength = question.maxLength;
      break;
    case 'number':
      view.min = question.min;
      view.max = question.max;
      view.integer = question.integer;
      break;
    case 'date':
      view.min = question.min;
      view.max = question.max;
      break;
    default:
      break;
  }
  return view;
}

/**
 * The view of one page. Questions whose condition depends on an earlier page are shown or left out here, on the
 * server; those depending on a question of the same page are shown with a hint (and hidden by JavaScript).
 */
export function pageView(input: {
  survey: Survey;
  pageId: string;
  flow: string[];
  answers: Answers;
  values: FormFields;
  errors: AnswerError[];
  locale: Locale;
  t: TFunction;
  seed: string;
}): PageView {
  const { survey, pageId, flow, locale, t } = input;
  const position = flow.indexOf(pageId);
  // The summary names the question, so each link makes sense on its own ("Do you like the plan?: Answer this...").
  const selfIdLabels: Record<string, string> = {
    sector: 'surveys:aboutYou.sector',
    region: 'surveys:aboutYou.region',
    organisation: 'surveys:aboutYou.organisation',
  };
  const labelOf = (questionId: string): string => {
    const question = survey.definition.sections.flatMap((s) => s.questions).find((q) => q.id === questionId);
    if (question) return localize(question.label, locale);
    const key = selfIdLabels[questionId];
    return key ? t(key) : '';
  };
  const errors = input.errors.map((e) => {
    const message = t(e.message.key, e.message.values ?? {});
    const label = labelOf(e.questionId);
    return {
      field: e.field,
      message: label ? t('surveys:answer.summaryItem', { question: label, message }) : message,
    };
  });
  const common = {
    surveyId: survey.id,
    surveyTitle: localize(survey.definition.title, locale),
    pageId,
    pageNumber: position + 1,
    pageCount: flow.length,
    isFirst: position === 0,
    isLast: position === flow.length - 1,
    values: input.values,
    errors,
  };
  if (pageId === ABOUT_YOU) {
    const byField = Object.fromEntries(
      input.errors.map((e) => [e.field, t(e.message.key, e.message.values ?? {})]),
    );
    return {
      ...common,
      heading: t('surveys:aboutYou.heading'),
      description: t('surveys:aboutYou.intro'),
      isAboutYou: true,
      questions: [],
      aboutYou: {
        sectors: SECTORS.map((s) => ({
          value: s,
          label: t(`classifications:sector.${s}`),
          inputId: `${SELF_ID_FIELDS.sector}-${s}`,
        })),
        regions: REGIONS.map((r) => ({ value: r, label: t(`classifications:region.${r}`) })),
        askOrganisation: survey.settings.askOrganisation && !survey.settings.anonymous,
        fields: SELF_ID_FIELDS,
        errors: byField,
      },
    };
  }
  const section = survey.definition.sections.find((s) => s.id === pageId);
  if (!section) throw new Error(`no section ${pageId}`);
  // Questions of this page are judged against earlier pages' answers only; same-page conditions are left to the
  // respondent (with a hint) and to the server when the page is sent.
  const earlier = { ...visibleAnswers(survey.definition, input.answers).answers };
  for (const q of section.questions) delete earlier[q.id];
  const onPage = new Set(section.questions.map((q) => q.id));
  const questions = section.questions
    .filter((q) => !q.showIf || onPage.has(q.showIf.questionId) || isQuestionShown(q, earlier))
    .map((q) =>
      questionView(q, {
        locale,
        t,
        seed: input.seed,
        pageQuestions: section.questions,
        errors: input.errors,
      }),
    );
  return {
    ...common,
    heading: localize(section.title, locale) || t('surveys:answer.untitledSection'),
    description: localize(section.description, locale),
    isAboutYou: false,
    questions,
  };
}
