import type { ConsultationsService, Consultation, Round } from '../consultations';
import type { ParticipationReports, ScopeReport } from '../participation';
import { NotFoundError } from '../../platform/errors';
import type { SurveysService, Survey } from '../surveys';
import { CrossTab, type QuestionSummary, type SummaryQuestion } from './question-summary';
import { SECTOR_CATEGORIES } from '../../platform/classifications';
import { sliceFor, summaryFromCounts, type SliceCounts } from './answer-counts';
import type { AnswerCounters } from './answer-counters';
import type { SnapshotHead, TextPage } from './answer-snapshot';

/** Staff analysis: exact counts per round, consultation and survey, and what respondents answered. */

export interface Completion {
  draft: number;
  submitted: number;
  /** submitted / (draft + submitted); null with no response at all. */
  rate: number | null;
}

export interface AnalysedQuestion {
  question: SummaryQuestion;
  sectionTitle: { en: string; fr: string };
  /** Present in older versions only (no longer asked). */
  retired: boolean;
  summary: QuestionSummary;
  /** Written answers (text answers, or "other" texts of a choice question) from the snapshot: a first page. */
  texts?: TextPage;
}

export interface SurveyFilters {
  sector?: string;
  region?: string;
  /** Written answers are listed only when they contain this. */
  q?: string;
  /** A choice question to cross with sector. */
  cross?: string;
}

type QuestionWithSection = {
  question: SummaryQuestion;
  sectionTitle: { en: string; fr: string };
  retired: boolean;
};

export class AnalysisService {
  constructor(
    private readonly reports: ParticipationReports,
    private readonly consultations: ConsultationsService,
    private readonly surveys: SurveysService,
    readonly counters: AnswerCounters,
  ) {}

  private completion(counts: { draft: number; submitted: number }): Completion {
    const total = counts.draft + counts.submitted;
    return { ...counts, rate: total ? Math.round((counts.submitted / total) * 10_000) / 10_000 : null };
  }

  async rounds(): Promise<{ round: Round; report: ScopeReport }[]> {
    const rounds = await this.consultations.listRounds({ includeDrafts: true });
    return Promise.all(
      rounds.map(async (round) => ({
        round,
        report: await this.reports.scopeReport('round', round.id, { exact: true }),
      })),
    );
  }

  async round(slug: string) {
    const round = await this.consultations.getRoundBySlug(slug, { includeDrafts: true });
    const [report, completion, consultations] = await Promise.all([
      this.reports.scopeReport('round', round.id, { exact: true }),
      this.surveys.responseStatusCounts({ roundId: round.id }),
      this.consultations.listByRound(round.id, { includeDrafts: true }),
    ]);
    const rows = await Promise.all(
      consultations.map(async (consultation) => ({
        consultation,
        report: await this.reports.scopeReport('consultation', consultation.id, { exact: true }),
      })),
    );
    return { round, report, completion: this.completion(completion), consultations: rows };
  }

  async consultation(id: string) {
    const consultation: Consultation = await this.consultations.getConsultationById(id, {
      includeDrafts: true,
    });
    const [report, completion, surveys] = await Promise.all([
      this.reports.scopeReport('consultation', consultation.id, { exact: true }),
      this.surveys.responseStatusCounts({ consultationId: consultation.id }),
      this.surveys.listForConsultation(consultation.id, { includeDrafts: true }),
    ]);
    const rows = await Promise.all(
      surveys.map(async (survey) => ({
        survey,
        completion: this.completion(await this.surveys.responseStatusCounts({ surveyId: survey.id })),
      })),
    );
    const round = await this.consultations.getRoundById(consultation.roundId, { includeDrafts: true });
    return { consultation, round, report, completion: this.completion(completion), surveys: rows };
  }

  /** Questions of every version, current ones first in their order, then those only older versions asked. */
  async questions(surveyId: string): Promise<QuestionWithSection[]> {
    const versions = await this.surveys.allDefinitions(surveyId);
    const seen = new Set<string>();
    const result: QuestionWithSection[] = [];
    versions.forEach(({ definition }, index) => {
      for (const section of definition.sections) {
        for (const question of section.questions) {
          if (seen.has(question.id)) continue;
          seen.add(question.id);
          result.push({
            question: question as unknown as SummaryQuestion,
            sectionTitle: section.title,
            retired: index > 0,
          });
        }
      }
    });
    return result;
  }

  /**
   * A survey's answers question by question, from its counters (one slice: the filters' sector and region), the
   * "as of" snapshot for medians, date ranges and written answers, and, with `cross`, one choice question by sector
   * (one slice per sector). The number of reads does not depend on the number of responses.
   */
  async survey(id: string, filters: SurveyFilters) {
    const survey: Survey = await this.surveys.getSurvey(id);
    const snapshots = this.counters.snapshots;
    const [consultation, questions, counts, head] = await Promise.all([
      this.consultations.getConsultationById(survey.consultationId, { includeDrafts: true }),
      this.questions(id),
      this.counters.read(id, sliceFor(filters)),
      snapshots.head(id),
    ]);
    const figures = await snapshots.figures(id, head.gen, sliceFor(filters));
    const crossQuestion = questions.find(
      (q) =>
        q.question.id === filters.cross &&
        ['single_choice', 'dropdown', 'multiple_choice'].includes(q.question.type),
    );
    const analysed: AnalysedQuestion[] = [];
    for (const q of questions) {
      const summary = summaryFromCounts(q.question, counts.q?.[q.question.id], figures);
      const written =
        summary.kind === 'text' || (summary.kind === 'choice' && q.question.allowOther)
          ? await snapshots.texts(id, head, q.question.id, {
              sector: filters.sector,
              region: filters.region,
              q: filters.q,
              limit: PREVIEW_TEXTS,
              budget: filters.q ? PREVIEW_SEARCH_PAGES : 1,
            })
          : undefined;
      analysed.push({ ...q, summary, ...(written ? { texts: written } : {}) });
    }
    const [report, completion, cross] = await Promise.all([
      this.reports.scopeReport('survey', survey.id, { exact: true }),
      this.surveys.responseStatusCounts({ surveyId: survey.id }),
      crossQuestion ? this.crossBySector(id, crossQuestion.question, filters) : undefined,
    ]);
    return {
      survey,
      consultation,
      report,
      completion: this.completion(completion),
      matching: counts.n ?? 0,
      snapshot: head,
      questions: analysed,
      crossQuestion: crossQuestion?.question,
      cross,
    };
  }

  /** One choice question by sector: each sector's slice (with the region filter, the sector-and-region slice). */
  private async crossBySector(surveyId: string, question: SummaryQuestion, filters: SurveyFilters) {
    const tab = new CrossTab(question, SECTOR_CATEGORIES);
    const columns = SECTOR_CATEGORIES.filter((sector) => !filters.sector || filters.sector === sector);
    const slices: SliceCounts[] = await Promise.all(
      columns.map((sector) => this.counters.read(surveyId, sliceFor({ sector, region: filters.region }))),
    );
    columns.forEach((sector, index) => {
      const counts = slices[index]?.q?.[question.id];
      tab.addCounts(sector, counts?.a ?? 0, counts?.o ?? {});
    });
    return tab.result();
  }

  /** A page of one question's written answers from the snapshot (next/previous by position). */
  async texts(
    surveyId: string,
    questionId: string,
    options: SurveyFilters & { from?: number; before?: number },
  ): Promise<{ survey: Survey; question: QuestionWithSection; snapshot: SnapshotHead; page: TextPage }> {
    const survey = await this.surveys.getSurvey(surveyId);
    const question = (await this.questions(surveyId)).find((q) => q.question.id === questionId);
    if (!question) throw new NotFoundError();
    const snapshot = await this.counters.snapshots.head(surveyId);
    const page = await this.counters.snapshots.texts(surveyId, snapshot, questionId, {
      sector: options.sector,
      region: options.region,
      q: options.q,
      from: options.from,
      before: options.before,
      limit: TEXTS_PER_PAGE,
      budget: TEXT_PAGES_PER_REQUEST,
    });
    return { survey, question, snapshot, page };
  }

  /** Starts the survey's "as of" snapshot (false when one is already running). */
  refreshSnapshot(surveyId: string): Promise<boolean> {
    return this.counters.snapshots.refresh(surveyId);
  }

  /** Export columns: fixed ones, then one per question (matrix: one per row; "other" text beside its question). */
  async exportColumns(surveyId: string): Promise<ExportColumn[]> {
    const questions = await this.questions(surveyId);
    const columns: ExportColumn[] = [
      { id: 'response_id', label: { en: 'Response id', fr: 'Identifiant de la réponse' }, type: 'text' },
      {
        id: 'survey_version',
        label: { en: 'Survey version answered', fr: 'Version du questionnaire' },
        type: 'number',
      },
      { id: 'submitted_at', label: { en: 'Submitted at (UTC)', fr: 'Soumise le (UTC)' }, type: 'datetime' },
      { id: 'language', label: { en: 'Language', fr: 'Langue' }, type: 'code', values: ['en', 'fr'] },
      { id: 'channel', label: { en: 'Channel', fr: 'Canal' }, type: 'code', values: ['open', 'invited'] },
      { id: 'sector', label: { en: 'Sector (self-identified)', fr: 'Secteur (déclaré)' }, type: 'code' },
      { id: 'region', label: { en: 'Province or territory', fr: 'Province ou territoire' }, type: 'code' },
      { id: 'organisation', label: { en: 'Organisation', fr: 'Organisation' }, type: 'text' },
    ];
    for (const { question } of questions) {
      if (question.type === 'matrix') {
        for (const row of question.rows ?? []) {
          columns.push({
            id: `${question.id}.${row.id}`,
            questionId: question.id,
            label: {
              en: `${question.label.en} — ${row.label.en}`,
              fr: `${question.label.fr} — ${row.label.fr}`,
            },
            type: 'code',
            valueLabels: question.scale,
            pick: (answer) =>
              answer && typeof answer === 'object' && !Array.isArray(answer)
                ? (answer as Record<string, string>)[row.id]
                : undefined,
          });
        }
        continue;
      }
      columns.push({
        id: question.id,
        questionId: question.id,
        label: question.label,
        type: question.type,
        ...(question.options ? { valueLabels: question.options } : {}),
      });
      if (question.allowOther) {
        columns.push({
          id: `${question.id}.other`,
          questionId: question.id,
          label: {
            en: `${question.label.en} — other (specified)`,
            fr: `${question.label.fr} — autre (précisez)`,
          },
          type: 'text',
          other: true,
        });
      }
    }
    return columns;
  }

  /**
   * One row per submitted response, in the columns' order, streamed from the survey's answer log (constant memory,
   * time linear in this survey's responses), in the order responses were first recorded.
   */
  async *exportRows(surveyId: string, columns: ExportColumn[]): AsyncGenerator<unknown[]> {
    for await (const r of this.counters.log.responses(surveyId)) {
      yield columns.map((column) => {
        switch (column.id) {
          case 'response_id':
            return r.id;
          case 'survey_version':
            return r.surveyVersion;
          case 'submitted_at':
            return r.submittedAt;
          case 'language':
            return r.locale;
          case 'channel':
            return r.channel;
          case 'sector':
            return r.sector ?? 'not_asked';
          case 'region':
            return r.region ?? 'not_asked';
          case 'organisation':
            return r.organisation ?? '';
        }
        const questionId = column.questionId as string;
        if (column.other) return r.otherText?.[questionId] ?? '';
        const answer = r.answers[questionId];
        return column.pick ? column.pick(answer) : answer;
      });
    }
  }

  /** The survey, or NotFoundError. */
  getSurvey(id: string): Promise<Survey> {
    return this.surveys.getSurvey(id);
  }
}

/** Written answers shown under a question on the survey page, and how many snapshot pages a search there reads. */
const PREVIEW_TEXTS = 5;
const PREVIEW_SEARCH_PAGES = 3;
/** The written-answers page: answers per page, and snapshot pages (of TEXT_PAGE) read at most per request. */
export const TEXTS_PER_PAGE = 50;
const TEXT_PAGES_PER_REQUEST = 20;

export interface ExportColumn {
  id: string;
  questionId?: string;
  label: { en: string; fr: string };
  type: string;
  /** Allowed codes when they are fixed lists. */
  values?: string[];
  valueLabels?: { id: string; label: { en: string; fr: string } }[];
  other?: boolean;
  pick?: (answer: unknown) => unknown;
}
