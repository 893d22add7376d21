import type { RateLimitRule } from '../../platform/http/rate-limit';

/**
 * Limits on answering surveys, generous enough that a person never meets them (a long survey is a few dozen page
 * saves), tight enough that a script cannot flood the responses. "address" rules are keyed on the client address
 * (req.ip, which honours TRUST_PROXY; set high because a whole office can share one address), "respondent" rules
 * on the respondent key (the signed-in user, or the browser's own key).
 */
export const SURVEY_RATE_LIMITS = {
  pageSaveRespondent: { name: 'survey-page:respondent', limit: 60, windowSeconds: 10 * 60 },
  pageSaveAddress: { name: 'survey-page:address', limit: 600, windowSeconds: 10 * 60 },
  resumeLinkAddress: { name: 'survey-resume-link:address', limit: 20, windowSeconds: 60 * 60 },
  apiResponseAddress: { name: 'survey-api-response:address', limit: 120, windowSeconds: 10 * 60 },
} satisfies Record<string, RateLimitRule>;
