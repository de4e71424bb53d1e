import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage posts as one transaction per account per consumed slice (DESIGN 3.3), with a line per
 * usage event. A line is the event's one row in the ledger: its identity (unique per account,
 * so it is also the consumer's record of what it applied) and its funding split; the
 * transaction's postings carry the sums.
 */
export class UsageLines1763856000900 implements MigrationInterface {
  name = 'UsageLines1763856000900';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE usage_lines (
        account_id text NOT NULL,
        source_id text NOT NULL,
        transaction_id uuid NOT NULL,
        usage_id text NOT NULL,
        source text NOT NULL,
        api_key_id text,
        service text NOT NULL,
        provider text NOT NULL,
        model text NOT NULL,
        occurred_at timestamptz NOT NULL,
        cost numeric(38,12) NOT NULL,
        from_allowance numeric(38,12) NOT NULL,
        from_credit numeric(38,12) NOT NULL,
        to_overage numeric(38,12) NOT NULL,
        reservation_id text,
        PRIMARY KEY (account_id, source_id)
      )`);
    await queryRunner.query(`COMMENT ON TABLE usage_lines IS
      'One row per usage event: unique per account, so an event is posted once whichever transaction carries it'`);
    await queryRunner.query(`COMMENT ON COLUMN usage_lines.from_allowance IS
      'What paid for the line, in the order allowance, credit, overage; the three add up to cost'`);
    await queryRunner.query(
      'CREATE INDEX usage_lines_by_transaction ON usage_lines (account_id, transaction_id)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE usage_lines');
  }
}
