import type { EntityManager } from 'typeorm';

/**
 * Takes the advisory lock `name` for the caller's transaction if no other session holds it;
 * false when one does. For background rounds every instance runs: one does the work, the
 * others find it taken and skip theirs.
 */
export async function tryTransactionLock(manager: EntityManager, name: string): Promise<boolean> {
  const [{ locked }]: Array<{ locked: boolean }> = await manager.query(
    'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked',
    [name],
  );
  return locked;
}
