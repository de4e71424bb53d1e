import type { Account, AlertLevel } from '../api/api.types';

export interface AccountFigures {
  available?: string;
  used?: string;
  availablePercent?: number;
  alertLevel?: AlertLevel;
}

/**
 * An account's figures from its balance snapshot (admin lists accounts with the latest
 * ledger.balance-changed); fields beside it are read when there is no snapshot.
 */
export function accountFigures(account: Account): AccountFigures {
  const snapshot = typeof account.balance === 'object' ? account.balance : null;
  return {
    available:
      snapshot?.available ??
      (typeof account.balance === 'string' ? account.balance : account.available),
    used: snapshot?.used ?? account.used,
    availablePercent: snapshot?.available_percent ?? account.available_percent,
    alertLevel: snapshot?.alert_level ?? account.alert_level,
  };
}
