import { parseDeadLetter } from './dead-letter';
import { parseAlertFired } from './alert-fired';
import { parseBalanceChanged } from './balance-changed';
import { parseLedgerTransaction } from './ledger-transaction';
import { parsePaymentEvent } from './payment-event';
import { parseTopUpStatusChanged } from './topup-status-changed';
import { parseUsageRated } from './usage-rated';

const at = '2026-11-22T10:00:00.000Z';

describe('topic payload schemas', () => {
  it('accept amounts only as decimal strings', () => {
    const payment = {
      schema_version: 1,
      id: 'pay_1',
      account_id: 'acct_1',
      kind: 'credit_purchased',
      trigger: 'manual',
      credit_amount: '10.00',
      paid_amount: '30.00',
      paid_currency: 'CHF',
      stripe_ref: 'cs_test_1',
      at,
    };
    expect(parsePaymentEvent(JSON.stringify(payment)).ok).toBe(true);
    expect(parsePaymentEvent(JSON.stringify({ ...payment, credit_amount: 10 }))).toMatchObject({
      ok: false,
      reason: 'schema_violation',
      error: expect.stringContaining('credit_amount'),
    });
    expect(parsePaymentEvent(JSON.stringify({ ...payment, credit_amount: '-1' }))).toMatchObject({
      ok: false,
    });
    for (const credit_amount of ['1e-2000000', '0.0000000000001', `1${'0'.repeat(26)}`]) {
      expect(parsePaymentEvent(JSON.stringify({ ...payment, credit_amount }))).toMatchObject({
        ok: false,
        reason: 'schema_violation',
      });
    }
  });

  it('read a payload without schema_version, as DESIGN 3 spells them, as version 1, and refuse any other version', () => {
    const payment = {
      id: 'pay_1',
      account_id: 'acct_1',
      kind: 'credit_purchased',
      trigger: 'manual',
      credit_amount: '10.00',
      paid_amount: '30.00',
      paid_currency: 'CHF',
      stripe_ref: 'cs_test_1',
      at,
    };
    expect(parsePaymentEvent(JSON.stringify(payment))).toEqual({
      ok: true,
      value: { schema_version: 1, ...payment },
    });
    expect(parsePaymentEvent(JSON.stringify({ schema_version: 2, ...payment }))).toMatchObject({
      ok: false,
      reason: 'schema_violation',
      error: expect.stringContaining('schema_version'),
    });
  });

  it('parse balance changes, transactions, alerts and rated usage', () => {
    const balance = {
      schema_version: 1,
      account_id: 'a',
      api_key_id: null,
      sequence: 7,
      period: { start: null, end: null },
      allowance: '0.000000',
      used: '1.000000',
      remaining: '0.000000',
      extra_credit_remaining: '-0.500000',
      available: '-0.500000',
      available_percent: 0,
      alert_level: 'CRITICAL',
      over_soft_limit: false,
      over_hard_limit: false,
      overage: '0.500000',
      cause: { transaction_id: 't', kind: 'usage' },
      at,
    };
    expect(parseBalanceChanged(JSON.stringify(balance)).ok).toBe(true);
    expect(parseBalanceChanged(JSON.stringify({ ...balance, alert_level: 'BLUE' })).ok).toBe(false);
    // DESIGN 3.3 (2026-12-02): a state with a sequence, which readers need to skip stale records.
    const { sequence: _sequence, ...withoutSequence } = balance;
    expect(parseBalanceChanged(JSON.stringify(withoutSequence))).toMatchObject({
      ok: false,
      error: expect.stringContaining('sequence'),
    });
    const transaction = {
      schema_version: 1,
      transaction_id: 't',
      account_id: 'a',
      kind: 'usage',
      source_id: 's',
      occurred_at: at,
      posted_at: at,
      postings: [
        { ledger_account: 'credit', amount: '-1.0' },
        { ledger_account: 'revenue', amount: '1.0' },
      ],
      details: {},
    };
    expect(parseLedgerTransaction(JSON.stringify(transaction)).ok).toBe(true);
    // Admin adds them into pools and daily rollups: 10^15 and more overflowed those sums.
    const huge = '1000000000000000';
    const line = {
      usage_id: 'u',
      source: 's',
      api_key_id: null,
      service: 'llm',
      provider: 'openai',
      model: 'gpt-4o',
      occurred_at: at,
      cost: '1.0',
      markup: '0',
      discount: '0',
      charged: '1.0',
      reservation_id: null,
      funding: { allowance: '0', credit: '1.0', overage: '0' },
    };
    expect(parseLedgerTransaction(JSON.stringify({ ...transaction, lines: [line] })).ok).toBe(true);
    for (const [change, field] of [
      [{ postings: [{ ledger_account: 'credit', amount: `-${huge}` }] }, 'postings.0.amount'],
      [{ lines: [{ ...line, charged: huge }] }, 'lines.0.charged'],
      [{ lines: [{ ...line, funding: { ...line.funding, credit: huge } }] }, 'lines.0.funding'],
    ] as const) {
      expect(parseLedgerTransaction(JSON.stringify({ ...transaction, ...change }))).toMatchObject({
        ok: false,
        error: expect.stringContaining(field),
      });
    }
    expect(
      parseLedgerTransaction(
        JSON.stringify({
          ...transaction,
          postings: [{ ledger_account: 'allowance', amount: '-999999999999999.999999999999' }],
        }),
      ).ok,
    ).toBe(true);
    const alert = {
      schema_version: 1,
      id: 'al',
      account_id: 'a',
      api_key_id: null,
      kind: 'threshold',
      state: 'fired',
      level: 'RED',
      percent: 91,
      period_start: at,
      message: 'm',
      at,
    };
    expect(parseAlertFired(JSON.stringify(alert)).ok).toBe(true);
    expect(
      parseAlertFired(
        JSON.stringify({ ...alert, id: 'al2', state: 'resolved', resolves: 'al', amount: '25.00' }),
      ).ok,
    ).toBe(true);
    expect(parseAlertFired(JSON.stringify({ ...alert, state: 'gone' })).ok).toBe(false);
    // Admin stores both as text, which holds no NUL: the id is refused, the prose made storable.
    expect(
      parseAlertFired(JSON.stringify({ ...alert, state: 'resolved', resolves: 'al\u0000' })),
    ).toMatchObject({ ok: false, error: expect.stringContaining('resolves') });
    expect(parseAlertFired(JSON.stringify({ ...alert, message: 'spent\u0000' }))).toMatchObject({
      ok: true,
      value: { message: 'spent\uFFFD' },
    });
    expect(parseUsageRated('nope')).toMatchObject({ ok: false, reason: 'invalid_json' });
    expect(parseUsageRated('{}')).toMatchObject({ ok: false, reason: 'schema_violation' });
  });
});

describe('topup.status-changed', () => {
  const status = {
    account_id: 'acct_1',
    sequence: 3,
    auto_topup: {
      enabled: true,
      state: 'pending',
      pending_since: '2026-12-02T10:00:00.000Z',
      month_auto_paid: '30.00',
      monthly_limit: '300.00',
      paid_currency: 'CHF',
    },
    at: '2026-12-02T10:00:00.000Z',
  };

  it('is read with its state and amounts as decimal strings', () => {
    expect(parseTopUpStatusChanged(JSON.stringify(status))).toEqual({
      ok: true,
      value: { schema_version: 1, ...status },
    });
  });

  it('is read with why it is paused, a lost dispute or a failed charge (ADR 0157)', () => {
    const paused = { ...status.auto_topup, state: 'paused', pause_reason: 'dispute_lost' };
    expect(
      parseTopUpStatusChanged(JSON.stringify({ ...status, auto_topup: paused })),
    ).toMatchObject({
      ok: true,
      value: { auto_topup: { state: 'paused', pause_reason: 'dispute_lost' } },
    });
  });

  it('refuses an unknown state or pause reason, a number amount and a lower-case currency', () => {
    for (const autoTopUp of [
      { ...status.auto_topup, state: 'charging' },
      { ...status.auto_topup, month_auto_paid: 30 },
      { ...status.auto_topup, paid_currency: 'chf' },
      { ...status.auto_topup, state: 'paused', pause_reason: 'chargeback' },
    ]) {
      expect(
        parseTopUpStatusChanged(JSON.stringify({ ...status, auto_topup: autoTopUp })),
      ).toMatchObject({
        ok: false,
        reason: 'schema_violation',
      });
    }
  });
});

describe('usage.dead-letter', () => {
  const deadLetter = {
    schema_version: 1,
    source_topic: 'usage.events',
    partition: 3,
    offset: '1207',
    key: 'acct_1',
    key_base64: null,
    value: Buffer.from('{ not json').toString('base64'),
    truncated: false,
    reason: 'invalid_json',
    error: 'Unexpected token n in JSON at position 2',
    service: 'metering',
    at,
  };

  it('is read as written', () => {
    expect(parseDeadLetter(JSON.stringify(deadLetter))).toEqual({ ok: true, value: deadLetter });
  });

  it('reads an error with a NUL or an unpaired surrogate as storable text', () => {
    const written = {
      ...deadLetter,
      error: 'Unexpected token \'a\', "a\u0000\ud800" is not valid JSON',
    };
    expect(parseDeadLetter(JSON.stringify(written))).toEqual({
      ok: true,
      value: { ...deadLetter, error: 'Unexpected token \'a\', "a\uFFFD\uFFFD" is not valid JSON' },
    });
  });

  it('refuses what admin could not store: a NUL in a text, a partition or offset beyond its integer, bytes that are not base64', () => {
    for (const [change, field] of [
      [{ source_topic: 'usage.events\u0000' }, 'source_topic'],
      [{ service: 'metering\u0000' }, 'service'],
      [{ key: 'acct\u0000' }, 'key'],
      [{ partition: 2 ** 31 }, 'partition'],
      [{ offset: '9223372036854775808' }, 'offset'],
      [{ value: 'eyB\u0000' }, 'value'],
      [{ key: null, key_base64: 'AA\u0000' }, 'key_base64'],
    ] as const) {
      expect(parseDeadLetter(JSON.stringify({ ...deadLetter, ...change }))).toMatchObject({
        ok: false,
        reason: 'schema_violation',
        error: expect.stringContaining(field),
      });
    }
    // What the writer makes of any record: a key of other control characters, the largest position.
    const written = { ...deadLetter, key: 'acct\u0007', partition: 2 ** 31 - 1 };
    expect(parseDeadLetter(JSON.stringify({ ...written, offset: '9223372036854775807' })).ok).toBe(
      true,
    );
  });

  it('refuses a reason DESIGN 3.1b does not name, another version and an offset that is not one', () => {
    for (const [change, field] of [
      [{ reason: 'bad_luck' }, 'reason'],
      [{ schema_version: 2 }, 'schema_version'],
      [{ offset: 'latest' }, 'offset'],
    ] as const) {
      expect(parseDeadLetter(JSON.stringify({ ...deadLetter, ...change }))).toMatchObject({
        ok: false,
        reason: 'schema_violation',
        error: expect.stringContaining(field),
      });
    }
  });
});
