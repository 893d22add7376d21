/**
 * "The database cannot be reached right now" as opposed to "this request is wrong" or "the code is broken": such a
 * request may succeed later, so it is a 503 (not a 500), and readiness counts it as a failure of this instance's
 * connection (health.ts).
 */

/** Driver and Mongoose errors that mean the database (or the way to it) is unavailable. */
const UNAVAILABLE_NAMES = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoPoolClearedError',
  'PoolClearedOnNetworkError',
  'MongoPoolClosedError',
  'MongoWaitQueueTimeoutError',
  'MongoTopologyClosedError',
  'MongoServerClosedError',
  'MongoClientClosedError',
  'MongoOperationTimeoutError',
]);

/**
 * Server error codes of the same kind: the node is shutting down, stepping down or unreachable, or the operation
 * timed out (https://www.mongodb.com/docs/manual/reference/error-codes/).
 */
const UNAVAILABLE_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  50, // MaxTimeMSExpired
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/** Labels the driver puts on errors after which it resets its connection pool. */
const UNAVAILABLE_LABELS = ['ResetPool', 'SystemOverloadedError'];

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  reason?: unknown;
  errorLabels?: unknown;
  hasErrorLabel?: unknown;
}

function isUnavailable(error: ErrorLike): boolean {
  if (typeof error.name === 'string' && UNAVAILABLE_NAMES.has(error.name)) return true;
  const fromDriver = typeof error.name === 'string' && error.name.startsWith('Mongo');
  if (fromDriver && typeof error.code === 'number' && UNAVAILABLE_CODES.has(error.code)) return true;
  const labels = error.errorLabels;
  if (Array.isArray(labels) && UNAVAILABLE_LABELS.some((label) => labels.includes(label))) return true;
  // Mongoose queues operations while disconnected and fails them with a plain MongooseError after bufferTimeoutMS.
  return (
    error.name === 'MongooseError' &&
    typeof error.message === 'string' &&
    /buffering timed out/.test(error.message)
  );
}

/** True when `error` (or what caused it) says the database is unavailable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const candidate = current as ErrorLike;
    if (isUnavailable(candidate)) return true;
    current = candidate.cause ?? candidate.reason;
  }
  return false;
}
