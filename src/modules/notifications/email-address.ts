import { z } from 'zod';

/**
 * One plain mailbox address. Display names, lists ("a@x, b@y"), line breaks (header injection) and angle brackets are
 * refused before anything reaches Nodemailer.
 */
const addressSchema = z
  .string()
  .trim()
  .max(254)
  .refine((value) => !/[\r\n,;<>"()\s]/.test(value), 'one address, without names, spaces or separators')
  .pipe(z.email());

export function normaliseEmailAddress(value: unknown): string | undefined {
  const parsed = addressSchema.safeParse(value);
  return parsed.success ? parsed.data.toLowerCase() : undefined;
}
