import {
  BadRequestError,
  ClosedError,
  ConflictError,
  CsrfError,
  ForbiddenError,
  NotFoundError,
  TooManyRequestsError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
} from '.';

describe('error codes', () => {
  it('when an error is thrown without a code, then it carries its class default', () => {
    expect(new BadRequestError().code).toBe('bad_request');
    expect(new NotFoundError().code).toBe('not_found');
    expect(new UnauthenticatedError().code).toBe('unauthenticated');
    expect(new ForbiddenError().code).toBe('forbidden');
    expect(new CsrfError().code).toBe('csrf');
    expect(new ConflictError().code).toBe('conflict');
    expect(new ClosedError().code).toBe('closed');
    expect(new TooManyRequestsError(60).code).toBe('too_many_requests');
    expect(new UnavailableError().code).toBe('unavailable');
    expect(new ValidationError([]).code).toBe('validation');
  });

  it('when a specific code is given, then it wins and the message key is unchanged', () => {
    const error = new ValidationError(
      [],
      { key: 'accounts:errors.password.incorrect' },
      { code: 'wrong_password' },
    );
    expect(error.code).toBe('wrong_password');
    expect(error.messageRef.key).toBe('accounts:errors.password.incorrect');
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.name).toBe('ValidationError');
  });

  it('when a cause is given, then it is kept', () => {
    const cause = new Error('socket closed');
    expect(new UnavailableError(undefined, { cause }).cause).toBe(cause);
  });
});
