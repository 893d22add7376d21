import { colon } from '../../platform/i18n';
import { parseWallClock, toWallClock } from '../../platform/zoned-time';
import type { TFunction } from '../../platform/i18n';
import type { FormFields } from './survey-answers';
import {
  CONDITION_OPERATORS,
  findQuestion,
  localize,
  OPTION_TYPES,
  OTHER_OPTION,
  type Condition,
  type Localized,
  type Option,
  type Question,
  type QuestionType,
  type SurveyDefinition,
} from './survey-definition';
import { newId } from './survey-definition';
import { AUDIENCES, type SurveySettings } from './survey-settings';
import type { SettingsForm } from './builder.schemas';

/**
 * The builder's plain forms (no JavaScript) read into definition pieces, and definition error paths mapped back to
 * the form's field ids. Lists of options are rows of inputs (`option_<n>_id`, `option_<n>_en`, `option_<n>_fr`)
 * with a few blank rows for new options; a row left blank in both languages is removed.
 */

export const BLANK_ROWS = 3;

function one(fields: FormFields, name: string): string {
  const value = fields[name];
  return (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();
}

function checked(fields: FormFields, name: string): boolean {
  return one(fields, name) === 'yes';
}

function localized(fields: FormFields, prefix: string): Localized {
  return { en: one(fields, `${prefix}En`), fr: one(fields, `${prefix}Fr`) };
}

function optionalLocalized(fields: FormFields, prefix: string): Localized | undefined {
  const text = localized(fields, prefix);
  return text.en || text.fr ? text : undefined;
}

/** A number field: blank is "not set"; anything that is not a number stays text so validation names it. */
function numberField(fields: FormFields, name: string): number | string | undefined {
  const text = one(fields, name).replace(',', '.');
  if (text === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : text;
}

function optionRows(fields: FormFields, prefix: string): Option[] {
  const rows: Option[] = [];
  for (let i = 0; i < 200; i += 1) {
    if (!(`${prefix}_${i}_en` in fields) && !(`${prefix}_${i}_id` in fields)) break;
    const label = { en: one(fields, `${prefix}_${i}_en`), fr: one(fields, `${prefix}_${i}_fr`) };
    if (!label.en && !label.fr) continue;
    rows.push({ id: one(fields, `${prefix}_${i}_id`) || newId(), label });
  }
  return rows;
}

/**
 * The "show only if" fields. For a question with options the values are ticked boxes whose values are option ids
 * (the officer never types an id); for a text, number, date or email question they are typed, separated by commas.
 * With `targets`, ticked ids that the chosen question does not have (left over from a previously chosen question)
 * are dropped, so the officer is asked to choose again instead of being shown an id.
 */
export function conditionFromForm(fields: FormFields, targets?: ConditionTarget[]): Condition | undefined {
  const questionId = one(fields, 'showIfQuestion');
  if (!questionId) return undefined;
  const operator = one(fields, 'showIfOperator');
  const raw = fields.showIfValues;
  let values = (Array.isArray(raw) ? raw : (raw ?? '').split(',')).map((v) => v.trim()).filter(Boolean);
  const target = targets?.find((t) => t.id === questionId);
  if (target && target.kind !== 'text') {
    const allowed = new Set(target.values.map((v) => v.id));
    values = values.filter((v) => allowed.has(v));
  }
  const known = (CONDITION_OPERATORS as readonly string[]).includes(operator);
  return {
    questionId,
    operator: known ? (operator as Condition['operator']) : target?.kind === 'single' ? 'one_of' : 'equals',
    values,
  };
}

/** Reads the question form. The result is checked as part of the whole definition when it is saved. */
export function questionFromForm(
  type: QuestionType,
  id: string,
  fields: FormFields,
  targets?: ConditionTarget[],
): Question {
  const base = {
    id,
    label: localized(fields, 'label'),
    help: optionalLocalized(fields, 'help'),
    required: checked(fields, 'required'),
    showIf: conditionFromForm(fields, targets),
  };
  const candidate: Record<string, unknown> = { ...base, type };
  switch (type) {
    case 'single_choice':
    case 'dropdown':
    case 'multiple_choice':
      Object.assign(candidate, {
        options: optionRows(fields, 'option'),
        allowOther: checked(fields, 'allowOther'),
        randomize: checked(fields, 'randomize'),
      });
      if (type === 'multiple_choice') {
        Object.assign(candidate, {
          minSelections: numberField(fields, 'minSelections'),
          maxSelections: numberField(fields, 'maxSelections'),
        });
      }
      break;
    case 'ranking':
      Object.assign(candidate, {
        options: optionRows(fields, 'option'),
        randomize: checked(fields, 'randomize'),
      });
      break;
    case 'short_text':
    case 'long_text':
      candidate.maxLength = numberField(fields, 'maxLength') ?? (type === 'short_text' ? 200 : 5000);
      break;
    case 'number':
      Object.assign(candidate, {
        min: numberField(fields, 'min'),
        max: numberField(fields, 'max'),
        integer: checked(fields, 'integer'),
      });
      break;
    case 'date':
      Object.assign(candidate, {
        min: one(fields, 'min') || undefined,
        max: one(fields, 'max') || undefined,
      });
      break;
    case 'rating':
      Object.assign(candidate, {
        points: numberField(fields, 'points') ?? 5,
        lowLabel: optionalLocalized(fields, 'low'),
        highLabel: optionalLocalized(fields, 'high'),
      });
      break;
    case 'matrix':
      Object.assign(candidate, { rows: optionRows(fields, 'row'), scale: optionRows(fields, 'scale') });
      break;
    default:
      break;
  }
  for (const key of Object.keys(candidate)) if (candidate[key] === undefined) delete candidate[key];
  // Checked (zod and structure) by the service with the whole definition; until then it is only a candidate.
  return candidate as unknown as Question;
}

/** The form fields of an existing question (to edit it), plus blank rows for new options. */
export function questionToForm(question: Question): FormFields {
  const fields: FormFields = {
    labelEn: question.label.en,
    labelFr: question.label.fr,
    helpEn: question.help?.en ?? '',
    helpFr: question.help?.fr ?? '',
    required: question.required ? 'yes' : '',
    showIfQuestion: question.showIf?.questionId ?? '',
    showIfOperator: question.showIf?.operator ?? '',
    showIfValues: question.showIf?.values ?? [],
  };
  const rows = (prefix: string, items: Option[]) =>
    items.forEach((item, i) => {
      fields[`${prefix}_${i}_id`] = item.id;
      fields[`${prefix}_${i}_en`] = item.label.en;
      fields[`${prefix}_${i}_fr`] = item.label.fr;
    });
  switch (question.type) {
    case 'single_choice':
    case 'dropdown':
    case 'multiple_choice':
      rows('option', question.options);
      fields.allowOther = question.allowOther ? 'yes' : '';
      fields.randomize = question.randomize ? 'yes' : '';
      if (question.type === 'multiple_choice') {
        fields.minSelections = question.minSelections?.toString() ?? '';
        fields.maxSelections = question.maxSelections?.toString() ?? '';
      }
      break;
    case 'ranking':
      rows('option', question.options);
      fields.randomize = question.randomize ? 'yes' : '';
      break;
    case 'short_text':
    case 'long_text':
      fields.maxLength = String(question.maxLength);
      break;
    case 'number':
      fields.min = question.min?.toString() ?? '';
      fields.max = question.max?.toString() ?? '';
      fields.integer = question.integer ? 'yes' : '';
      break;
    case 'date':
      fields.min = question.min ?? '';
      fields.max = question.max ?? '';
      break;
    case 'rating':
      fields.points = String(question.points);
      fields.lowEn = question.lowLabel?.en ?? '';
      fields.lowFr = question.lowLabel?.fr ?? '';
      fields.highEn = question.highLabel?.en ?? '';
      fields.highFr = question.highLabel?.fr ?? '';
      break;
    case 'matrix':
      rows('row', question.rows);
      rows('scale', question.scale);
      break;
    default:
      break;
  }
  return fields;
}

/** How many option rows a form shows for a list: the filled ones plus blank rows. */
export function rowCount(fields: FormFields, prefix: string): number {
  let filled = 0;
  while (`${prefix}_${filled}_en` in fields || `${prefix}_${filled}_id` in fields) filled += 1;
  return filled + BLANK_ROWS;
}

export function hasOptions(type: QuestionType): boolean {
  return OPTION_TYPES.includes(type);
}

/**
 * A definition error path inside one question, as the id of the form field to link to:
 * `label.fr` -> `labelFr`, `options[2].label.en` -> `option_2_en`, `showIf.values[0]` -> `showIfValues`.
 */
export function questionFieldFor(suffix: string): string {
  const rowMatch = /^(options|rows|scale)\[(\d+)\](?:\.label\.(en|fr)|\.id)?/.exec(suffix);
  if (rowMatch) {
    const prefix = rowMatch[1] === 'options' ? 'option' : rowMatch[1] === 'rows' ? 'row' : 'scale';
    return `${prefix}_${rowMatch[2]}_${rowMatch[3] ?? 'en'}`;
  }
  if (/^(options|rows|scale)$/.test(suffix)) {
    return `${suffix === 'options' ? 'option' : suffix === 'rows' ? 'row' : 'scale'}_0_en`;
  }
  const textMatch = /^(label|help|lowLabel|highLabel|title|description)\.(en|fr)$/.exec(suffix);
  if (textMatch) {
    const base = textMatch[1]?.replace('Label', '') ?? 'label';
    return `${base}${textMatch[2] === 'en' ? 'En' : 'Fr'}`;
  }
  if (suffix.startsWith('showIf.questionId')) return 'showIfQuestion';
  if (suffix.startsWith('showIf')) return 'showIfValues';
  const plain = /^(\w+)/.exec(suffix)?.[1];
  return plain === 'title' ? 'titleEn' : plain === 'label' ? 'labelEn' : (plain ?? 'labelEn');
}

/** A human description of where a definition error is ("Page 2, question 3"), for error lists. */
export function describePath(
  definition: SurveyDefinition,
  path: string,
  t: TFunction,
  locale: 'en' | 'fr',
): { anchor: string; where: string } {
  const match = /^sections\[(\d+)\](?:\.questions\[(\d+)\])?/.exec(path);
  if (!match) return { anchor: 'survey-title', where: t('surveys:builder.where.survey') };
  const s = Number(match[1]);
  const section = definition.sections[s];
  if (match[2] === undefined) {
    return {
      anchor: `section-${section?.id ?? s}`,
      where: t('surveys:builder.where.section', { page: s + 1 }),
    };
  }
  const q = Number(match[2]);
  const question = section?.questions[q];
  return {
    anchor: `question-${question?.id ?? `${s}-${q}`}`,
    where: t('surveys:builder.where.question', {
      page: s + 1,
      number: q + 1,
      label: question ? localize(question.label, locale) : '',
    }),
  };
}

/**
 * A publishing check's "the text is missing" said precisely: which text, in which language
 * (`sections[0].questions[1].options[2].label.fr` -> "The French text of option 3 is missing."). Undefined when the
 * path is not a missing text.
 */
export function missingTextMessage(path: string, key: string, t: T): string | undefined {
  const lang = /^surveys:definition\.errors\.missing_(en|fr)$/.exec(key)?.[1];
  if (!lang) return undefined;
  const language = t(`surveys:builder.missing.language_${lang}`);
  const rest = path.replace(/^sections\[\d+\](?:\.questions\[\d+\])?\.?/, '');
  const inQuestion = /^sections\[\d+\]\.questions\[\d+\]/.test(path);
  const inSection = !inQuestion && /^sections\[\d+\]/.test(path);
  const row = /^(options|rows|scale)\[(\d+)\]\.label\./.exec(rest);
  if (row) return t(`surveys:builder.missing.${row[1]}`, { language, n: Number(row[2]) + 1 });
  const field = /^(\w+)\./.exec(rest)?.[1] ?? '';
  const what = inQuestion
    ? (
        { label: 'question', help: 'help', lowLabel: 'lowLabel', highLabel: 'highLabel' } as Record<
          string,
          string
        >
      )[field]
    : inSection
      ? ({ title: 'pageTitle', description: 'pageDescription' } as Record<string, string>)[field]
      : ({ title: 'surveyTitle', description: 'surveyDescription' } as Record<string, string>)[field];
  return t(`surveys:builder.missing.${what ?? 'text'}`, { language });
}

/**
 * A question a condition may point at, as the condition form shows it: `single` (one answer among options: the
 * answer is one of the ticked ones), `multiple` (several answers: any, all or exactly the ticked ones) or `text`
 * (typed values). Matrix and ranking questions cannot be compared and are not offered.
 */
export interface ConditionTarget {
  id: string;
  label: string;
  kind: 'single' | 'multiple' | 'text';
  values: { id: string; label: string }[];
}

type T = TFunction;

/** The answers a question's condition can compare with, in the officer's language ("Other" included). */
function answerChoices(q: Question, locale: 'en' | 'fr', t: T): { id: string; label: string }[] {
  switch (q.type) {
    case 'single_choice':
    case 'multiple_choice':
    case 'dropdown':
      return [
        ...q.options.map((o) => ({ id: o.id, label: localize(o.label, locale) || o.id })),
        ...(q.allowOther ? [{ id: OTHER_OPTION, label: t('surveys:answer.other') }] : []),
      ];
    case 'rating':
      return Array.from({ length: q.points }, (_, i) => {
        const point = String(i + 1);
        const end =
          i === 0 ? localize(q.lowLabel, locale) : i === q.points - 1 ? localize(q.highLabel, locale) : '';
        return { id: point, label: end ? `${point} (${end})` : point };
      });
    default:
      return [];
  }
}

export function conditionTargets(questions: Question[], locale: 'en' | 'fr', t: T): ConditionTarget[] {
  return questions
    .filter((q) => q.type !== 'matrix' && q.type !== 'ranking')
    .map((q) => ({
      id: q.id,
      label: localize(q.label, locale) || t('surveys:builder.untitled'),
      kind:
        q.type === 'multiple_choice' ? 'multiple' : answerChoices(q, locale, t).length ? 'single' : 'text',
      values: answerChoices(q, locale, t),
    }));
}

/**
 * A condition in words, in the officer's language: "“Do you take the bus?” is “Yes” or “Sometimes”". Answers are
 * shown by their labels, never by their ids.
 */
export function describeCondition(
  definition: SurveyDefinition,
  condition: Condition,
  t: T,
  locale: 'en' | 'fr',
): string {
  const target = findQuestion(definition, condition.questionId);
  if (!target) return t('surveys:builder.path.unknown');
  const choices = answerChoices(target, locale, t);
  const quote = (text: string) => t('surveys:builder.path.quote', { text });
  const answers = condition.values.map((v) => quote(choices.find((c) => c.id === v)?.label ?? v));
  const list = (type: 'conjunction' | 'disjunction') =>
    new Intl.ListFormat(locale === 'fr' ? 'fr-CA' : 'en-CA', { type }).format(answers);
  const question = quote(localize(target.label, locale) || target.id);
  if (target.type === 'multiple_choice') {
    const key = { one_of: 'includesAny', contains: 'includesAll', equals: 'exactly' }[condition.operator];
    return t(`surveys:builder.path.${key}`, {
      question,
      answers: list(condition.operator === 'one_of' ? 'disjunction' : 'conjunction'),
    });
  }
  if (condition.operator === 'contains') {
    return t('surveys:builder.path.contains', { question, answers: list('conjunction') });
  }
  return t('surveys:builder.path.is', { question, answers: list('disjunction') });
}

/** The pages a respondent goes through, in order, each with the condition that shows it (the builder's preview). */
export function pagePath(
  definition: SurveyDefinition,
  selfIdentification: boolean,
  t: T,
  locale: 'en' | 'fr',
): { label: string; condition: string }[] {
  return [
    ...definition.sections.map((section, i) => ({
      label: `${t('surveys:builder.pageN', { n: i + 1 })}${colon(locale)} ${localize(section.title, locale) || t('surveys:builder.untitled')}`,
      condition: section.showIf ? describeCondition(definition, section.showIf, t, locale) : '',
    })),
    ...(selfIdentification ? [{ label: t('surveys:aboutYou.heading'), condition: '' }] : []),
    { label: t('surveys:check.title'), condition: '' },
  ];
}

/** "2026-12-01T09:00" on the organisation's clock -> the instant; undefined for any other value. */
export function parseLocalDateTime(text: string): Date | undefined {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(text) ? parseWallClock(text) : undefined;
}

/** The instant as "YYYY-MM-DDTHH:mm" in Eastern time, for a datetime-local input. */
export function formatLocalDateTime(date: Date | null): string {
  return toWallClock(date ?? undefined);
}

export function settingsFromForm(
  form: SettingsForm,
  current: SurveySettings,
): SurveySettings | Record<string, unknown> {
  const audience = form.audience.trim();
  const checked = (value: string) => value.trim() === 'yes';
  const date = (value: string): Date | null | string => {
    const text = value.trim();
    if (!text) return null;
    return parseLocalDateTime(text) ?? text;
  };
  return {
    ...current,
    audience: (AUDIENCES as readonly string[]).includes(audience) ? audience : current.audience,
    onePerRespondent: checked(form.onePerRespondent),
    opensAt: date(form.opensAt),
    closesAt: date(form.closesAt),
    editableUntilClose: checked(form.editableUntilClose),
    thankYou: { en: form.thankYouEn.trim(), fr: form.thankYouFr.trim() },
    confirmationEmail: checked(form.confirmationEmail),
    selfIdentification: checked(form.selfIdentification),
    askOrganisation: checked(form.askOrganisation),
    anonymous: checked(form.anonymous),
  };
}

/** Re-exported for the routes: a question of the definition by id. */
export { findQuestion };
