import { Decimal } from 'decimal.js';
import { exactAvailablePercentOf } from '../events/balance-changed';
import { AUTO_TOPUP_DEFAULTS, decideAutoTopUp } from './auto-topup-policy';

const ready = {
  hasCustomer: true,
  hasPaymentMethod: true,
  autoChargedThisMonth: new Decimal(0),
  pendingTopUp: false,
  paused: false,
};
const settings = { ...AUTO_TOPUP_DEFAULTS, enabled: true, triggerBelowPercent: new Decimal(15) };
const now = new Date('2026-12-07T00:00:00Z');

function allowanceLeft(remaining: string, extraCredit = '0.000000') {
  return {
    allowance: '10.000000',
    remaining,
    extra_credit_remaining: extraCredit,
    available_percent: 15,
  };
}

describe('auto top-up triggers on the exact available percent', () => {
  it('1.46 of a 10 allowance is 14.6 %, below a 15 % trigger, though the wire says 15', () => {
    const percent = exactAvailablePercentOf(allowanceLeft('1.460000'));
    expect(percent.toFixed()).toBe('14.6');
    expect(decideAutoTopUp(settings, ready, percent, now).decision).toBe('charge');
  });

  it('1.54 of a 10 allowance is 15.4 %: not below', () => {
    const percent = exactAvailablePercentOf(allowanceLeft('1.540000'));
    expect(decideAutoTopUp(settings, ready, percent, now)).toEqual({
      decision: 'refuse',
      reason: 'above_trigger',
    });
  });

  it('prepaid credit on top of the allowance counts: 0.5 left and 1 of credit is 15 %', () => {
    expect(exactAvailablePercentOf(allowanceLeft('0.500000', '1.000000')).toFixed()).toBe('15');
  });

  it('without an allowance the record carries no base: the rounded percent stands', () => {
    const credit = {
      allowance: '0.000000',
      remaining: '0.000000',
      extra_credit_remaining: '1.460000',
      available_percent: 15,
    };
    expect(exactAvailablePercentOf(credit).toFixed()).toBe('15');
  });
});
