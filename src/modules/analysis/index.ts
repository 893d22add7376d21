import type { ConsultationsService } from '../consultations';
import type { ParticipationReports } from '../participation';
import type { SurveysService } from '../surveys';
import { analysisRouter } from './analysis.routes';
import { AnalysisService } from './analysis.service';

export { AnalysisService } from './analysis.service';
export {
  QuestionAccumulator,
  CrossTab,
  type QuestionSummary,
  type SummaryQuestion,
} from './question-summary';

export function createAnalysisModule(deps: {
  reports: ParticipationReports;
  consultations: ConsultationsService;
  surveys: SurveysService;
}) {
  const analysis = new AnalysisService(deps.reports, deps.consultations, deps.surveys);
  return { analysis, router: analysisRouter(analysis) };
}
