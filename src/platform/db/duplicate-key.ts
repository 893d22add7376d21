/**
 * True when a write failed on a unique index (MongoDB and FerretDB both answer with code 11000). With exactness
 * coming from unique-index inserts, this is the "it already exists" answer, not a failure.
 */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}
