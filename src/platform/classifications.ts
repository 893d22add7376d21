/**
 * The self-identification lists, with stable keys. Keys are stored and counted; labels live in
 * locales/<lang>/classifications.json (`classifications:sector.<key>`, `classifications:region.<key>`, ...).
 * Changing a label is safe; changing or removing a key changes what past records mean, so keys are only added.
 */

export const SECTORS = [
  'civil_society',
  'academia',
  'private_sector',
  'government',
  'indigenous_organization',
  'individual',
  'other',
  'prefer_not_to_say',
] as const;
export type Sector = (typeof SECTORS)[number];

/** Used in counts for participants who were never asked (a survey without the self-identification section). */
export const NOT_ASKED = 'not_asked' as const;
export type SectorCategory = Sector | typeof NOT_ASKED;
export const SECTOR_CATEGORIES: readonly SectorCategory[] = [...SECTORS, NOT_ASKED];

export const CIVIL_SOCIETY: Sector = 'civil_society';

export const REGIONS = [
  'AB',
  'BC',
  'MB',
  'NB',
  'NL',
  'NS',
  'NT',
  'NU',
  'ON',
  'PE',
  'QC',
  'SK',
  'YT',
  'outside_canada',
  'prefer_not_to_say',
] as const;
export type Region = (typeof REGIONS)[number];
export type RegionCategory = Region | typeof NOT_ASKED;
export const REGION_CATEGORIES: readonly RegionCategory[] = [...REGIONS, NOT_ASKED];

/** Optional demographics, asked only with explicit consent (GBA+ analysis). */
export const GENDERS = ['woman', 'man', 'non_binary', 'another_gender', 'prefer_not_to_say'] as const;
export type Gender = (typeof GENDERS)[number];

export const AGE_RANGES = [
  'under_18',
  '18_24',
  '25_34',
  '35_44',
  '45_54',
  '55_64',
  '65_plus',
  'prefer_not_to_say',
] as const;
export type AgeRange = (typeof AGE_RANGES)[number];

export function isSector(value: unknown): value is Sector {
  return typeof value === 'string' && (SECTORS as readonly string[]).includes(value);
}
export function isRegion(value: unknown): value is Region {
  return typeof value === 'string' && (REGIONS as readonly string[]).includes(value);
}
export function isGender(value: unknown): value is Gender {
  return typeof value === 'string' && (GENDERS as readonly string[]).includes(value);
}
export function isAgeRange(value: unknown): value is AgeRange {
  return typeof value === 'string' && (AGE_RANGES as readonly string[]).includes(value);
}
