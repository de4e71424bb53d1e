import type { DataSource } from 'typeorm';

/** Thrown when the service's sessions would acknowledge commits PostgreSQL may still lose. */
export class CommitsNotDurableError extends Error {
  constructor(setting: string) {
    super(
      `PostgreSQL's synchronous_commit is "${setting}" for this service's sessions (set on the ` +
        'server, the database or the role): a commit could be lost in a crash after the service ' +
        'acknowledged it (a hold, a credit, a published balance). Set it to on, local, ' +
        'remote_write or remote_apply (ADR 0057).',
    );
    this.name = 'CommitsNotDurableError';
  }
}

/**
 * Refuses a data source whose commits return before their WAL is flushed: every service
 * answers or publishes only after its commit, so that answer must survive a crash.
 */
export async function assertCommitsAreDurable(dataSource: DataSource): Promise<void> {
  const [{ synchronous_commit: setting }]: Array<{ synchronous_commit: string }> =
    await dataSource.query('SHOW synchronous_commit');
  if (setting === 'off') throw new CommitsNotDurableError(setting);
}
