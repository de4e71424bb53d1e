import { Client } from 'pg';
import { isolate } from '@tally/testing';
import { ReconciliationService } from '../src/reconciliation/reconciliation.service';
import { LedgerHarness } from './ledger.harness';

/**
 * Requests are bounded by the statement timeout (ADR 0180); reconciliation reads the whole
 * ledger, which grows for ever, so it must not be: at a year's volume one of its statements
 * took 16 s, and a timeout would leave the books unchecked every round.
 */
describe('reconciliation is not bounded by the statement timeout', () => {
  const isolation = isolate();
  const schema = isolation.schema('ledger');
  const ledger = new LedgerHarness(isolation, undefined, {
    database: { url: isolation.databaseUrl, schema, poolSize: 10, statementTimeoutMs: 300 },
  });

  beforeAll(() => ledger.start());
  afterAll(() => ledger.stop());

  it('finishes a run whose statements take longer than DB_STATEMENT_TIMEOUT_MS, and finds the books right', async () => {
    // A statement of the run waits 1.5 s for a lock: as long as a slow read, five times the timeout.
    const blocker = new Client({ connectionString: isolation.databaseUrl });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE "${schema}".postings IN ACCESS EXCLUSIVE MODE`);
      const run = ledger.get(ReconciliationService).reconcile();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await blocker.query('COMMIT');
      const result = await run;
      expect([result.ok, result.postings_total, result.mismatches]).toEqual([true, '0', []]);
    } finally {
      await blocker.end();
    }
  });
});
