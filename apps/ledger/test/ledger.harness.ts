import { InProcessApp, isolate } from '@tally/testing';
import type { Isolation } from '@tally/testing';
import type { LedgerConfig } from '../src/config/ledger.config';
import { startLedgerCommands } from '../src/ledger.app';
import { LedgerModule } from '../src/ledger.module';

export function ledgerConfig(isolation: Isolation): LedgerConfig {
  return {
    port: 0,
    database: { url: isolation.databaseUrl, schema: isolation.schema('ledger'), poolSize: 10 },
    kafka: { brokers: isolation.kafkaBrokers, clientId: 'ledger-test', topicSuffix: isolation.suffix, partitions: 3, sessionTimeoutMs: 10_000 },
    reconciliationIntervalMs: 0,
  };
}

/** The ledger in the test process; its services are reachable through `get`. */
export class LedgerHarness extends InProcessApp {
  constructor(isolation: Isolation = isolate()) {
    super(
      (i) => LedgerModule.forRoot(ledgerConfig(i)),
      (i) => [i.schema('ledger')],
      isolation,
      (app, i) => startLedgerCommands(app, ledgerConfig(i)),
    );
  }

  get<T>(type: new (...args: never[]) => T): T {
    return this.app.get(type);
  }
}
