import type { Connection } from 'mongoose';
import type { i18n } from 'i18next';
import { createI18n } from '../../platform/i18n';
import type { ConsultationsService } from '../consultations';
import type { ParticipationReports } from '../participation';
import type { SurveysService } from '../surveys';
import type { Logger } from '../../platform/logger';
import { analysisRouter, type AnalysisScopes } from './analysis.routes';
import { AnalysisService } from './analysis.service';
import { AnswerCounters, type DefinitionsSource } from './answer-counters';
import type { LoggedResponse } from './answer-log';

export { AnalysisService } from './analysis.service';
export { type AnalysisFilters } from './filters';
export {
  AnswerCounters,
  ANSWER_SHARDS,
  ANSWER_COUNTERS_COLLECTION,
  type DefinitionsSource,
} from './answer-counters';
export { logCollectionName, type LoggedResponse } from './answer-log';
export { TEXT_PAGE } from './answer-snapshot';
export {
  QuestionAccumulator,
  CrossTab,
  type QuestionSummary,
  type SummaryQuestion,
} from './question-summary';

/**
 * The answer counters (the surveys module's AnswerRecorder). Question types come from `definitions` (every version
 * of a survey); the surveys service is usually created after the counters, so it may be given later with
 * `useDefinitions`.
 */
export function createAnswerCounters(
  connection: Connection,
  definitions?: DefinitionsSource,
): AnswerCounters {
  return new AnswerCounters(connection, definitions);
}

/** The surveys module's submitted responses, in the answer log's shape. */
async function* storedResponses(surveys: SurveysService, surveyId: string): AsyncGenerator<LoggedResponse> {
  for await (const r of surveys.submittedResponses(surveyId)) {
    yield {
      id: r.id,
      revision: (r as { revision?: number }).revision ?? 1,
      surveyVersion: r.surveyVersion,
      submittedAt: r.submittedAt,
      locale: r.locale,
      channel: r.channel,
      sector: r.sector,
      region: r.region,
      organisation: r.organisation,
      answers: r.answers,
      otherText: r.otherText,
    };
  }
}

/**
 * Recomputes a survey's answer log and counters from its stored responses (every survey's without `surveyId`): for
 * bulk loads and repairs, while the survey takes no submissions (see AnswerCounters.rebuild). "Every survey" is
 * what `surveys.listAll()` lists (its newest 500).
 */
export async function rebuildAnswerCounters(
  deps: { counters: AnswerCounters; surveys: SurveysService },
  surveyId?: string,
): Promise<string[]> {
  const ids = surveyId ? [surveyId] : (await deps.surveys.listAll()).map((s) => s.id);
  for (const id of ids) await deps.counters.rebuild(id, storedResponses(deps.surveys, id));
  return ids;
}

export function createAnalysisModule(deps: {
  reports: ParticipationReports;
  consultations: ConsultationsService;
  surveys: SurveysService;
  counters: AnswerCounters;
  logger?: Logger;
  /** SUPPRESSION_THRESHOLD (anonymous surveys' filtered figures and downloads); 5 when not given. */
  suppressionThreshold?: number;
  /** The app's translator (labels in exports); one is created from the locale files when not given. */
  i18n?: i18n;
}) {
  const translator = deps.i18n ?? createI18n();
  const analysis = new AnalysisService(deps.reports, deps.consultations, deps.surveys, deps.counters, {
    threshold: deps.suppressionThreshold ?? 5,
    t: (locale, key) => translator.getFixedT(locale)(key),
  });
  // What each analysis page is about, for the access rule (platform/http/access.ts).
  const scopes: AnalysisScopes = {
    round: (slug) => deps.consultations.getRoundBySlug(slug, { includeDrafts: true }),
    consultation: (id) => deps.consultations.getConsultationById(id, { includeDrafts: true }),
    survey: (id) => deps.surveys.accessScopeOf(id),
    consultations: () => deps.consultations.listAll(),
  };
  return { analysis, counters: deps.counters, router: analysisRouter(analysis, deps.logger, scopes) };
}
