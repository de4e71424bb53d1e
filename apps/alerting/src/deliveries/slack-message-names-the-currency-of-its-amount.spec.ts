import type { AlertFired } from '@tally/budget-domain';
import { slackMessage } from './slack-message';

const alert = (overrides: Partial<AlertFired>): AlertFired => ({
  schema_version: 1,
  id: 'alrt_1',
  account_id: 'acct_1',
  api_key_id: null,
  kind: 'custom_threshold',
  state: 'fired',
  level: 'YELLOW',
  percent: 55,
  amount: '25.000000',
  period_start: '2026-11-01T00:00:00.000Z',
  message: 'acct_1: spend threshold of 25.00 USD reached, 25.50 USD spent this period',
  at: '2026-11-20T10:00:00.000Z',
  ...overrides,
});
const detailsOf = (fired: AlertFired) =>
  JSON.stringify(slackMessage(fired).blocks[1]).match(/"text":"([^"]*)"/)?.[1];

// The context line is read beside the message: "amount 25.000000" is a wire figure in no
// currency, six decimals that say nothing.
describe('a Slack message shows its amount as people read amounts', () => {
  it('a spend amount is in USD, the books’ currency, with its cents', () => {
    expect(detailsOf(alert({}))).toBe(
      'account *acct_1* · kind custom_threshold · level YELLOW · 55% spent · amount 25.00 USD · alert alrt_1',
    );
    expect(detailsOf(alert({ kind: 'anomaly', amount: '0.000450' }))).toContain(
      'amount 0.00045 USD',
    );
  });

  it('a failed auto top-up’s amount, in the paid currency, is left to its message', () => {
    const failed = alert({
      kind: 'auto_topup_failed',
      amount: '3000.000000',
      message: 'acct_1: auto top-up of 3000 JPY failed',
    });
    expect(detailsOf(failed)).toBe(
      'account *acct_1* · kind auto_topup_failed · level YELLOW · 55% spent · alert alrt_1',
    );
    expect(slackMessage(failed).text).toBe('acct_1: auto top-up of 3000 JPY failed');
  });
});
