/**
 * The domain error hierarchy. Services throw these; they know nothing about HTTP. The one error handler
 * (platform/http/error-handler.ts) maps each to a status and a page or a problem+json body.
 * Messages are i18n keys (with optional interpolation values), so the same error reads well in either language.
 */

export interface MessageRef {
  key: string;
  values?: Record<string, string | number>;
}

/**
 * What went wrong, for code: routes branch on `code`, never on a message key (keys are wording and change). The
 * generic codes follow the classes; a specific code names a case a caller handles on its own.
 */
export type ErrorCode =
  | 'bad_request'
  | 'not_found'
  | 'unauthenticated'
  | 'forbidden'
  | 'csrf'
  | 'conflict'
  | 'closed'
  | 'too_many_requests'
  | 'unavailable'
  | 'validation'
  /** The current password given to confirm an action is wrong (counted like a failed sign-in). */
  | 'wrong_password'
  /** A submission's final check found unanswered required questions, possibly on another page. */
  | 'answers_incomplete'
  /** An Idempotency-Key sent again with a different request body. */
  | 'idempotency_mismatch';

export interface ErrorOptions {
  cause?: unknown;
  code?: ErrorCode;
}

export abstract class AppError extends Error {
  readonly code: ErrorCode;

  constructor(
    readonly messageRef: MessageRef,
    defaultCode: ErrorCode,
    options: ErrorOptions = {},
  ) {
    super(messageRef.key, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? defaultCode;
  }
}

/** The request is malformed in a way no form can fix (bad parameters, unreadable body). */
export class BadRequestError extends AppError {
  constructor(messageRef: MessageRef = { key: 'errors:400.body' }, options?: ErrorOptions) {
    super(messageRef, 'bad_request', options);
  }
}

/** The thing asked for does not exist, or the actor may not know that it exists. */
export class NotFoundError extends AppError {
  constructor(messageRef: MessageRef = { key: 'errors:404.body' }, options?: ErrorOptions) {
    super(messageRef, 'not_found', options);
  }
}

/** The actor is not signed in and the action needs an account. */
export class UnauthenticatedError extends AppError {
  constructor(messageRef: MessageRef = { key: 'errors:401.body' }, options?: ErrorOptions) {
    super(messageRef, 'unauthenticated', options);
  }
}

/** The actor is known but may not do this. */
export class ForbiddenError extends AppError {
  constructor(messageRef: MessageRef = { key: 'errors:403.body' }, options?: ErrorOptions) {
    super(messageRef, 'forbidden', options);
  }
}

/** A state-changing request arrived without the form's anti-forgery token (or with a stale one). */
export class CsrfError extends ForbiddenError {
  constructor() {
    super({ key: 'errors:csrf.body' }, { code: 'csrf' });
  }
}

/** The action conflicts with what is already stored (a duplicate, a stale version). */
export class ConflictError extends AppError {
  constructor(messageRef: MessageRef = { key: 'errors:409.body' }, options?: ErrorOptions) {
    super(messageRef, 'conflict', options);
  }
}

/** The thing exists but is no longer accepting this action (a closed consultation or survey). */
export class ClosedError extends AppError {
  constructor(messageRef: MessageRef = { key: 'errors:410.body' }, options?: ErrorOptions) {
    super(messageRef, 'closed', options);
  }
}

/** Too many attempts in a time window. */
export class TooManyRequestsError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    messageRef: MessageRef = { key: 'errors:429.body' },
  ) {
    super(messageRef, 'too_many_requests');
  }
}

/** A dependency (the database, the mail server) cannot serve the request right now. */
export class UnavailableError extends AppError {
  constructor(messageRef: MessageRef = { key: 'errors:503.body' }, options?: ErrorOptions) {
    super(messageRef, 'unavailable', options);
  }
}

export interface FieldError {
  /** The form field's name, also the id the error summary links to. */
  field: string;
  message: MessageRef;
}

/** Input failed validation. Carries one message per field so the form can be shown again with them. */
export class ValidationError extends AppError {
  constructor(
    readonly fieldErrors: FieldError[],
    messageRef: MessageRef = { key: 'errors:422.body' },
    options?: ErrorOptions,
  ) {
    super(messageRef, 'validation', options);
  }
}
