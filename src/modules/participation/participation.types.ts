import type { AgeRange, Gender, RegionCategory, SectorCategory } from '../../platform/classifications';
import type { Locale } from '../../platform/i18n';

/**
 * What the surveys module (its responses service) tells the participation module when a response is submitted.
 * Recording is idempotent per responseId: calling it twice for one response counts once.
 */
export interface SubmissionRecord {
  responseId: string;
  roundId: string;
  consultationId: string;
  surveyId: string;
  /** The respondent: `user:<userId>`, `invite:<invitationId>` or `anon:<browserKey>` (see ARCHITECTURE). */
  respondentKey: string;
  /** As self-identified when they took part; `not_asked` when the survey did not ask. */
  sector: SectorCategory;
  region: RegionCategory;
  /** Only when the respondent consented to give demographics. */
  gender?: Gender;
  ageRange?: AgeRange;
  locale: Locale;
  channel: 'open' | 'invited';
  submittedAt: Date;
}

export interface ParticipationRecorder {
  recordSubmission(record: SubmissionRecord): Promise<void>;
}
