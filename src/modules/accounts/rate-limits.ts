import type { RateLimitRule } from '../../platform/http/rate-limit';

/**
 * Limits on the account forms. "account" rules are keyed on the normalised email (whether or not it exists, so a
 * 429 reveals nothing); "address" rules on the client address (req.ip, which honours TRUST_PROXY).
 * Sign-in counts failed attempts per account (a correct password does not count) and every attempt per address.
 */
export const ACCOUNT_RATE_LIMITS = {
  signInAccount: { name: 'sign-in:account', limit: 10, windowSeconds: 15 * 60 },
  signInAddress: { name: 'sign-in:address', limit: 100, windowSeconds: 15 * 60 },
  signUpAddress: { name: 'sign-up:address', limit: 20, windowSeconds: 60 * 60 },
  resetAccount: { name: 'password-reset:account', limit: 5, windowSeconds: 60 * 60 },
  resetAddress: { name: 'password-reset:address', limit: 30, windowSeconds: 60 * 60 },
  resendAccount: { name: 'verify-resend:account', limit: 5, windowSeconds: 60 * 60 },
  resendAddress: { name: 'verify-resend:address', limit: 30, windowSeconds: 60 * 60 },
} satisfies Record<string, RateLimitRule>;
