import { z } from 'zod';
import { CIVIL_SOCIETY, SECTOR_CATEGORIES } from '../../platform/classifications';

/**
 * What the participation API accepts, validated by the routes and turned into the OpenAPI parameters
 * (participation.openapi.ts): one source for both.
 */
export const trendQuerySchema = z.object({
  sector: z
    .enum(SECTOR_CATEGORIES as [string, ...string[]])
    .default(CIVIL_SOCIETY)
    .meta({ description: 'The sector whose share is followed (default civil_society).' }),
});

/** A round's slug in the path. */
export const roundPathSchema = z.object({
  slug: z.string().max(80).meta({ description: 'The round slug.' }),
});
