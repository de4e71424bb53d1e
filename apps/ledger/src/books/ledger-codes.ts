/**
 * The ledger accounts every tenant has. Tenant-side balances are what the tenant can spend
 * (allowance, credit) or owes (overage, negative); the system side is the other half of
 * every posting, kept per tenant so that no single row is updated by every tenant.
 */
export const TenantLedger = ['allowance', 'credit', 'overage'] as const;
export const SystemLedger = [
  'revenue',
  'payments_clearing',
  'promotions',
  'expiry',
  'allowance_issued',
] as const;
export type LedgerCode = (typeof TenantLedger)[number] | (typeof SystemLedger)[number];
export const ALL_LEDGER_CODES: readonly LedgerCode[] = [...TenantLedger, ...SystemLedger];
