import type { MessageRef } from '../../platform/errors';
import {
  OTHER_OPTION,
  type Condition,
  type Question,
  type Section,
  type SurveyDefinition,
} from './survey-definition';

/**
 * Answers, typed and stored as a map keyed by question id (FerretDB has no $elemMatch, and no nested arrays):
 * - single choice, dropdown: the option id (or "other"); multiple choice: option ids; ranking: option ids in order
 * - short/long text, email: the text; date: YYYY-MM-DD; number, rating: a number
 * - matrix: a map rowId -> scale option id
 * The text of "Other (please specify)" is kept beside, in `otherText[questionId]`.
 */
export type AnswerValue = string | number | string[] | Record<string, string>;
export type Answers = Record<string, AnswerValue>;
export type OtherText = Record<string, string>;

/** A flat url-encoded form, as Express parses it with extended: false. */
export type FormFields = Record<string, string | string[] | undefined>;

export interface AnswerError {
  questionId: string;
  /** The form field the message belongs to (also the id the error summary links to). */
  field: string;
  message: MessageRef;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function fieldName(questionId: string, part?: string): string {
  return part === undefined ? `q_${questionId}` : `q_${questionId}_${part}`;
}

function isValidDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function first(value: string | string[] | undefined): string {
  if (Array.isArray(value)) return value[0] ?? '';
  return value ?? '';
}

function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v) => v !== '');
}

/** A question's answer as it came in, before validation (from a form or from JSON). */
export interface Candidate {
  value: unknown;
  other?: unknown;
}

/** Reads one question's flat form fields into the same shape a JSON client sends. */
export function candidateFromForm(question: Question, fields: FormFields): Candidate {
  const name = fieldName(question.id);
  switch (question.type) {
    case 'single_choice':
    case 'dropdown':
      return {
        value: first(fields[name]) || undefined,
        other: first(fields[fieldName(question.id, 'other')]),
      };
    case 'multiple_choice': {
      const selected = list(fields[name]);
      return {
        value: selected.length ? selected : undefined,
        other: first(fields[fieldName(question.id, 'other')]),
      };
    }
    case 'number':
    case 'rating': {
      const text = first(fields[name]).trim();
      if (text === '') return { value: undefined };
      // A comma is the French decimal separator; anything else that is not a number stays a string (-> error).
      const parsed = Number(text.replace(',', '.'));
      return {
        value: /^[-+]?(\d+([.,]\d*)?|[.,]\d+)$/.test(text) && Number.isFinite(parsed) ? parsed : text,
      };
    }
    case 'matrix': {
      const rows: Record<string, string> = {};
      for (const row of question.rows) {
        const value = first(fields[fieldName(question.id, row.id)]);
        if (value) rows[row.id] = value;
      }
      return { value: Object.keys(rows).length ? rows : undefined };
    }
    case 'ranking': {
      const ranks = question.options.map((o) => ({
        id: o.id,
        rank: first(fields[fieldName(question.id, o.id)]).trim(),
      }));
      if (ranks.every((r) => r.rank === '')) return { value: undefined };
      const n = question.options.length;
      const numbers = ranks.map((r) => (/^\d+$/.test(r.rank) ? Number(r.rank) : NaN));
      const isPermutation =
        numbers.every((k) => Number.isInteger(k) && k >= 1 && k <= n) && new Set(numbers).size === n;
      // An incomplete or repeated ranking cannot be turned into an order: pass something the validator refuses.
      if (!isPermutation) return { value: { invalidRanking: true } };
      const order = [...ranks].sort((a, b) => Number(a.rank) - Number(b.rank)).map((r) => r.id);
      return { value: order };
    }
    default: {
      const text = first(fields[name]);
      return { value: text.trim() === '' ? undefined : text };
    }
  }
}

export type AnswerCheck =
  | { ok: true; value: AnswerValue | undefined; other?: string }
  | { ok: false; message: MessageRef; field?: string };

const err = (key: string, values?: Record<string, string | number>, field?: string): AnswerCheck => ({
  ok: false,
  message: { key: `surveys:answer.errors.${key}`, ...(values ? { values } : {}) },
  ...(field ? { field } : {}),
});

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** Validates one question's candidate answer: type, membership, limits and `required`. */
export function validateAnswer(question: Question, candidate: Candidate): AnswerCheck {
  const { value } = candidate;
  const empty =
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0);
  if (empty) return question.required ? err('required') : { ok: true, value: undefined };
  const otherField = fieldName(question.id, 'other');

  switch (question.type) {
    case 'single_choice':
    case 'dropdown': {
      if (typeof value !== 'string') return err('type');
      const ids = question.options.map((o) => o.id);
      if (value === OTHER_OPTION && question.allowOther) {
        const other = typeof candidate.other === 'string' ? candidate.other.trim() : '';
        if (!other) return err('otherRequired', undefined, otherField);
        if (other.length > 500) return err('maxLength', { max: 500 }, otherField);
        return { ok: true, value, other };
      }
      if (!ids.includes(value)) return err('choice');
      return { ok: true, value };
    }
    case 'multiple_choice': {
      if (!isStringArray(value)) return err('type');
      const ids = question.options.map((o) => o.id);
      const allowed = question.allowOther ? [...ids, OTHER_OPTION] : ids;
      if (value.some((v) => !allowed.includes(v))) return err('choice');
      const selected = [...new Set(value)];
      if (question.minSelections !== undefined && selected.length < question.minSelections) {
        return err('minSelections', { min: question.minSelections });
      }
      if (question.maxSelections !== undefined && selected.length > question.maxSelections) {
        return err('maxSelections', { max: question.maxSelections });
      }
      if (selected.includes(OTHER_OPTION)) {
        const other = typeof candidate.other === 'string' ? candidate.other.trim() : '';
        if (!other) return err('otherRequired', undefined, otherField);
        if (other.length > 500) return err('maxLength', { max: 500 }, otherField);
        return { ok: true, value: selected, other };
      }
      return { ok: true, value: selected };
    }
    case 'short_text':
    case 'long_text': {
      if (typeof value !== 'string') return err('type');
      if (value.length > question.maxLength) return err('maxLength', { max: question.maxLength });
      return { ok: true, value };
    }
    case 'email': {
      if (typeof value !== 'string') return err('type');
      const trimmed = value.trim();
      if (trimmed.length > 254 || !EMAIL.test(trimmed)) return err('email');
      return { ok: true, value: trimmed };
    }
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return err('number');
      if (question.integer && !Number.isInteger(value)) return err('integer');
      if (question.min !== undefined && value < question.min) return err('min', { min: question.min });
      if (question.max !== undefined && value > question.max) return err('max', { max: question.max });
      return { ok: true, value };
    }
    case 'date': {
      if (typeof value !== 'string') return err('type');
      const text = value.trim();
      if (!isValidDate(text)) return err('date');
      if (question.min && text < question.min) return err('dateMin', { min: question.min });
      if (question.max && text > question.max) return err('dateMax', { max: question.max });
      return { ok: true, value: text };
    }
    case 'rating': {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > question.points) {
        return err('scale', { points: question.points });
      }
      return { ok: true, value };
    }
    case 'matrix': {
      if (typeof value !== 'object' || Array.isArray(value)) return err('type');
      const answer = value as Record<string, unknown>;
      const rowIds = question.rows.map((r) => r.id);
      const scaleIds = question.scale.map((s) => s.id);
      for (const [rowId, rowValue] of Object.entries(answer)) {
        if (!rowIds.includes(rowId)) return err('matrixRowUnknown');
        if (typeof rowValue !== 'string' || !scaleIds.includes(rowValue)) {
          return err('choice', undefined, fieldName(question.id, rowId));
        }
      }
      // A required matrix needs every row; an optional one may be partly answered.
      const missing = rowIds.find((rowId) => !(rowId in answer));
      if (question.required && missing) return err('matrixRows', undefined, fieldName(question.id, missing));
      return {
        ok: true,
        value: Object.fromEntries(rowIds.filter((r) => r in answer).map((r) => [r, answer[r] as string])),
      };
    }
    case 'ranking': {
      const ids = question.options.map((o) => o.id);
      if (!isStringArray(value)) return value && typeof value === 'object' ? err('ranking') : err('type');
      const isPermutation =
        value.length === ids.length &&
        new Set(value).size === ids.length &&
        value.every((v) => ids.includes(v));
      if (!isPermutation) return err('ranking');
      return { ok: true, value };
    }
  }
}

/** Does an answer meet a condition? An unanswered (or hidden) question meets none. */
export function meetsCondition(condition: Condition, answer: AnswerValue | undefined): boolean {
  if (answer === undefined) return false;
  if (typeof answer === 'object' && !Array.isArray(answer)) return false; // a matrix is never compared
  const values = condition.values;
  if (Array.isArray(answer)) {
    switch (condition.operator) {
      case 'equals':
        return answer.length === values.length && values.every((v) => answer.includes(v));
      case 'contains':
        return values.every((v) => answer.includes(v));
      case 'one_of':
        return values.some((v) => answer.includes(v));
    }
  }
  const text = String(answer);
  switch (condition.operator) {
    case 'equals':
      return values.length === 1 && normalise(text) === normalise(values[0] as string);
    case 'contains':
      return values.every((v) => normalise(text).includes(normalise(v)));
    case 'one_of':
      return values.some((v) => normalise(text) === normalise(v));
  }
}

function normalise(text: string): string {
  return text.trim().toLocaleLowerCase();
}

function shown(condition: Condition | undefined, answers: Answers): boolean {
  return !condition || meetsCondition(condition, answers[condition.questionId]);
}

/** Is a section shown, given the answers so far (which must already exclude hidden questions)? */
export function isSectionShown(section: Section, answers: Answers): boolean {
  return shown(section.showIf, answers);
}

export function isQuestionShown(question: Question, answers: Answers): boolean {
  return shown(question.showIf, answers);
}

/**
 * Drops the answers of questions that are not shown (an earlier answer changed), in display order, so a condition
 * on a hidden question is never met. What is left is exactly what the respondent could see and answer.
 */
export function visibleAnswers(definition: SurveyDefinition, answers: Answers, otherText: OtherText = {}) {
  const kept: Answers = {};
  const keptOther: OtherText = {};
  for (const section of definition.sections) {
    if (!isSectionShown(section, kept)) continue;
    for (const question of section.questions) {
      if (!isQuestionShown(question, kept)) continue;
      const answer = answers[question.id];
      if (answer !== undefined) kept[question.id] = answer;
      const other = otherText[question.id];
      if (other !== undefined && answer !== undefined) keptOther[question.id] = other;
    }
  }
  return { answers: kept, otherText: keptOther };
}

/** Validates one answer: keeps its value (and "other" text) when it is valid, or records its error. */
function collectAnswer(
  question: Question,
  candidate: Candidate,
  into: { answers: Answers; otherText: OtherText; errors: AnswerError[] },
): void {
  const check = validateAnswer(question, candidate);
  if (!check.ok) {
    into.errors.push({
      questionId: question.id,
      field: check.field ?? fieldName(question.id),
      message: check.message,
    });
    return;
  }
  if (check.value !== undefined) into.answers[question.id] = check.value;
  if (check.other !== undefined) into.otherText[question.id] = check.other;
}

export interface PageResult {
  /** All answers so far, with this page's merged in and hidden questions dropped. */
  answers: Answers;
  otherText: OtherText;
  errors: AnswerError[];
}

/**
 * Reads and validates one page (section) of a form against the answers of earlier pages. A question's visibility
 * can depend on an earlier question of the same page, so the page is read in order.
 */
export function readPage(
  definition: SurveyDefinition,
  sectionIndex: number,
  fields: FormFields,
  previous: { answers: Answers; otherText: OtherText },
): PageResult {
  const section = definition.sections[sectionIndex];
  if (!section) throw new Error(`no section ${sectionIndex}`);
  const answers: Answers = { ...previous.answers };
  const otherText: OtherText = { ...previous.otherText };
  const errors: AnswerError[] = [];
  for (const question of section.questions) {
    delete answers[question.id];
    delete otherText[question.id];
  }
  if (isSectionShown(section, visibleAnswers(definition, answers, otherText).answers)) {
    for (const question of section.questions) {
      if (!isQuestionShown(question, visibleAnswers(definition, answers).answers)) continue;
      collectAnswer(question, candidateFromForm(question, fields), { answers, otherText, errors });
    }
  }
  return { ...visibleAnswers(definition, answers, otherText), errors };
}

/**
 * Validates a complete response (the JSON API, and the final check before any submission): unknown question ids,
 * wrong types, options that do not belong, and every required question that is shown.
 */
export function validateResponse(
  definition: SurveyDefinition,
  input: { answers: Record<string, unknown>; otherText?: Record<string, unknown> },
): PageResult {
  const errors: AnswerError[] = [];
  const known = new Set(definition.sections.flatMap((s) => s.questions.map((q) => q.id)));
  for (const questionId of Object.keys(input.answers)) {
    if (!known.has(questionId)) {
      errors.push({
        questionId,
        field: fieldName(questionId),
        message: { key: 'surveys:answer.errors.unknownQuestion', values: { id: questionId } },
      });
    }
  }
  const answers: Answers = {};
  const otherText: OtherText = {};
  for (const section of definition.sections) {
    if (!isSectionShown(section, answers)) continue;
    for (const question of section.questions) {
      if (!isQuestionShown(question, answers)) continue;
      const raw = Object.hasOwn(input.answers, question.id) ? input.answers[question.id] : undefined;
      const other =
        input.otherText && Object.hasOwn(input.otherText, question.id)
          ? input.otherText[question.id]
          : undefined;
      collectAnswer(question, { value: raw, other }, { answers, otherText, errors });
    }
  }
  return { answers, otherText, errors };
}

/** The sections shown for these answers, with their index in the definition (the page numbers). */
export function shownSections(definition: SurveyDefinition, answers: Answers): number[] {
  const visible = visibleAnswers(definition, answers).answers;
  return definition.sections.flatMap((section, index) => (isSectionShown(section, visible) ? [index] : []));
}

/** Form values to show again for stored answers (resuming a draft, going back a page). */
export function formValuesFor(questions: Question[], answers: Answers, otherText: OtherText): FormFields {
  const fields: FormFields = {};
  for (const question of questions) {
    const answer = answers[question.id];
    if (answer === undefined) continue;
    const name = fieldName(question.id);
    if (question.type === 'matrix' && typeof answer === 'object' && !Array.isArray(answer)) {
      for (const [rowId, value] of Object.entries(answer)) fields[fieldName(question.id, rowId)] = value;
    } else if (question.type === 'ranking' && Array.isArray(answer)) {
      answer.forEach((optionId, index) => (fields[fieldName(question.id, optionId)] = String(index + 1)));
    } else if (Array.isArray(answer)) {
      fields[name] = answer;
    } else {
      fields[name] = String(answer);
    }
    const other = otherText[question.id];
    if (other !== undefined) fields[fieldName(question.id, 'other')] = other;
  }
  return fields;
}
