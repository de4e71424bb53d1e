import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { EMPTY_CREDIT_POOLS, changeCredit, spendCredit } from './credit-attribution';
import type { CreditPools } from './credit-attribution';

const d = (value: string) => new Decimal(value);
const strings = (pools: CreditPools) => ({
  paid: pools.paid.toFixed(),
  bonus: pools.bonus.toFixed(),
});

describe('credit attribution: usage spends granted credit before purchased credit', () => {
  it('adds purchases to paid credit and grants to bonus credit', () => {
    const pools = changeCredit(
      changeCredit(EMPTY_CREDIT_POOLS, 'paid', d('10')),
      'bonus',
      d('2.5'),
    );
    expect(strings(pools)).toEqual({ paid: '10', bonus: '2.5' });
  });

  it('spends the bonus first, then paid credit', () => {
    const pools = { paid: d('10'), bonus: d('2.5') };
    const first = spendCredit(pools, d('1'));
    expect([first.fromBonus.toFixed(), first.fromPaid.toFixed()]).toEqual(['1', '0']);
    const second = spendCredit(first.pools, d('3.25'));
    expect([second.fromBonus.toFixed(), second.fromPaid.toFixed()]).toEqual(['1.5', '1.75']);
    expect(strings(second.pools)).toEqual({ paid: '8.25', bonus: '0' });
  });

  it('takes a refund from paid credit, and from the bonus only what paid credit lacks', () => {
    expect(strings(changeCredit({ paid: d('10'), bonus: d('5') }, 'paid', d('-4')))).toEqual({
      paid: '6',
      bonus: '5',
    });
    expect(strings(changeCredit({ paid: d('3'), bonus: d('5') }, 'paid', d('-4')))).toEqual({
      paid: '0',
      bonus: '4',
    });
  });

  it('leaves what neither pool holds as a negative balance of the source named', () => {
    expect(strings(changeCredit({ paid: d('1'), bonus: d('1') }, 'paid', d('-5')))).toEqual({
      paid: '-3',
      bonus: '0',
    });
    const spend = spendCredit({ paid: d('-3'), bonus: d('0') }, d('0'));
    expect(strings(spend.pools)).toEqual({ paid: '-3', bonus: '0' });
  });

  it('refuses a negative spend', () => {
    expect(() => spendCredit(EMPTY_CREDIT_POOLS, d('-1'))).toThrow(RangeError);
  });

  it('property: the parts add up to the amount, and the pools fall by exactly it', () => {
    const amount = fc
      .bigInt({ min: 0n, max: 10n ** 15n })
      .map((units) => new Decimal(units.toString()).dividedBy(1e6));
    fc.assert(
      fc.property(amount, amount, amount, (paid, bonus, spent) => {
        const result = spendCredit({ paid, bonus }, spent);
        expect(result.fromBonus.plus(result.fromPaid).equals(spent)).toBe(true);
        expect(result.fromBonus.isNegative() || result.fromPaid.isNegative()).toBe(false);
        const before = paid.plus(bonus);
        const after = result.pools.paid.plus(result.pools.bonus);
        expect(before.minus(after).equals(spent)).toBe(true);
      }),
    );
  });
});
