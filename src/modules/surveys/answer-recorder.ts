import type { Answers, OtherText } from './survey-answers';

/**
 * What the surveys module tells the answer counters (analysis) when a response is submitted or a submitted response
 * is edited. `revision` is 1 at submission and grows by one with each edit; `previous` is what the counters held
 * for this response before (absent at submission). Recording is idempotent per (responseId, revision) and safe
 * under any interleaving, so the reconciler may replay it.
 */
export interface SubmittedAnswers {
  surveyId: string;
  responseId: string;
  revision: number;
  answers: Answers;
  sector?: string;
  region?: string;
  submittedAt: Date;
  /**
   * The rest of the response as exports show it: the counters keep a per-survey copy of each submitted response
   * (the answer log), so an export or the "as of" snapshot reads only that survey's responses.
   */
  surveyVersion: number;
  otherText: OtherText;
  organisation?: string;
  locale: string;
  channel: 'open' | 'invited';
  previous?: { answers: Answers; sector?: string; region?: string };
}

export interface AnswerRecorder {
  recordAnswers(input: SubmittedAnswers): Promise<void>;
  /** An officer excluded (or restored) a flagged response: its answers leave (or rejoin) the counts, once per `seq`. */
  moderate?(input: SubmittedAnswers & { excluded: boolean; seq: number }): Promise<void>;
}
