import type { DataSource } from 'typeorm';

/** The two settings that decide whether a commit is on disk when it returns. */
export interface CommitSettings {
  readonly synchronous_commit: string;
  readonly fsync: string;
}

/** The setting that lets a commit return before it is on disk, or undefined when none does. */
export function undurableSetting(settings: CommitSettings): string | undefined {
  if (settings.fsync === 'off') return 'fsync = off';
  if (settings.synchronous_commit === 'off') return 'synchronous_commit = off';
  return undefined;
}

/** Thrown when the service's sessions would acknowledge commits PostgreSQL may still lose. */
export class CommitsNotDurableError extends Error {
  constructor(setting: string) {
    super(
      `PostgreSQL runs this service's sessions with ${setting} (set on the server, the ` +
        'database or the role): a commit could be lost in a crash after the service ' +
        'acknowledged it (a hold, a credit, a published balance). Tally needs fsync on and ' +
        'synchronous_commit on, local, remote_write or remote_apply (ADR 0057).',
    );
    this.name = 'CommitsNotDurableError';
  }
}

/**
 * Refuses a data source whose commits return before their WAL is on disk: every service
 * answers or publishes only after its commit, so that answer must survive a crash.
 */
export async function assertCommitsAreDurable(dataSource: DataSource): Promise<void> {
  const [settings]: [CommitSettings] = await dataSource.query(
    `SELECT current_setting('synchronous_commit') AS synchronous_commit, current_setting('fsync') AS fsync`,
  );
  const setting = undurableSetting(settings);
  if (setting) throw new CommitsNotDurableError(setting);
}
