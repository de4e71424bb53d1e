import { CreateMessagingTables1763856000000 } from './messaging-tables.migration';
import { CreateOutboxRounds1763856000001 } from './outbox-rounds.migration';
import { CreateConsumerPositions1763856000002 } from './consumer-positions.migration';
import { OutboxAsLog1763856000003 } from './outbox-log.migration';
import { OutboxPackedRows1763856000004 } from './outbox-packed-rows.migration';
import { OutboxValuesCompressedWithLz41763856000005 } from './outbox-lz4.migration';
import { ConsumerPositionsHalted1763856000006 } from './consumer-positions-halted.migration';
import { InboxFoundByTime1763856000007 } from './inbox-by-time.migration';

/** The inbox, outbox and consumer-position migrations every service lists before its own. */
export const MESSAGING_MIGRATIONS = [
  CreateMessagingTables1763856000000,
  CreateOutboxRounds1763856000001,
  CreateConsumerPositions1763856000002,
  OutboxAsLog1763856000003,
  OutboxPackedRows1763856000004,
  OutboxValuesCompressedWithLz41763856000005,
  ConsumerPositionsHalted1763856000006,
  InboxFoundByTime1763856000007,
];
