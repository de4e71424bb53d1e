/** The request-reply commands admin sends (DESIGN 2); their topics and `.reply` topics are created at start. */
export const ADMIN_COMMAND_PATTERNS = [
  'ledger.create-account',
  'ledger.create-api-key',
  'ledger.revoke-api-key',
  'ledger.set-budget',
  'ledger.grant-credit',
  'ledger.budget-status',
  'ledger.set-plan',
  'ledger.list-plans',
  'ledger.get-plan',
  'ledger.assign-plan',
  'ledger.set-monthly-cap',
  'ledger.get-monthly-cap',
  'ledger.remove-monthly-cap',
  'ledger.create-coupon',
  'ledger.redeem-coupon',
  'topup.create-checkout',
  'topup.create-setup',
  'topup.get-auto-topup',
  'topup.update-auto-topup',
  'topup.history',
  'alerting.set-channel',
  'alerting.list-channels',
  'alerting.delete-channel',
  'alerting.history',
] as const;

export type AdminCommandPattern = (typeof ADMIN_COMMAND_PATTERNS)[number];
