import { Decimal } from 'decimal.js';
import { checkAffordability } from './affordability';
import type { SpendLimits } from './affordability';
import { computeBudgetStatus } from './budget-status';

const d = (value: string) => new Decimal(value);
const limits = (figures: { allowance: string; used: string; credit: string }): SpendLimits => ({
  status: computeBudgetStatus({
    allowance: d(figures.allowance),
    used: d(figures.used),
    allowanceRemaining: d(figures.allowance).minus(figures.used),
    creditRemaining: d(figures.credit),
    creditBase: d(figures.credit),
    overage: d('0'),
    holds: d('0'),
  }),
  validity: 'active',
  hardLimit: true,
  overageLimit: d('0'),
});
const messageOf = (input: Parameters<typeof checkAffordability>[0]) => {
  const answer = checkAffordability(input);
  return answer.affordable ? undefined : answer.message;
};

// A 402's message is read by a developer: "has 0.1 available" names neither the currency nor
// the cents (DESIGN 4: amounts are presented at the currency's minor unit).
describe('refusal messages name the currency of each amount, with its minor digits', () => {
  const flush = limits({ allowance: '0', used: '0', credit: '1000' });

  it('the monthly cap and what it leaves', () => {
    expect(
      messageOf({
        cost: d('2.01'),
        accountActive: true,
        account: flush,
        monthlyCap: { cap: d('50'), charged: d('45'), held: d('3') },
      }),
    ).toBe('the monthly cap of 50.00 USD leaves 2.00 USD this month');
  });

  it('the funds an account or a key has left, exact below a cent', () => {
    const broke = limits({ allowance: '0', used: '0', credit: '0.1' });
    expect(messageOf({ cost: d('1'), accountActive: true, account: broke })).toBe(
      'the account has 0.10 USD available',
    );
    const tiny = limits({ allowance: '0', used: '0', credit: '0.000450' });
    expect(messageOf({ cost: d('1'), accountActive: true, account: flush, key: tiny })).toBe(
      'the API key budget has 0.00045 USD available',
    );
  });

  it('the largest call allowed in RED and CRITICAL', () => {
    const red = limits({ allowance: '100', used: '95', credit: '0' });
    expect(messageOf({ cost: d('0.05'), accountActive: true, account: red })).toBe(
      'in RED only calls below 0.05 USD are allowed',
    );
  });
});
