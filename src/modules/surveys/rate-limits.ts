import { TooManyRequestsError } from '../../platform/errors';
import type { RateLimitRule, RateLimiter } from '../../platform/http/rate-limit';

/**
 * Limits on answering surveys, generous enough that a person never meets them (a long survey is a few dozen page
 * saves), tight enough that a script cannot flood the responses. "address" rules are keyed on the client address
 * (req.ip, which honours TRUST_PROXY; set high because a whole office can share one address), "respondent" rules
 * on the respondent key (the signed-in user, or the browser's own key).
 *
 * Anonymous submissions (no account, no invitation: a browser key or an API request) are also counted per client
 * address, per survey and overall, because a fresh cookie or Idempotency-Key makes a fresh respondent. Many people
 * can share one address (a government office behind one NAT), so these are generous; the main answer to a flood
 * is the challenge step (flood-guard.ts). Past `anonSubmitFlagAfter` in one survey's window the response is
 * accepted but flagged for the officers (reason "address").
 */
export const SURVEY_RATE_LIMITS = {
  pageSaveRespondent: { name: 'survey-page:respondent', limit: 60, windowSeconds: 10 * 60 },
  pageSaveAddress: { name: 'survey-page:address', limit: 600, windowSeconds: 10 * 60 },
  resumeLinkAddress: { name: 'survey-resume-link:address', limit: 20, windowSeconds: 60 * 60 },
  apiResponseAddress: { name: 'survey-api-response:address', limit: 120, windowSeconds: 10 * 60 },
  anonSubmitSurveyAddress: { name: 'survey-anon-submit:survey-address', limit: 100, windowSeconds: 10 * 60 },
  anonSubmitAddress: { name: 'survey-anon-submit:address', limit: 300, windowSeconds: 10 * 60 },
} satisfies Record<string, RateLimitRule>;

/** Anonymous submissions to one survey from one address in one window before each further one is flagged. */
export const ANON_SUBMIT_FLAG_AFTER = 20;

/**
 * The per-address limits of anonymous submissions: over the limit, a 429 whose page says the answers are saved
 * (they are: the draft was written before this check) and when to try again.
 */
export async function consumeAnonymous(
  limiter: RateLimiter,
  surveyId: string,
  address: string,
  messageKey = 'surveys:flood.tooMany',
): Promise<{ perSurvey: number }> {
  try {
    await limiter.consume(SURVEY_RATE_LIMITS.anonSubmitAddress, address);
    const { remaining } = await limiter.consume(
      SURVEY_RATE_LIMITS.anonSubmitSurveyAddress,
      `${surveyId}|${address}`,
    );
    return { perSurvey: SURVEY_RATE_LIMITS.anonSubmitSurveyAddress.limit - remaining };
  } catch (error) {
    if (error instanceof TooManyRequestsError) {
      throw new TooManyRequestsError(error.retryAfterSeconds, {
        key: messageKey,
        values: { minutes: Math.max(1, Math.ceil(error.retryAfterSeconds / 60)) },
      });
    }
    throw error;
  }
}
