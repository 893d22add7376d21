/**
 * The domain error hierarchy. Services throw these; they know nothing about HTTP. The one error handler
 * (platform/http/error-handler.ts) maps each to a status and a page or a problem+json body.
 * Messages are i18n keys (with optional interpolation values), so the same error reads well in either language.
 */

export interface MessageRef {
  key: string;
  values?: Record<string, string | number>;
}

export abstract class AppError extends Error {
  constructor(
    readonly messageRef: MessageRef,
    options?: { cause?: unknown },
  ) {
    super(messageRef.key, options);
    this.name = new.target.name;
  }
}

/** The request is malformed in a way no form can fix (bad parameters, unreadable body). */
export class BadRequestError extends AppError {
  constructor(messageRef: MessageRef = { key: 'errors:400.body' }) {
    super(messageRef);
  }
}

/** The thing asked for does not exist, or the actor may not know that it exists. */
export class NotFoundError extends AppError {
  constructor(messageRef: MessageRef = { key: 'errors:404.body' }) {
    super(messageRef);
  }
}

/** The actor is not signed in and the action needs an account. */
export class UnauthenticatedError extends AppError {
  constructor(messageRef: MessageRef = { key: 'errors:401.body' }) {
    super(messageRef);
  }
}

/** The actor is known but may not do this. */
export class ForbiddenError extends AppError {
  constructor(messageRef: MessageRef = { key: 'errors:403.body' }) {
    super(messageRef);
  }
}

/** A state-changing request arrived without the form's anti-forgery token (or with a stale one). */
export class CsrfError extends ForbiddenError {
  constructor() {
    super({ key: 'errors:csrf.body' });
  }
}

/** The action conflicts with what is already stored (a duplicate, a stale version). */
export class ConflictError extends AppError {
  constructor(messageRef: MessageRef = { key: 'errors:409.body' }) {
    super(messageRef);
  }
}

/** The thing exists but is no longer accepting this action (a closed consultation or survey). */
export class ClosedError extends AppError {
  constructor(messageRef: MessageRef = { key: 'errors:410.body' }) {
    super(messageRef);
  }
}

/** Too many attempts in a time window. */
export class TooManyRequestsError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    messageRef: MessageRef = { key: 'errors:429.body' },
  ) {
    super(messageRef);
  }
}

/** A dependency (the database, the mail server) cannot serve the request right now. */
export class UnavailableError extends AppError {
  constructor(messageRef: MessageRef = { key: 'errors:503.body' }, options?: { cause?: unknown }) {
    super(messageRef, options);
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
  ) {
    super(messageRef);
  }
}
