import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The value rules of the tables every hold writes (accounts, api_keys, reservations) move from
 * table CHECK constraints to domains (ADR 0055): PostgreSQL parses a table's CHECK constraints
 * again for every statement that writes the table, a domain's once per session.
 *
 * No table is rewritten: each column first takes a domain without a rule (the same type, so
 * the column is only relabelled), then the domain takes its rule NOT VALID and validates it in
 * one scan, and only then does the table's CHECK go.
 */
const RULES: ReadonlyArray<{
  table: string;
  column: string;
  domain: string;
  base: string;
  /** The condition on the domain's VALUE; the table CHECK it replaces names the column. */
  rule: string;
}> = [
  {
    table: 'accounts',
    column: 'status',
    domain: 'account_status',
    base: 'text',
    rule: "VALUE IN ('active', 'inactive')",
  },
  {
    table: 'accounts',
    column: 'opened_by',
    domain: 'account_opened_by',
    base: 'text',
    rule: "VALUE IN ('command', 'usage', 'payment')",
  },
  {
    table: 'api_keys',
    column: 'held',
    domain: 'held_total',
    base: 'numeric(38,12)',
    rule: 'VALUE >= 0',
  },
  {
    table: 'reservations',
    column: 'amount',
    domain: 'reservation_amount',
    base: 'numeric(38,12)',
    rule: 'VALUE >= 0',
  },
  {
    table: 'reservations',
    column: 'status',
    domain: 'reservation_status',
    base: 'text',
    rule: "VALUE IN ('held', 'settled', 'released', 'expired')",
  },
];

export class HoldPathRulesAreDomains1763856003000 implements MigrationInterface {
  name = 'HoldPathRulesAreDomains1763856003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const { table, column, domain, base, rule } of RULES) {
      await queryRunner.query(`CREATE DOMAIN ${domain} AS ${base}`);
      await queryRunner.query(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE ${domain}`);
      await queryRunner.query(
        `ALTER DOMAIN ${domain} ADD CONSTRAINT ${domain}_check CHECK (${rule}) NOT VALID`,
      );
      await queryRunner.query(`ALTER DOMAIN ${domain} VALIDATE CONSTRAINT ${domain}_check`);
      await queryRunner.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_${column}_check`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const { table, column, domain, base, rule } of [...RULES].reverse()) {
      // The base type first: a CHECK added to the domain-typed column would keep a cast.
      await queryRunner.query(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE ${base}`);
      await queryRunner.query(
        `ALTER TABLE ${table} ADD CONSTRAINT ${table}_${column}_check CHECK (${rule.replace('VALUE', column)})`,
      );
      await queryRunner.query(`DROP DOMAIN ${domain}`);
    }
  }
}
