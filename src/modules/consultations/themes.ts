/**
 * The policy themes a consultation can be tagged with. Keys are stored; labels live in
 * locales/<lang>/consultations.json under `themes.<key>`. Keys are only ever added, never renamed.
 */
export const THEMES = [
  'open_data',
  'open_information',
  'open_dialogue',
  'transparency',
  'access_to_information',
  'democratic_institutions',
  'digital_government',
  'environment',
  'health',
  'indigenous_reconciliation',
  'economy_and_jobs',
  'justice',
] as const;
export type Theme = (typeof THEMES)[number];

export function isTheme(value: unknown): value is Theme {
  return typeof value === 'string' && (THEMES as readonly string[]).includes(value);
}
