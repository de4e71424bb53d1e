import { randomUUID } from 'node:crypto';
import {
  parseAlertFired,
  parseBalanceChanged,
  parseDeadLetter,
  parseLedgerTransaction,
  parsePaymentEvent,
  parseTopUpStatusChanged,
  parseUsageEvent,
  parseUsageRated,
} from '@tally/budget-domain';
import type { ConsumedTopic } from './bad-records-run';
import { balanceChanged } from './balance-changed.builder';
import { usageEvent, usageRated } from './usage-event.builder';

/** A fixed instant, so that which variants a reader refuses does not depend on the clock. */
const AT = '2026-12-01T10:00:00.000Z';
let sequence = 0;
const nextSequence = () => (sequence += 1);

/**
 * Every topic a Tally service consumes: its reader and a valid payload for the account, with
 * identities and sequences of its own at every call (what `produceBadRecords` varies).
 */
export function consumedTopics(account: string) {
  const topics = {
    'usage.events': {
      // Metering reads an event's time against its clock: a payload of now.
      decode: (value) => parseUsageEvent(value, { now: new Date() }),
      make: () => usageEvent({ subject: account }) as unknown as Record<string, unknown>,
    },
    'usage.rated': {
      decode: parseUsageRated,
      make: () => usageRated(account, '0.001000', { occurred_at: AT }),
    },
    'ledger.balance-changed': {
      decode: parseBalanceChanged,
      make: () => balanceChanged(account, nextSequence(), 40, { at: AT }),
    },
    'ledger.transactions': {
      decode: parseLedgerTransaction,
      make: () => ({
        schema_version: 1,
        transaction_id: randomUUID(),
        account_id: account,
        kind: 'usage',
        source_id: randomUUID(),
        occurred_at: AT,
        posted_at: AT,
        postings: [
          { ledger_account: 'credit', amount: '-0.001000' },
          { ledger_account: 'revenue', amount: '0.001000' },
        ],
        details: { note: 'n' },
        lines: [
          {
            usage_id: randomUUID(),
            source: 'gw',
            api_key_id: 'key_1',
            service: 'llm',
            provider: 'openai',
            model: 'gpt-4o',
            occurred_at: AT,
            tokens: 100,
            cost: '0.001000',
            markup: '0',
            discount: '0',
            charged: '0.001000',
            reservation_id: null,
            funding: { allowance: '0', credit: '0.001000', overage: '0' },
          },
        ],
      }),
    },
    'payments.events': {
      decode: parsePaymentEvent,
      make: () => ({
        schema_version: 1,
        id: randomUUID(),
        account_id: account,
        kind: 'credit_purchased',
        trigger: 'manual',
        credit_amount: '10.000000',
        paid_amount: '30.00',
        paid_currency: 'CHF',
        stripe_ref: 'cs_1',
        at: AT,
      }),
    },
    'topup.status-changed': {
      decode: parseTopUpStatusChanged,
      make: () => ({
        schema_version: 1,
        account_id: account,
        sequence: nextSequence(),
        auto_topup: {
          enabled: true,
          state: 'cooldown',
          pending_since: null,
          cooldown_until: AT,
          month_auto_paid: '30.000000',
          monthly_limit: '300.000000',
          paid_currency: 'CHF',
        },
        at: AT,
      }),
    },
    'alerts.fired': {
      decode: parseAlertFired,
      make: () => ({
        schema_version: 1,
        id: randomUUID(),
        account_id: account,
        api_key_id: null,
        kind: 'threshold',
        state: 'resolved',
        resolves: randomUUID(),
        level: 'RED',
        percent: 91,
        amount: '9.100000',
        period_start: AT,
        message: 'spent',
        at: AT,
      }),
    },
    'usage.dead-letter': {
      decode: parseDeadLetter,
      make: () => ({
        schema_version: 1,
        source_topic: 'usage.events',
        partition: 0,
        offset: String(nextSequence()),
        key: account,
        key_base64: null,
        value: 'eyB9',
        truncated: false,
        reason: 'invalid_json',
        error: 'Unexpected token',
        service: 'metering',
        at: AT,
      }),
    },
  } satisfies Record<string, Omit<ConsumedTopic, 'topic'>>;
  return (...names: Array<keyof typeof topics>): ConsumedTopic[] =>
    names.map((topic) => ({ topic, ...topics[topic] }));
}
