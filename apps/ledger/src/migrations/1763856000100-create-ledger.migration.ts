import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The double-entry core. Every table is keyed by the tenant's account_id first, so the
 * schema can be distributed by account (DESIGN 9).
 */
export class CreateLedger1763856000100 implements MigrationInterface {
  name = 'CreateLedger1763856000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE accounts (
        account_id text PRIMARY KEY,
        name text NOT NULL,
        currency char(3) NOT NULL DEFAULT 'USD',
        tier text,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
        opened_by text NOT NULL CHECK (opened_by IN ('command', 'usage')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`COMMENT ON COLUMN accounts.opened_by IS
      'usage: opened implicitly by usage for an unknown account, because usage already happened and must be recorded (ADR 0003)'`);
    await queryRunner.query(`
      CREATE TABLE ledger_accounts (
        account_id text NOT NULL REFERENCES accounts (account_id),
        code text NOT NULL CHECK (code IN ('allowance', 'credit', 'overage', 'revenue', 'payments_clearing', 'promotions', 'expiry', 'allowance_issued')),
        balance numeric(38,12) NOT NULL DEFAULT 0,
        version bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (account_id, code)
      )`);
    await queryRunner.query(`COMMENT ON TABLE ledger_accounts IS
      'Cached balances: derived from postings, kept in the posting transaction, versioned; reconciliation proves cached = derived. System accounts are kept per tenant so no row is shared by all tenants'`);
    await queryRunner.query(`
      CREATE TABLE transactions (
        account_id text NOT NULL REFERENCES accounts (account_id),
        transaction_id uuid NOT NULL,
        kind text NOT NULL,
        source_id text NOT NULL,
        occurred_at timestamptz NOT NULL,
        posted_at timestamptz NOT NULL DEFAULT now(),
        details jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (account_id, transaction_id),
        UNIQUE (account_id, kind, source_id)
      )`);
    await queryRunner.query(`COMMENT ON COLUMN transactions.source_id IS
      'The outside id that caused the transaction (usage event, payment, idempotency key): unique per kind, so nothing is posted twice'`);
    await queryRunner.query(`
      CREATE TABLE postings (
        account_id text NOT NULL,
        transaction_id uuid NOT NULL,
        ledger_code text NOT NULL,
        amount numeric(38,12) NOT NULL,
        PRIMARY KEY (account_id, transaction_id, ledger_code),
        FOREIGN KEY (account_id, transaction_id) REFERENCES transactions (account_id, transaction_id),
        FOREIGN KEY (account_id, ledger_code) REFERENCES ledger_accounts (account_id, code)
      )`);
    await queryRunner.query(`COMMENT ON COLUMN postings.amount IS
      'Signed: + raises the ledger account, - lowers it; the postings of a transaction sum to zero'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE postings');
    await queryRunner.query('DROP TABLE transactions');
    await queryRunner.query('DROP TABLE ledger_accounts');
    await queryRunner.query('DROP TABLE accounts');
  }
}
