import { Decimal } from 'decimal.js';
import {
  AUTO_TOPUP_DEFAULTS,
  autoTopUpStatus,
  decideAutoTopUp,
  monthStartOf,
} from './auto-topup-policy';
import type { AutoTopUpFacts } from './auto-topup-policy';
import { autoTopUpRefusal } from './auto-topup-refusal';

const now = new Date('2026-11-22T10:00:00Z');
const settings = { ...AUTO_TOPUP_DEFAULTS, enabled: true };
const ready: AutoTopUpFacts = {
  hasCustomer: true,
  hasPaymentMethod: true,
  autoChargedThisMonth: new Decimal(0),
  pendingTopUp: false,
  paused: false,
};
const below = new Decimal('4');
const recentSuccess = new Date('2026-11-21T10:00:01Z');
/** Every refusal applies at once: each step below removes the first, exposing the next. */
const everything: AutoTopUpFacts = {
  hasCustomer: false,
  hasPaymentMethod: false,
  autoChargedThisMonth: new Decimal('271'),
  lastSuccessfulAutoTopUpAt: recentSuccess,
  pendingTopUp: true,
  paused: true,
};

describe('auto top-up refuses in DESIGN 4 order', () => {
  it('charges the pack (30 CHF for 10 credit) when available falls below 5 %', () => {
    expect(decideAutoTopUp(settings, ready, below, now)).toEqual({
      decision: 'charge',
      amount: new Decimal(30),
      currency: 'CHF',
      creditAmount: new Decimal(10),
    });
  });

  it('does nothing at or above the trigger', () => {
    expect(decideAutoTopUp(settings, ready, new Decimal(5), now)).toEqual({
      decision: 'refuse',
      reason: 'above_trigger',
    });
  });

  it('names the first reason of: disabled, no payment method, paused, pending, monthly limit, cooldown', () => {
    const steps: Array<[string, typeof settings, AutoTopUpFacts]> = [
      ['disabled', AUTO_TOPUP_DEFAULTS, everything],
      ['no_payment_method', settings, everything],
      ['no_payment_method', settings, { ...everything, hasCustomer: true }],
      ['paused', settings, { ...everything, hasCustomer: true, hasPaymentMethod: true }],
      [
        'pending',
        settings,
        { ...everything, hasCustomer: true, hasPaymentMethod: true, paused: false },
      ],
      [
        'monthly_limit_reached',
        settings,
        {
          ...everything,
          ...ready,
          autoChargedThisMonth: new Decimal('271'),
          lastSuccessfulAutoTopUpAt: recentSuccess,
        },
      ],
      ['cooldown', settings, { ...ready, lastSuccessfulAutoTopUpAt: recentSuccess }],
    ];
    for (const [reason, settingsUsed, facts] of steps) {
      expect([reason, decideAutoTopUp(settingsUsed, facts, below, now)]).toEqual([
        reason,
        { decision: 'refuse', reason },
      ]);
    }
  });

  it('counts only automatic charges toward the monthly limit: 270 + 30 fits 300, 271 + 30 does not', () => {
    const at = (charged: string) =>
      decideAutoTopUp(
        settings,
        { ...ready, autoChargedThisMonth: new Decimal(charged) },
        below,
        now,
      ).decision;
    expect(at('270')).toBe('charge');
    expect(at('271')).toBe('refuse');
  });

  it('charges again exactly 24 h after the last successful automatic top-up', () => {
    const facts = { ...ready, lastSuccessfulAutoTopUpAt: new Date('2026-11-21T10:00:00Z') };
    expect(decideAutoTopUp(settings, facts, below, now).decision).toBe('charge');
  });

  it('the monthly window is the UTC calendar month', () => {
    expect(monthStartOf(new Date('2026-12-01T00:00:00Z')).toISOString()).toBe(
      '2026-12-01T00:00:00.000Z',
    );
    expect(monthStartOf(new Date('2026-11-30T23:59:59.999Z')).toISOString()).toBe(
      '2026-11-01T00:00:00.000Z',
    );
  });
});

describe('auto top-up status (topup.status-changed) and what the ledger answers for it', () => {
  const status = (facts: Partial<AutoTopUpFacts>, enabled = true) =>
    autoTopUpStatus({ ...settings, enabled }, { ...ready, ...facts }, now);

  it('is pending while a charge is in flight, even if auto top-up was switched off meanwhile', () => {
    const pendingSince = new Date('2026-11-22T09:59:00Z');
    expect(status({ pendingTopUp: true, pendingSince }, false)).toEqual({
      enabled: false,
      state: 'pending',
      pendingSince,
      cooldownUntil: null,
      monthAutoPaid: new Decimal(0),
      monthlyLimit: new Decimal(300),
      paidCurrency: 'CHF',
      pauseReason: null,
    });
  });

  it('says why it is paused, and only while it is: a failed charge unless a dispute was lost', () => {
    expect(status({ paused: true }).pauseReason).toBe('charge_failed');
    expect(status({ paused: true, pauseReason: 'dispute_lost' })).toMatchObject({
      state: 'paused',
      pauseReason: 'dispute_lost',
    });
    expect(status({ paused: true, pauseReason: 'dispute_lost' }, false)).toMatchObject({
      state: 'idle',
      pauseReason: null,
    });
    expect(
      status({ paused: true, pauseReason: 'dispute_lost', hasPaymentMethod: false }),
    ).toMatchObject({
      state: 'no_payment_method',
      pauseReason: null,
    });
  });

  it('is idle when off or when nothing would stop a top-up, and names what would otherwise', () => {
    expect(status({}, false).state).toBe('idle');
    expect(status({}).state).toBe('idle');
    expect(status({ hasPaymentMethod: false }).state).toBe('no_payment_method');
    expect(status({ paused: true }).state).toBe('paused');
    expect(status({ autoChargedThisMonth: new Decimal(300) }).state).toBe('monthly_limit_reached');
    expect(status({ lastSuccessfulAutoTopUpAt: recentSuccess })).toMatchObject({
      state: 'cooldown',
      cooldownUntil: new Date('2026-11-22T10:00:01Z'),
    });
  });

  it('turns pending, monthly limit and no payment method into refusal codes; the rest stay BUDGET_EXHAUSTED', () => {
    expect(autoTopUpRefusal('pending')?.errorCode).toBe('AUTO_TOPUP_PENDING');
    expect(autoTopUpRefusal('monthly_limit_reached')).toEqual({
      errorCode: 'AUTO_TOPUP_MONTHLY_LIMIT_REACHED',
      message: expect.stringContaining('a manual top-up still works') as string,
    });
    expect(autoTopUpRefusal('no_payment_method')?.errorCode).toBe('AUTO_TOPUP_NO_PAYMENT_METHOD');
    for (const state of ['idle', 'paused', 'cooldown'] as const) {
      expect(autoTopUpRefusal(state)).toBeUndefined();
    }
  });
});
