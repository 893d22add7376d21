import {
  newId,
  type Localized,
  type Question,
  type QuestionType,
  type Section,
  type SurveyDefinition,
} from './survey-definition';

/**
 * Edits of a definition, as pure functions: each returns a new definition and leaves its input alone. The service
 * checks the result (checkDefinition) before saving, so an edit that breaks a condition is refused, not stored.
 */

export type Direction = 'up' | 'down';

function move<T>(items: T[], index: number, direction: Direction): T[] {
  const target = direction === 'up' ? index - 1 : index + 1;
  if (index < 0 || target < 0 || target >= items.length) return items;
  const copy = [...items];
  [copy[index], copy[target]] = [copy[target] as T, copy[index] as T];
  return copy;
}

function clone(definition: SurveyDefinition): SurveyDefinition {
  return structuredClone(definition);
}

export function emptyDefinition(title: Localized): SurveyDefinition {
  return { title, sections: [{ id: newId(), title: { en: '', fr: '' }, questions: [] }] };
}

export function addSection(
  definition: SurveyDefinition,
  section: Omit<Section, 'id' | 'questions'>,
): SurveyDefinition {
  const copy = clone(definition);
  copy.sections.push({ ...section, id: newId(), questions: [] });
  return copy;
}

export function updateSection(
  definition: SurveyDefinition,
  sectionId: string,
  changes: Omit<Section, 'id' | 'questions'>,
): SurveyDefinition {
  const copy = clone(definition);
  copy.sections = copy.sections.map((s) =>
    s.id === sectionId ? { id: s.id, questions: s.questions, ...changes } : s,
  );
  return copy;
}

export function moveSection(
  definition: SurveyDefinition,
  sectionId: string,
  direction: Direction,
): SurveyDefinition {
  const copy = clone(definition);
  copy.sections = move(
    copy.sections,
    copy.sections.findIndex((s) => s.id === sectionId),
    direction,
  );
  return copy;
}

export function deleteSection(definition: SurveyDefinition, sectionId: string): SurveyDefinition {
  const copy = clone(definition);
  copy.sections = copy.sections.filter((s) => s.id !== sectionId);
  return copy;
}

export function addQuestion(
  definition: SurveyDefinition,
  sectionId: string,
  question: Question,
): SurveyDefinition {
  const copy = clone(definition);
  copy.sections.find((s) => s.id === sectionId)?.questions.push(question);
  return copy;
}

export function replaceQuestion(definition: SurveyDefinition, question: Question): SurveyDefinition {
  const copy = clone(definition);
  for (const section of copy.sections) {
    section.questions = section.questions.map((q) => (q.id === question.id ? question : q));
  }
  return copy;
}

/** Moves a question within its section; at the edge of a section it moves to the neighbouring section. */
export function moveQuestion(
  definition: SurveyDefinition,
  questionId: string,
  direction: Direction,
): SurveyDefinition {
  const copy = clone(definition);
  const s = copy.sections.findIndex((section) => section.questions.some((q) => q.id === questionId));
  const section = copy.sections[s];
  if (!section) return copy;
  const index = section.questions.findIndex((q) => q.id === questionId);
  const question = section.questions[index] as Question;
  const atEdge = direction === 'up' ? index === 0 : index === section.questions.length - 1;
  if (!atEdge) {
    section.questions = move(section.questions, index, direction);
    return copy;
  }
  const neighbour = copy.sections[direction === 'up' ? s - 1 : s + 1];
  if (!neighbour) return copy;
  section.questions.splice(index, 1);
  if (direction === 'up') neighbour.questions.push(question);
  else neighbour.questions.unshift(question);
  return copy;
}

export function deleteQuestion(definition: SurveyDefinition, questionId: string): SurveyDefinition {
  const copy = clone(definition);
  for (const section of copy.sections)
    section.questions = section.questions.filter((q) => q.id !== questionId);
  return copy;
}

export function findSection(definition: SurveyDefinition, sectionId: string): Section | undefined {
  return definition.sections.find((s) => s.id === sectionId);
}

/** Where a question is: its section and position. */
export function locateQuestion(
  definition: SurveyDefinition,
  questionId: string,
): { section: Section; sectionIndex: number; question: Question } | undefined {
  for (const [sectionIndex, section] of definition.sections.entries()) {
    const question = section.questions.find((q) => q.id === questionId);
    if (question) return { section, sectionIndex, question };
  }
  return undefined;
}

/** The questions before a question (or section), which its condition may refer to. */
export function questionsBefore(
  definition: SurveyDefinition,
  at: { questionId?: string; sectionId?: string },
): Question[] {
  const before: Question[] = [];
  for (const section of definition.sections) {
    if (section.id === at.sectionId) return before;
    for (const question of section.questions) {
      if (question.id === at.questionId) return before;
      before.push(question);
    }
  }
  return before;
}

/** A new question of a type, with the settings a builder form starts from. */
export function newQuestion(type: QuestionType): Question {
  const base = { id: newId(), label: { en: '', fr: '' }, required: false };
  const option = (en: string, fr: string) => ({ id: newId(), label: { en, fr } });
  switch (type) {
    case 'single_choice':
    case 'dropdown':
      return { ...base, type, options: [option('', '')], allowOther: false, randomize: false };
    case 'multiple_choice':
      return { ...base, type, options: [option('', '')], allowOther: false, randomize: false };
    case 'short_text':
      return { ...base, type, maxLength: 200 };
    case 'long_text':
      return { ...base, type, maxLength: 5000 };
    case 'number':
      return { ...base, type, integer: false };
    case 'date':
    case 'email':
      return { ...base, type };
    case 'rating':
      return { ...base, type, points: 5 };
    case 'matrix':
      return { ...base, type, rows: [option('', '')], scale: [option('', ''), option('', '')] };
    case 'ranking':
      return { ...base, type, options: [option('', ''), option('', '')], randomize: false };
  }
}
