/**
 * The surveys module's public face: questionnaire definitions and the builder, answering with drafts, responses,
 * invitations and the JSON API. (Responses live here too: they cannot be understood without their survey version.)
 */
export * from './survey-definition';
export * from './survey-answers';
export type { AnswerRecorder, SubmittedAnswers } from './answer-recorder';
export {
  defaultSettings,
  settingsSchema,
  AUDIENCES,
  type Audience,
  type SurveySettings,
} from './survey-settings';
export {
  createSurveysService,
  ABOUT_YOU,
  type Respondent,
  type Survey,
  type SurveysService,
  type ResponseView,
  type ParticipantActivity,
} from './surveys.service';
export { createSurveysModule, type SurveysModule, type SurveysModuleDeps } from './surveys.module';
export { answeringRouter } from './answering.routes';
export { builderRouter } from './builder.routes';
export { invitationsRouter, invitationUploadCsrfExempt } from './invitations.routes';
export { invitationOptOutRouter, invitationOptOutCsrfExempt } from './opt-out.routes';
export { surveysApiRouter, registerSurveysOpenApi } from './surveys-api.routes';
export { surveyFormCsrfExempt } from './respondent';
export { sessionRescueExempt } from './session-rescue';
export { SURVEY_RATE_LIMITS } from './rate-limits';
export { FloodGuard, type ResponseFlag } from './flood-guard';
export { flaggedRouter } from './flagged.routes';
