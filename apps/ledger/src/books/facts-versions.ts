/**
 * The statement that moves these accounts' facts versions on (ADR 0048); `accounts` is a
 * text[] parameter of distinct account ids. Every change of what an authorization decides on
 * runs it in its own transaction, so facts read with a version are that version's facts.
 */
export function moveFactsVersionsSql(accounts: string): string {
  return `INSERT INTO account_facts_versions AS v (account_id, version)
    SELECT account_id, 1 FROM unnest(${accounts}::text[]) AS a(account_id)
    ON CONFLICT (account_id) DO UPDATE SET version = v.version + 1`;
}

/** The account's facts version in SQL: 0 until something moved it. */
export function factsVersionSql(account: string): string {
  return `coalesce((SELECT version FROM account_facts_versions WHERE account_id = ${account}), 0)`;
}
