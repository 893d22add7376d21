import type { Answers } from './survey-answers';

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
  previous?: { answers: Answers; sector?: string; region?: string };
}

export interface AnswerRecorder {
  recordAnswers(input: SubmittedAnswers): Promise<void>;
}
