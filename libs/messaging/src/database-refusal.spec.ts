import { databaseRefusal } from './database-refusal';

/** What TypeORM throws: the pg error as `driverError`. */
const queryFailed = (code: string, message: string) =>
  Object.assign(new Error(message), { driverError: Object.assign(new Error(message), { code }) });

describe('which database errors a record causes for good', () => {
  it('a check constraint, a numeric overflow and a not-null are refusals of the data', () => {
    expect(
      databaseRefusal(queryFailed('23514', 'new row violates check constraint "amount_check"')),
    ).toEqual({ code: '23514', message: 'new row violates check constraint "amount_check"' });
    expect(databaseRefusal(queryFailed('22003', 'numeric field overflow'))?.code).toBe('22003');
    expect(databaseRefusal(queryFailed('23502', 'null value in column "id"'))?.code).toBe('23502');
    expect(databaseRefusal(queryFailed('22P02', 'invalid input syntax'))?.code).toBe('22P02');
  });

  it('a unique or exclusion violation is two instances racing on one slice: tried again', () => {
    expect(databaseRefusal(queryFailed('23505', 'duplicate key value'))).toBeUndefined();
    expect(databaseRefusal(queryFailed('23P01', 'conflicting key value'))).toBeUndefined();
  });

  it('a lost connection, a deadlock, a serialization failure or a plain error are faults', () => {
    for (const code of ['57P01', '08006', '40P01', '40001', '53300', '42P01'])
      expect(databaseRefusal(queryFailed(code, 'fault'))).toBeUndefined();
    expect(databaseRefusal(new Error('Connection terminated unexpectedly'))).toBeUndefined();
    expect(databaseRefusal(undefined)).toBeUndefined();
    expect(databaseRefusal('22003')).toBeUndefined();
  });
});
