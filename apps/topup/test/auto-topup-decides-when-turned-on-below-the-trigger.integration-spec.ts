import { eventually } from '@tally/testing';
import { topUpAgainstFakeStripe } from './topup.harness';

/**
 * An account out of funds posts no usage, so the ledger sends it no new balance: when auto
 * top-up becomes possible while its last balance is under the trigger (turned on, a setup
 * completed), top-up decides that balance at once, and charges it at most once.
 */
describe('auto top-up decides the last balance when it is turned on below the trigger', () => {
  const { stripe, topup } = topUpAgainstFakeStripe();

  /** Every auto top-up status announced for the account, as [enabled, state]. */
  const announced = (account: string) =>
    topup.statusesOf(account).map((status) => [status.auto_topup.enabled, status.auto_topup.state]);
  /** Turns the account's auto top-up off, then on again. */
  const turnOffAndOn = async (account: string) => {
    await topup.send('topup.update-auto-topup', { account_id: account, enabled: false });
    await topup.send('topup.update-auto-topup', { account_id: account, enabled: true });
  };
  /** A second later, the account still has exactly `count` charges and payments. */
  const stillCharged = async (account: string, count: number) => {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(topup.chargesOf(account)).toHaveLength(count);
    expect(topup.paymentsOf(account)).toHaveLength(count);
  };
  /** A saved card with auto top-up off, and a balance at 3 % available: refused as disabled. */
  const outOfFundsWithAutoTopUpOff = async (account: string) => {
    await topup.saveCard(account, { enable: false });
    await topup.balance(account, 1, 3);
    expect(await topup.decided(account, 1)).toBe('disabled');
    expect(topup.chargesOf(account)).toHaveLength(0);
  };
  const chargedOnceForBalance1 = async (account: string) => {
    await topup.boughtThePack(account, 1, [`tally-auto-topup-${account}:1`]);
    await eventually(() =>
      expect(announced(account)).toEqual([
        [false, 'idle'],
        [true, 'pending'],
        [true, 'cooldown'],
      ]),
    );
  };

  it('turning auto top-up on at 3 % available charges the pack once, without a new balance', async () => {
    const account = 'acct_turned_on_below';
    await outOfFundsWithAutoTopUpOff(account);

    const reply = await topup.send<{ enabled: boolean; state: { state: string } }>(
      'topup.update-auto-topup',
      { account_id: account, enabled: true },
    );
    expect(reply).toMatchObject({ enabled: true, state: { state: 'pending' } });
    await chargedOnceForBalance1(account);

    // The same balance is never charged twice, however often it is turned on.
    await turnOffAndOn(account);
    await stillCharged(account, 1);
  });

  it('a setup completing at 3 % available turns auto top-up on and charges the pack once', async () => {
    const account = 'acct_setup_below';
    await outOfFundsWithAutoTopUpOff(account);

    await topup.saveCard(account, { enable: true });
    await chargedOnceForBalance1(account);
  });

  it('a new card after the charge on the last balance failed charges that balance once more, under a new key', async () => {
    const account = 'acct_declined_then_new_card';
    await topup.saveCard(account, { enable: true });
    stripe.nextPaymentIntents('card_declined');
    await topup.balance(account, 1, 3);
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(1));
    expect(topup.paymentsOf(account)[0]).toMatchObject({ kind: 'credit_failed', trigger: 'auto' });
    await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('paused'));

    // Out of funds, no newer balance comes: the new card is charged for balance 1 at once.
    await topup.saveCard(account, { enable: true });
    await topup.boughtThePack(account, 1, [
      `tally-auto-topup-${account}:1`,
      `tally-auto-topup-${account}:1:retry-1`,
    ]);
    await eventually(() =>
      expect(topup.statusesOf(account).map((status) => status.auto_topup.state)).toEqual([
        'idle',
        'pending',
        'paused',
        'pending',
        'cooldown',
      ]),
    );

    // Charged once: no further change charges balance 1 again.
    await turnOffAndOn(account);
    await topup.saveCard(account, { enable: true });
    await stillCharged(account, 2);
  });

  it('a first setup after the account ran out of funds, with no settings yet, charges its last balance once', async () => {
    const account = 'acct_first_setup_out_of_funds';
    await topup.balance(account, 1, 40);
    await topup.balance(account, 2, 3);
    // Top-up has nothing to decide yet (no settings): it says nothing, charges nothing.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(topup.statusesOf(account)).toHaveLength(0);

    await topup.saveCard(account, { enable: true });
    await topup.boughtThePack(account, 2, [`tally-auto-topup-${account}:2`]);
    await eventually(() =>
      expect(announced(account)).toEqual([
        [true, 'pending'],
        [true, 'cooldown'],
      ]),
    );

    // An older balance arriving late is not newer than the one kept.
    await topup.balance(account, 1, 0);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await topup.decided(account, 2)).toBe('charged');
    expect(topup.chargesOf(account)).toHaveLength(1);
  });
});
