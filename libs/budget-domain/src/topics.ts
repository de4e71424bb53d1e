/** Kafka topic names: part of the contract between services (DESIGN 2). */
export const Topics = {
  UsageEvents: 'usage.events',
  UsageRated: 'usage.rated',
  UsageDeadLetter: 'usage.dead-letter',
  LedgerTransactions: 'ledger.transactions',
  LedgerBalanceChanged: 'ledger.balance-changed',
  PaymentsEvents: 'payments.events',
  TopUpStatusChanged: 'topup.status-changed',
  AlertsFired: 'alerts.fired',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];
