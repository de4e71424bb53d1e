import { CreateMessagingTables1763856000000 } from './messaging-tables.migration';
import { CreateOutboxRounds1763856000001 } from './outbox-rounds.migration';
import { CreateConsumerPositions1763856000002 } from './consumer-positions.migration';

/** The inbox, outbox and consumer-position migrations every service lists before its own. */
export const MESSAGING_MIGRATIONS = [
  CreateMessagingTables1763856000000,
  CreateOutboxRounds1763856000001,
  CreateConsumerPositions1763856000002,
];
