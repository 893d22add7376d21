import { ValidationError } from '../errors';

/**
 * The one way a form handler shows its form again with errors: runs `action` (which answers the request, usually
 * with a redirect); if it throws a ValidationError, `rerender` shows the form with the error's field messages and
 * the values sent. Any other error goes on to the error handler, and so does what `rerender` throws (a handler
 * that shows only one `code` of ValidationError rethrows the others).
 */
export async function rerenderOnValidationError(
  action: () => Promise<unknown>,
  rerender: (error: ValidationError) => unknown,
): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    await rerender(error);
  }
}
