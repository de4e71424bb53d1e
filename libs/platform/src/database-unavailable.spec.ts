import { databaseUnavailable } from './database-unavailable';

describe('a database error a caller may retry', () => {
  const withCode = (code: string, message = 'failed') =>
    Object.assign(new Error(message), { code });

  it('is a connection lost, refused or timed out, a server restarting, or a statement past its timeout', () => {
    for (const error of [
      withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
      new Error('Connection terminated unexpectedly'),
      new Error('Connection terminated due to connection timeout'),
      new Error('timeout exceeded when trying to connect'),
      withCode('57P01', 'terminating connection due to administrator command'),
      withCode('57014', 'canceling statement due to statement timeout'),
      withCode('08006'),
      withCode('53300'),
      // TypeORM's QueryFailedError keeps pg's error as driverError.
      Object.assign(new Error('query failed'), { driverError: withCode('57P03') }),
      new Error('wrapped', { cause: new Error('Connection terminated unexpectedly') }),
    ])
      expect(databaseUnavailable(error)).toBe(true);
  });

  it('is not data PostgreSQL refused, a race, a deadlock or a bug', () => {
    for (const error of [
      withCode('23505', 'duplicate key value violates unique constraint'),
      withCode('22003', 'numeric field overflow'),
      withCode('40P01', 'deadlock detected'),
      withCode('42P01', 'relation does not exist'),
      new TypeError('Cannot read properties of undefined'),
      undefined,
      'text',
    ])
      expect(databaseUnavailable(error)).toBe(false);
  });
});
