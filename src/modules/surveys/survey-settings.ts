import { z } from 'zod';

export const AUDIENCES = ['anyone', 'signed_in', 'invited'] as const;
export type Audience = (typeof AUDIENCES)[number];

const text = z.object({ en: z.string().max(2000).default(''), fr: z.string().max(2000).default('') });

/** How a survey is answered. Everything has a default, so an imported or older survey always has full settings. */
export const settingsSchema = z.object({
  /** Who may answer: anyone (anonymous allowed), signed-in participants, or invited people only. */
  audience: z.enum(AUDIENCES).default('anyone'),
  /** One response per respondent (a signed-in user, an invitation, or a browser). */
  onePerRespondent: z.boolean().default(true),
  opensAt: z.coerce.date().nullable().default(null),
  closesAt: z.coerce.date().nullable().default(null),
  /** A submitted response may be changed until the survey closes. */
  editableUntilClose: z.boolean().default(false),
  thankYou: text.default({ en: '', fr: '' }),
  /** Email a confirmation to respondents whose address is known (signed in, invited, or given for resuming). */
  confirmationEmail: z.boolean().default(false),
  /** The built-in "About you" page (sector, region) that feeds the participation metrics. */
  selfIdentification: z.boolean().default(true),
  /** Ask for an organisation name on the "About you" page (never on anonymous surveys). */
  askOrganisation: z.boolean().default(true),
  /**
   * Anonymous: the response is never linked to an invitation, and no organisation name is asked. Invitations are
   * still counted as answered, separately.
   */
  anonymous: z.boolean().default(false),
});
export type SurveySettings = z.infer<typeof settingsSchema>;

export function defaultSettings(): SurveySettings {
  return settingsSchema.parse({});
}
