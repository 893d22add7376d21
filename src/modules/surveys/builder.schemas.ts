import { z } from 'zod';

/**
 * The officer's simple builder forms (details, page, settings) as zod schemas. They only give the body its shape:
 * what the survey may hold is checked by the service (editDefinition, updateSettings), whose ValidationError paths
 * the routes map back to these fields. Like the hand-written reading they replace, they refuse nothing: a field
 * sent several times is its first value, and a missing one, or one that is not text (JSON), is ''. Values are kept
 * as sent (the form shows them again); they are trimmed when read into the survey.
 */
const field = z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.string().catch(''));
/** Checkboxes and multi-selects: one value, several, or none. */
const fieldOrList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .catch(undefined);

/** Parses a request body (anything) into `schema`'s shape; never throws for these all-lenient schemas. */
export function parseBuilderForm<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  return schema.parse(body && typeof body === 'object' && !Array.isArray(body) ? body : {});
}

const localizedFields = { titleEn: field, titleFr: field, descriptionEn: field, descriptionFr: field };

/** /manage/surveys/:surveyId/details: the survey's title and introduction. */
export const detailsFormSchema = z.object(localizedFields);
export type DetailsForm = z.infer<typeof detailsFormSchema>;

/** /manage/surveys/:surveyId/sections[/:sectionId]: a page's title, introduction and "show only if". */
export const sectionFormSchema = z.object({
  ...localizedFields,
  showIfQuestion: field,
  showIfOperator: field,
  showIfValues: fieldOrList,
  // "Show the answers of this question": the form again, unsaved.
  conditionRefresh: field,
});
export type SectionForm = z.infer<typeof sectionFormSchema>;

/** /manage/surveys/:surveyId/settings (checkboxes send "yes"). */
export const settingsFormSchema = z.object({
  audience: field,
  onePerRespondent: field,
  opensAt: field,
  closesAt: field,
  editableUntilClose: field,
  thankYouEn: field,
  thankYouFr: field,
  confirmationEmail: field,
  selfIdentification: field,
  askOrganisation: field,
  anonymous: field,
});
export type SettingsForm = z.infer<typeof settingsFormSchema>;

/** A title and an optional introduction, trimmed; the introduction left out when empty in both languages. */
export function titleAndDescription(form: DetailsForm): {
  title: { en: string; fr: string };
  description?: { en: string; fr: string };
} {
  const description = { en: form.descriptionEn.trim(), fr: form.descriptionFr.trim() };
  return {
    title: { en: form.titleEn.trim(), fr: form.titleFr.trim() },
    ...(description.en || description.fr ? { description } : {}),
  };
}
