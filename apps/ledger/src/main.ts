import 'reflect-metadata';
import { configFromEnv, runService } from '@tally/platform';
import { ledgerConfigFromEnv } from './config/ledger.config';
import { startLedgerCommands } from './ledger.app';
import { LedgerModule } from './ledger.module';

const config = configFromEnv('ledger', () => ledgerConfigFromEnv());
runService(LedgerModule.forRoot(config), config.port, 'ledger', (app) =>
  startLedgerCommands(app, config),
);
