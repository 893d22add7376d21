import {
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoNotConnectedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import mongoose from 'mongoose';
import { isDatabaseUnavailable } from './database-errors';

describe('isDatabaseUnavailable', () => {
  it.each([
    [
      'server selection',
      new MongoServerSelectionError('Server selection timed out after 5000 ms', {} as never),
    ],
    ['network', new MongoNetworkError('connection 3 to 127.0.0.1:27017 closed')],
    ['network timeout', new MongoNetworkTimeoutError('connection timed out')],
    ['not connected', new MongoNotConnectedError('client must be connected')],
    ['topology closed', new MongoTopologyClosedError()],
    ['primary stepped down', new MongoServerError({ code: 189, errmsg: 'PrimarySteppedDown' })],
    ['operation time limit', new MongoServerError({ code: 50, errmsg: 'operation exceeded time limit' })],
    [
      'buffering timeout',
      new mongoose.Error('Operation `users.findOne()` buffering timed out after 10000ms'),
    ],
    ['a wrapped driver error', new Error('query failed', { cause: new MongoNetworkError('reset') })],
  ])('when the error is %s, then the database is unavailable', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a duplicate key', new MongoServerError({ code: 11000, errmsg: 'E11000 duplicate key' })],
    ['a bad query', new MongoServerError({ code: 2, errmsg: 'BadValue' })],
    ['a cast error', new mongoose.Error.CastError('ObjectId', 'x', '_id')],
    ['a programming error', new TypeError('x is undefined')],
    ['not an error', 'oops'],
    ['nothing', undefined],
  ])('when the error is %s, then it is not an outage', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
