import { Decimal } from 'decimal.js';
import { ALERT_LEVELS } from '../api/api.types';
import type { Account } from '../api/api.types';
import { parseAmount } from '../format/money';
import { accountFigures } from './account-figures';

export const ACCOUNT_ORDERS = {
  urgent: 'most urgent first',
  balance: 'lowest balance first',
  used: 'highest spend first',
  name: 'name',
} as const;
export type AccountOrder = keyof typeof ACCOUNT_ORDERS;

const severity = (account: Account) => {
  const level = accountFigures(account).alertLevel;
  return level === undefined ? -1 : ALERT_LEVELS.indexOf(level);
};
const amount = (value: string | undefined) => parseAmount(value) ?? undefined;
const label = (account: Account) => (account.name || account.account_id).toLowerCase();

/** Missing figures sort last whatever the direction: an account without one is not urgent. */
function byAmount(a: Decimal | undefined, b: Decimal | undefined, descending: boolean): number {
  if (a === undefined || b === undefined)
    return (a === undefined ? 1 : 0) - (b === undefined ? 1 : 0);
  return descending ? b.comparedTo(a) : a.comparedTo(b);
}

/** The loaded accounts in the operator's order; ties keep the name order. */
export function orderAccounts(accounts: readonly Account[], order: AccountOrder): Account[] {
  const byName = (a: Account, b: Account) => label(a).localeCompare(label(b));
  const compare: Record<AccountOrder, (a: Account, b: Account) => number> = {
    urgent: (a, b) =>
      severity(b) - severity(a) ||
      byAmount(
        new Decimal(accountFigures(a).availablePercent ?? Infinity),
        new Decimal(accountFigures(b).availablePercent ?? Infinity),
        false,
      ),
    balance: (a, b) =>
      byAmount(amount(accountFigures(a).available), amount(accountFigures(b).available), false),
    used: (a, b) => byAmount(amount(accountFigures(a).used), amount(accountFigures(b).used), true),
    name: () => 0,
  };
  return [...accounts].sort((a, b) => compare[order](a, b) || byName(a, b));
}
