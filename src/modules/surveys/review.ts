import crypto from 'node:crypto';
import type { TFunction } from '../../platform/i18n';
import { isRegion, isSector } from '../../platform/classifications';
import { colon } from '../../platform/i18n';
import {
  isQuestionShown,
  readPage,
  validateResponse,
  visibleAnswers,
  type AnswerError,
  type Answers,
  type FormFields,
  type OtherText,
} from './survey-answers';
import { localize, OTHER_OPTION, type Question } from './survey-definition';
import { ABOUT_YOU, SELF_ID_FIELDS, type Survey } from './surveys.service';

/**
 * "Check your answers" and the receipt, as GOV.UK Forms does: before submitting, the respondent sees every answer
 * page by page with a link to change it; after, a short reference number. Pure functions over the survey and the
 * saved answers (the service calls stay those of the answering routes).
 */

type T = TFunction;

export interface SavedAnswers {
  answers: Answers;
  otherText: OtherText;
  sector?: string;
  region?: string;
  organisation?: string;
}

/**
 * The problems of one page as the service would find them when the page is sent with "next" (the same checks:
 * `readPage` for questions, the same rules for "About you"), so the last page can be saved without submitting and
 * the respondent taken to "Check your answers" only when the page is complete.
 */
export function pageProblems(
  survey: Survey,
  pageId: string,
  fields: FormFields,
  previous: { answers: Answers; otherText: OtherText },
): { errors: AnswerError[]; answers: Answers } {
  if (pageId === ABOUT_YOU) {
    const one = (name: string) => {
      const value = fields[name];
      return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
    };
    const errors: AnswerError[] = [];
    if (!isSector(one(SELF_ID_FIELDS.sector))) {
      errors.push({
        questionId: 'sector',
        field: SELF_ID_FIELDS.sector,
        message: { key: 'surveys:aboutYou.errors.sector' },
      });
    }
    if (!isRegion(one(SELF_ID_FIELDS.region))) {
      errors.push({
        questionId: 'region',
        field: SELF_ID_FIELDS.region,
        message: { key: 'surveys:aboutYou.errors.region' },
      });
    }
    if (one(SELF_ID_FIELDS.organisation).length > 200) {
      errors.push({
        questionId: 'organisation',
        field: SELF_ID_FIELDS.organisation,
        message: { key: 'surveys:answer.errors.maxLength', values: { max: 200 } },
      });
    }
    return { errors, answers: previous.answers };
  }
  const index = survey.definition.sections.findIndex((s) => s.id === pageId);
  if (index < 0) return { errors: [], answers: previous.answers };
  const { errors, answers } = readPage(survey.definition, index, fields, previous);
  return { errors, answers };
}

/** An answer as lines of text in the respondent's language ("Not answered" is left to the view). */
export function answerText(
  question: Question,
  answers: Answers,
  otherText: OtherText,
  locale: 'en' | 'fr',
  t: T,
) {
  const answer = answers[question.id];
  if (answer === undefined || answer === '') return [];
  const optionLabel = (id: string) => {
    if (id === OTHER_OPTION) {
      const other = otherText[question.id];
      return other ? `${t('surveys:answer.other')}${colon(locale)} ${other}` : t('surveys:answer.other');
    }
    const options = 'options' in question ? question.options : [];
    return localize(options.find((o) => o.id === id)?.label, locale) || id;
  };
  switch (question.type) {
    case 'single_choice':
    case 'dropdown':
      return [optionLabel(String(answer))];
    case 'multiple_choice':
      return (Array.isArray(answer) ? answer : [String(answer)]).map(optionLabel);
    case 'ranking':
      return (Array.isArray(answer) ? answer : []).map((id, i) => `${i + 1}. ${optionLabel(id)}`);
    case 'rating':
      return [t('surveys:check.rating', { value: answer, points: question.points })];
    case 'matrix': {
      if (typeof answer !== 'object' || Array.isArray(answer)) return [];
      return question.rows
        .filter((row) => row.id in answer)
        .map((row) => {
          const point = question.scale.find((s) => s.id === answer[row.id]);
          return `${localize(row.label, locale)}${colon(locale)} ${localize(point?.label, locale)}`;
        });
    }
    case 'date': {
      const date = new Date(`${String(answer)}T12:00:00Z`);
      return [
        Number.isNaN(date.getTime())
          ? String(answer)
          : new Intl.DateTimeFormat(locale === 'fr' ? 'fr-CA' : 'en-CA', {
              dateStyle: 'long',
              timeZone: 'UTC',
            }).format(date),
      ];
    }
    default:
      return [String(answer)];
  }
}

export interface SummaryPage {
  pageId: string;
  heading: string;
  changeHref: string;
  rows: { id: string; label: string; lines: string[]; problem: string }[];
}

/**
 * Every page the respondent goes through (`flow`), with each shown question and its answer, and a "Change" link
 * back to the page. Problems a final check finds (a required answer missing) are shown on their rows.
 */
export function answersSummary(
  survey: Survey,
  flow: string[],
  saved: SavedAnswers,
  locale: 'en' | 'fr',
  t: T,
): { pages: SummaryPage[]; problems: { field: string; message: string }[] } {
  const visible = visibleAnswers(survey.definition, saved.answers, saved.otherText);
  const check = validateResponse(survey.definition, visible);
  const problemOf = new Map(
    check.errors.map((e) => [e.questionId, t(e.message.key, e.message.values ?? {})]),
  );
  const problems: { field: string; message: string }[] = [];
  const pages = flow.map((pageId): SummaryPage => {
    const changeHref = `/surveys/${survey.id}/pages/${pageId}?review=1`;
    if (pageId === ABOUT_YOU) {
      const rows = [
        {
          id: 'sector',
          label: t('surveys:aboutYou.sector'),
          lines: saved.sector ? [t(`classifications:sector.${saved.sector}`)] : [],
          problem: isSector(saved.sector) ? '' : t('surveys:aboutYou.errors.sector'),
        },
        {
          id: 'region',
          label: t('surveys:aboutYou.region'),
          lines: saved.region ? [t(`classifications:region.${saved.region}`)] : [],
          problem: isRegion(saved.region) ? '' : t('surveys:aboutYou.errors.region'),
        },
        ...(survey.settings.askOrganisation && !survey.settings.anonymous
          ? [
              {
                id: 'organisation',
                label: t('surveys:aboutYou.organisation'),
                lines: saved.organisation ? [saved.organisation] : [],
                problem: '',
              },
            ]
          : []),
      ];
      for (const row of rows)
        if (row.problem) problems.push({ field: `row-${row.id}`, message: row.problem });
      return { pageId, heading: t('surveys:aboutYou.heading'), changeHref, rows };
    }
    const section = survey.definition.sections.find((s) => s.id === pageId);
    const questions = (section?.questions ?? []).filter((q) => isQuestionShown(q, visible.answers));
    const rows = questions.map((q) => ({
      id: q.id,
      label: localize(q.label, locale),
      lines: answerText(q, visible.answers, visible.otherText, locale, t),
      problem: problemOf.get(q.id) ?? '',
    }));
    for (const row of rows) {
      if (row.problem)
        problems.push({ field: `row-${row.id}`, message: `${row.label}${colon(locale)} ${row.problem}` });
    }
    return {
      pageId,
      heading: localize(section?.title, locale) || t('surveys:answer.untitledSection'),
      changeHref,
      rows,
    };
  });
  return { pages, problems };
}

/**
 * A response's reference number: short, easy to read out, derived from the response id (not the id itself, which
 * is kept private). Ten characters of Crockford base 32, as two groups: "7K2QD-M9XWA".
 */
export function receiptReference(responseId: string): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const digest = crypto.createHash('sha256').update(`agora-receipt:${responseId}`).digest();
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 10) {
      out += alphabet[(value >> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (out.length >= 10) break;
  }
  return `${out.slice(0, 5)}-${out.slice(5)}`;
}
