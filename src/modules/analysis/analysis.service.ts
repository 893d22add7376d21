import type { ConsultationsService, Consultation, Round } from '../consultations';
import { NOT_ANSWERED, type ParticipationReports, type ScopeReport } from '../participation';
import { BadRequestError, NotFoundError } from '../../platform/errors';
import type { Locale } from '../../platform/i18n';
import type { SurveysService, Survey } from '../surveys';
import {
  CrossTab,
  QuestionAccumulator,
  type QuestionSummary,
  type SummaryQuestion,
} from './question-summary';
import { SECTOR_CATEGORIES } from '../../platform/classifications';
import { sliceFor, summaryFromCounts, type SliceCounts } from './answer-counts';
import type { AnswerCounters } from './answer-counters';
import type { LoggedResponse } from './answer-log';
import type { SnapshotHead, TextPage } from './answer-snapshot';
import {
  combinationOf,
  exportColumns,
  mergeQuestions,
  suppressedCombinations,
  type ExportColumn,
  type ExportForm,
  type RowContext,
  type Translate,
} from './exports';
import { isFiltered, matchesFilters, needsLogPass, type AnalysisFilters } from './filters';

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

export interface SurveyFilters extends AnalysisFilters {
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

export interface AnalysisOptions {
  /** SUPPRESSION_THRESHOLD: anonymous surveys' filtered figures and downloads keep to groups at least this big. */
  threshold: number;
  /** Labels of the fixed lists (sectors, regions, languages, channels) in either language, for exports. */
  t: Translate;
  /** Language, channel and date filters read the survey's answer log: refused above this many responses. */
  logPassLimit?: number;
}

/** The figures of a filtered survey page: responses in the filtered set, by who they are. */
export interface SliceFigures {
  matching: number;
  by: {
    sector: Record<string, number>;
    region: Record<string, number>;
    locale: Record<string, number>;
    channel: Record<string, number>;
  };
}

export class AnalysisService {
  constructor(
    private readonly reports: ParticipationReports,
    private readonly consultations: ConsultationsService,
    private readonly surveys: SurveysService,
    readonly counters: AnswerCounters,
    readonly options: AnalysisOptions = { threshold: 5, t: (_l, key) => key },
  ) {}

  get threshold(): number {
    return this.options.threshold;
  }

  get logPassLimit(): number {
    return this.options.logPassLimit ?? LOG_PASS_LIMIT;
  }

  /**
   * Anonymous surveys: a filtered set of 1 to threshold - 1 responses is refused (400), so no filtered figure or
   * download describes a group small enough to point at people.
   */
  private guardSmallGroup(survey: Survey, filters: AnalysisFilters, matching: number): void {
    if (!survey.settings.anonymous || !isFiltered(filters)) return;
    if (matching > 0 && matching < this.threshold)
      throw new BadRequestError({ key: 'analysis:errors.smallGroup', values: { threshold: this.threshold } });
  }

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
   * A survey's answers question by question, for the filtered set of responses, with "who took part" in that set.
   *
   * Without filters, or with sector and region only: from the counters (one slice: the filters' sector and region),
   * the "as of" snapshot for medians, date ranges and written answers, and, with `cross`, one choice question by
   * sector (one slice per sector). The number of reads does not depend on the number of responses.
   *
   * With a language, channel or date filter: one pass over the survey's answer log (the same read as an export),
   * computing every figure from the matching responses themselves, so the medians and written answers are current
   * too. Its time is linear in the survey's responses (about 0.2 s per 1,000 on the bench machine: its export of 100,000 took 22 s), so it is
   * refused above `logPassLimit` responses (the filtered download is the way then).
   */
  async survey(id: string, filters: SurveyFilters) {
    const survey: Survey = await this.surveys.getSurvey(id);
    const snapshots = this.counters.snapshots;
    const logPass = needsLogPass(filters);
    const [consultation, questions, counts, head] = await Promise.all([
      this.consultations.getConsultationById(survey.consultationId, { includeDrafts: true }),
      this.questions(id),
      this.counters.read(id, logPass ? 'all' : sliceFor(filters)),
      snapshots.head(id),
    ]);
    const crossQuestion = questions.find(
      (q) =>
        q.question.id === filters.cross &&
        ['single_choice', 'dropdown', 'multiple_choice'].includes(q.question.type),
    );
    let analysed: AnalysedQuestion[];
    let slice: SliceFigures;
    let cross: ReturnType<CrossTab['result']> | undefined;
    if (logPass) {
      if ((counts.n ?? 0) > this.logPassLimit)
        throw new BadRequestError({ key: 'analysis:errors.tooMany', values: { limit: this.logPassLimit } });
      ({ analysed, slice, cross } = await this.fromLog(id, questions, filters, crossQuestion?.question));
    } else {
      slice = {
        matching: counts.n ?? 0,
        by: {
          sector: counts.m?.s ?? {},
          region: counts.m?.r ?? {},
          locale: counts.m?.l ?? {},
          channel: counts.m?.c ?? {},
        },
      };
      const figures = await snapshots.figures(id, head.gen, sliceFor(filters));
      analysed = [];
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
      cross = crossQuestion ? await this.crossBySector(id, crossQuestion.question, filters) : undefined;
    }
    this.guardSmallGroup(survey, filters, slice.matching);
    const filtered = isFiltered(filters);
    const [report, completion] = await Promise.all([
      filtered
        ? this.sliceReport(slice, survey.settings.anonymous)
        : this.reports.scopeReport('survey', survey.id, { exact: true }),
      this.surveys.responseStatusCounts({ surveyId: survey.id }),
    ]);
    return {
      survey,
      consultation,
      report,
      filtered,
      logPass,
      completion: this.completion(completion),
      matching: slice.matching,
      snapshot: head,
      questions: analysed,
      crossQuestion: crossQuestion?.question,
      cross,
    };
  }

  /**
   * "Who took part" in a filtered set: its responses by sector, region, language and channel, exact for staff, and
   * suppressed like the public figures (publishTables) when the survey is anonymous.
   */
  private sliceReport(slice: SliceFigures, anonymous: boolean): ScopeReport {
    const n = slice.matching;
    return this.reports.reportFrom(
      {
        participants: n,
        responses: n,
        by: {
          sector: slice.by.sector,
          region: slice.by.region,
          locale: slice.by.locale,
          channel: slice.by.channel,
          gender: { [NOT_ANSWERED]: n },
          ageRange: { [NOT_ANSWERED]: n },
        },
      } as never,
      { exact: !anonymous },
    );
  }

  /** Every figure of the page from the matching responses of the answer log (one pass, memory bounded by the limit). */
  private async fromLog(
    surveyId: string,
    questions: QuestionWithSection[],
    filters: SurveyFilters,
    crossQuestion: SummaryQuestion | undefined,
  ) {
    const accumulators = questions.map(
      (q) => new QuestionAccumulator(q.question, filters.q ?? '', PREVIEW_TEXTS),
    );
    const tab = crossQuestion ? new CrossTab(crossQuestion, SECTOR_CATEGORIES) : undefined;
    const slice: SliceFigures = { matching: 0, by: { sector: {}, region: {}, locale: {}, channel: {} } };
    const bump = (map: Record<string, number>, key: string) => (map[key] = (map[key] ?? 0) + 1);
    for await (const r of this.counters.log.responses(surveyId)) {
      if (!matchesFilters(r, filters)) continue;
      slice.matching++;
      bump(slice.by.sector, r.sector || 'not_asked');
      bump(slice.by.region, r.region || 'not_asked');
      bump(slice.by.locale, r.locale);
      bump(slice.by.channel, r.channel);
      accumulators.forEach((acc, index) => {
        const questionId = questions[index]?.question.id as string;
        acc.add(r.answers[questionId] as never, r.otherText?.[questionId]);
      });
      if (tab && crossQuestion) tab.add(r.answers[crossQuestion.id] as never, r.sector || 'not_asked');
    }
    const analysed: AnalysedQuestion[] = questions.map((q, index) => {
      const result = (accumulators[index] as QuestionAccumulator).result();
      const { otherTexts, ...summary } = result as QuestionSummary & { otherTexts?: string[] };
      const written = summary.kind === 'text' ? summary.texts : otherTexts;
      return {
        ...q,
        summary: summary as QuestionSummary,
        ...(written && written.length
          ? {
              texts: {
                items: written.map((text, i) => ({ index: i, text })),
                next: null,
                previous: null,
                total: 0, // no link to the snapshot's paged list: it filters by sector and region only
                partial: false,
              },
            }
          : {}),
      };
    });
    return { analysed, slice, cross: tab?.result() };
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
    if (survey.settings.anonymous && isFiltered(options)) {
      const slice = await this.counters.read(surveyId, sliceFor(options));
      this.guardSmallGroup(survey, options, slice.n ?? 0);
    }
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

  /**
   * The download's columns, coded (the codebook's) and labelled, from every version of the survey (options that
   * only older versions had keep their labels). Anonymous surveys get the coarsened fixed columns (exports.ts).
   */
  async exportColumns(survey: Survey): Promise<{ coded: ExportColumn[]; labelled: ExportColumn[] }> {
    const versions = await this.surveys.allDefinitions(survey.id);
    return exportColumns(mergeQuestions(versions), {
      anonymous: survey.settings.anonymous,
      t: this.options.t,
    });
  }

  /**
   * Prepares a download of the filtered responses. For an anonymous survey this reads the log once first, to count
   * the rows of each (sector, region) combination: a filtered set of 1 to threshold - 1 rows is refused, and the
   * combinations to blank are chosen (exports.ts, suppressedCombinations). Call it before sending anything.
   */
  async prepareExport(survey: Survey, filters: AnalysisFilters): Promise<{ suppressed: Set<string> }> {
    if (!survey.settings.anonymous) return { suppressed: new Set() };
    const combinations = new Map<string, number>();
    let matching = 0;
    for await (const r of this.counters.log.responses(survey.id)) {
      if (!matchesFilters(r, filters)) continue;
      matching++;
      const key = combinationOf(r);
      combinations.set(key, (combinations.get(key) ?? 0) + 1);
    }
    this.guardSmallGroup(survey, filters, matching);
    return { suppressed: suppressedCombinations(combinations, this.threshold) };
  }

  /**
   * One row per submitted response in the filtered set, in the columns' order, streamed from the survey's answer
   * log (constant memory, time linear in this survey's responses), in the order responses were first recorded.
   */
  async *exportRows(
    surveyId: string,
    columns: ExportColumn[],
    options: {
      filters?: AnalysisFilters;
      form?: ExportForm;
      locale?: Locale;
      suppressed?: Set<string>;
    } = {},
  ): AsyncGenerator<unknown[]> {
    const filters = options.filters ?? {};
    const locale = options.locale ?? 'en';
    let index = 0;
    for await (const r of this.counters.log.responses(surveyId)) {
      if (!matchesFilters(r, filters)) continue;
      const row: RowContext = { index, suppressed: options.suppressed?.has(combinationOf(r)) ?? false };
      index++;
      yield options.form === 'labelled'
        ? columns.map((column) => column.labelled(r, row, locale))
        : columns.map((column) => column.coded(r, row));
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
/** Filters that read the answer log (language, channel, dates) are refused above this many responses. */
export const LOG_PASS_LIMIT = 20_000;

export type { ExportColumn, LoggedResponse };
