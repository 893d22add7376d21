import type { ConsultationStatus, Publication } from './consultations.types';

/**
 * The status people see at `now`. Published consultations are upcoming before opensAt, open from opensAt
 * (inclusive) until closesAt (exclusive), and closed after; drafts and archived ones are what the officer set.
 */
export function consultationStatus(
  consultation: { publication: Publication; opensAt: Date; closesAt: Date },
  now: Date,
): ConsultationStatus {
  if (consultation.publication === 'draft') return 'draft';
  if (consultation.publication === 'archived') return 'archived';
  if (now.getTime() < consultation.opensAt.getTime()) return 'upcoming';
  if (now.getTime() < consultation.closesAt.getTime()) return 'open';
  return 'closed';
}

/** Slugs: lowercase ASCII letters, digits and single hyphens, as they appear in addresses. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SLUG_MAX = 80;

/** "Consultation sur l'été 2018!" -> "consultation-sur-l-ete-2018" */
export function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX)
    .replace(/-+$/g, '');
}

/** Escapes text for use inside a RegExp, so a search for "a.b*" looks for those characters literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
