/** Why PostgreSQL refused a record's data: its message and SQLSTATE. */
export interface DatabaseRefusal {
  readonly code: string;
  readonly message: string;
}

/**
 * Unique and exclusion violations are the race of two instances applying one slice (the
 * `appliedIds` unique key, ADR 0013): delivered again, the slice finds its records applied.
 */
const RACES = new Set(['23505', '23P01']);

/**
 * The refusal in an error, if PostgreSQL refused the data itself and would refuse it again: a
 * data exception (SQLSTATE class 22: a numeric overflow, a value out of range) or an integrity
 * constraint (class 23: a check, a not-null), other than a race. Anything else (a lost
 * connection, a deadlock, a serialization failure, a bug) is a fault, tried again.
 */
export function databaseRefusal(error: unknown): DatabaseRefusal | undefined {
  const driverError = (error as { driverError?: unknown } | null)?.driverError ?? error;
  const { code, message } = (driverError ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || !/^2[23][0-9A-Z]{3}$/.test(code) || RACES.has(code))
    return undefined;
  return { code, message: typeof message === 'string' ? message : 'refused' };
}
