import crypto from 'node:crypto';
import { z } from 'zod';
import type { MessageRef } from '../../platform/errors';
import { LOCALES } from '../../platform/i18n';

/**
 * The questionnaire definition: sections (one page each) holding questions of eleven types. It is plain data,
 * stored as is in the survey document, exported and imported as JSON. Ids are stable across versions, so analysis
 * maps answers across versions by question id.
 */

export const QUESTION_TYPES = [
  'single_choice',
  'multiple_choice',
  'dropdown',
  'short_text',
  'long_text',
  'number',
  'date',
  'email',
  'rating',
  'matrix',
  'ranking',
] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export const CHOICE_TYPES: readonly QuestionType[] = ['single_choice', 'multiple_choice', 'dropdown'];
/** Types whose answer is one of the question's options (or several), the only ones with option lists. */
export const OPTION_TYPES: readonly QuestionType[] = [...CHOICE_TYPES, 'ranking'];

/** The option id of "Other (please specify)"; refused as an authored id so it can never be ambiguous. */
export const OTHER_OPTION = 'other';

/**
 * Ids appear in form field names (`q_<questionId>_<rowId>`), so they are letters, digits and hyphens only:
 * no underscore, which separates the parts of a field name.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/;
const id = z.string().regex(ID_PATTERN, { error: 'surveys:definition.errors.id' });

export function newId(): string {
  return crypto.randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').toLowerCase();
}

const localized = z.object({ en: z.string().max(2000).default(''), fr: z.string().max(2000).default('') });
export type Localized = z.infer<typeof localized>;

const option = z.object({ id, label: localized });
export type Option = z.infer<typeof option>;

export const CONDITION_OPERATORS = ['equals', 'contains', 'one_of'] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

/** Show a question or a section only when an earlier answer equals, contains or is one of given values. */
const condition = z.object({
  questionId: id,
  operator: z.enum(CONDITION_OPERATORS),
  values: z.array(z.string().max(500)).min(1, { error: 'surveys:definition.errors.conditionValues' }).max(50),
});
export type Condition = z.infer<typeof condition>;

const base = {
  id,
  label: localized,
  help: localized.optional(),
  required: z.boolean().default(false),
  showIf: condition.optional(),
};
const choiceBase = {
  ...base,
  options: z.array(option).min(1, { error: 'surveys:definition.errors.options' }).max(100),
  allowOther: z.boolean().default(false),
  randomize: z.boolean().default(false),
};
const count = z.number().int().min(0).max(100);

const singleChoice = z.object({ type: z.literal('single_choice'), ...choiceBase });
const multipleChoice = z.object({
  type: z.literal('multiple_choice'),
  ...choiceBase,
  minSelections: count.optional(),
  maxSelections: count.min(1).optional(),
});
const dropdown = z.object({ type: z.literal('dropdown'), ...choiceBase });
const shortText = z.object({
  type: z.literal('short_text'),
  ...base,
  maxLength: z.number().int().min(1).max(500).default(200),
});
const longText = z.object({
  type: z.literal('long_text'),
  ...base,
  maxLength: z.number().int().min(1).max(20000).default(5000),
});
const number = z.object({
  type: z.literal('number'),
  ...base,
  min: z.number().optional(),
  max: z.number().optional(),
  integer: z.boolean().default(false),
});
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'surveys:definition.errors.date' });
const date = z.object({ type: z.literal('date'), ...base, min: isoDate.optional(), max: isoDate.optional() });
const email = z.object({ type: z.literal('email'), ...base });
const rating = z.object({
  type: z.literal('rating'),
  ...base,
  points: z.number().int().min(2).max(11).default(5),
  lowLabel: localized.optional(),
  highLabel: localized.optional(),
});
const matrix = z.object({
  type: z.literal('matrix'),
  ...base,
  rows: z.array(option).min(1, { error: 'surveys:definition.errors.rows' }).max(50),
  /** The one scale every row is answered on (the columns). */
  scale: z.array(option).min(2, { error: 'surveys:definition.errors.scale' }).max(11),
});
const ranking = z.object({
  type: z.literal('ranking'),
  ...base,
  options: z.array(option).min(2, { error: 'surveys:definition.errors.rankingOptions' }).max(20),
  randomize: z.boolean().default(false),
});

export const questionSchema = z.discriminatedUnion('type', [
  singleChoice,
  multipleChoice,
  dropdown,
  shortText,
  longText,
  number,
  date,
  email,
  rating,
  matrix,
  ranking,
]);
export type Question = z.infer<typeof questionSchema>;
export type QuestionOf<T extends QuestionType> = Extract<Question, { type: T }>;

export const sectionSchema = z.object({
  id,
  title: localized,
  description: localized.optional(),
  showIf: condition.optional(),
  questions: z.array(questionSchema).max(100),
});
export type Section = z.infer<typeof sectionSchema>;

export const definitionSchema = z.object({
  title: localized,
  description: localized.optional(),
  sections: z.array(sectionSchema).max(50),
});
export type SurveyDefinition = z.infer<typeof definitionSchema>;

export interface DefinitionError {
  /** Where the problem is, e.g. `sections[1].questions[0].showIf.questionId`. */
  path: string;
  message: MessageRef;
}

function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

/** zod issue messages are our i18n keys where we set them; anything else maps to a generic key per issue code. */
function issueMessage(issue: z.core.$ZodIssue): MessageRef {
  if (issue.message.startsWith('surveys:')) return { key: issue.message };
  switch (issue.code) {
    case 'invalid_type':
      return { key: 'surveys:definition.errors.type', values: { expected: String(issue.expected) } };
    case 'invalid_union':
    case 'invalid_value':
      return { key: 'surveys:definition.errors.value' };
    case 'too_big':
      return { key: 'surveys:definition.errors.tooBig', values: { max: Number(issue.maximum) } };
    case 'too_small':
      return { key: 'surveys:definition.errors.tooSmall', values: { min: Number(issue.minimum) } };
    case 'unrecognized_keys':
      return { key: 'surveys:definition.errors.unknownKeys', values: { keys: issue.keys.join(', ') } };
    default:
      return { key: 'surveys:definition.errors.value' };
  }
}

/** Every question in display order, with where it is. */
export function allQuestions(definition: SurveyDefinition): { question: Question; sectionIndex: number }[] {
  return definition.sections.flatMap((section, sectionIndex) =>
    section.questions.map((question) => ({ question, sectionIndex })),
  );
}

export function findQuestion(definition: SurveyDefinition, questionId: string): Question | undefined {
  for (const section of definition.sections) {
    const found = section.questions.find((q) => q.id === questionId);
    if (found) return found;
  }
  return undefined;
}

/** The option ids a condition on this question may compare with, when the answer is an option. */
function conditionTargetValues(question: Question): string[] | undefined {
  switch (question.type) {
    case 'single_choice':
    case 'multiple_choice':
    case 'dropdown':
      return [...question.options.map((o) => o.id), ...(question.allowOther ? [OTHER_OPTION] : [])];
    case 'rating':
      return Array.from({ length: question.points }, (_, i) => String(i + 1));
    default:
      return undefined;
  }
}

/**
 * The rules zod alone cannot say: unique ids, conditions that point backwards to an existing question with values
 * that question can have, consistent ranges. Runs on every save, so a definition in the database always passes.
 */
function structuralErrors(definition: SurveyDefinition): DefinitionError[] {
  const errors: DefinitionError[] = [];
  const seenQuestions = new Set<string>();
  const seenSections = new Set<string>();
  const earlier = new Map<string, Question>();
  const allIds = new Set(allQuestions(definition).map(({ question }) => question.id));

  const checkCondition = (cond: Condition | undefined, at: string, available: Map<string, Question>) => {
    if (!cond) return;
    const target = available.get(cond.questionId);
    if (!target) {
      errors.push({
        path: `${at}.showIf.questionId`,
        message: {
          key: allIds.has(cond.questionId)
            ? 'surveys:definition.errors.conditionSameOrLater'
            : 'surveys:definition.errors.conditionUnknown',
          values: { id: cond.questionId },
        },
      });
      return;
    }
    const allowed = conditionTargetValues(target);
    if (allowed) {
      cond.values.forEach((value, i) => {
        if (!allowed.includes(value)) {
          errors.push({
            path: `${at}.showIf.values[${i}]`,
            message: { key: 'surveys:definition.errors.conditionValue', values: { value } },
          });
        }
      });
    }
  };

  // A question may depend on any question before it (even in its own section); a section only on questions of
  // earlier sections. A condition on a question that exists later (or on itself) gets its own, clearer message.
  definition.sections.forEach((section, s) => {
    const at = `sections[${s}]`;
    if (seenSections.has(section.id)) {
      errors.push({
        path: `${at}.id`,
        message: { key: 'surveys:definition.errors.duplicateId', values: { id: section.id } },
      });
    }
    seenSections.add(section.id);
    checkCondition(section.showIf, at, earlier);
    section.questions.forEach((question, q) => {
      const qat = `${at}.questions[${q}]`;
      if (seenQuestions.has(question.id)) {
        errors.push({
          path: `${qat}.id`,
          message: { key: 'surveys:definition.errors.duplicateId', values: { id: question.id } },
        });
      }
      checkCondition(question.showIf, qat, earlier);
      seenQuestions.add(question.id);
      earlier.set(question.id, question);
      errors.push(...questionSettingErrors(question, qat));
    });
  });
  return errors;
}

function questionSettingErrors(question: Question, at: string): DefinitionError[] {
  const errors: DefinitionError[] = [];
  const uniqueIds = (items: Option[], field: string) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      if (item.id === OTHER_OPTION) {
        errors.push({
          path: `${at}.${field}[${i}].id`,
          message: { key: 'surveys:definition.errors.reservedId' },
        });
      } else if (seen.has(item.id)) {
        errors.push({
          path: `${at}.${field}[${i}].id`,
          message: { key: 'surveys:definition.errors.duplicateId', values: { id: item.id } },
        });
      }
      seen.add(item.id);
    });
  };
  switch (question.type) {
    case 'single_choice':
    case 'dropdown':
    case 'ranking':
      uniqueIds(question.options, 'options');
      break;
    case 'multiple_choice': {
      uniqueIds(question.options, 'options');
      const available = question.options.length + (question.allowOther ? 1 : 0);
      if (question.minSelections !== undefined && question.minSelections > available) {
        errors.push({
          path: `${at}.minSelections`,
          message: { key: 'surveys:definition.errors.tooBig', values: { max: available } },
        });
      }
      if (
        question.minSelections !== undefined &&
        question.maxSelections !== undefined &&
        question.minSelections > question.maxSelections
      ) {
        errors.push({ path: `${at}.maxSelections`, message: { key: 'surveys:definition.errors.range' } });
      }
      break;
    }
    case 'matrix':
      uniqueIds(question.rows, 'rows');
      uniqueIds(question.scale, 'scale');
      break;
    case 'number':
      if (question.min !== undefined && question.max !== undefined && question.min > question.max) {
        errors.push({ path: `${at}.max`, message: { key: 'surveys:definition.errors.range' } });
      }
      break;
    case 'date':
      if (question.min && question.max && question.min > question.max) {
        errors.push({ path: `${at}.max`, message: { key: 'surveys:definition.errors.range' } });
      }
      break;
    default:
      break;
  }
  return errors;
}

/** Labels that must be filled in both languages before publishing. */
function missingTranslations(definition: SurveyDefinition): DefinitionError[] {
  const errors: DefinitionError[] = [];
  const need = (text: Localized | undefined, at: string, optional = false) => {
    if (!text) return;
    const filled = LOCALES.filter((l) => text[l].trim() !== '');
    if (optional && filled.length === 0) return;
    for (const locale of LOCALES) {
      if (text[locale].trim() === '') {
        errors.push({
          path: `${at}.${locale}`,
          message: { key: `surveys:definition.errors.missing_${locale}` },
        });
      }
    }
  };
  need(definition.title, 'title');
  need(definition.description, 'description', true);
  if (definition.sections.length === 0 || allQuestions(definition).length === 0) {
    errors.push({ path: 'sections', message: { key: 'surveys:definition.errors.noQuestions' } });
  }
  definition.sections.forEach((section, s) => {
    const at = `sections[${s}]`;
    need(section.title, `${at}.title`);
    need(section.description, `${at}.description`, true);
    section.questions.forEach((question, q) => {
      const qat = `${at}.questions[${q}]`;
      need(question.label, `${qat}.label`);
      need(question.help, `${qat}.help`, true);
      if ('options' in question)
        question.options.forEach((o, i) => need(o.label, `${qat}.options[${i}].label`));
      if (question.type === 'matrix') {
        question.rows.forEach((o, i) => need(o.label, `${qat}.rows[${i}].label`));
        question.scale.forEach((o, i) => need(o.label, `${qat}.scale[${i}].label`));
      }
      if (question.type === 'rating') {
        need(question.lowLabel, `${qat}.lowLabel`, true);
        need(question.highLabel, `${qat}.highLabel`, true);
      }
    });
  });
  return errors;
}

export type DefinitionCheck =
  { ok: true; definition: SurveyDefinition } | { ok: false; errors: DefinitionError[] };

/**
 * Parses and checks a definition from anywhere (the builder, a JSON import), listing every problem with its path.
 * `forPublishing` also requires every label in both languages.
 */
export function checkDefinition(input: unknown, options: { forPublishing?: boolean } = {}): DefinitionCheck {
  const parsed = definitionSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => ({
        path: pathText(issue.path),
        message: issueMessage(issue),
      })),
    };
  }
  const errors = structuralErrors(parsed.data);
  if (options.forPublishing) errors.push(...missingTranslations(parsed.data));
  return errors.length ? { ok: false, errors } : { ok: true, definition: parsed.data };
}

/** A label in the wanted language, falling back to the other one while a draft is incomplete. */
export function localize(text: Localized | undefined, locale: 'en' | 'fr'): string {
  if (!text) return '';
  return text[locale].trim() || text[locale === 'en' ? 'fr' : 'en'];
}
