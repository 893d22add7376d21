import { NotFoundError, ValidationError } from '../errors';
import { rerenderOnValidationError } from './form-errors';

describe('rerenderOnValidationError', () => {
  it('when the action succeeds, then the form is not shown again', async () => {
    const rerender = jest.fn();
    await rerenderOnValidationError(async () => 'done', rerender);
    expect(rerender).not.toHaveBeenCalled();
  });

  it('when the action throws a ValidationError, then the form is shown again with it', async () => {
    const error = new ValidationError([{ field: 'title', message: { key: 'x:required' } }]);
    const rerender = jest.fn(async () => undefined);
    await rerenderOnValidationError(async () => {
      throw error;
    }, rerender);
    expect(rerender).toHaveBeenCalledWith(error);
  });

  it('when the action throws anything else, then it goes on to the error handler', async () => {
    const rerender = jest.fn();
    await expect(
      rerenderOnValidationError(async () => {
        throw new NotFoundError();
      }, rerender),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(rerender).not.toHaveBeenCalled();
  });

  it('when the form shows only some ValidationErrors, then the others it rethrows go on to the error handler', async () => {
    const other = new ValidationError([{ field: 'x', message: { key: 'x:y' } }], undefined, {
      code: 'wrong_password',
    });
    await expect(
      rerenderOnValidationError(
        async () => {
          throw other;
        },
        (error) => {
          if (error.code !== 'answers_incomplete') throw error;
        },
      ),
    ).rejects.toBe(other);
  });
});
